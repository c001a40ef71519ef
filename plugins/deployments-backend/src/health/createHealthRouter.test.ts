import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { ContractServer, startContractServer } from './__testUtils__/servers';

const PATH = '/api/deployments/entities/component/default/payments-api/health';

describe('GET /entities/:kind/:namespace/:name/health', () => {
  let service: ContractServer;

  beforeAll(async () => {
    service = await startContractServer({ environment: 'development' });
  });

  afterAll(async () => {
    await service.close();
  });

  async function backend(options: { deny?: boolean } = {}) {
    const { server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'payments-api',
                namespace: 'default',
                annotations: {
                  'deployments/health-url': `${service.url}/{{ environment }}`,
                },
              },
              spec: { type: 'service', owner: 'team-payments' },
            },
          ],
        }),
        ...(options.deny
          ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })]
          : []),
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              health: { allowedTargets: ['127.0.0.1'] },
              environments: { development: { cluster: 'nowhere' } },
            },
          },
        }),
      ],
    });
    return server;
  }

  it('answers the health of every environment to a user or a service', async () => {
    const server = await backend();
    for (const auth of [
      mockCredentials.user.header('user:default/ada'),
      mockCredentials.service.header(),
    ]) {
      const res = await request(server).get(PATH).set('authorization', auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        entityRef: 'component:default/payments-api',
        state: 'degraded',
        environments: [
          {
            environment: 'development',
            cluster: 'nowhere',
            namespace: 'payments-api-development',
            state: 'degraded',
            probes: {
              liveness: { status: 'up' },
              readiness: { status: 'up', database: 'ok' },
              info: { status: 'up', environment: 'development' },
            },
            kubernetesError: expect.stringContaining(
              'Cluster nowhere is not configured',
            ),
          },
        ],
      });
    }
    const refreshed = await request(server)
      .get(`${PATH}?refresh=true`)
      .set('authorization', mockCredentials.user.header());
    expect(refreshed.status).toBe(200);
  });

  it('refuses a caller without credentials (401)', async () => {
    const res = await request(await backend())
      .get(PATH)
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('refuses a caller without read permission (403)', async () => {
    const res = await request(await backend({ deny: true }))
      .get(PATH)
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('deployment.read'),
    });
  });

  it('answers 404 for an entity that is not in the catalog', async () => {
    const res = await request(await backend())
      .get('/api/deployments/entities/component/default/ghost/health')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(
      'component:default/ghost is not in the catalog',
    );
  });

  it.each([
    ['/entities/component/default/bad%20name!/health', 'params name'],
    ['/entities/comp%24nent/default/payments-api/health', 'params kind'],
    ['/entities/component/Not_Valid!/payments-api/health', 'params namespace'],
    [
      '/entities/component/default/payments-api/health?refresh=maybe',
      'query refresh',
    ],
    [
      '/entities/component/default/payments-api/health?refresh=true&refresh=true',
      'query refresh',
    ],
    ['/entities/component/default/payments-api/health?fresh=1', 'query'],
  ])('answers 400 for %s, naming the field', async (path, field) => {
    const res = await request(await backend())
      .get(`/api/deployments${path}`)
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      name: 'InputError',
      code: 'parameter-invalid',
      errors: [expect.objectContaining({ field })],
    });
  });
});
