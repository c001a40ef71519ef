import { Config } from '@backstage/config';
import {
  ENVIRONMENT_NAMES,
  PolicySettingsByPolicy,
  EnvironmentSummary,
  isEnvironmentName,
} from '@deployments-portal/backstage-plugin-deployments-common';

const DEFAULT_NAMESPACE_PATTERN = '{{ application }}-{{ environment }}';

/** An environment with its policy tuning, as the backend uses it. */
export type EnvironmentConfig = EnvironmentSummary & {
  policies: PolicySettingsByPolicy;
};

/**
 * Reads `deployments.environments`, in OTAP order. Fails at start-up with the
 * offending key when an environment is not one of the four OTAP names.
 */
export function readEnvironments(config: Config): EnvironmentConfig[] {
  const section = config.getOptionalConfig('deployments.environments');
  if (!section || section.keys().length === 0) {
    throw new Error(
      'Missing config at deployments.environments: name the cluster of each environment, e.g. ' +
        "deployments.environments.development.cluster: 'dev-cluster' (the cluster as named in kubernetes.clusterLocatorMethods); " +
        `environments are ${ENVIRONMENT_NAMES.join(', ')}, in that order`,
    );
  }

  for (const key of section.keys()) {
    if (!isEnvironmentName(key)) {
      throw new Error(
        `Invalid config at deployments.environments.${key}: '${key}' is not an environment name; ` +
          `use one of ${ENVIRONMENT_NAMES.join(', ')}`,
      );
    }
  }

  return ENVIRONMENT_NAMES.filter(name => section.has(name)).map(name => {
    const env = section.getConfig(name);
    return {
      name,
      cluster: env.getString('cluster'),
      namespacePattern:
        env.getOptionalString('namespacePattern') ?? DEFAULT_NAMESPACE_PATTERN,
      requiresApproval:
        env.getOptionalBoolean('requiresApproval') ?? name === 'production',
      policies:
        (env.getOptionalConfig('policies')?.get() as PolicySettingsByPolicy) ??
        {},
    };
  });
}
