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

// Change references as an environment and a team configure them, on the
// whole backend with a real API server: a missing or foreign reference is
// a 400 naming the field, the pattern and an example, with nothing applied
// (deploy and the form's /validate alike); a matching one is recorded.
jest.setTimeout(120_000);

const PREFIX = 'ticket-';
const NS = `${PREFIX}payments-api-development`;
const APP = 'component:default/payments-api';
const JIRA = '^https://jira\\.example\\.com/browse/[A-Z]+-\\d+$';
const GITHUB = '^https://github\\.com/acme/orders/issues/\\d+$';
const auth = mockCredentials.user.header('user:default/ada');

describe('change references on a real cluster', () => {
  const cluster = getTestCluster();
  const apps = kubeConfigFor(cluster).makeApiClient(AppsV1Api);
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let token: string;

  beforeAll(async () => {
    token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
  });

  async function start(development: Record<string, unknown>) {
    return startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [
        component('payments-api', 'team-payments'),
        component('orders-api', 'team-orders'),
      ],
      deployments: {
        environments: {
          development: { cluster: 'test-cluster', ...development },
        },
      },
    });
  }

  const deployRequest = (changeReference?: string) => ({
    application: APP,
    environment: 'development',
    namespace: NS,
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
    replicas: 1,
    resources: smallResources(),
    ...(changeReference ? { changeReference } : {}),
  });

  it('refuses a missing or foreign reference with 400 and how to fix it, and records a matching one', async () => {
    const { server } = await start({
      requireChangeReference: true,
      changeReferencePattern: JIRA,
      changeReferenceExample: 'https://jira.example.com/browse/OPS-123',
      changeReferenceTeams: [{ team: 'team-orders', pattern: GITHUB }],
    });
    const missing = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployRequest());
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('policy-blocked');
    expect(missing.body.error.violations).toEqual([
      expect.objectContaining({
        policyId: 'change-reference',
        path: 'changeReference',
        message: 'development requires a change reference',
        hint: `add the URL of the change ticket, e.g. https://jira.example.com/browse/OPS-123 (it must match ${JIRA})`,
      }),
    ]);

    const foreign = 'https://github.com/acme/orders/issues/7';
    const refused = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployRequest(foreign));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('changeReference');
    expect(refused.body.error.violations).toEqual([
      expect.objectContaining({
        path: 'changeReference',
        message: `${foreign} is not a ticket of the tracker development uses: it must match ${JIRA}`,
        hint: 'use the URL of the change ticket, e.g. https://jira.example.com/browse/OPS-123',
      }),
    ]);
    // The deploy form's check says the same before anything is sent.
    const validated = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(deployRequest(foreign));
    expect(validated.body.valid).toBe(false);
    expect(validated.body.violations).toEqual([
      expect.objectContaining({ policyId: 'change-reference' }),
    ]);
    // Nothing applied.
    const none = await apps.listNamespacedDeployment({ namespace: NS });
    expect(none.items).toHaveLength(0);

    const ticket = 'https://jira.example.com/browse/OPS-123';
    const deployed = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(deployRequest(ticket));
    expect(deployed.body.status).toBe('succeeded');
    expect(deployed.body.changeReference).toBe(ticket);
  });

  it('does not start with a pattern that is no regular expression, naming the key', async () => {
    await expect(
      start({ changeReferencePattern: '^https://(jira' }),
    ).rejects.toThrow(
      /Invalid config at deployments\.environments\.development\.changeReferencePattern: .*write a JavaScript regular expression/,
    );
  });
});
