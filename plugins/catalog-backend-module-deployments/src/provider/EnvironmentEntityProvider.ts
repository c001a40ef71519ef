import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { readConfiguredEnvironments } from '@deployments-portal/backstage-plugin-deployments-common';

const LOCATION = 'deployments-config:app-config';

/** What the provider reads from config. */
type Settings = {
  owner: string;
  namespace: string;
  environments: Array<{
    name: string;
    cluster: string;
    requiresApproval: boolean;
    production: boolean;
  }>;
  clusters: Array<{ name: string; title?: string; url: string }>;
};

function readSettings(config: Config): Settings {
  // In the configured order, refusing the mistakes the deployments backend
  // refuses. Unconfigured, nothing is published (the backend then refuses to
  // start and says what to configure).
  const environments = readConfiguredEnvironments(config).map(env => ({
    name: env.name,
    cluster: env.config.getString('cluster'),
    requiresApproval: env.requiresApproval,
    production: env.production,
  }));
  const clusters = (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  )
    .filter(method => method.getString('type') === 'config')
    .flatMap(method => method.getOptionalConfigArray('clusters') ?? [])
    .map(cluster => ({
      name: cluster.getString('name'),
      title: cluster.getOptionalString('title'),
      url: cluster.getString('url'),
    }));
  return {
    owner:
      config.getOptionalString('deployments.catalogOwner') ??
      'group:default/platform-team',
    namespace: catalogNamespace(config),
    environments,
    clusters,
  };
}

/** Default of `deployments.catalogNamespace`. @public */
export const DEFAULT_CATALOG_NAMESPACE = 'deployments';

/**
 * The catalog namespace of the published entities: a namespace of their own,
 * so an adopter's Resources called `production` or `prod-eu` never collide
 * with them.
 */
function catalogNamespace(config: Config): string {
  const namespace =
    config.getOptionalString('deployments.catalogNamespace') ??
    DEFAULT_CATALOG_NAMESPACE;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(namespace) || namespace.length > 63) {
    throw new Error(
      `Invalid config at deployments.catalogNamespace: '${namespace}' is not a catalog namespace; use lower-case letters, digits and dashes (at most 63), e.g. ${DEFAULT_CATALOG_NAMESPACE}`,
    );
  }
  return namespace;
}

/**
 * Publishes the configured environments and the clusters they run on, from config,
 * as catalog Resources (types `environment` and `kubernetes-cluster`), each
 * environment depending on its cluster.
 *
 * @public
 */
export class EnvironmentEntityProvider implements EntityProvider {
  static fromConfig(config: Config): EnvironmentEntityProvider {
    return new EnvironmentEntityProvider(readSettings(config));
  }

  private constructor(private readonly settings: Settings) {}

  getProviderName(): string {
    return 'deployments-environments';
  }

  entities(): Entity[] {
    const annotations = {
      [ANNOTATION_LOCATION]: LOCATION,
      [ANNOTATION_ORIGIN_LOCATION]: LOCATION,
    };
    const { owner, namespace, environments, clusters } = this.settings;
    const usedClusters = new Set(environments.map(e => e.cluster));
    return [
      ...clusters
        .filter(cluster => usedClusters.has(cluster.name))
        .map(cluster => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name: cluster.name,
            namespace,
            title: cluster.title ?? cluster.name,
            description: `Kubernetes cluster at ${cluster.url}`,
            annotations,
            links: [{ url: cluster.url, title: 'API server' }],
          },
          spec: { type: 'kubernetes-cluster', owner },
        })),
      ...environments.map((environment, index) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: environment.name,
          namespace,
          title: environment.name[0].toUpperCase() + environment.name.slice(1),
          description: `Step ${index + 1} of ${
            environments.length
          } in the promotion order; runs on ${environment.cluster}${
            environment.requiresApproval
              ? '; deployments need approval by someone other than the requester'
              : ''
          }`,
          annotations,
          tags: [
            ...(environment.production ? ['production'] : []),
            ...(environment.requiresApproval ? ['approval-required'] : []),
          ],
        },
        spec: {
          type: 'environment',
          owner,
          dependsOn: [`resource:${namespace}/${environment.cluster}`],
        },
      })),
    ];
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    await connection.applyMutation({
      type: 'full',
      entities: this.entities().map(entity => ({
        entity,
        locationKey: LOCATION,
      })),
    });
  }
}
