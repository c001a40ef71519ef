import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
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
import {
  ContractServer,
  startContractServer,
} from '../health/__testUtils__/servers';

// Health-verified rollouts against a real API server: once the new pods are
// Ready, the engine probes the application's readiness contract (here a
// real HTTP server named by the entity's deployments/health-url) for the
// verification window; a revision whose readiness fails is rolled back,
// with its time to detect and time to restore on the record.
jest.setTimeout(120_000);

const PREFIX = 'verify-';
const NS = `${PREFIX}payments-api-development`;
const APP = 'component:default/payments-api';
const auth = mockCredentials.user.header('user:default/ada');

function deployRequest(tag: string) {
  return {
    application: APP,
    environment: 'development',
    namespace: NS,
    image: { repository: 'ghcr.io/acme/payments-api', tag },
    replicas: 1,
    resources: smallResources(),
    env: [{ name: 'ENVIRONMENT', value: 'development' }],
  };
}

describe('health-verified rollouts on a real cluster', () => {
  const cluster = getTestCluster();
  const apps = kubeConfigFor(cluster).makeApiClient(AppsV1Api);
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let service: ContractServer;
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    service = await startContractServer({ environment: 'development' });
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    const entity = component('payments-api', 'team-payments');
    entity.metadata.annotations = { 'deployments/health-url': service.url };
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [entity],
      deployments: {
        environments: { development: { cluster: 'test-cluster' } },
        health: { allowedTargets: [`127.0.0.1:${service.port}`] },
        rollout: {
          timeoutSeconds: 30,
          verification: {
            windowSeconds: 2,
            intervalSeconds: 0.25,
            failureThreshold: 2,
          },
        },
      },
    }));
  });

  afterAll(async () => {
    await service?.close();
  });

  async function liveImage() {
    const live = await apps.readNamespacedDeployment({
      name: 'payments-api',
      namespace: NS,
    });
    return live.spec?.template.spec?.containers[0].image;
  }

  it('succeeds when readiness holds for the window, and says so in the history', async () => {
    const before = service.requests.length;
    const res = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployRequest('1.0.0'));
    expect(res.body.status).toBe('succeeded');
    const last = res.body.statusHistory.at(-1);
    expect(last.reason).toMatch(
      /readiness contract held for the verification window \(\d+ probes\)/,
    );
    const probed = service.requests
      .slice(before)
      .filter(path => path === '/api/v2/ready');
    // A window of 2 s probed every 250 ms: several probes, not one.
    expect(probed.length).toBeGreaterThanOrEqual(3);
    expect(res.body.recovery).toBeUndefined();
  });

  it('rolls back a release whose readiness fails after its pods are Ready, recording time to detect and restore', async () => {
    service.set({ ready: false });
    try {
      const res = await request(server)
        .put(
          `/api/deployments/deployments/development/${NS}/payments-api?wait=60`,
        )
        .set('authorization', auth)
        .send({ image: { tag: '1.0.1' } });
      expect(res.body.status).toBe('rolled-back');
      expect(res.body.error).toMatch(
        /Revision 2 is not healthy: its readiness contract failed 2 times in a row after the pods were Ready: GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/ready answered 503 \(database: down\)/,
      );
      expect(res.body.error).toContain('rolled back to revision 1');
      const statuses = res.body.statusHistory.map(
        (t: { status: string }) => t.status,
      );
      expect(statuses).toEqual([
        'queued',
        'planning',
        'applying',
        'verifying',
        'rolling-back',
        'rolled-back',
      ]);
      const { recovery } = res.body;
      expect(recovery.detectSeconds).toBeGreaterThanOrEqual(0);
      expect(recovery.restoreSeconds).toBeGreaterThanOrEqual(0);
      expect(Date.parse(recovery.restoredAt)).toBeGreaterThanOrEqual(
        Date.parse(recovery.detectedAt),
      );
      expect(await liveImage()).toBe('ghcr.io/acme/payments-api:1.0.0');
    } finally {
      service.set({ ready: true });
    }
  });
});
