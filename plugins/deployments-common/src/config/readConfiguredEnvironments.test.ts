import { ConfigReader } from '@backstage/config';
import { readConfiguredEnvironments } from './readConfiguredEnvironments';

function read(deployments: object) {
  return readConfiguredEnvironments(new ConfigReader({ deployments }));
}

const cluster = { cluster: 'c' };

describe('readConfiguredEnvironments', () => {
  it('keeps OTAP order by default, production strict and approved', () => {
    const environments = read({
      environments: {
        production: cluster,
        development: cluster,
        test: cluster,
      },
    });
    expect(
      environments.map(({ name, production, requiresApproval }) => ({
        name,
        production,
        requiresApproval,
      })),
    ).toEqual([
      { name: 'development', production: false, requiresApproval: false },
      { name: 'test', production: false, requiresApproval: false },
      { name: 'production', production: true, requiresApproval: true },
    ]);
    expect(environments[0].config.getString('cluster')).toBe('c');
  });

  it('follows deployments.environmentOrder with names of its own', () => {
    const environments = read({
      environmentOrder: ['dev', 'staging', 'prod'],
      environments: {
        prod: { ...cluster, production: true },
        dev: cluster,
        staging: { ...cluster, requiresApproval: true },
      },
    });
    expect(environments.map(e => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(environments.map(e => e.production)).toEqual([false, false, true]);
    expect(environments.map(e => e.requiresApproval)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('can reorder and relabel the OTAP names too', () => {
    const environments = read({
      environmentOrder: ['test', 'development'],
      environments: { development: cluster, test: cluster },
    });
    expect(environments.map(e => e.name)).toEqual(['test', 'development']);
  });

  it('returns nothing when nothing is configured', () => {
    expect(read({})).toEqual([]);
  });

  it.each([
    [
      'a name of its own without an order',
      { environments: { development: cluster, staging: cluster } },
      "Missing config at deployments.environmentOrder: environment 'staging' is not one of development, test, acceptance, production, so the promotion order must be configured; list every environment under deployments.environments, first to last, e.g. environmentOrder: [development, staging]",
    ],
    [
      'a name Kubernetes would refuse',
      { environments: { Prod_EU: cluster } },
      "Invalid config at deployments.environments.Prod_EU: 'Prod_EU' is not a valid environment name; use lowercase letters, digits and '-', starting with a letter, at most 30 characters (e.g. 'staging')",
    ],
    [
      'an ordered name that is not configured',
      {
        environmentOrder: ['dev', 'qa'],
        environments: { dev: cluster },
      },
      "Invalid config at deployments.environmentOrder[1]: 'qa' is not configured under deployments.environments; configure its cluster there or remove it from the order (configured: dev)",
    ],
    [
      'a configured name missing from the order',
      {
        environmentOrder: ['dev'],
        environments: { dev: cluster, prod: cluster },
      },
      "Invalid config at deployments.environmentOrder: environment 'prod' is configured under deployments.environments but not in the order; add it where a build reaches it (order now: dev)",
    ],
    [
      'a name listed twice',
      {
        environmentOrder: ['dev', 'dev'],
        environments: { dev: cluster },
      },
      "Invalid config at deployments.environmentOrder[1]: 'dev' is listed twice; each environment has one place in the order",
    ],
  ])('refuses %s, naming the key and the fix', (_, deployments, message) => {
    expect(() => read(deployments)).toThrow(message);
  });
});
