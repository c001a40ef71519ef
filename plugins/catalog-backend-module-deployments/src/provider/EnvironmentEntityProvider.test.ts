import { ConfigReader } from '@backstage/config';
import { EnvironmentEntityProvider } from './EnvironmentEntityProvider';

const config = new ConfigReader({
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'local-nonprod',
            title: 'Local non-production',
            url: 'https://127.0.0.1:16443',
          },
          { name: 'local-prod', url: 'https://127.0.0.1:17443' },
          { name: 'unused', url: 'https://example.invalid' },
        ],
      },
    ],
  },
  deployments: {
    environments: {
      production: { cluster: 'local-prod', requiresApproval: true },
      development: { cluster: 'local-nonprod' },
    },
  },
});

describe('EnvironmentEntityProvider', () => {
  it('publishes environments in OTAP order, each depending on its cluster', async () => {
    const applyMutation = jest.fn();
    await EnvironmentEntityProvider.fromConfig(config).connect({
      applyMutation,
      refresh: jest.fn(),
    });

    const entities = applyMutation.mock.calls[0][0].entities.map(
      (e: any) => e.entity,
    );
    expect(applyMutation.mock.calls[0][0].type).toBe('full');
    expect(
      entities.map((e: any) => `${e.spec.type}:${e.metadata.name}`),
    ).toEqual([
      'kubernetes-cluster:local-nonprod',
      'kubernetes-cluster:local-prod',
      'environment:development',
      'environment:production',
    ]);
    expect(entities[3]).toMatchObject({
      kind: 'Resource',
      metadata: {
        namespace: 'deployments',
        tags: ['production', 'approval-required'],
        description:
          'Step 2 of 2 in the promotion order; runs on local-prod; deployments need approval by someone other than the requester',
      },
      spec: {
        owner: 'group:default/platform-team',
        dependsOn: ['resource:deployments/local-prod'],
      },
    });
    expect(entities.map((e: any) => e.metadata.namespace)).toEqual(
      Array(4).fill('deployments'),
    );
  });

  it('publishes into the configured catalog namespace, refusing one the catalog would not accept', async () => {
    const withNamespace = (catalogNamespace: string) =>
      EnvironmentEntityProvider.fromConfig(
        new ConfigReader({
          ...config.get<object>(),
          deployments: {
            ...config.get<{ deployments: object }>().deployments,
            catalogNamespace,
          },
        }),
      );
    const [cluster, , environment] = withNamespace('platform').entities();
    expect(cluster.metadata.namespace).toBe('platform');
    expect(environment.spec?.dependsOn).toEqual([
      'resource:platform/local-nonprod',
    ]);
    expect(() => withNamespace('Platform Team')).toThrow(
      "Invalid config at deployments.catalogNamespace: 'Platform Team' is not a catalog namespace; use lower-case letters, digits and dashes (at most 63), e.g. deployments",
    );
  });

  it('publishes environments of its own names in the configured order', () => {
    const entities = EnvironmentEntityProvider.fromConfig(
      new ConfigReader({
        ...config.get<object>(),
        deployments: {
          environmentOrder: ['dev', 'staging', 'prod'],
          environments: {
            prod: { cluster: 'local-prod', production: true },
            staging: { cluster: 'local-nonprod' },
            dev: { cluster: 'local-nonprod' },
          },
        },
      }),
    ).entities();
    expect(
      entities
        .filter(e => e.spec?.type === 'environment')
        .map(e => [e.metadata.name, e.metadata.tags]),
    ).toEqual([
      ['dev', []],
      ['staging', []],
      ['prod', ['production', 'approval-required']],
    ]);
  });

  it('refuses environments of other names without an order, as the backend does', () => {
    expect(() =>
      EnvironmentEntityProvider.fromConfig(
        new ConfigReader({
          deployments: { environments: { staging: { cluster: 'x' } } },
        }),
      ),
    ).toThrow(
      "Missing config at deployments.environmentOrder: environment 'staging' is not one of development, test, acceptance, production",
    );
  });

  it('publishes nothing when no environments are configured (no local defaults)', () => {
    expect(
      EnvironmentEntityProvider.fromConfig(new ConfigReader({})).entities(),
    ).toEqual([]);
  });
});
