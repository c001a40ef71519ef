import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DeliveryInsights,
  DeploymentsDashboard,
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { DeploymentStore, NewRecord } from '../store/DeploymentStore';
import { component, smallResources } from '../__testUtils__/catalog';

// GET /insights over HTTP on records written to the plugin's database; the
// SQL on both databases is in DoraStore.test.ts.
jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const PAYMENTS = 'component:default/payments-api';
const STOREFRONT = 'component:default/storefront';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Relative to now: the window always ends now.
const ago = (ms: number) => new Date(Date.now() - ms);

function newRecord(
  entityRef: string,
  environment: 'development' | 'production',
  builtAt?: Date,
): NewRecord {
  const name = entityRef.split('/')[1];
  const parsed = parseDeploymentRequest({
    application: entityRef,
    environment,
    namespace: `${name}-${environment}`,
    image: { repository: `ghcr.io/acme/${name}`, digest: DIGEST },
    resources: smallResources(),
    ...(builtAt ? { builtAt: builtAt.toISOString() } : {}),
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error('bad fixture');
  return {
    environment,
    namespace: `${name}-${environment}`,
    name,
    entityRef,
    action: 'deploy',
    request: parsed.request,
    manifests: renderManifests(parsed.request, {
      owner: 'group:default/team-payments',
    }),
    image: `ghcr.io/acme/${name}@${DIGEST}`,
    digest: DIGEST,
    requester: 'user:default/ada',
  };
}

describe('GET /insights', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  const auth = mockCredentials.user.header('user:default/ada');
  const catalog = catalogServiceMock({
    entities: [
      component('payments-api', 'team-payments'),
      component('storefront', 'team-web'),
    ],
  });

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    ({ server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.mock({
          getEntitiesByRefs: jest.fn((req, options) =>
            catalog.getEntitiesByRefs(req, options),
          ),
          getEntityByRef: jest.fn((ref, options) =>
            catalog.getEntityByRef(ref, options),
          ),
        }).factory,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              environments: {
                development: { cluster: 'nowhere' },
                production: { cluster: 'nowhere' },
              },
              // the ADR's 5 min, made stricter
              insights: { targets: { meanDeploySeconds: 120 } },
            },
          },
        }),
      ],
    }));
    const store = await DeploymentStore.create(mockServices.database({ knex }));
    const run = async (
      record: NewRecord,
      from: Date,
      seconds: number,
      status: 'succeeded' | 'failed',
    ) => {
      const inserted = await store.insert(record, from, 'verifying');
      await store.transition(inserted.id, status, {
        now: new Date(from.getTime() + seconds * 1000),
      });
    };
    // payments-api, built 3 days ago: development 2 days ago, a failed then a
    // good production deploy yesterday; storefront: 40 days ago only.
    const built = ago(3 * DAY);
    await run(
      newRecord(PAYMENTS, 'development', built),
      ago(2 * DAY),
      60,
      'succeeded',
    );
    await run(
      newRecord(PAYMENTS, 'production', built),
      ago(DAY + HOUR),
      120,
      'failed',
    );
    await run(
      newRecord(PAYMENTS, 'production', built),
      ago(DAY),
      180,
      'succeeded',
    );
    await run(
      newRecord(STOREFRONT, 'development'),
      ago(40 * DAY),
      30,
      'succeeded',
    );
  });

  it('gives the DORA figures of the window with the configured targets, production as the headline', async () => {
    const res = await request(server)
      .get('/api/deployments/insights?window=7')
      .set('authorization', auth);
    expect(res.status).toBe(200);
    const body = res.body as DeliveryInsights;
    expect(body.window).toEqual(
      expect.objectContaining({ days: 7, bucketDays: 1 }),
    );
    expect(body.targets).toEqual({
      successRate: 0.95,
      meanDeploySeconds: 120,
      timeToRestoreSeconds: 600,
      firstDeploySeconds: 900,
    });
    expect(body.overall).toEqual(
      expect.objectContaining({
        deployments: 2,
        succeeded: 1,
        failed: 1,
        changeFailureRate: 0.5,
        deploymentsPerDay: 2 / 7,
        meanDeploySeconds: 180,
        leadTimeSamples: 1,
        restores: 1,
      }),
    );
    // built 3 days ago, running in production a day ago (+ 180 s)
    expect(body.overall.meanLeadTimeSeconds).toBeCloseTo(2 * 86_400 + 180, -1);
    // failed at DAY + HOUR - 120 s, restored by the next success
    expect(body.overall.meanTimeToRestoreSeconds).toBeCloseTo(
      3_600 - 120 + 180,
      -1,
    );
    expect(body.byEnvironment.map(e => [e.environment, e.deployments])).toEqual(
      [
        ['development', 1],
        ['production', 2],
      ],
    );
    expect(
      body.byTeam.map(t => [t.team, t.environment, t.deployments]),
    ).toEqual([
      ['group:default/team-payments', 'development', 1],
      ['group:default/team-payments', 'production', 2],
    ]);
    // 7 daily steps per environment with changes, oldest first
    expect(body.series).toHaveLength(14);
    expect(
      body.series
        .filter(s => s.environment === 'production')
        .reduce((sum, s) => sum + s.deployments, 0),
    ).toBe(2);
  });

  it('narrows to one application, one team or one environment; 90 days reach storefront', async () => {
    const get = async (query: string) => {
      const res = await request(server)
        .get(`/api/deployments/insights?${query}`)
        .set('authorization', auth);
      expect(res.status).toBe(200);
      return res.body as DeliveryInsights;
    };
    expect((await get(`entityRef=${STOREFRONT}`)).byEnvironment).toEqual([]);
    const quarter = await get(`window=90&team=group:default/team-web`);
    expect(quarter.window.bucketDays).toBe(7);
    expect(quarter.byEnvironment).toEqual([
      expect.objectContaining({ environment: 'development', deployments: 1 }),
    ]);
    const development = await get('environment=development');
    // the chosen environment is the headline
    expect(development.overall.deployments).toBe(1);
    expect(development.byEnvironment.map(e => e.environment)).toEqual([
      'development',
    ]);
  });

  it('refuses a window, environment or application it does not know, naming the parameter', async () => {
    for (const [query, field] of [
      ['window=14', 'window'],
      ['environment=staging', 'staging'],
      ['entityRef=payments-api', 'entityRef'],
    ]) {
      const res = await request(server)
        .get(`/api/deployments/insights?${query}`)
        .set('authorization', auth);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain(field);
    }
    const anonymous = await request(server)
      .get('/api/deployments/insights')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });

  it("gives the dashboard's figures and first deployments over the same window, all time without one", async () => {
    const get = async (query: string) => {
      const res = await request(server)
        .get(`/api/deployments/dashboard${query}`)
        .set('authorization', auth);
      expect(res.status).toBe(200);
      return res.body as DeploymentsDashboard;
    };
    const week = await get('?window=7');
    expect(
      week.figures.map(f => [f.team, f.environment, f.deployments, f.failed]),
    ).toEqual([
      ['group:default/team-payments', 'development', 1, 0],
      ['group:default/team-payments', 'production', 2, 1],
    ]);
    // restored by the next success, an hour and a minute later
    expect(week.figures[1].meanTimeToRecoverySeconds).toBeCloseTo(3_660, -1);
    expect(week.firstDeployments.map(f => f.entityRef)).toEqual([PAYMENTS]);
    // All time: storefront's deploy 40 days ago too.
    const all = await get('');
    expect(all.figures.map(f => f.team)).toContain('group:default/team-web');
    expect(all.firstDeployments.map(f => f.entityRef)).toEqual([
      PAYMENTS,
      STOREFRONT,
    ]);
    const refused = await request(server)
      .get('/api/deployments/dashboard?window=365')
      .set('authorization', auth);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error)).toContain('window');
  });
});
