import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { EntityDeployments } from '@deployments-portal/backstage-plugin-deployments-common';
import {
  caData,
  getTestCluster,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import request from 'supertest';
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { component, smallResources } from '../__testUtils__/catalog';

// Environments of an installation's own names and order (dev → staging →
// prod-eu) against a real API server: promotion, the production policies and
// approval follow deployments.environmentOrder and the production flag.
jest.setTimeout(180_000);

const PREFIX = 'own-';
const APP = 'component:default/payments-api';
const DIGEST = `sha256:${'e'.repeat(64)}`;
const namespace = (environment: string) =>
  `${PREFIX}payments-api-${environment}`;

function deployment(environment: string, overrides: object = {}) {
  return {
    application: APP,
    environment,
    namespace: namespace(environment),
    image: {
      repository: 'ghcr.io/acme/payments-api',
      tag: '3.1.0',
      digest: DIGEST,
    },
    replicas: 1,
    resources: smallResources(),
    ...overrides,
  };
}

describe('environments of their own names and order', () => {
  const cluster = getTestCluster();
  const auth = mockCredentials.user.header('user:default/ada');
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(
      cluster,
      ['dev', 'staging', 'prod-eu'],
      { namespacePrefix: PREFIX },
    );
    const pattern = `${PREFIX}{{ application }}-{{ environment }}`;
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [component('payments-api', 'team-payments')],
      deployments: {
        environmentOrder: ['dev', 'staging', 'prod-eu'],
        environments: {
          'prod-eu': {
            cluster: 'test-cluster',
            namespacePattern: pattern,
            production: true,
          },
          staging: { cluster: 'test-cluster', namespacePattern: pattern },
          dev: { cluster: 'test-cluster', namespacePattern: pattern },
        },
      },
    }));
  });

  it('wants in prod-eu the digest that ran in staging, the environment before it', async () => {
    const res = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(
        deployment('prod-eu', {
          replicas: 2,
          changeReference: 'https://jira.acme.example/browse/OPS-9',
        }),
      );
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(
      res.body.violations.map((v: { policyId: string; message: string }) => [
        v.policyId,
        v.message,
      ]),
    ).toEqual([
      [
        'otap-order',
        `image digest ${DIGEST} never ran successfully in staging; nothing runs in staging yet`,
      ],
    ]);
  });

  it('holds prod-eu to the production defaults: replicas and a change reference', async () => {
    const res = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployment('prod-eu'));
    expect(
      res.body.violations.map((v: { policyId: string }) => v.policyId),
    ).toEqual(expect.arrayContaining(['replica-bounds', 'change-reference']));
    // staging is not production: one replica and no ticket are fine.
    const staging = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployment('staging'));
    expect(staging.body.violations).toEqual([]);
  });

  it('deploys to staging, then sends prod-eu through approval, applying nothing there yet', async () => {
    const staged = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployment('staging'));
    expect(staged.status).toBe(200);
    expect(staged.body.status).toBe('succeeded');

    const production = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(
        deployment('prod-eu', {
          replicas: 2,
          changeReference: 'https://jira.acme.example/browse/OPS-9',
        }),
      );
    expect(production.status).toBe(202);
    expect(production.body).toMatchObject({
      status: 'pending-approval',
      approval: { environment: 'prod-eu', namespace: namespace('prod-eu') },
    });
  });

  it('shows the environments in the configured order, each promoting to the next', async () => {
    const res = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/deployments',
      )
      .set('authorization', auth);
    expect(res.status).toBe(200);
    const body = res.body as EntityDeployments;
    expect(
      body.environments.map(e => [e.environment, e.next, e.requiresApproval]),
    ).toEqual([
      ['dev', 'staging', false],
      ['staging', 'prod-eu', false],
      ['prod-eu', undefined, true],
    ]);
    expect(body.environments[1].deployments.map(d => d.record.status)).toEqual([
      'succeeded',
    ]);
  });

  it('refuses an environment that is not configured, naming the configured ones; the audit keeps the attempt', async () => {
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(deployment('production'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "environment 'production' is not configured; configured environments: dev, staging, prod-eu",
    );
    const audit = await request(server)
      .get('/api/deployments/audit?environment=production')
      .set('authorization', auth);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'deploy',
        result: 'failure',
        message: res.body.error.message,
      }),
    ]);
  });
});
