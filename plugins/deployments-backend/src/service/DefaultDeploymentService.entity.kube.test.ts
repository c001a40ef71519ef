import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityDeployments,
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  caData,
  getTestCluster,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { DeploymentStore, NewRecord } from '../store/DeploymentStore';
import { component, smallResources } from '../__testUtils__/catalog';
import { serviceAccountCluster } from '../__testUtils__/kube';

// The Deployments tab of an application against a real API server
// (kube-sim), next to one environment whose cluster refuses connections and
// one whose cluster accepts them and never answers.
jest.setTimeout(180_000);

const PREFIX = 'ev-';
const APP = 'component:default/payments-api';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const LIVE_READ_TIMEOUT_MS = 1500;

const entities = [component('payments-api', 'team-payments')];

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** A server that accepts connections and never says a word (a hung cluster). */
async function silentServer() {
  const sockets = new Set<Socket>();
  const server: Server = createServer(socket => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise(resolve => server.close(resolve));
    },
  };
}

/** A record of a deployment made while that environment's cluster was still there. */
function earlierRecord(environment: 'test' | 'acceptance'): NewRecord {
  const namespace = `${PREFIX}payments-api-${environment}`;
  const parsed = parseDeploymentRequest({
    application: APP,
    environment,
    namespace,
    image: { repository: 'ghcr.io/acme/payments-api', tag: '0.9.0' },
    resources: smallResources(),
    requester: 'user:default/bob',
  });
  if (!parsed.success) throw new Error('bad fixture');
  return {
    environment,
    namespace,
    name: 'payments-api',
    entityRef: APP,
    action: 'deploy',
    request: parsed.request,
    manifests: renderManifests(parsed.request, {
      owner: 'group:default/team-payments',
    }),
    image: 'ghcr.io/acme/payments-api:0.9.0',
    requester: 'user:default/bob',
  };
}

describe('the Deployments tab on a real cluster', () => {
  const cluster = getTestCluster();
  const auth = mockCredentials.user.header('user:default/ada');
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    silent = await silentServer();
    const knex = await databases.init('SQLITE_3');
    const clusterConfig = (name: string, url: string) =>
      serviceAccountCluster({ name, url, token, ca: caData(cluster) });
    ({ server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.factory({ entities }),
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
                    clusterConfig('hung-cluster', silent.url),
                  ],
                },
              ],
            },
            deployments: {
              rollout: { timeoutSeconds: 60 },
              health: { timeoutMs: LIVE_READ_TIMEOUT_MS },
              environments: {
                development: {
                  cluster: 'test-cluster',
                  namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
                },
                test: {
                  cluster: 'dead-cluster',
                  namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
                },
                acceptance: {
                  cluster: 'hung-cluster',
                  namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
                },
                production: { cluster: 'test-cluster' },
              },
            },
          },
        }),
      ],
    }));
    const store = await DeploymentStore.create(mockServices.database({ knex }));
    for (const environment of ['test', 'acceptance'] as const) {
      const record = await store.insert(
        earlierRecord(environment),
        new Date(),
        'verifying',
      );
      await store.transition(record.id, 'succeeded');
    }
  });

  afterAll(async () => {
    await silent?.close();
  });

  it('shows the deployed version Ready, and the environments whose cluster is gone with an error', async () => {
    const deployed = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send({
        application: APP,
        environment: 'development',
        namespace: `${PREFIX}payments-api-development`,
        image: {
          repository: 'ghcr.io/acme/payments-api',
          tag: '1.0.0',
          digest: DIGEST,
        },
        replicas: 2,
        resources: smallResources(),
        changeReference: 'https://github.com/acme/payments-api/pull/42',
      });
    expect(deployed.status).toBe(200);
    expect(deployed.body.status).toBe('succeeded');

    const res = await request(server)
      .get(
        '/api/deployments/entities/component/default/payments-api/deployments',
      )
      .set('authorization', auth);
    expect(res.status).toBe(200);
    const body = res.body as EntityDeployments;
    expect(body.entityRef).toBe(APP);
    expect(body.environments.map(e => e.environment)).toEqual([
      'development',
      'test',
      'acceptance',
      'production',
    ]);
    const [development, test, acceptance, production] = body.environments;

    expect(development).toMatchObject({
      cluster: 'test-cluster',
      namespace: `${PREFIX}payments-api-development`,
      requiresApproval: false,
    });
    expect(development.error).toBeUndefined();
    expect(development.deployments).toHaveLength(1);
    const [{ record, live }] = development.deployments;
    expect(record).toMatchObject({
      name: 'payments-api',
      revision: 1,
      status: 'succeeded',
      image: `ghcr.io/acme/payments-api@${DIGEST}`,
      digest: DIGEST,
      requester: 'user:default/ada',
      changeReference: 'https://github.com/acme/payments-api/pull/42',
    });
    expect(live).toMatchObject({
      exists: true,
      image: `ghcr.io/acme/payments-api@${DIGEST}`,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(live.error).toBeUndefined();
    expect(live.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Available', status: 'True' }),
      ]),
    );

    // Refused connections: the records stay, with the reason.
    expect(test.error).toMatch(/^Cluster dead-cluster is unreachable/);
    expect(test.deployments).toEqual([
      {
        record: expect.objectContaining({
          environment: 'test',
          image: 'ghcr.io/acme/payments-api:0.9.0',
          requester: 'user:default/bob',
        }),
        live: { exists: false, error: test.error },
      },
    ]);

    // A cluster that never answers costs its own environment the time budget.
    expect(acceptance.error).toBe(
      `Cluster hung-cluster did not answer within ${LIVE_READ_TIMEOUT_MS} ms`,
    );
    expect(acceptance.deployments.map(d => d.record.environment)).toEqual([
      'acceptance',
    ]);

    // Never deployed there: empty, and nothing to report.
    expect(production).toEqual({
      environment: 'production',
      cluster: 'test-cluster',
      namespace: 'payments-api-production',
      requiresApproval: true,
      deployments: [],
    });
  });

  it('reports a deployment removed from the cluster as not existing', async () => {
    const removed = await request(server)
      .delete(
        `/api/deployments/deployments/development/${PREFIX}payments-api-development/payments-api?wait=60`,
      )
      .set('authorization', auth);
    expect(removed.status).toBe(200);
    // Foreground deletion: the Deployment goes once its pods are gone.
    let development: EntityDeployments['environments'][number] | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await request(server)
        .get(
          '/api/deployments/entities/component/default/payments-api/deployments',
        )
        .set('authorization', auth);
      [development] = (res.body as EntityDeployments).environments;
      if (!development.deployments[0]?.live.exists) break;
      await new Promise(r => setTimeout(r, 200));
    }
    expect(development?.deployments).toEqual([
      {
        record: expect.objectContaining({ action: 'delete', revision: 2 }),
        live: { exists: false },
      },
    ]);
    expect(development?.error).toBeUndefined();
  });
});
