import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PolicyV1Api,
  V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import {
  caData,
  FaultProxy,
  getTestCluster,
  seedPortalAccess,
  kubeConfigFor,
  startFaultProxy,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { Knex } from 'knex';
import request from 'supertest';
import { component, smallResources } from '../__testUtils__/catalog';
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { collectMetrics } from '../__testUtils__/metrics';

// The deployment API against a real API server (kube-sim), through the
// portal's namespace-scoped service account, as in `./portal start`.
jest.setTimeout(180_000);

// Collects what the plugin reports through OpenTelemetry.
const metricPoints = collectMetrics();

async function metricSum(name: string, match: Record<string, string>) {
  return (await metricPoints(name, match)).reduce(
    (total, point) => total + point.value,
    0,
  );
}

const NS = 'payments-api-development';

const entities = [component('payments-api', 'team-payments')];

function deployRequest(overrides: Record<string, unknown> = {}) {
  return {
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: NS,
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
    replicas: 2,
    resources: smallResources(),
    env: [
      { name: 'ENVIRONMENT', value: 'development' },
      {
        name: 'SECRET_KEY',
        secretKeyRef: { name: 'payments-api', key: 'secret-key' },
      },
    ],
    ...overrides,
  };
}

async function backendFor(options: {
  url: string;
  token: string;
  ca: string;
  deny?: boolean;
  knex: Knex;
}) {
  const { server } = await startDeploymentsBackend({
    cluster: { url: options.url, token: options.token, ca: options.ca },
    knex: options.knex,
    entities,
    deny: options.deny,
  });
  return server;
}

function liveDeployment(kc: KubeConfig, name = 'payments-api') {
  return kc
    .makeApiClient(AppsV1Api)
    .readNamespacedDeployment({ name, namespace: NS });
}

/** Records the lowest availableReplicas seen until stopped. */
function watchAvailability(kc: KubeConfig, name: string) {
  const seen = { minAvailable: Infinity, images: new Set<string>() };
  let req: { abort(): void } | undefined;
  const started = new Watch(kc)
    .watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { fieldSelector: `metadata.name=${name}` },
      (_type, d: V1Deployment) => {
        seen.minAvailable = Math.min(
          seen.minAvailable,
          d.status?.availableReplicas ?? 0,
        );
        seen.images.add(d.spec!.template.spec!.containers[0].image!);
      },
      () => {},
    )
    .then(r => {
      req = r;
    });
  return {
    seen,
    ready: started,
    stop: () => req?.abort(),
  };
}

describe('deployments API on a real cluster', () => {
  const cluster = getTestCluster();
  const admin = kubeConfigFor(cluster);
  let proxy: FaultProxy;
  let server: Awaited<ReturnType<typeof backendFor>>;
  let token: string;
  const auth = mockCredentials.user.header('user:default/ada');
  const path = `/api/deployments/deployments/development/${NS}`;

  // One database for both backends of this suite: the one that denies
  // everything sees the same deployments (the permission is decided on
  // the deployment's entity, so it must exist).
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let knex: Knex;

  beforeAll(async () => {
    token = await seedPortalAccess(cluster, ['development']);
    proxy = await startFaultProxy(cluster.server);
    knex = await databases.init('SQLITE_3');
    server = await backendFor({
      url: proxy.url,
      token,
      ca: caData(cluster),
      knex,
    });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('refuses an invalid request with field messages and applies nothing', async () => {
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(deployRequest({ replicas: -1, namespace: 'Payments', extra: 1 }));
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.errors).toEqual(
      expect.arrayContaining([
        { field: '(request)', message: 'unknown field extra: remove it' },
        { field: 'replicas', message: 'replicas must be 0 or more' },
        expect.objectContaining({ field: 'namespace' }),
      ]),
    );
    const list = await admin
      .makeApiClient(AppsV1Api)
      .listNamespacedDeployment({ namespace: NS });
    expect(list.items).toHaveLength(0);
    expect(
      (
        await request(server)
          .get(`${path}/payments-api/history`)
          .set('authorization', auth)
      ).status,
    ).toBe(404);
  });

  it('refuses a request that violates a policy, naming policy and field', async () => {
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(
        deployRequest({ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }),
      );
    expect(res.status).toBe(400);
    expect(res.body.error.violations).toEqual([
      expect.objectContaining({
        policyId: 'plaintext-secrets',
        path: 'env[0].value',
        message: 'DB_PASSWORD holds a secret as a plain value',
      }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const list = await admin
      .makeApiClient(AppsV1Api)
      .listNamespacedDeployment({ namespace: NS });
    expect(list.items).toHaveLength(0);
  });

  it("refuses a secretKeyRef to another application's Secret, reading metadata only", async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const secret = (name: string, application?: string) => ({
      metadata: {
        name,
        ...(application
          ? { labels: { 'deployments/application': application } }
          : {}),
      },
      stringData: { 'secret-key': `value-of-${name}-s3cr3t` },
    });
    await core.createNamespacedSecret({
      namespace: NS,
      body: secret('payments-api', 'payments-api'),
    });
    await core.createNamespacedSecret({
      namespace: NS,
      body: secret('orders-creds', 'orders-api'),
    });
    await core.createNamespacedSecret({
      namespace: NS,
      body: secret('shared-creds'),
    });
    const env = (name: string) => [
      { name: 'SECRET_KEY', secretKeyRef: { name, key: 'secret-key' } },
    ];

    const theirs = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(deployRequest({ env: env('orders-creds') }));
    expect(theirs.status).toBe(400);
    expect(theirs.body.error.violations).toEqual([
      expect.objectContaining({
        policyId: 'secret-ownership',
        path: 'env[0].secretKeyRef.name',
        message: `Secret 'orders-creds' in namespace '${NS}' belongs to application 'orders-api', not 'payments-api'`,
      }),
    ]);
    const unlabelled = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployRequest({ env: env('shared-creds') }));
    expect(unlabelled.body.valid).toBe(false);
    expect(unlabelled.body.violations).toEqual([
      expect.objectContaining({
        policyId: 'secret-ownership',
        severity: 'error',
        hint: `label it for the application: kubectl -n ${NS} label secret shared-creds deployments/application=payments-api`,
      }),
    ]);
    const missing = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployRequest({ env: env('not-there') }));
    expect(missing.body.valid).toBe(true);
    expect(missing.body.violations).toEqual([
      expect.objectContaining({
        policyId: 'secret-exists',
        severity: 'warning',
      }),
    ]);
    const own = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployRequest({ env: env('payments-api') }));
    expect(own.body).toMatchObject({ valid: true, errors: [], violations: [] });

    for (const res of [theirs, unlabelled, missing, own]) {
      expect(JSON.stringify(res.body)).not.toContain('s3cr3t');
    }
    const list = await admin
      .makeApiClient(AppsV1Api)
      .listNamespacedDeployment({ namespace: NS });
    expect(list.items).toHaveLength(0);
  });

  it('validates with policies, a server-side dry run and a diff', async () => {
    const res = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployRequest());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true,
      errors: [],
      dryRun: { ok: true },
    });
    expect(res.body.diff.map((d: { change: string }) => d.change)).toEqual(
      Array(6).fill('create'),
    );
  });

  it('queues a deploy (202 and where to follow it), which ends Ready', async () => {
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(deployRequest());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      revision: 1,
      action: 'deploy',
      requester: 'user:default/ada',
      image: 'ghcr.io/acme/payments-api:1.0.0',
      links: { self: `/changes/${res.body.id}` },
    });
    expect(res.headers.location).toBe(
      `/api/deployments/changes/${res.body.id}`,
    );
    const followed = await request(server)
      .get(`/api/deployments/changes/${res.body.id}?wait=60`)
      .set('authorization', auth);
    expect(followed.status).toBe(200);
    expect(followed.body).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(
      followed.body.statusHistory.map((s: { status: string }) => s.status),
    ).toEqual(['queued', 'planning', 'applying', 'verifying', 'succeeded']);
    const live = await liveDeployment(admin);
    expect(live.status?.readyReplicas).toBe(2);
    expect(live.metadata?.labels?.['backstage.io/kubernetes-id']).toBe(
      'payments-api',
    );
  });

  it('is idempotent: the same request five times, one set of objects, five records', async () => {
    const generation = (await liveDeployment(admin)).metadata?.generation;
    for (let i = 0; i < 4; i++) {
      const res = await request(server)
        .post('/api/deployments/deployments?wait=60')
        .set('authorization', auth)
        .send(deployRequest());
      expect(res.body.status).toBe('succeeded');
    }
    expect((await liveDeployment(admin)).metadata?.generation).toBe(generation);
    const history = await request(server)
      .get(`${path}/payments-api/history`)
      .set('authorization', auth);
    expect(
      history.body.items.map((r: { revision: number }) => r.revision),
    ).toEqual([5, 4, 3, 2, 1]);
    const apps = admin.makeApiClient(AppsV1Api);
    expect(
      (await apps.listNamespacedDeployment({ namespace: NS })).items,
    ).toHaveLength(1);
    expect(
      (await apps.listNamespacedReplicaSet({ namespace: NS })).items,
    ).toHaveLength(1);
  });

  it('updates the image with a rolling update that keeps every replica available', async () => {
    const watch = watchAvailability(admin, 'payments-api');
    await watch.ready;
    const res = await request(server)
      .put(`${path}/payments-api?wait=60`)
      .set('authorization', auth)
      .send({ image: { tag: '1.1.0' } });
    watch.stop();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'update', status: 'succeeded' });
    expect(watch.seen.images).toEqual(
      new Set([
        'ghcr.io/acme/payments-api:1.0.0',
        'ghcr.io/acme/payments-api:1.1.0',
      ]),
    );
    expect(watch.seen.minAvailable).toBeGreaterThanOrEqual(2);
    const live = await liveDeployment(admin);
    expect(live.spec?.template.spec?.containers[0].image).toBe(
      'ghcr.io/acme/payments-api:1.1.0',
    );
  });

  it('scales through PUT', async () => {
    const res = await request(server)
      .put(`${path}/payments-api?wait=60`)
      .set('authorization', auth)
      .send({ replicas: 3 });
    expect(res.body.status).toBe('succeeded');
    expect((await liveDeployment(admin)).status?.readyReplicas).toBe(3);
    const pdbs = await admin
      .makeApiClient(PolicyV1Api)
      .listNamespacedPodDisruptionBudget({ namespace: NS });
    expect(pdbs.items.map(p => p.metadata?.name)).toEqual(['payments-api']);
  });

  it('restarts the pods through the restartedAt annotation', async () => {
    const before = (await liveDeployment(admin)).metadata?.generation ?? 0;
    const res = await request(server)
      .post(`${path}/payments-api/restart?wait=60`)
      .set('authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'restart', status: 'succeeded' });
    const live = await liveDeployment(admin);
    expect(
      live.spec?.template.metadata?.annotations?.[
        'kubectl.kubernetes.io/restartedAt'
      ],
    ).toBeDefined();
    expect(live.metadata?.generation).toBeGreaterThan(before);
  });

  it('rolls back automatically when the new version never becomes ready', async () => {
    const res = await request(server)
      .put(`${path}/payments-api?timeoutSeconds=6&wait=60`)
      .set('authorization', auth)
      .send({
        image: {
          repository: 'ghcr.io/acme/unready-payments-api',
          tag: '2.0.0',
        },
      });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('rolled-back');
    expect(res.body.error).toMatch(
      /^Revision \d+ did not become ready: rollout did not become ready within 6s/,
    );
    expect(res.body.error).toMatch(/rolled back to revision \d+$/);
    const live = await liveDeployment(admin);
    expect(live.spec?.template.spec?.containers[0].image).toBe(
      'ghcr.io/acme/payments-api:1.1.0',
    );
    expect(live.status?.readyReplicas).toBe(3);
  });

  it('rolls back to a chosen revision', async () => {
    const res = await request(server)
      .post(`${path}/payments-api/rollback?wait=60`)
      .set('authorization', auth)
      .send({ revision: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      action: 'rollback',
      status: 'succeeded',
      rollbackToRevision: 1,
    });
    const live = await liveDeployment(admin);
    expect(live.spec?.template.spec?.containers[0].image).toBe(
      'ghcr.io/acme/payments-api:1.0.0',
    );
    // Revision 1 ran 2 replicas without a PodDisruptionBudget... it had 2, so the PDB stays.
    expect(live.spec?.replicas).toBe(2);
  });

  it('refuses to roll back to a revision that never ran', async () => {
    const history = await request(server)
      .get(`${path}/payments-api/history`)
      .set('authorization', auth);
    const rolledBack = history.body.items.find(
      (r: { status: string }) => r.status === 'rolled-back',
    );
    const res = await request(server)
      .post(`${path}/payments-api/rollback`)
      .set('authorization', auth)
      .send({ revision: rolledBack.revision });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'is not a version that ran successfully',
    );
  });

  it('shows a deployment with its live state, and lists the namespace', async () => {
    const res = await request(server)
      .get(`${path}/payments-api`)
      .set('authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.live).toMatchObject({
      exists: true,
      readyReplicas: 2,
      image: 'ghcr.io/acme/payments-api:1.0.0',
    });
    const list = await request(server).get(path).set('authorization', auth);
    expect(list.body.items.map((r: { name: string }) => r.name)).toEqual([
      'payments-api',
    ]);
  });

  it('deletes everything it created, dependents first', async () => {
    const res = await request(server)
      .delete(`${path}/payments-api?wait=60`)
      .set('authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'delete', status: 'succeeded' });
    const apps = admin.makeApiClient(AppsV1Api);
    for (let i = 0; i < 100; i++) {
      const remaining = await apps.listNamespacedDeployment({ namespace: NS });
      if (remaining.items.length === 0) break;
      await new Promise(r => setTimeout(r, 200));
    }
    expect(
      (await apps.listNamespacedDeployment({ namespace: NS })).items,
    ).toHaveLength(0);
    expect(
      (await apps.listNamespacedReplicaSet({ namespace: NS })).items,
    ).toHaveLength(0);
    const get = await request(server)
      .get(`${path}/payments-api`)
      .set('authorization', auth);
    expect(get.body.live.exists).toBe(false);
  });

  it('fails without rolling back when the cluster stays away until the deadline, and a retry succeeds', async () => {
    const queued = await request(server)
      .post('/api/deployments/deployments?timeoutSeconds=5')
      .set('authorization', auth)
      .send(
        deployRequest({
          name: 'payments-canary',
          image: { repository: 'ghcr.io/acme/unready-api', tag: '1.0.0' },
        }),
      );
    expect(queued.status).toBe(202);
    // Cut the link once everything is applied and the rollout of an image
    // that never becomes ready is being followed.
    for (let i = 0; ; i++) {
      const change = await request(server)
        .get(`/api/deployments/changes/${queued.body.id}`)
        .set('authorization', auth);
      if (change.body.status === 'verifying') break;
      if (i === 300) throw new Error('the rollout was never followed');
      await new Promise(r => setTimeout(r, 50));
    }
    proxy.cut();
    let res;
    try {
      res = await request(server)
        .get(`/api/deployments/changes/${queued.body.id}?wait=60`)
        .set('authorization', auth);
    } finally {
      proxy.restore();
    }
    expect(res.body.status).toBe('failed');
    expect(res.body.error).toMatch(
      /^Revision 1 could not be verified, so it was not rolled back: the rollout could not be followed until the deadline: Cluster test-cluster is unreachable/,
    );

    const retry = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployRequest({ name: 'payments-canary' }));
    expect(retry.body).toMatchObject({ status: 'succeeded', revision: 2 });
  });

  it('answers 503 with the reason when the cluster is unreachable, recording nothing', async () => {
    proxy.cut();
    try {
      const res = await request(server)
        .post('/api/deployments/deployments')
        .set('authorization', auth)
        .send(deployRequest({ name: 'payments-unreachable' }));
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(
        /^Cluster test-cluster is unreachable/,
      );
      expect(JSON.stringify(res.body)).not.toContain(token);
    } finally {
      proxy.restore();
    }
  });

  it('maps a Kubernetes refusal to 403 and records nothing', async () => {
    // A namespace of the right owner, but without the portal's RoleBinding.
    await kubeConfigFor(cluster)
      .makeApiClient(CoreV1Api)
      .createNamespace({
        body: {
          metadata: {
            name: 'payments-api-unbound',
            labels: { 'backstage.io/owner': 'team-payments' },
          },
        },
      });
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(
        deployRequest({
          namespace: 'payments-api-unbound',
          env: [{ name: 'ENVIRONMENT', value: 'development' }],
        }),
      );
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(res.body.error.message).toMatch(
      /^Kubernetes refused: .*forbidden.*\(.*ServiceAccount\/payments-api in cluster test-cluster, namespace payments-api-unbound\)/,
    );
    // Refused before anything was recorded or applied.
    const history = await request(server)
      .get(
        '/api/deployments/deployments/development/payments-api-unbound/payments-api/history',
      )
      .set('authorization', auth);
    expect(history.status).toBe(404);
  });

  it('requires credentials and the permission for every route', async () => {
    const anonymous = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', mockCredentials.none.header())
      .send(deployRequest());
    expect(anonymous.status).toBe(401);
    const denied = await backendFor({
      url: proxy.url,
      token,
      ca: caData(cluster),
      deny: true,
      knex,
    });
    for (const call of [
      request(denied)
        .post('/api/deployments/deployments')
        .set('authorization', auth)
        .send(deployRequest()),
      request(denied).get(`${path}/payments-canary`).set('authorization', auth),
      request(denied)
        .delete(`${path}/payments-canary`)
        .set('authorization', auth),
      request(denied)
        .post(`${path}/payments-canary/restart`)
        .set('authorization', auth),
      request(denied)
        .post(`${path}/payments-canary/rollback`)
        .set('authorization', auth)
        .send({}),
    ]) {
      const res = await call;
      expect({ status: res.status, name: res.body.error?.name }).toEqual({
        status: 403,
        name: 'NotAllowedError',
      });
    }
  });

  it('reports deployments, rollbacks and policy violations as metrics', async () => {
    expect(
      await metricSum('deployments_total', {
        action: 'deploy',
        result: 'succeeded',
        environment: 'development',
      }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      await metricSum('deployments_total', {
        action: 'update',
        result: 'rolled-back',
      }),
    ).toBe(1);
    expect(
      await metricSum('deployments_rollbacks_total', { kind: 'automatic' }),
    ).toBe(1);
    expect(
      await metricSum('deployments_rollbacks_total', { kind: 'requested' }),
    ).toBe(1);
    expect(
      await metricSum('deployments_policy_violations_total', {
        policy_id: 'plaintext-secrets',
        severity: 'error',
      }),
    ).toBe(1);
  });
});
