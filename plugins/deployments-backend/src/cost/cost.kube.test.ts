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
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { component, smallResources } from '../__testUtils__/catalog';

// The cost estimate and the cost-budget policy against a real API server:
// validate answers the estimate at the environment's prices, a change that
// takes a team over its budget is refused before anything is applied, and
// an approval request shows the difference to what runs now.
jest.setTimeout(180_000);

const PREFIX = 'cost-';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const ADA = 'user:default/ada';
const GRACE = 'user:default/grace';
const as = (user: string) => mockCredentials.user.header(user);
const namespace = (application: string, environment: string) =>
  `${PREFIX}${application}-${environment}`;

/**
 * 100m CPU and 128Mi requested per replica: in development
 * 730 × (0.1 × 0.04 + 0.125 × 0.005) = €3.37625 a month, in production
 * 730 × (0.1 × 0.05 + 0.125 × 0.01) = €4.5625.
 */
function deployment(
  application: string,
  environment: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    application: `component:default/${application}`,
    environment,
    namespace: namespace(application, environment),
    image: {
      repository: `ghcr.io/acme/${application}`,
      tag: '1.0.0',
      digest: DIGEST,
    },
    replicas: 2,
    resources: smallResources(),
    ...(environment === 'production'
      ? { changeReference: 'https://jira.acme.example/browse/OPS-19' }
      : {}),
    ...overrides,
  };
}

describe('cost estimate and budget', () => {
  const cluster = getTestCluster();
  const apps = kubeConfigFor(cluster).makeApiClient(AppsV1Api);
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(
      cluster,
      ['development', 'production'],
      { namespacePrefix: PREFIX },
    );
    const namespacePattern = `${PREFIX}{{ application }}-{{ environment }}`;
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [
        component('payments-api', 'team-payments'),
        component('orders-api', 'team-orders'),
        component('storefront', 'team-orders'),
      ],
      deployments: {
        environments: {
          development: {
            cluster: 'test-cluster',
            namespacePattern,
            cost: { cpuHour: 0.04, gibHour: 0.005, budget: 10 },
          },
          production: {
            cluster: 'test-cluster',
            namespacePattern,
            cost: { cpuHour: 0.05, gibHour: 0.01, currency: 'EUR' },
          },
        },
      },
    }));
  });

  const validate = (body: object) =>
    request(server)
      .post('/api/deployments/validate')
      .set('authorization', as(ADA))
      .send(body);

  it('answers the monthly estimate with validate, a range with autoscaling', async () => {
    const fixed = await validate(deployment('payments-api', 'development'));
    expect(fixed.status).toBe(200);
    expect(fixed.body.valid).toBe(true);
    expect(fixed.body.cost).toEqual({
      currency: 'EUR',
      basis: 'requests',
      perReplica: 3.38,
      replicas: 2,
      monthly: 6.75, // 2 × 3.37625 = 6.7525
    });

    const scaled = await validate(
      deployment('payments-api', 'development', {
        autoscaling: { minReplicas: 2, maxReplicas: 4 },
      }),
    );
    expect(scaled.body.cost).toMatchObject({
      replicas: 2,
      monthly: 6.75,
      maxReplicas: 4,
      monthlyMax: 13.51, // 4 × 3.37625 = 13.505
    });
  });

  it("refuses a deploy that takes the team over the environment's budget, applying nothing", async () => {
    // team-orders: orders-api at 2 replicas (€6.75) runs …
    const first = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', as(ADA))
      .send(deployment('orders-api', 'development'));
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('succeeded');

    // … so storefront at 1 replica (€3.38) makes €10.13 of a €10 budget.
    const over = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', as(ADA))
      .send(deployment('storefront', 'development', { replicas: 1 }));
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain(
      "[cost-budget] replicas: estimated €10.13/month exceeds the development budget of €10.00/month for team team-orders (this deployment €3.38/month, the team's other deployments in development €6.75/month)",
    );
    expect(over.body.error.code).toBe('policy-blocked');
    await expect(
      apps.readNamespacedDeployment({
        name: 'storefront',
        namespace: namespace('storefront', 'development'),
      }),
    ).rejects.toMatchObject({ code: 404 });
    const history = await request(server)
      .get(
        `/api/deployments/deployments/development/${namespace(
          'storefront',
          'development',
        )}/storefront`,
      )
      .set('authorization', as(ADA));
    expect(history.status).toBe(404);

    // The check names the key to raise, and the form sees it too.
    const checked = await validate(
      deployment('storefront', 'development', { replicas: 1 }),
    );
    expect(checked.body.valid).toBe(false);
    expect(checked.body.violations).toContainEqual(
      expect.objectContaining({
        policyId: 'cost-budget',
        severity: 'error',
        hint: 'lower replicas/CPU/memory or ask the platform team to raise deployments.environments.development.cost.budget',
      }),
    );
  });

  it("counts neither the deployment's own running revision nor other teams", async () => {
    // orders-api again at 2 replicas replaces what it runs: €6.75 of €10.
    expect(
      (await validate(deployment('orders-api', 'development'))).body.valid,
    ).toBe(true);
    // At 3 replicas it alone is €10.13.
    const three = await validate(
      deployment('orders-api', 'development', { replicas: 3 }),
    );
    expect(three.body.valid).toBe(false);
    // team-payments has its own budget: €6.75 of €10.
    expect(
      (await validate(deployment('payments-api', 'development'))).body.valid,
    ).toBe(true);
  });

  it('shows an approval request its estimate, then the difference to what runs now', async () => {
    const requested = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', as(ADA))
      .send(deployment('orders-api', 'production'));
    expect(requested.status).toBe(202);
    const first = await request(server)
      .get(`/api/deployments/approvals/${requested.body.approval.id}`)
      .set('authorization', as(GRACE));
    expect(first.body.cost).toEqual({
      estimate: {
        currency: 'EUR',
        basis: 'requests',
        perReplica: 4.56,
        replicas: 2,
        monthly: 9.13, // 2 × 4.5625 = 9.125
      },
      monthlyDelta: 0,
    });

    const approved = await request(server)
      .post(`/api/deployments/approvals/${requested.body.approval.id}/approve`)
      .set('authorization', as(GRACE))
      .send({});
    expect(approved.status).toBe(200);
    const change = await request(server)
      .get(`/api/deployments/changes/${approved.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect(change.body.status).toBe('succeeded');

    const update = await request(server)
      .put(
        `/api/deployments/deployments/production/${namespace(
          'orders-api',
          'production',
        )}/orders-api`,
      )
      .set('authorization', as(ADA))
      .send({ replicas: 4 });
    expect(update.status).toBe(202);
    const second = await request(server)
      .get(`/api/deployments/approvals/${update.body.approval.id}`)
      .set('authorization', as(GRACE));
    expect(second.body.cost).toMatchObject({
      estimate: { monthly: 18.25, replicas: 4 },
      running: { monthly: 9.13, replicas: 2 },
      monthlyDelta: 9.12,
    });
  });

  it('sums what runs now per team and environment on the dashboard', async () => {
    const res = await request(server)
      .get('/api/deployments/dashboard')
      .set('authorization', as(ADA));
    expect(res.status).toBe(200);
    // orders-api runs 2 replicas in both; storefront was refused and the
    // production update to 4 replicas still waits for approval.
    expect(res.body.costs).toEqual([
      {
        team: 'group:default/team-orders',
        environment: 'development',
        currency: 'EUR',
        deployments: 1,
        monthly: 6.75,
        monthlyMax: 6.75,
      },
      {
        team: 'group:default/team-orders',
        environment: 'production',
        currency: 'EUR',
        deployments: 1,
        monthly: 9.13,
        monthlyMax: 9.13,
      },
    ]);
  });
});
