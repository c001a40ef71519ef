import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { deploymentsPlugin } from './plugin';

describe('deploymentsPlugin', () => {
  it('answers /health without credentials', async () => {
    const { server } = await startTestBackend({
      features: [deploymentsPlugin],
    });

    const res = await request(server).get('/api/deployments/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses /environments without credentials', async () => {
    const { server } = await startTestBackend({
      features: [deploymentsPlugin],
    });

    const res = await request(server)
      .get('/api/deployments/environments')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('lists the configured environments in OTAP order for a user', async () => {
    const { server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              environments: {
                production: { cluster: 'prod-eu' },
                development: {
                  cluster: 'dev-eu',
                  namespacePattern: 'team-{{ environment }}',
                },
              },
            },
          },
        }),
      ],
    });

    const res = await request(server)
      .get('/api/deployments/environments')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        name: 'development',
        cluster: 'dev-eu',
        namespacePattern: 'team-{{ environment }}',
        requiresApproval: false,
      },
      {
        name: 'production',
        cluster: 'prod-eu',
        namespacePattern: '{{ application }}-{{ environment }}',
        requiresApproval: true,
      },
    ]);
  });

  it('refuses to start with an unknown environment name', async () => {
    await expect(
      startTestBackend({
        features: [
          deploymentsPlugin,
          mockServices.rootConfig.factory({
            data: {
              deployments: { environments: { staging: { cluster: 'x' } } },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      "Invalid config at deployments.environments.staging: 'staging' is not an environment name",
    );
  });
});
