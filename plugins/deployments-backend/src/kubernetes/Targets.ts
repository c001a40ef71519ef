import { InputError } from '@backstage/errors';
import { withErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';
import { EnvironmentConfig } from '../service/readEnvironments';
import { ClusterClients } from './ClusterClients';
import { KubernetesDeployer } from './KubernetesDeployer';

/** The configured environments and a deployer for each one's cluster. */
export class Targets {
  static create(options: {
    environments: EnvironmentConfig[];
    clusters: ClusterClients;
  }): Targets {
    return new Targets(options.environments, options.clusters);
  }

  private constructor(
    readonly environments: EnvironmentConfig[],
    private readonly clusters: ClusterClients,
  ) {}

  /** A configured environment, or a 400 that lists the configured ones. */
  environment(name: string): EnvironmentConfig {
    const environment = this.environments.find(e => e.name === name);
    if (!environment) {
      throw withErrorCode(
        new InputError(
          `environment '${name}' is not configured; configured environments: ${this.environments
            .map(e => e.name)
            .join(', ')}`,
        ),
        'environment-not-configured',
      );
    }
    return environment;
  }

  /** A deployer on the environment's cluster (503 when it is not configured). */
  deployer(environment: EnvironmentConfig | string): KubernetesDeployer {
    const config =
      typeof environment === 'string'
        ? this.environment(environment)
        : environment;
    return new KubernetesDeployer(
      config.cluster,
      this.clusters.kubeConfig(config.cluster),
    );
  }
}
