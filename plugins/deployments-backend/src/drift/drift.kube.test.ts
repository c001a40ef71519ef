import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  CoreV1Api,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  caData,
  getTestCluster,
  kubeConfigFor,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import request from 'supertest';
import { component, smallResources } from '../__testUtils__/catalog';
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { sleep, until } from '../__testUtils__/eventually';

// Drift detection against a real API server: the scheduled check (every
// second here) compares the live objects with what the running revision
// applied. An edit made with another field manager (as `kubectl edit`
// does) and a deleted object show on the Deployments tab with the field,
// the manager and since when, are audited once, and a re-apply (a
// rollback to the running revision) clears them.
jest.setTimeout(120_000);

const PREFIX = 'drift-';
const NS = `${PREFIX}payments-api-development`;
const APP = 'component:default/payments-api';
const auth = mockCredentials.user.header('user:default/ada');

describe('drift detection on a real cluster', () => {
  const cluster = getTestCluster();
  const admin = kubeConfigFor(cluster);
  const apps = admin.makeApiClient(AppsV1Api);
  const core = admin.makeApiClient(CoreV1Api);
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [component('payments-api', 'team-payments')],
      realScheduler: true,
      deployments: {
        drift: {
          schedule: {
            frequency: { seconds: 1 },
            timeout: { seconds: 30 },
            initialDelay: { seconds: 0 },
          },
        },
      },
    }));
  });

  async function deployment() {
    const res = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/deployments',
      )
      .set('authorization', auth);
    expect(res.status).toBe(200);
    const development = res.body.environments.find(
      (e: { environment: string }) => e.environment === 'development',
    );
    return development.deployments[0];
  }

  async function driftEvents() {
    const res = await request(server)
      .get(`/api/deployments/audit?entityRef=${encodeURIComponent(APP)}`)
      .set('authorization', auth);
    expect(res.status).toBe(200);
    return (res.body.items as Array<{ action: string; message: string }>)
      .filter(e => e.action.startsWith('drift.'))
      .reverse();
  }

  it('flags an edit by another field manager and a deleted object within a cycle, once, and a re-apply clears it', async () => {
    const deployed = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send({
        application: APP,
        environment: 'development',
        namespace: NS,
        image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
        replicas: 2,
        resources: smallResources(),
        env: [{ name: 'ENVIRONMENT', value: 'development' }],
      });
    expect(deployed.body.status).toBe('succeeded');
    // Applied as rendered: the typed client's model calls a NetworkPolicy's
    // ingress sources `_from` and used to drop them (ingress open to all).
    const policy = await admin
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ name: 'payments-api', namespace: NS });
    expect(policy.spec?.ingress?.[0]._from).toEqual([
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'payments-api' },
        },
      },
      {
        namespaceSelector: {
          matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
        },
      },
    ]);

    // Several cycles over what the portal applied: nothing is drift (the
    // API server's defaults and normalised quantities included).
    await sleep(2500);
    expect((await deployment()).drift).toBeUndefined();
    expect(await driftEvents()).toEqual([]);

    // What `kubectl edit` and `kubectl delete` do: an update under another
    // field manager, and an object gone.
    await apps.patchNamespacedDeployment(
      {
        name: 'payments-api',
        namespace: NS,
        fieldManager: 'kubectl-edit',
        body: { spec: { replicas: 5 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedService({ name: 'payments-api', namespace: NS });

    const drifted = await until('drift shown', async () => {
      const current = await deployment();
      return current.drift?.fields.length >= 2 ? current.drift : undefined;
    });
    expect(drifted.revision).toBe(deployed.body.revision);
    expect(Date.parse(drifted.detectedAt)).toBeGreaterThan(
      Date.parse(deployed.body.finishedAt),
    );
    expect(drifted.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          object: 'Deployment/payments-api',
          path: 'spec.replicas',
          change: 'changed',
          applied: '2',
          live: '5',
          manager: 'kubectl-edit',
          changedAt: expect.any(String),
        }),
        { object: 'Service/payments-api', change: 'removed' },
      ]),
    );
    expect(drifted.fields).toHaveLength(2);

    // The dashboard shows it too.
    const dashboard = await request(server)
      .get('/api/deployments/dashboard')
      .set('authorization', auth);
    expect(dashboard.body.deployments[0].drift.fields).toHaveLength(2);

    // Later cycles keep the first detection and announce nothing new.
    await sleep(2500);
    const later = (await deployment()).drift;
    expect(later.detectedAt).toBe(drifted.detectedAt);
    expect(Date.parse(later.checkedAt)).toBeGreaterThan(
      Date.parse(drifted.checkedAt),
    );
    const events = await driftEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'drift.detect',
      message: expect.stringContaining(
        'Deployment/payments-api spec.replicas changed (2 → 5) by kubectl-edit',
      ),
    });

    // Re-apply: the running revision again.
    const reapplied = await request(server)
      .post(
        `/api/deployments/deployments/development/${NS}/payments-api/rollback?wait=60`,
      )
      .set('authorization', auth)
      .send({ revision: drifted.revision });
    expect(reapplied.body.status).toBe('succeeded');
    expect((await deployment()).drift).toBeUndefined();
    const live = await apps.readNamespacedDeployment({
      name: 'payments-api',
      namespace: NS,
    });
    expect(live.spec?.replicas).toBe(2);
    await core.readNamespacedService({ name: 'payments-api', namespace: NS });

    // And the next cycles find nothing again.
    await sleep(2500);
    expect((await deployment()).drift).toBeUndefined();
    expect((await driftEvents()).map(e => e.action)).toEqual(['drift.detect']);
  });
});
