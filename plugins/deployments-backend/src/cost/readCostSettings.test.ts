import { ConfigReader, JsonObject } from '@backstage/config';
import { readEnvironments } from '../service/readEnvironments';

function environments(cost: JsonObject) {
  return readEnvironments(
    new ConfigReader({
      deployments: {
        environments: {
          development: { cluster: 'dev' },
          production: { cluster: 'prod', cost },
        },
      },
    }),
  );
}

describe('deployments.environments.<env>.cost', () => {
  it('reads prices with the defaults: EUR, priced on requests, no budget', () => {
    const [development, production] = environments({
      cpuHour: 0.04,
      gibHour: 0.005,
    });
    expect(development.cost).toBeUndefined();
    expect(production.cost).toEqual({
      currency: 'EUR',
      cpuHour: 0.04,
      gibHour: 0.005,
      basis: 'requests',
    });
  });

  it('passes prices and budget to the cost-budget policy, keeping its tuning', () => {
    const production = readEnvironments(
      new ConfigReader({
        deployments: {
          environments: {
            production: {
              cluster: 'prod',
              cost: {
                cpuHour: 0.05,
                gibHour: 0.01,
                currency: 'USD',
                basis: 'limits',
                budget: 500,
              },
              policies: { 'cost-budget': { severity: 'warning' } },
            },
          },
        },
      }),
    )[0];
    expect(production.policies['cost-budget']).toEqual({
      severity: 'warning',
      cpuHour: 0.05,
      gibHour: 0.01,
      currency: 'USD',
      basis: 'limits',
      budget: 500,
    });
  });

  it.each([
    [
      { gibHour: 0.005 },
      'Missing config at deployments.environments.production.cost.cpuHour',
    ],
    [
      { cpuHour: 0.04 },
      'Missing config at deployments.environments.production.cost.gibHour',
    ],
    [
      { cpuHour: 'cheap', gibHour: 0.005 },
      'Invalid config at deployments.environments.production.cost.cpuHour: must be a number',
    ],
    [
      { cpuHour: -1, gibHour: 0.005 },
      'Invalid config at deployments.environments.production.cost.cpuHour: -1 must be 0 or more',
    ],
    [
      { cpuHour: 0.04, gibHour: 0.005, currency: 'euro' },
      "Invalid config at deployments.environments.production.cost.currency: 'euro' must be an ISO 4217 currency code",
    ],
    [
      { cpuHour: 0.04, gibHour: 0.005, basis: 'usage' },
      "Invalid config at deployments.environments.production.cost.basis: 'usage' must be requests or limits",
    ],
    [
      { cpuHour: 0.04, gibHour: 0.005, budget: 0 },
      'Invalid config at deployments.environments.production.cost.budget: a budget of 0 blocks every deployment',
    ],
  ])('refuses %j at start-up, naming the key', (cost, message) => {
    expect(() => environments(cost)).toThrow(message);
  });
});
