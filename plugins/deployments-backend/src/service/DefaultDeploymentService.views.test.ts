import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DeploymentsDashboard,
  EntityDeployments,
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { DeploymentStore, NewRecord } from '../store/DeploymentStore';
import { component, smallResources } from '../__testUtils__/catalog';

// The entity and dashboard views over HTTP, on records written to the
// plugin's database; live state on a real cluster is in
// DefaultDeploymentService.entity.kube.test.ts.
jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const PAYMENTS = 'component:default/payments-api';
const ORDERS = 'component:default/orders-api';
const STOREFRONT = 'component:default/storefront';
const GHOST = 'component:default/ghost-api';
const TEAM_PAYMENTS = 'group:default/team-payments';

const entities = [
  component('payments-api', 'team-payments'),
  component('orders-api', 'group:default/team-payments'),
  component('storefront', 'team-web'),
  // ghost-api has records but is not (or no longer) in the catalog
];

const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function newRecord(
  entityRef: string,
  environment: 'development' | 'test',
  overrides: Partial<NewRecord> = {},
): NewRecord {
  const name = entityRef.split('/')[1];
  const parsed = parseDeploymentRequest({
    application: entityRef,
    environment,
    namespace: `${name}-${environment}`,
    image: { repository: `ghcr.io/acme/${name}`, tag: '1.0.0' },
    resources: smallResources(),
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
    manifests: renderManifests(parsed.request, { owner: TEAM_PAYMENTS }),
    image: `ghcr.io/acme/${name}:1.0.0`,
    requester: 'user:default/ada',
    ...overrides,
  };
}

/**
 * The history the figures are computed over (seconds after T0):
 * team-payments in development: payments-api 0→60 ok, 100→130 failed,
 *   200→290 ok; orders-api 1000→1100 ok
 * team-payments in test: payments-api 5000→5030 rolled back, 5100→5200 ok
 * team-web in development: storefront 300→400 ok
 * unknown in development: ghost-api 0→10 failed
 */
async function seed(knex: Knex) {
  const store = await DeploymentStore.create(mockServices.database({ knex }));
  const history: Array<
    [NewRecord, number, 'succeeded' | 'failed' | 'rolled-back', number]
  > = [
    [newRecord(PAYMENTS, 'development'), 0, 'succeeded', 60],
    [
      newRecord(PAYMENTS, 'development', { action: 'update' }),
      100,
      'failed',
      130,
    ],
    [
      newRecord(PAYMENTS, 'development', { action: 'update' }),
      200,
      'succeeded',
      290,
    ],
    [newRecord(ORDERS, 'development'), 1000, 'succeeded', 1100],
    [newRecord(PAYMENTS, 'test'), 5000, 'rolled-back', 5030],
    [newRecord(PAYMENTS, 'test'), 5100, 'succeeded', 5200],
    [newRecord(STOREFRONT, 'development'), 300, 'succeeded', 400],
    [newRecord(GHOST, 'development'), 0, 'failed', 10],
  ];
  for (const [record, from, status, to] of history) {
    // Written as a running change (which no worker claims without a lease),
    // then ended: a history as the engine leaves it.
    const inserted = await store.insert(record, at(from), 'verifying');
    await store.transition(inserted.id, status, { now: at(to) });
  }
}

describe('entity and dashboard views', () => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  const catalog = catalogServiceMock({ entities });
  const catalogMock = catalogServiceMock.mock({
    getEntityByRef: jest.fn((ref, options) =>
      catalog.getEntityByRef(ref, options),
    ),
    getEntitiesByRefs: jest.fn((req, options) =>
      catalog.getEntitiesByRefs(req, options),
    ),
  });
  const user = mockCredentials.user('user:default/ada');
  const auth = mockCredentials.user.header('user:default/ada');

  function config() {
    return mockServices.rootConfig.factory({
      data: {
        deployments: {
          environments: {
            development: {
              cluster: 'nowhere',
              namespacePattern: 'apps-{{ application }}-{{environment}}',
            },
            test: { cluster: 'nowhere' },
            production: { cluster: 'prod', requiresApproval: true },
          },
        },
      },
    });
  }

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    ({ server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogMock.factory,
        mockServices.database.factory({ knex }),
        config(),
      ],
    }));
    await seed(knex);
  });

  beforeEach(() => jest.clearAllMocks());

  describe('GET /entities/:kind/:namespace/:name/deployments', () => {
    const path = '/api/deployments/entities/component/default/payments-api';

    it('lists every configured environment in OTAP order; a cluster that cannot be read fills error, records stay', async () => {
      const res = await request(server)
        .get(`${path}/deployments`)
        .set('authorization', auth);
      expect(res.status).toBe(200);
      const body = res.body as EntityDeployments;
      expect(body.entityRef).toBe(PAYMENTS);
      expect(
        body.environments.map(e => [
          e.environment,
          e.cluster,
          e.namespace,
          e.requiresApproval,
        ]),
      ).toEqual([
        ['development', 'nowhere', 'apps-payments-api-development', false],
        ['test', 'nowhere', 'payments-api-test', false],
        ['production', 'prod', 'payments-api-production', true],
      ]);
      const [development, test, production] = body.environments;
      expect(development.error).toMatch(/^Cluster nowhere is not configured/);
      expect(development.deployments).toEqual([
        {
          record: expect.objectContaining({
            name: 'payments-api',
            revision: 3,
            status: 'succeeded',
            image: 'ghcr.io/acme/payments-api:1.0.0',
          }),
          live: { exists: false, error: development.error },
        },
      ]);
      expect(test.deployments.map(d => d.record.revision)).toEqual([2]);
      // Nothing deployed: no cluster is asked, so no error either.
      expect(production).toEqual({
        environment: 'production',
        cluster: 'prod',
        namespace: 'payments-api-production',
        requiresApproval: true,
        deployments: [],
      });
      expect(catalogMock.getEntityByRef).toHaveBeenCalledWith(PAYMENTS, {
        credentials: user,
      });
    });

    it('answers 404 for an entity that is not in the catalog', async () => {
      const res = await request(server)
        .get(
          '/api/deployments/entities/component/default/ghost-api/deployments',
        )
        .set('authorization', auth);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({
        name: 'NotFoundError',
        message: expect.stringContaining(
          'component:default/ghost-api is not in the catalog',
        ),
      });
    });

    it('answers 400 for a malformed entity ref, naming the part', async () => {
      const res = await request(server)
        .get(
          '/api/deployments/entities/component/default/bad%20name/deployments',
        )
        .set('authorization', auth);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        errors: [
          {
            field: 'params name',
            message: expect.stringMatching(/^must be an entity name/),
          },
        ],
      });
      const kind = await request(server)
        .get(
          '/api/deployments/entities/9lives/default/payments-api/deployments',
        )
        .set('authorization', auth);
      expect(kind.status).toBe(400);
      expect(kind.body.error.errors).toEqual([
        expect.objectContaining({ field: 'params kind' }),
      ]);
    });
  });

  describe('GET /dashboard', () => {
    it('shows every deployment with its team, recent failures, figures and first deployments', async () => {
      const res = await request(server)
        .get('/api/deployments/dashboard')
        .set('authorization', auth);
      expect(res.status).toBe(200);
      const body = res.body as DeploymentsDashboard;

      expect(
        body.deployments
          .map(d => `${d.team} ${d.environment} ${d.name}#${d.revision}`)
          .sort(),
      ).toEqual([
        'group:default/team-payments development orders-api#1',
        'group:default/team-payments development payments-api#3',
        'group:default/team-payments test payments-api#2',
        'group:default/team-web development storefront#1',
        'unknown development ghost-api#1',
      ]);
      expect(
        body.recentFailures.map(f => [f.team, f.name, f.status, f.finishedAt]),
      ).toEqual([
        [TEAM_PAYMENTS, 'payments-api', 'rolled-back', at(5030).toISOString()],
        [TEAM_PAYMENTS, 'payments-api', 'failed', at(130).toISOString()],
        ['unknown', 'ghost-api', 'failed', at(10).toISOString()],
      ]);
      expect(body.figures).toEqual([
        {
          team: TEAM_PAYMENTS,
          environment: 'development',
          deployments: 4,
          succeeded: 3,
          failed: 1,
          successRate: 0.75,
          // (60 + 90 + 100) / 3
          meanDeploySeconds: 250 / 3,
          // failed at 130, recovered at 290
          meanTimeToRecoverySeconds: 160,
        },
        {
          team: TEAM_PAYMENTS,
          environment: 'test',
          deployments: 2,
          succeeded: 1,
          failed: 1,
          successRate: 0.5,
          meanDeploySeconds: 100,
          meanTimeToRecoverySeconds: 170,
        },
        {
          team: 'group:default/team-web',
          environment: 'development',
          deployments: 1,
          succeeded: 1,
          failed: 0,
          successRate: 1,
          meanDeploySeconds: 100,
        },
        {
          team: 'unknown',
          environment: 'development',
          deployments: 1,
          succeeded: 0,
          failed: 1,
          successRate: 0,
        },
      ]);
      expect(body.firstDeployments).toEqual([
        {
          entityRef: GHOST,
          team: 'unknown',
          firstRequestedAt: at(0).toISOString(),
        },
        {
          entityRef: ORDERS,
          team: TEAM_PAYMENTS,
          firstRequestedAt: at(1000).toISOString(),
          firstSucceededAt: at(1100).toISOString(),
          seconds: 100,
        },
        {
          entityRef: PAYMENTS,
          team: TEAM_PAYMENTS,
          firstRequestedAt: at(0).toISOString(),
          firstSucceededAt: at(60).toISOString(),
          seconds: 60,
        },
        {
          entityRef: STOREFRONT,
          team: 'group:default/team-web',
          firstRequestedAt: at(300).toISOString(),
          firstSucceededAt: at(400).toISOString(),
          seconds: 100,
        },
      ]);
      // The owners come from one catalog call, made as the caller.
      expect(catalogMock.getEntitiesByRefs).toHaveBeenCalledTimes(1);
      expect(catalogMock.getEntitiesByRefs).toHaveBeenCalledWith(
        expect.objectContaining({
          entityRefs: [GHOST, ORDERS, PAYMENTS, STOREFRONT],
        }),
        { credentials: user },
      );
    });

    it('applies the team filter (short refs too) to everything', async () => {
      const res = await request(server)
        .get('/api/deployments/dashboard?team=team-payments')
        .set('authorization', auth);
      expect(res.status).toBe(200);
      const body = res.body as DeploymentsDashboard;
      expect(new Set(body.deployments.map(d => d.entityRef))).toEqual(
        new Set([PAYMENTS, ORDERS]),
      );
      expect(body.recentFailures.map(f => f.entityRef)).toEqual([
        PAYMENTS,
        PAYMENTS,
      ]);
      expect(body.figures.map(f => `${f.team} ${f.environment}`)).toEqual([
        `${TEAM_PAYMENTS} development`,
        `${TEAM_PAYMENTS} test`,
      ]);
      expect(body.firstDeployments.map(f => f.entityRef)).toEqual([
        ORDERS,
        PAYMENTS,
      ]);

      const anyCase = await request(server)
        .get('/api/deployments/dashboard?team=Group:Default/Team-Payments')
        .set('authorization', auth);
      expect(anyCase.body.deployments).toHaveLength(3);

      const unknown = await request(server)
        .get('/api/deployments/dashboard?team=unknown')
        .set('authorization', auth);
      expect(unknown.body.deployments.map((d: any) => d.entityRef)).toEqual([
        GHOST,
      ]);

      const nobody = await request(server)
        .get('/api/deployments/dashboard?team=group:default/nobody')
        .set('authorization', auth);
      expect(nobody.body).toEqual({
        environments: ['development', 'test', 'production'],
        deployments: [],
        recentFailures: [],
        figures: [],
        firstDeployments: [],
      });
    });

    it('applies the environment filter to everything', async () => {
      const res = await request(server)
        .get(
          `/api/deployments/dashboard?environment=test&team=${encodeURIComponent(
            TEAM_PAYMENTS,
          )}`,
        )
        .set('authorization', auth);
      expect(res.status).toBe(200);
      const body = res.body as DeploymentsDashboard;
      expect(body.deployments.map(d => d.environment)).toEqual(['test']);
      expect(body.recentFailures.map(f => f.status)).toEqual(['rolled-back']);
      expect(body.figures.map(f => f.environment)).toEqual(['test']);
      expect(body.firstDeployments).toEqual([
        {
          entityRef: PAYMENTS,
          team: TEAM_PAYMENTS,
          firstRequestedAt: at(5000).toISOString(),
          firstSucceededAt: at(5200).toISOString(),
          seconds: 200,
        },
      ]);
    });

    it('answers 400 for an unknown environment or a malformed team', async () => {
      const env = await request(server)
        .get('/api/deployments/dashboard?environment=staging')
        .set('authorization', auth);
      expect(env.status).toBe(400);
      expect(env.body.error.message).toMatch(
        /^environment 'staging' is not configured; configured environments: development, /,
      );
      const malformed = await request(server)
        .get('/api/deployments/dashboard?environment=Staging')
        .set('authorization', auth);
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.errors).toEqual([
        {
          field: 'query environment',
          message:
            "must be an environment name: lowercase letters, digits and '-', starting with a letter, at most 30 characters (e.g. production)",
        },
      ]);
      const team = await request(server)
        .get('/api/deployments/dashboard?team=group:default/')
        .set('authorization', auth);
      expect(team.status).toBe(400);
      expect(team.body.error).toMatchObject({
        code: 'parameter-invalid',
        errors: [
          {
            field: 'query team',
            message:
              'must be an entity ref such as group:default/team-payments (or unknown)',
          },
        ],
      });
      const twice = await request(server)
        .get('/api/deployments/dashboard?team=a&team=b')
        .set('authorization', auth);
      expect(twice.status).toBe(400);
    });
  });

  it('requires credentials for both views', async () => {
    for (const path of [
      '/api/deployments/entities/component/default/payments-api/deployments',
      '/api/deployments/dashboard',
    ]) {
      const res = await request(server)
        .get(path)
        .set('authorization', mockCredentials.none.header());
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
  });

  it('requires the read permission for both views', async () => {
    const { server: denied } = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogMock.factory,
        mockServices.database.factory({ knex }),
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
        config(),
      ],
    });
    for (const path of [
      '/api/deployments/entities/component/default/payments-api/deployments',
      '/api/deployments/dashboard',
    ]) {
      const res = await request(denied).get(path).set('authorization', auth);
      expect({ path, status: res.status, name: res.body.error?.name }).toEqual({
        path,
        status: 403,
        name: 'NotAllowedError',
      });
    }
  });
});
