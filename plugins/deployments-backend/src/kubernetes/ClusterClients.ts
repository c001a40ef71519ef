import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import type {
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { KubeConfig, RequestContext, User } from '@kubernetes/client-node';
import { withErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/**
 * The Kubernetes plugin's auth providers that work without a signed-in user:
 * the change engine applies on its own, long after the request that asked
 * for it (`google`, `oidc` and `aks` forward the user's own token, which a
 * background job does not have).
 */
const SERVER_SIDE_AUTH_PROVIDERS = [
  'serviceAccount',
  'aws',
  'azure',
  'googleServiceAccount',
] as const;
type ServerSideAuthProvider = (typeof SERVER_SIDE_AUTH_PROVIDERS)[number];

/** How long a credential from an auth provider is reused (tokens rotate). */
const CREDENTIAL_TTL_MS = 60_000;

/** The name of the KubeConfig user whose requests get the credentials. */
const AUTHENTICATOR = 'deployments-portal';

/** Where Kubernetes mounts a pod's service account token (rotated in place). */
export const IN_CLUSTER_TOKEN_PATH =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * `serviceAccount`, as the Kubernetes plugin's ServiceAccountStrategy does it:
 * the configured token, or else the pod's own service account token, read
 * again whenever the cached credential expires (Kubernetes rotates it).
 */
class ServiceAccountCredentials implements AuthenticationStrategy {
  constructor(private readonly tokenPath: string) {}

  async getCredential(cluster: ClusterDetails): Promise<KubernetesCredential> {
    const token = cluster.authMetadata.serviceAccountToken;
    if (token) return { type: 'bearer token', token };
    return {
      type: 'bearer token',
      token: (await readFile(this.tokenPath, 'utf8')).trim(),
    };
  }

  validateCluster(): Error[] {
    return [];
  }

  presentAuthMetadata() {
    return {};
  }
}

/**
 * The strategy of an auth provider: the Kubernetes plugin's own classes
 * (`@backstage/plugin-kubernetes-backend`) for the cloud providers, created
 * on first use (AWS and Azure set up their SDKs' credential chains).
 */
async function createStrategy(
  provider: ServerSideAuthProvider,
  options: { config: Config; logger: LoggerService; tokenPath: string },
): Promise<AuthenticationStrategy> {
  if (provider === 'serviceAccount') {
    return new ServiceAccountCredentials(options.tokenPath);
  }
  const k8s = await import('@backstage/plugin-kubernetes-backend');
  switch (provider) {
    case 'aws':
      return new k8s.AwsIamStrategy({ config: options.config });
    case 'azure':
      return new k8s.AzureIdentityStrategy(options.logger);
    default:
      return new k8s.GoogleServiceAccountStrategy({ config: options.config });
  }
}

/**
 * Kubernetes clients for the clusters named in the Kubernetes plugin's
 * `kubernetes.clusterLocatorMethods` (type `config`): one definition of each
 * cluster for the standard Kubernetes tab and for deployments, authenticated
 * through the Kubernetes plugin's own auth strategies (`authProvider`
 * `serviceAccount` — with a token, or the pod's own —, `aws`, `azure`,
 * `googleServiceAccount`). Credentials stay in here; they are never logged
 * or returned.
 */
export class ClusterClients {
  static fromConfig(
    config: Config,
    options: {
      logger?: LoggerService;
      /** Where the pod's token is; tests point it elsewhere. */
      inClusterTokenPath?: string;
    } = {},
  ): ClusterClients {
    const clusters = new Map<string, ClusterDetails>();
    for (const method of config.getOptionalConfigArray(
      'kubernetes.clusterLocatorMethods',
    ) ?? []) {
      if (method.getString('type') !== 'config') continue;
      for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
        const name = cluster.getString('name');
        const block =
          cluster.getOptional<Record<string, string>>('authMetadata');
        const optional = (key: string, value: string | undefined) =>
          value === undefined ? {} : { [key]: value };
        clusters.set(name, {
          name,
          url: cluster.getString('url'),
          caData: cluster.getOptionalString('caData'),
          caFile: cluster.getOptionalString('caFile'),
          skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
          // The same authMetadata the Kubernetes plugin builds from a
          // cluster's config; the block wins, as there.
          authMetadata: {
            ...optional(
              ANNOTATION_KUBERNETES_AUTH_PROVIDER,
              cluster.getOptionalString('authProvider'),
            ),
            ...optional(
              'serviceAccountToken',
              cluster.getOptionalString('serviceAccountToken'),
            ),
            ...optional(
              ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
              cluster.getOptionalString('assumeRole'),
            ),
            ...optional(
              ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
              cluster.getOptionalString('externalId'),
            ),
            ...optional(
              ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
              cluster.getOptionalString('oidcTokenProvider'),
            ),
            ...block,
          },
        });
      }
    }
    return new ClusterClients(clusters, {
      config,
      logger: options.logger ?? silentLogger(),
      tokenPath: options.inClusterTokenPath ?? IN_CLUSTER_TOKEN_PATH,
    });
  }

  private readonly kubeConfigs = new Map<string, KubeConfig>();
  private readonly strategies = new Map<
    ServerSideAuthProvider,
    Promise<AuthenticationStrategy>
  >();
  private readonly credentials = new Map<
    string,
    { at: number; credential: Promise<KubernetesCredential> }
  >();

  private constructor(
    private readonly clusters: Map<string, ClusterDetails>,
    private readonly options: {
      config: Config;
      logger: LoggerService;
      tokenPath: string;
    },
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
      throw notConfigured(
        `Cluster ${name} is not configured: add it to kubernetes.clusterLocatorMethods (type: config) in app-config.yaml`,
      );
    }
    const provider = authProviderOf(cluster);
    const kc = new KeepAliveKubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name,
          server: cluster.url,
          caData: cluster.caData,
          caFile: cluster.caFile,
          skipTLSVerify: cluster.skipTLSVerify ?? false,
        },
      ],
      users: [{ name: 'portal', authProvider: { name: AUTHENTICATOR } }],
      contexts: [{ name, cluster: name, user: 'portal' }],
      currentContext: name,
    });
    kc.addAuthenticator({
      isAuthProvider: (user: User) => user.authProvider?.name === AUTHENTICATOR,
      applyAuthentication: async (_user, opts) => {
        const credential = await this.credential(cluster, provider);
        if (credential.type === 'bearer token') {
          opts.headers = {
            ...opts.headers,
            Authorization: `Bearer ${credential.token}`,
          };
        } else if (credential.type === 'x509 client certificate') {
          opts.cert = credential.cert;
          opts.key = credential.key;
        }
      },
    });
    if (cluster.caFile) {
      // Fail at the first use with a clear message rather than a TLS error.
      readFileSync(cluster.caFile);
    }
    this.kubeConfigs.set(name, kc);
    return kc;
  }

  /** A credential from the cluster's auth strategy, reused for a minute. */
  private credential(
    cluster: ClusterDetails,
    provider: ServerSideAuthProvider,
  ): Promise<KubernetesCredential> {
    const cached = this.credentials.get(cluster.name);
    if (cached && Date.now() - cached.at < CREDENTIAL_TTL_MS) {
      return cached.credential;
    }
    let strategy = this.strategies.get(provider);
    if (!strategy) {
      strategy = createStrategy(provider, this.options);
      this.strategies.set(provider, strategy);
    }
    const credential = strategy
      .then(s => s.getCredential(cluster, {}))
      .catch(error => {
        this.credentials.delete(cluster.name);
        throw notConfigured(
          `Cluster ${
            cluster.name
          }: no credentials from its auth provider '${provider}' (${
            (error as Error).message
          })${
            provider === 'serviceAccount'
              ? "; set serviceAccountToken, or run the backend in a pod with a service account ('./portal start' sets it for the local clusters)"
              : ''
          }`,
        );
      });
    this.credentials.set(cluster.name, { at: Date.now(), credential });
    return credential;
  }
}

/** The cluster's server-side auth provider, or a 503 saying why not. */
function authProviderOf(cluster: ClusterDetails): ServerSideAuthProvider {
  const provider =
    cluster.authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ??
    (cluster.authMetadata.serviceAccountToken ? 'serviceAccount' : undefined);
  if (!provider) {
    throw notConfigured(
      `Cluster ${
        cluster.name
      } has no authProvider: set one of ${SERVER_SIDE_AUTH_PROVIDERS.join(
        ', ',
      )} in kubernetes.clusterLocatorMethods`,
    );
  }
  if (!(SERVER_SIDE_AUTH_PROVIDERS as readonly string[]).includes(provider)) {
    throw notConfigured(
      `Cluster ${
        cluster.name
      } uses authProvider '${provider}', which needs the signed-in user's own token; deployments run in the background and need one of ${SERVER_SIDE_AUTH_PROVIDERS.join(
        ', ',
      )} (give the portal its own cluster entry if the Kubernetes tab keeps '${provider}')`,
    );
  }
  return provider as ServerSideAuthProvider;
}

function notConfigured(message: string): Error {
  return withErrorCode(
    new ServiceUnavailableError(message),
    'cluster-not-configured',
  );
}

function silentLogger(): LoggerService {
  const logger: LoggerService = {
    error() {},
    warn() {},
    info() {},
    debug() {},
    child: () => logger,
  };
  return logger;
}
