import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityReadiness,
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  caData,
  getTestCluster,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { DeploymentStore } from '../store/DeploymentStore';
import { HealthStateStore } from '../store/HealthStateStore';
import { component, smallResources } from '../__testUtils__/catalog';
import { serviceAccountCluster } from '../__testUtils__/kube';

// The readiness checklist against a real API server (kube-sim): the Secrets
// of the running deployments are looked up there through the portal's
// least-privilege service account; `test` runs on a cluster that refuses
// connections.
jest.setTimeout(180_000);

const PREFIX = 'rd-';
const EDIT_URL =
  'https://github.com/acme/payments-api/edit/main/catalog-info.yaml';

const complete: Entity = {
  ...component('payments-api', 'team-payments'),
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'deployments/image': 'ghcr.io/acme/payments-api',
      'backstage.io/techdocs-ref': 'dir:.',
      'backstage.io/edit-url': EDIT_URL,
    },
    links: [
      { url: 'https://runbooks.acme.internal/payments', title: 'Runbook' },
    ],
  },
  spec: {
    type: 'service',
    owner: 'team-payments',
    lifecycle: 'production',
    providesApis: ['payments-api'],
  },
};
const incomplete: Entity = {
  ...component('orders-api', 'team-ghost'),
  metadata: {
    name: 'orders-api',
    namespace: 'default',
    annotations: { 'backstage.io/edit-url': EDIT_URL },
    links: [{ url: 'https://grafana.acme.internal/orders', title: 'Grafana' }],
  },
};
const stranded = component('webshop', 'team-payments');
const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** A succeeded deployment of `application` referencing the Secret `secret`. */
async function deployed(
  store: DeploymentStore,
  application: string,
  environment: string,
  secret: string,
) {
  const namespace = `${PREFIX}${application}-${environment}`;
  const parsed = parseDeploymentRequest({
    application: `component:default/${application}`,
    environment,
    namespace,
    image: { repository: `ghcr.io/acme/${application}`, tag: '1.0.0' },
    resources: smallResources(),
    env: [
      { name: 'MODE', value: 'normal' },
      { name: 'SECRET_KEY', secretKeyRef: { name: secret, key: 'secret-key' } },
    ],
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error('bad fixture');
  const record = await store.insert(
    {
      environment,
      namespace,
      name: application,
      entityRef: `component:default/${application}`,
      action: 'deploy',
      request: parsed.request,
      manifests: renderManifests(parsed.request, {
        owner: 'group:default/team-payments',
      }),
      image: `ghcr.io/acme/${application}:1.0.0`,
      requester: 'user:default/ada',
    },
    new Date(),
    'verifying',
  );
  await store.transition(record.id, 'succeeded');
}

describe('the readiness checklist on a real cluster', () => {
  const cluster = getTestCluster();
  const auth = mockCredentials.user.header('user:default/ada');
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let deniedServer: typeof server;

  async function readiness(name: string): Promise<EntityReadiness> {
    const res = await request(server)
      .get(`/api/deployments/entities/component/default/${name}/readiness`)
      .set('authorization', auth);
    expect(res.status).toBe(200);
    // Existence only: the seeded Secrets' values never reach the answer.
    expect(JSON.stringify(res.body)).not.toContain('local-example-only');
    return res.body;
  }

  function item(readinessAnswer: EntityReadiness, id: string) {
    return readinessAnswer.items.find(i => i.id === id)!;
  }

  beforeAll(async () => {
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    const knex = await databases.init('SQLITE_3');
    const clusterConfig = (name: string, url: string) =>
      serviceAccountCluster({ name, url, token, ca: caData(cluster) });
    const namespacePattern = `${PREFIX}{{ application }}-{{ environment }}`;
    const backend = async (deny: boolean) =>
      (
        await startTestBackend({
          features: [
            deploymentsPlugin,
            ...(deny
              ? [
                  mockServices.permissions.factory({
                    result: AuthorizeResult.DENY,
                  }),
                ]
              : []),
            catalogServiceMock.factory({
              entities: [complete, incomplete, stranded, group],
            }),
            mockServices.database.factory({ knex }),
            mockServices.rootConfig.factory({
              data: {
                kubernetes: {
                  clusterLocatorMethods: [
                    {
                      type: 'config',
                      clusters: [
                        clusterConfig('test-cluster', cluster.server),
                        clusterConfig(
                          'dead-cluster',
                          `https://127.0.0.1:${await closedPort()}`,
                        ),
                      ],
                    },
                  ],
                },
                deployments: {
                  health: { timeoutMs: 3000, monitor: { enabled: false } },
                  environments: {
                    development: { cluster: 'test-cluster', namespacePattern },
                    test: { cluster: 'dead-cluster', namespacePattern },
                  },
                },
              },
            }),
          ],
        })
      ).server;
    server = await backend(false);
    deniedServer = await backend(true);
    const database = mockServices.database({ knex });
    const store = await DeploymentStore.create(database);
    const states = await HealthStateStore.create(database);
    // Seeded by portal-access.js: <application>-secrets in each namespace.
    await deployed(
      store,
      'payments-api',
      'development',
      'payments-api-secrets',
    );
    await states.observe(
      'component:default/payments-api',
      'development',
      { state: 'healthy', up: true, ready: true },
      { debounceMs: 0 },
    );
    await deployed(store, 'orders-api', 'development', 'orders-api-db');
    await states.observe(
      'component:default/orders-api',
      'development',
      { state: 'unhealthy', up: false, reason: 'readiness answered 503' },
      { debounceMs: 0 },
    );
    await deployed(store, 'webshop', 'test', 'webshop-secrets');
  });

  it('has every item ok for a complete application', async () => {
    const body = await readiness('payments-api');
    expect(body.entityRef).toBe('component:default/payments-api');
    expect(body.items.map(i => [i.id, i.status])).toEqual([
      ['owner', 'ok'],
      ['image-annotation', 'ok'],
      ['health', 'ok'],
      ['api-docs', 'ok'],
      ['techdocs', 'ok'],
      ['runbook', 'ok'],
      ['secrets', 'ok'],
    ]);
    expect(body.score).toEqual({ passed: 7, total: 7 });
    expect(item(body, 'owner').detail).toBe(
      'Owned by group:default/team-payments',
    );
    expect(item(body, 'health').detail).toBe('Answers in development');
    expect(item(body, 'secrets').detail).toBe('All 1 referenced Secret exist');
    expect(body.items.every(i => i.fix === undefined)).toBe(true);
  });

  it('names the gaps of an incomplete application, with a fix for each', async () => {
    const body = await readiness('orders-api');
    expect(body.score).toEqual({ passed: 0, total: 7 });
    expect(body.items.map(i => [i.id, i.status])).toEqual([
      ['owner', 'missing'],
      ['image-annotation', 'missing'],
      ['health', 'missing'],
      ['api-docs', 'missing'],
      ['techdocs', 'missing'],
      ['runbook', 'missing'],
      ['secrets', 'missing'],
    ]);
    expect(item(body, 'owner').detail).toBe(
      'spec.owner group:default/team-ghost is not a Group in the catalog',
    );
    expect(item(body, 'owner').fix).toEqual({
      title: 'Set spec.owner in catalog-info.yaml',
      url: EDIT_URL,
    });
    expect(item(body, 'health').detail).toBe(
      'Not answering in development (unhealthy)',
    );
    expect(item(body, 'health').fix?.url).toBe(
      '/docs/default/component/deployments-portal/health-contract/',
    );
    expect(item(body, 'runbook').detail).toMatch(/^No runbook link/);
    expect(item(body, 'secrets').detail).toBe(
      `Missing: Secret orders-api-db in namespace ${PREFIX}orders-api-development (development)`,
    );
    expect(item(body, 'secrets').fix?.url).toBe(
      '/docs/default/component/deployments-portal/policies/#secret-exists',
    );
  });

  it('answers unknown, not a 500, when a cluster cannot be read', async () => {
    const body = await readiness('webshop');
    expect(item(body, 'secrets')).toMatchObject({
      status: 'unknown',
      detail: expect.stringMatching(
        /^Could not read: test: Cluster dead-cluster is unreachable/,
      ),
    });
    expect(item(body, 'health')).toMatchObject({
      status: 'unknown',
      detail: 'Not checked yet in test',
    });
    // No edit-url: the fix points at the suite's docs.
    expect(item(body, 'runbook').fix?.url).toBe(
      '/docs/default/component/deployments-portal/managing/#readiness-checklist',
    );
  });

  it('refuses a call without credentials, and names an unknown entity', async () => {
    const path =
      '/api/deployments/entities/component/default/payments-api/readiness';
    const anonymous = await request(server)
      .get(path)
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const forged = await request(server)
      .get(path)
      .set('authorization', mockCredentials.user.invalidHeader());
    expect(forged.status).toBe(401);
    const unknown = await request(server)
      .get('/api/deployments/entities/component/default/nobody/readiness')
      .set('authorization', auth);
    expect(unknown.status).toBe(404);
    const badQuery = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/readiness?x=1',
      )
      .set('authorization', auth);
    expect(badQuery.status).toBe(400);
  });

  it('refuses a caller without deployments read permission', async () => {
    const res = await request(deniedServer)
      .get('/api/deployments/entities/component/default/payments-api/readiness')
      .set('authorization', auth);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('team-payments');
  });
});
