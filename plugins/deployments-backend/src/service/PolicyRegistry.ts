import {
  BUILT_IN_POLICIES,
  EnvironmentName,
  Policy,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { EnvironmentConfig, policyEnvironment } from './readEnvironments';

/** A policy as configured for one environment. */
export type ConfiguredPolicy = {
  id: string;
  title: string;
  description: string;
  source: 'built-in' | 'module';
  environments: Partial<
    Record<
      EnvironmentName,
      {
        enabled: boolean;
        severity: string;
        parameters: Record<string, unknown>;
      }
    >
  >;
};

/**
 * The built-in policies plus those added through
 * `deploymentsPoliciesExtensionPoint`, with each environment's tuning.
 */
export class PolicyRegistry {
  static create(options: {
    environments: EnvironmentConfig[];
    added: Policy[];
  }): PolicyRegistry {
    const ids = new Set<string>();
    for (const policy of [...BUILT_IN_POLICIES, ...options.added]) {
      if (ids.has(policy.id)) {
        throw new Error(
          `Deployment policy id '${policy.id}' is registered twice; policy ids must be unique`,
        );
      }
      ids.add(policy.id);
    }
    for (const env of options.environments) {
      for (const id of Object.keys(env.policies)) {
        if (!ids.has(id)) {
          throw new Error(
            `Invalid config at deployments.environments.${
              env.name
            }.policies.${id}: no policy '${id}'; known policies are ${[
              ...ids,
            ].join(', ')}`,
          );
        }
      }
    }
    return new PolicyRegistry(options.environments, options.added);
  }

  private constructor(
    private readonly environments: EnvironmentConfig[],
    private readonly added: Policy[],
  ) {}

  /** Every policy, built-in first. */
  policies(): Policy[] {
    return [...BUILT_IN_POLICIES, ...this.added];
  }

  describe(): ConfiguredPolicy[] {
    return this.policies().map(policy => ({
      id: policy.id,
      title: policy.title,
      description: policy.description,
      source: BUILT_IN_POLICIES.includes(policy) ? 'built-in' : 'module',
      environments: Object.fromEntries(
        this.environments.map(env => {
          const { enabled, severity, ...overrides } =
            env.policies[policy.id] ?? {};
          return [
            env.name,
            {
              enabled: enabled !== false,
              severity: severity ?? policy.defaultSeverity,
              parameters: {
                ...policy.defaults?.(policyEnvironment(env)),
                ...overrides,
              },
            },
          ];
        }),
      ),
    }));
  }
}
