import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import {
  caData,
  FaultProxy,
  getTestCluster,
  kubeConfigFor,
  seedPortalAccess,
  startFaultProxy,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import request from 'supertest';
import { component, smallResources } from '../__testUtils__/catalog';
import { startDeploymentsBackend } from '../__testUtils__/backend';

// The change engine against a real API server (kube-sim): changes of one
// deployment run one at a time in revision order; a rollout survives
// watches that are closed under it; an object refused half-way restores
// what ran; objects the portal did not create are never taken over.
jest.setTimeout(180_000);

const PREFIX = 'engine-';
const NS = `${PREFIX}payments-api-development`;
const APP = 'component:default/payments-api';
const auth = mockCredentials.user.header('user:default/ada');
const deployments = `/api/deployments/deployments/development/${NS}`;

function deployRequest(overrides: Record<string, unknown> = {}) {
  return {
    application: APP,
    environment: 'development',
    namespace: NS,
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
    replicas: 2,
    resources: smallResources(),
    env: [{ name: 'ENVIRONMENT', value: 'development' }],
    ...overrides,
  };
}

function sleep(ms: number) {
  return new Promise(r => setTimeout(r, ms));
}

describe('the change engine on a real cluster', () => {
  const cluster = getTestCluster();
  const admin = kubeConfigFor(cluster);
  const apps = admin.makeApiClient(AppsV1Api);
  const core = admin.makeApiClient(CoreV1Api);
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let proxy: FaultProxy;
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    // Through a proxy that can close the connections under the backend.
    proxy = await startFaultProxy(cluster.server);
    ({ server } = await startDeploymentsBackend({
      cluster: { url: proxy.url, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [component('payments-api', 'team-payments')],
    }));
  });

  afterAll(async () => {
    await proxy?.close();
  });

  async function change(id: string, wait = 0) {
    const res = await request(server)
      .get(`/api/deployments/changes/${id}?wait=${wait}`)
      .set('authorization', auth);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function until(id: string, status: string) {
    for (let i = 0; i < 600; i++) {
      const current = await change(id);
      if (current.status === status) return current;
      if (current.finishedAt) {
        throw new Error(`change ended ${current.status}: ${current.error}`);
      }
      await sleep(50);
    }
    throw new Error(`change ${id} never reached ${status}`);
  }

  async function liveImage(name = 'payments-api') {
    const live = await apps.readNamespacedDeployment({ name, namespace: NS });
    return live.spec?.template.spec?.containers[0].image;
  }

  it('runs five concurrent updates of one deployment one at a time, in revision order', async () => {
    const first = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployRequest());
    expect(first.body.status).toBe('succeeded');

    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(n =>
        request(server)
          .put(`${deployments}/payments-api`)
          .set('authorization', auth)
          .send({ image: { tag: `1.0.${n}` } }),
      ),
    );
    expect(answers.map(a => a.status)).toEqual([202, 202, 202, 202, 202]);
    const ended = await Promise.all(answers.map(a => change(a.body.id, 120)));
    ended.sort((a, b) => a.revision - b.revision);
    expect(ended.map(c => c.revision)).toEqual([2, 3, 4, 5, 6]);
    expect(ended.map(c => c.status)).toEqual(Array(5).fill('succeeded'));
    // Each started only after the one before it had ended.
    for (let i = 1; i < ended.length; i++) {
      expect(Date.parse(ended[i].startedAt)).toBeGreaterThanOrEqual(
        Date.parse(ended[i - 1].finishedAt),
      );
    }
    expect(await liveImage()).toBe(ended[4].image);
  });

  it('answers the same change for the same Idempotency-Key, queueing it once', async () => {
    const send = () =>
      request(server)
        .put(`${deployments}/payments-api`)
        .set('authorization', auth)
        .set('Idempotency-Key', 'task-77:deployments:update')
        .send({ replicas: 3 });
    const once = await send();
    const twice = await send();
    expect(once.status).toBe(202);
    expect(twice.body.id).toBe(once.body.id);
    await change(once.body.id, 60);
    const history = await request(server)
      .get(`${deployments}/payments-api/history`)
      .set('authorization', auth);
    expect(
      history.body.items.filter((r: { id: string }) => r.id === once.body.id),
    ).toHaveLength(1);
    expect(history.body.items[0].revision).toBe(7);
  });

  it('answers a change with its policy warnings and keeps them on the record', async () => {
    const res = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(
        deployRequest({
          name: 'payments-aliased',
          env: [{ name: 'PYTHON_ENV', value: 'development' }],
        }),
      );
    expect(res.body.status).toBe('succeeded');
    const warning = expect.objectContaining({
      policyId: 'canonical-config-names',
      severity: 'warning',
      path: 'env[0].name',
    });
    expect(res.body.warnings).toEqual([warning]);
    const history = await request(server)
      .get(`${deployments}/payments-aliased/history`)
      .set('authorization', auth);
    expect(history.body.items[0].warnings).toEqual([warning]);
  });

  it("keeps one caller's Idempotency-Key from answering another caller's change", async () => {
    const asGrace = mockCredentials.user.header('user:default/grace');
    const ada = await request(server)
      .put(`${deployments}/payments-api`)
      .set('authorization', auth)
      .set('Idempotency-Key', 'shared-key')
      .send({ replicas: 2 });
    const grace = await request(server)
      .put(`${deployments}/payments-api`)
      .set('authorization', asGrace)
      .set('Idempotency-Key', 'shared-key')
      .send({ replicas: 3 });
    expect(grace.body.id).not.toBe(ada.body.id);
    expect(grace.body.requester).toBe('user:default/grace');
    await change(ada.body.id, 60);
    expect((await change(grace.body.id, 60)).status).toBe('succeeded');
  });

  it('refuses a bad wait, dryRun or Idempotency-Key with 400 before anything is queued', async () => {
    const before = await request(server)
      .get(`${deployments}/payments-api/history`)
      .set('authorization', auth);
    for (const [query, header, code] of [
      ['?wait=abc', undefined, 'wait-invalid'],
      ['?wait=301', undefined, 'wait-invalid'],
      ['?wait=1&wait=2', undefined, 'wait-invalid'],
      ['?dryRun=yes', undefined, 'parameter-invalid'],
      ['', 'has space', 'parameter-invalid'],
    ] as const) {
      const call = request(server)
        .post(`/api/deployments/deployments${query}`)
        .set('authorization', auth);
      if (header) call.set('Idempotency-Key', header);
      const res = await call.send(deployRequest());
      expect({ query, header, status: res.status }).toEqual({
        query,
        header,
        status: 400,
      });
      expect(res.body.error.code).toBe(code);
    }
    const after = await request(server)
      .get(`${deployments}/payments-api/history`)
      .set('authorization', auth);
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('follows a slow rollout to Ready while its watches are closed every second, and rolls nothing back', async () => {
    const slow = await request(server)
      .put(`${deployments}/payments-api?timeoutSeconds=60`)
      .set('authorization', auth)
      .send({
        image: { repository: 'ghcr.io/acme/slow-payments-api', tag: '2.0.0' },
      });
    expect(slow.status).toBe(202);
    await until(slow.body.id, 'verifying');
    const before = proxy.connections();
    let drops = 0;
    let ended;
    for (;;) {
      ended = await change(slow.body.id);
      if (ended.finishedAt) break;
      proxy.drop();
      drops++;
      await sleep(1000);
    }
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(ended.status).toBe('succeeded');
    expect(
      ended.statusHistory.map((s: { status: string }) => s.status),
    ).toEqual(['queued', 'planning', 'applying', 'verifying', 'succeeded']);
    // Every drop was followed by a new watch.
    expect(proxy.connections() - before).toBeGreaterThanOrEqual(drops);
    expect(await liveImage()).toBe('ghcr.io/acme/slow-payments-api:2.0.0');
  });

  it('cancels a change while it is queued, and not once it runs', async () => {
    const running = await request(server)
      .put(`${deployments}/payments-api?timeoutSeconds=60`)
      .set('authorization', auth)
      .send({
        image: { repository: 'ghcr.io/acme/slow-payments-api', tag: '2.1.0' },
      });
    const queued = await request(server)
      .put(`${deployments}/payments-api`)
      .set('authorization', auth)
      .send({ image: { tag: '9.9.9' } });
    expect(queued.body).toMatchObject({ status: 'queued', queuePosition: 1 });
    await until(running.body.id, 'verifying');

    const refused = await request(server)
      .post(`/api/deployments/changes/${running.body.id}/cancel`)
      .set('authorization', auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('change-in-progress');
    const cancelled = await request(server)
      .post(`/api/deployments/changes/${queued.body.id}/cancel`)
      .set('authorization', auth);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });

    expect((await change(running.body.id, 60)).status).toBe('succeeded');
    expect(await liveImage()).toBe('ghcr.io/acme/slow-payments-api:2.1.0');
  });

  it('restores what ran when an object is refused after others were applied', async () => {
    const admission = admin.makeApiClient(AdmissionregistrationV1Api);
    const name = 'engine-test-refuse-port-9000';
    // Refuses real (not dry-run) writes of a NetworkPolicy that opens port
    // 9000 in this namespace: the dry run passes, the apply fails half-way.
    await admission.createValidatingAdmissionPolicy({
      body: {
        metadata: { name },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['networking.k8s.io'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['networkpolicies'],
              },
            ],
          },
          validations: [
            {
              expression:
                "request.dryRun == true || object.spec.ingress.all(i, !has(i.ports) || i.ports.all(p, !has(p.port) || string(p.port) != '9000'))",
              message: 'port 9000 is not allowed here',
            },
          ],
        },
      },
    });
    await admission.createValidatingAdmissionPolicyBinding({
      body: {
        metadata: { name },
        spec: {
          policyName: name,
          validationActions: ['Deny'],
          matchResources: {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': NS },
            },
          },
        },
      },
    });
    try {
      await untilPolicyRefuses();
      const before = await request(server)
        .get(`${deployments}/payments-api`)
        .set('authorization', auth);
      const res = await request(server)
        .put(`${deployments}/payments-api?wait=60`)
        .set('authorization', auth)
        .send({
          ports: [{ name: 'http', containerPort: 9000 }],
          env: [{ name: 'ENVIRONMENT', value: 'changed' }],
        });
      expect(res.body.status).toBe('rolled-back');
      expect(res.body.error).toMatch(
        /^Revision \d+ was applied only in part: NetworkPolicy\/payments-api was refused: .*port 9000 is not allowed here.* \(after .*ConfigMap\/payments-api-env.*\); rolled back to revision \d+$/,
      );
      expect(res.body.error).toContain('Service/payments-api');
      expect(res.body.error).not.toMatch(/after .*Deployment\//);
      // Everything is as it was: the ConfigMap and the Service were restored,
      // the Deployment never changed.
      const configMap = await core.readNamespacedConfigMap({
        name: 'payments-api-env',
        namespace: NS,
      });
      expect(configMap.data).toEqual({ ENVIRONMENT: 'development' });
      const service = await core.readNamespacedService({
        name: 'payments-api',
        namespace: NS,
      });
      expect(service.spec?.ports?.map(p => p.port)).toEqual([8000]);
      expect(await liveImage()).toBe(before.body.live.image);
    } finally {
      await admission.deleteValidatingAdmissionPolicyBinding({ name });
      await admission.deleteValidatingAdmissionPolicy({ name });
    }

    /** The policy is in force once a real write of such an object is refused. */
    async function untilPolicyRefuses() {
      const networking = admin.makeApiClient(NetworkingV1Api);
      for (let i = 0; i < 100; i++) {
        const probe = {
          metadata: { name: `probe-${i}` },
          spec: {
            podSelector: {},
            ingress: [{ ports: [{ port: 9000 }] }],
          },
        };
        try {
          await networking.createNamespacedNetworkPolicy({
            namespace: NS,
            body: probe,
          });
          await networking.deleteNamespacedNetworkPolicy({
            name: probe.metadata.name,
            namespace: NS,
          });
        } catch {
          return;
        }
        await sleep(200);
      }
      throw new Error('the admission policy never came into force');
    }
  });

  it('refuses to take over objects the portal did not create (409 object-not-managed), recording nothing', async () => {
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: {
        metadata: { name: 'payments-foreign-env' },
        data: { OWNER: 'someone else' },
      },
    });
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(deployRequest({ name: 'payments-foreign' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('object-not-managed');
    expect(res.body.error.message).toMatch(
      /^ConfigMap\/payments-foreign-env \(managed by .+\) already exists in namespace engine-payments-api-development and was not created by the portal for payments-api/,
    );
    const history = await request(server)
      .get(`${deployments}/payments-foreign/history`)
      .set('authorization', auth);
    expect(history.status).toBe(404);
    const untouched = await core.readNamespacedConfigMap({
      name: 'payments-foreign-env',
      namespace: NS,
    });
    expect(untouched.data).toEqual({ OWNER: 'someone else' });
    expect(untouched.metadata?.labels).toBeUndefined();
  });
});
