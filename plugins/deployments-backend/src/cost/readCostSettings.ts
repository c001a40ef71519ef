import { Config } from '@backstage/config';
import { CostPrices } from '@deployments-portal/backstage-plugin-deployments-common';

/** An environment's prices and, optionally, its monthly budget per team. */
export type CostSettings = CostPrices & {
  /** Monthly budget of one team's deployments in the environment. */
  budget?: number;
};

/**
 * Reads `deployments.environments.<env>.cost`: `cpuHour` and `gibHour`
 * (required once `cost` is there), `currency` (default EUR), `basis`
 * (`requests`, default, or `limits`) and an optional `budget`. Throws an
 * error naming the key when a value is wrong; undefined without `cost`.
 */
export function readCostSettings(
  environment: Config,
  name: string,
): CostSettings | undefined {
  const cost = environment.getOptionalConfig('cost');
  if (!cost) {
    return undefined;
  }
  const key = (field: string) =>
    `deployments.environments.${name}.cost.${field}`;
  const amount = (field: string, required: boolean) => {
    let value: number | undefined;
    try {
      value = cost.getOptionalNumber(field);
    } catch {
      throw new Error(
        `Invalid config at ${key(field)}: must be a number, e.g. 0.04`,
      );
    }
    if (value === undefined) {
      if (required) {
        throw new Error(
          `Missing config at ${key(field)}: ${
            field === 'cpuHour'
              ? 'the price of one CPU core for one hour'
              : 'the price of one GiB of memory for one hour'
          }, e.g. ${field === 'cpuHour' ? '0.04' : '0.005'}`,
        );
      }
      return undefined;
    }
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(
        `Invalid config at ${key(field)}: ${value} must be 0 or more`,
      );
    }
    return value;
  };
  const currency = cost.getOptionalString('currency') ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new Error(
      `Invalid config at ${key(
        'currency',
      )}: '${currency}' must be an ISO 4217 currency code such as EUR or USD`,
    );
  }
  const basis = cost.getOptionalString('basis') ?? 'requests';
  if (basis !== 'requests' && basis !== 'limits') {
    throw new Error(
      `Invalid config at ${key(
        'basis',
      )}: '${basis}' must be requests or limits (which resources of each replica are priced)`,
    );
  }
  const budget = amount('budget', false);
  if (budget === 0) {
    throw new Error(
      `Invalid config at ${key(
        'budget',
      )}: a budget of 0 blocks every deployment; leave it out for no budget`,
    );
  }
  return {
    currency,
    cpuHour: amount('cpuHour', true)!,
    gibHour: amount('gibHour', true)!,
    basis,
    ...(budget === undefined ? {} : { budget }),
  };
}
