import { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { withErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';
import { readFileSync } from 'node:fs';
import https from 'node:https';

/**
 * A KubeConfig whose requests share one keep-alive HTTPS agent. The client
 * creates a new agent (a new TLS handshake) for every request otherwise;
 * with one per cluster, a deploy's reads, dry runs and applies reuse their
 * connections. Proxy agents are left as the client makes them.
 */
class KeepAliveKubeConfig extends KubeConfig {
  private agent?: https.Agent;

  private shared<T>(agent: T): T {
    if (!(agent instanceof https.Agent) || agent.constructor !== https.Agent) {
      return agent;
    }
    this.agent ??= new https.Agent({
      ...(agent as https.Agent & { options: https.AgentOptions }).options,
      keepAlive: true,
    });
    return this.agent as unknown as T;
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const agent = context.getAgent();
    if (agent) context.setAgent(this.shared(agent));
  }

  async applyToFetchOptions(
    opts: https.RequestOptions,
  ): ReturnType<KubeConfig['applyToFetchOptions']> {
    const init = await super.applyToFetchOptions(opts);
    return { ...init, agent: this.shared(init.agent) };
  }
}

type ClusterSettings = {
  name: string;
  url: string;
  token?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
};

/**
 * Kubernetes clients for the clusters named in the Kubernetes plugin's
 * `kubernetes.clusterLocatorMethods` (type `config`): one definition of each
 * cluster for the standard Kubernetes tab and for deployments. Tokens stay
 * in here; they are never logged or returned.
 */
export class ClusterClients {
  static fromConfig(config: Config): ClusterClients {
    const clusters = new Map<string, ClusterSettings>();
    for (const method of config.getOptionalConfigArray(
      'kubernetes.clusterLocatorMethods',
    ) ?? []) {
      if (method.getString('type') !== 'config') continue;
      for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
        const name = cluster.getString('name');
        clusters.set(name, {
          name,
          url: cluster.getString('url'),
          token: cluster.getOptionalString('serviceAccountToken'),
          caData: cluster.getOptionalString('caData'),
          caFile: cluster.getOptionalString('caFile'),
          skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
        });
      }
    }
    return new ClusterClients(clusters);
  }

  private readonly kubeConfigs = new Map<string, KubeConfig>();

  private constructor(
    private readonly clusters: Map<string, ClusterSettings>,
  ) {}

  has(name: string): boolean {
    return this.clusters.has(name);
  }

  /** The client configuration for a cluster, or a 503 naming what is missing. */
  kubeConfig(name: string): KubeConfig {
    const cached = this.kubeConfigs.get(name);
    if (cached) return cached;
    const cluster = this.clusters.get(name);
    if (!cluster) {
      throw withErrorCode(
        new ServiceUnavailableError(
          `Cluster ${name} is not configured: add it to kubernetes.clusterLocatorMethods (type: config) in app-config.yaml`,
        ),
        'cluster-not-configured',
      );
    }
    if (!cluster.token) {
      throw withErrorCode(
        new ServiceUnavailableError(
          `Cluster ${name} has no serviceAccountToken configured; './portal start' sets it for the local clusters`,
        ),
        'cluster-not-configured',
      );
    }
    const kc = new KeepAliveKubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name,
          server: cluster.url,
          caData: cluster.caData,
          caFile: cluster.caFile,
          skipTLSVerify: cluster.skipTLSVerify,
        },
      ],
      users: [{ name: 'portal', token: cluster.token }],
      contexts: [{ name, cluster: name, user: 'portal' }],
      currentContext: name,
    });
    if (cluster.caFile) {
      // Fail at the first use with a clear message rather than a TLS error.
      readFileSync(cluster.caFile);
    }
    this.kubeConfigs.set(name, kc);
    return kc;
  }
}
