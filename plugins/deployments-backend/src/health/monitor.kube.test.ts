import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  caData,
  getTestCluster,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { component, smallResources } from '../__testUtils__/catalog';
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { sleep, until } from '../__testUtils__/eventually';
import { collectMetrics } from '../__testUtils__/metrics';
import { ContractServer, startContractServer } from './__testUtils__/servers';
import { HEALTH_METRICS } from './healthMetrics';

// Continuous health against a real API server: the scheduled monitor (every
// second here) probes the application's health contract (a real HTTP
// server) and reads its pods without anyone opening the tab; a readiness
// failure becomes a timeline entry and, once it held for the debounce
// window, exactly one notification (here through the chat webhook, a real
// HTTP server); the gauges say what the monitor saw.
jest.setTimeout(120_000);

const PREFIX = 'monitor-';
const NS = `${PREFIX}payments-api-development`;
const APP = 'component:default/payments-api';
const auth = mockCredentials.user.header('user:default/ada');

const metricPoints = collectMetrics();

async function gauge(name: string, environment: string) {
  const [point] = await metricPoints(name, { application: APP, environment });
  return point?.value;
}

/** A chat webhook that keeps what it receives. */
async function startWebhook() {
  const received: Array<{ event: string; message: string; comment?: string }> =
    [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('the health monitor on a real cluster', () => {
  const cluster = getTestCluster();
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let service: ContractServer;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    service = await startContractServer({ environment: 'development' });
    webhook = await startWebhook();
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    const entity = component('payments-api', 'team-payments');
    entity.metadata.annotations = { 'deployments/health-url': service.url };
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [entity],
      realScheduler: true,
      deployments: {
        environments: {
          development: {
            cluster: 'test-cluster',
            namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
          },
        },
        health: {
          allowedTargets: [`127.0.0.1:${service.port}`],
          monitor: {
            schedule: {
              frequency: { seconds: 1 },
              timeout: { seconds: 30 },
              initialDelay: { seconds: 0 },
            },
            debounceSeconds: 1,
          },
        },
        notifications: { webhookUrl: webhook.url },
        rollout: { verification: { windowSeconds: 0 } },
        drift: { enabled: false },
      },
    }));
  });

  afterAll(async () => {
    await service?.close();
    await webhook?.close();
  });

  async function timeline() {
    const res = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/health/timeline?environment=development',
      )
      .set('authorization', auth);
    expect(res.status).toBe(200);
    return res.body.entries as Array<{
      state: string;
      previous?: string;
      from: string;
      until?: string;
      durationSeconds: number;
      reason?: string;
    }>;
  }

  const healthEvents = () => webhook.received.filter(e => e.event === 'health');

  it('records a readiness failure in the timeline, announces it once after the debounce, and its recovery', async () => {
    const deployed = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send({
        application: APP,
        environment: 'development',
        namespace: NS,
        image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
        replicas: 1,
        resources: smallResources(),
        env: [{ name: 'ENVIRONMENT', value: 'development' }],
      });
    expect(deployed.body.status).toBe('succeeded');

    // First seen healthy, without anyone opening the tab; not announced.
    await until('first observation', async () =>
      (await timeline()).find(e => e.state === 'healthy'),
    );
    await until('gauges', async () =>
      (await gauge(HEALTH_METRICS.ready, 'development')) === 1
        ? true
        : undefined,
    );
    expect(await gauge(HEALTH_METRICS.up, 'development')).toBe(1);
    expect(await gauge(HEALTH_METRICS.healthy, 'development')).toBe(1);
    expect(
      await gauge(HEALTH_METRICS.probe, 'development'),
    ).toBeGreaterThanOrEqual(0);
    expect(healthEvents()).toEqual([]);
    // The Deployments tab shows it per environment, at a glance.
    const tab = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/deployments',
      )
      .set('authorization', auth);
    expect(
      tab.body.environments.find(
        (e: { environment: string }) => e.environment === 'development',
      ).health,
    ).toMatchObject({ state: 'healthy', since: expect.any(String) });

    service.set({ ready: false });
    const failing = await until('unhealthy in the timeline', async () => {
      const [latest] = await timeline();
      return latest?.state === 'unhealthy' ? latest : undefined;
    });
    expect(failing).toMatchObject({
      previous: 'healthy',
      reason: expect.stringContaining('readiness down (503)'),
    });
    expect(failing.until).toBeUndefined();
    await until('one announcement', async () =>
      healthEvents().length === 1 ? true : undefined,
    );
    expect(healthEvents()[0]).toMatchObject({
      comment: 'unhealthy',
      message: expect.stringContaining(
        `${APP} in development is unhealthy since ${failing.from} (was healthy): readiness down (503)`,
      ),
    });
    expect(await gauge(HEALTH_METRICS.ready, 'development')).toBe(0);
    expect(await gauge(HEALTH_METRICS.up, 'development')).toBe(1);
    expect(await gauge(HEALTH_METRICS.healthy, 'development')).toBe(0);

    // Later runs see the same state: still one entry, one announcement.
    await sleep(2500);
    expect(healthEvents()).toHaveLength(1);
    expect(
      (await timeline()).filter(e => e.state === 'unhealthy'),
    ).toHaveLength(1);

    service.set({ ready: true });
    const recovered = await until('recovery in the timeline', async () => {
      const [latest] = await timeline();
      return latest?.state === 'healthy' && latest.previous
        ? latest
        : undefined;
    });
    expect(recovered.previous).toBe('unhealthy');
    const [, outage] = await timeline();
    expect(outage).toMatchObject({ state: 'unhealthy', until: recovered.from });
    expect(outage.durationSeconds).toBeGreaterThanOrEqual(2);
    await until('recovery announced', async () =>
      healthEvents().length === 2 ? true : undefined,
    );
    expect(healthEvents()[1].message).toContain(
      `${APP} in development is healthy again since ${recovered.from} (was unhealthy)`,
    );
  });

  it('refuses a timeline request for an environment that is not configured', async () => {
    const res = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/health/timeline?environment=nowhere',
      )
      .set('authorization', auth);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      "environment 'nowhere' is not configured",
    );
  });
});
