import { Config } from '@backstage/config';
import {
  EnvironmentName,
  isEnvironmentName,
  OTAP_ENVIRONMENT_NAMES,
} from '../model/environments';

/**
 * An environment as `deployments.environments` configures it, before each
 * package reads the keys it needs from `config`.
 *
 * @public
 */
export type ConfiguredEnvironment = {
  name: EnvironmentName;
  /** `production`; default true for an environment called `production`. */
  production: boolean;
  /** `requiresApproval`; default: the same as `production`. */
  requiresApproval: boolean;
  /** The environment's own config section. */
  config: Config;
};

const OTAP: readonly string[] = OTAP_ENVIRONMENT_NAMES;

/**
 * Reads `deployments.environments` in promotion order: the order of
 * `deployments.environmentOrder`, or development → test → acceptance →
 * production when that is not set (then only those names are allowed).
 * Returns an empty list when nothing is configured. Throws an error naming
 * the config key and the fix when names or order are wrong, so the backend
 * and the catalog module refuse the same mistakes at start-up.
 *
 * @public
 */
export function readConfiguredEnvironments(
  config: Config,
): ConfiguredEnvironment[] {
  const section = config.getOptionalConfig('deployments.environments');
  const keys = section?.keys() ?? [];
  for (const key of keys) {
    if (!isEnvironmentName(key)) {
      throw new Error(
        `Invalid config at deployments.environments.${key}: '${key}' is not a valid environment name; ` +
          "use lowercase letters, digits and '-', starting with a letter, at most 30 characters (e.g. 'staging')",
      );
    }
  }
  const order = readOrder(config, keys);
  return order.map(name => {
    const env = section!.getConfig(name);
    const production =
      env.getOptionalBoolean('production') ?? name === 'production';
    return {
      name,
      production,
      requiresApproval:
        env.getOptionalBoolean('requiresApproval') ?? production,
      config: env,
    };
  });
}

function readOrder(config: Config, keys: string[]): string[] {
  const order = config.getOptionalStringArray('deployments.environmentOrder');
  if (order === undefined) {
    const other = keys.find(key => !OTAP.includes(key));
    if (other) {
      throw new Error(
        `Missing config at deployments.environmentOrder: environment '${other}' is not one of ${OTAP.join(
          ', ',
        )}, so the promotion order must be configured; list every environment under deployments.environments, ` +
          `first to last, e.g. environmentOrder: [${[
            ...keys.filter(key => OTAP.includes(key)),
            other,
          ].join(', ')}]`,
      );
    }
    return OTAP.filter(name => keys.includes(name));
  }
  order.forEach((name, index) => {
    if (order.indexOf(name) !== index) {
      throw new Error(
        `Invalid config at deployments.environmentOrder[${index}]: '${name}' is listed twice; each environment has one place in the order`,
      );
    }
    if (!keys.includes(name)) {
      throw new Error(
        `Invalid config at deployments.environmentOrder[${index}]: '${name}' is not configured under deployments.environments; ` +
          `configure its cluster there or remove it from the order (configured: ${
            keys.join(', ') || 'none'
          })`,
      );
    }
  });
  const missing = keys.find(key => !order.includes(key));
  if (missing) {
    throw new Error(
      `Invalid config at deployments.environmentOrder: environment '${missing}' is configured under deployments.environments but not in the order; ` +
        `add it where a build reaches it (order now: ${order.join(', ')})`,
    );
  }
  return order;
}
