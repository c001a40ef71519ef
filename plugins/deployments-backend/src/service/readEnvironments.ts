import { Config } from '@backstage/config';
import {
  OTAP_ENVIRONMENT_NAMES,
  PolicyEnvironment,
  PolicySettingsByPolicy,
  EnvironmentSummary,
  readConfiguredEnvironments,
} from '@deployments-portal/backstage-plugin-deployments-common';

import { CostSettings, readCostSettings } from '../cost/readCostSettings';

const DEFAULT_NAMESPACE_PATTERN = '{{ application }}-{{ environment }}';

/** An environment with its policy tuning, as the backend uses it. */
export type EnvironmentConfig = EnvironmentSummary & {
  /** The environment before this one in the configured order, if any. */
  previous?: string;
  policies: PolicySettingsByPolicy;
  /** Prices and budget (`cost`), when configured. */
  cost?: CostSettings;
};

/**
 * Reads `deployments.environments` in the configured order
 * (`deployments.environmentOrder`, OTAP by default). Fails at start-up with
 * the offending key when nothing is configured or names and order are wrong.
 */
export function readEnvironments(config: Config): EnvironmentConfig[] {
  const configured = readConfiguredEnvironments(config);
  if (configured.length === 0) {
    throw new Error(
      'Missing config at deployments.environments: name the cluster of each environment, e.g. ' +
        "deployments.environments.development.cluster: 'dev-cluster' (the cluster as named in kubernetes.clusterLocatorMethods); " +
        `by default the environments are ${OTAP_ENVIRONMENT_NAMES.join(
          ', ',
        )}, in that order (other names: set deployments.environmentOrder)`,
    );
  }
  return configured.map((env, index) => {
    const policies =
      (env.config
        .getOptionalConfig('policies')
        ?.get() as PolicySettingsByPolicy) ?? {};
    const cost = readCostSettings(env.config, env.name);
    return {
      name: env.name,
      cluster: env.config.getString('cluster'),
      namespacePattern:
        env.config.getOptionalString('namespacePattern') ??
        DEFAULT_NAMESPACE_PATTERN,
      requiresApproval: env.requiresApproval,
      production: env.production,
      previous: configured[index - 1]?.name,
      // The cost-budget policy judges with the environment's prices and
      // budget as its parameters.
      policies: cost
        ? {
            ...policies,
            'cost-budget': { ...policies['cost-budget'], ...cost },
          }
        : policies,
      ...(cost ? { cost } : {}),
    };
  });
}

/** What the policies know of an environment. */
export function policyEnvironment(
  environment: EnvironmentConfig,
): PolicyEnvironment {
  return {
    name: environment.name,
    production: environment.production,
    previous: environment.previous,
  };
}
