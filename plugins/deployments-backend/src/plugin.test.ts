import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { deploymentsPoliciesExtensionPoint } from '@deployments-portal/backstage-plugin-deployments-node';
import request from 'supertest';
import { deploymentsPlugin } from './plugin';

/** The least config the plugin starts with: one environment. */
const minimalConfig = mockServices.rootConfig.factory({
  data: { deployments: { environments: { development: { cluster: 'dev' } } } },
});

describe('deploymentsPlugin', () => {
  it('answers /health without credentials', async () => {
    const { server } = await startTestBackend({
      features: [deploymentsPlugin, minimalConfig],
    });

    const res = await request(server).get('/api/deployments/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses /environments without credentials', async () => {
    const { server } = await startTestBackend({
      features: [deploymentsPlugin, minimalConfig],
    });

    const res = await request(server)
      .get('/api/deployments/environments')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('lists the configured environments in OTAP order for a user (the default order)', async () => {
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
        production: false,
      },
      {
        name: 'production',
        cluster: 'prod-eu',
        namespacePattern: '{{ application }}-{{ environment }}',
        requiresApproval: true,
        production: true,
      },
    ]);
  });

  it('takes environments of its own names in the configured order; production defaults follow the production flag', async () => {
    const { server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              environmentOrder: ['dev', 'staging', 'prod-eu'],
              environments: {
                'prod-eu': { cluster: 'prod', production: true },
                staging: { cluster: 'nonprod', requiresApproval: true },
                dev: { cluster: 'nonprod' },
              },
            },
          },
        }),
      ],
    });

    const environments = await request(server)
      .get('/api/deployments/environments')
      .set('authorization', mockCredentials.user.header());
    expect(
      environments.body.items.map(
        (e: {
          name: string;
          production: boolean;
          requiresApproval: boolean;
        }) => [e.name, e.production, e.requiresApproval],
      ),
    ).toEqual([
      ['dev', false, false],
      ['staging', false, true],
      ['prod-eu', true, true],
    ]);

    const policies = await request(server)
      .get('/api/deployments/policies')
      .set('authorization', mockCredentials.user.header());
    const byId = Object.fromEntries(
      policies.body.items.map((p: { id: string }) => [p.id, p]),
    );
    expect(byId['otap-order'].environments['prod-eu'].parameters).toEqual({
      requirePreviousEnvironment: true,
      previousEnvironment: 'staging',
    });
    expect(byId['otap-order'].environments.staging.parameters).toEqual({
      requirePreviousEnvironment: false,
      previousEnvironment: 'dev',
    });
    expect(byId['replica-bounds'].environments['prod-eu'].parameters).toEqual({
      minReplicas: 2,
      maxReplicas: 20,
    });
    expect(byId['change-reference'].environments.staging.parameters).toEqual({
      required: false,
    });
    expect(byId['resource-limits'].environments['prod-eu'].parameters).toEqual({
      maxCpu: '4',
      maxMemory: '8Gi',
    });

    const dashboard = await request(server)
      .get('/api/deployments/dashboard?environment=production')
      .set('authorization', mockCredentials.user.header());
    expect(dashboard.status).toBe(400);
    expect(dashboard.body.error.message).toBe(
      "environment 'production' is not configured; configured environments: dev, staging, prod-eu",
    );
  });

  it('refuses to start with an environment name of its own but no order', async () => {
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
      "Missing config at deployments.environmentOrder: environment 'staging' is not one of development, test, acceptance, production",
    );
  });
});

describe('deployment policies', () => {
  const customPolicy = createBackendModule({
    pluginId: 'deployments',
    moduleId: 'acme-policies',
    register(reg) {
      reg.registerInit({
        deps: { policies: deploymentsPoliciesExtensionPoint },
        async init({ policies }) {
          policies.addPolicies({
            id: 'team-label',
            title: 'Team label',
            description: 'Every deployment names its team',
            defaultSeverity: 'warning',
            evaluate: () => [],
          });
        },
      });
    },
  });

  it('lists built-in and module policies with each environment tuning', async () => {
    const { server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        customPolicy,
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              environments: {
                development: {
                  cluster: 'dev',
                  policies: {
                    'image-source': { enabled: false },
                    'resource-limits': { maxCpu: '3', severity: 'warning' },
                  },
                },
                production: { cluster: 'prod' },
              },
            },
          },
        }),
      ],
    });

    const res = await request(server)
      .get('/api/deployments/policies')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(
      res.body.items.map((p: { id: string }) => [p.id, p]),
    );
    expect(byId['team-label'].source).toBe('module');
    expect(byId['image-source'].environments.development.enabled).toBe(false);
    expect(byId['image-source'].environments.production).toEqual({
      enabled: true,
      severity: 'error',
      parameters: { allowedRegistries: [], requireDigest: true },
    });
    expect(byId['resource-limits'].environments.development).toEqual({
      enabled: true,
      severity: 'warning',
      parameters: { maxCpu: '3', maxMemory: '1Gi' },
    });
  });

  it('refuses to start when config tunes a policy that does not exist', async () => {
    await expect(
      startTestBackend({
        features: [
          deploymentsPlugin,
          mockServices.rootConfig.factory({
            data: {
              deployments: {
                environments: {
                  development: {
                    cluster: 'dev',
                    policies: { 'no-such-policy': { enabled: false } },
                  },
                },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      "Invalid config at deployments.environments.development.policies.no-such-policy: no policy 'no-such-policy'",
    );
  });

  it('refuses to start without environments, saying what to configure', async () => {
    await expect(
      startTestBackend({ features: [deploymentsPlugin] }),
    ).rejects.toThrow(
      "Missing config at deployments.environments: name the cluster of each environment, e.g. deployments.environments.development.cluster: 'dev-cluster' (the cluster as named in kubernetes.clusterLocatorMethods); by default the environments are development, test, acceptance, production, in that order (other names: set deployments.environmentOrder)",
    );
  });
});
