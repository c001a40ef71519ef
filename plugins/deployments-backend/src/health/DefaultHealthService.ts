import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_HEALTH_URL,
  ANNOTATION_KUBERNETES_ID,
  deploymentsReadPermission,
  EntityHealth,
  EnvironmentHealth,
  HealthContractResult,
  namespaceFor,
  withErrorCode,
} from '@internal/backstage-plugin-deployments-common';
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { mapKubernetesError } from '../kubernetes/errors';
import { EnvironmentConfig } from '../service/readEnvironments';
import { environmentState, overallState } from './healthState';
import { describeNetworkError, httpGet, HttpAnswer } from './httpGet';
import { HealthService } from './HealthService';
import { Limiter } from './Limiter';
import { CONTRACT_PATHS, joinUrl, probeContract } from './probeContract';
import {
  EnvironmentHealthSettings,
  HealthSettings,
  readHealthSettings,
} from './readHealthSettings';
import { readWorkload, WorkloadHealth } from './readWorkload';
import { Resolver, TargetGuard, TargetRefusedError } from './TargetGuard';
import { UnreachableMemory } from './UnreachableMemory';

type ProbeOutcome = Pick<EnvironmentHealth, 'target' | 'probes' | 'probeError'>;
type ClusterOutcome = WorkloadHealth & { kubernetesError?: string };

/** What one environment's check needs to know. */
type Check = {
  entity: Entity;
  environment: EnvironmentConfig;
  settings: EnvironmentHealthSettings;
  namespace: string;
  kubernetesId: string;
  signal: AbortSignal;
  budgetMs: number;
  /** Try again what the UnreachableMemory holds. */
  refresh: boolean;
};

const MAX_CACHED_ENTITIES = 1000;

/**
 * Probes the health contract of an application in every environment from the
 * backend (the browser never calls a service), reads its pods and warning
 * events with the cluster's client, and decides a state per environment and
 * overall.
 *
 * Each environment runs in parallel under its own time budget covering probes
 * and Kubernetes reads, so a dead cluster or a hanging service costs that
 * environment its budget and nothing more. Probes share one concurrency
 * limit, targets pass the TargetGuard, results are cached per entity and
 * concurrent identical requests share one check.
 */
export class DefaultHealthService implements HealthService {
  static create(options: {
    config: Config;
    logger: LoggerService;
    catalog: CatalogService;
    permissions: PermissionsService;
    clusters: ClusterClients;
    environments: EnvironmentConfig[];
    /** For tests: how host names resolve. */
    resolve?: Resolver;
  }): DefaultHealthService {
    const settings = readHealthSettings(options.config, options.environments);
    return new DefaultHealthService(
      options.logger,
      options.catalog,
      options.permissions,
      options.clusters,
      options.environments,
      settings,
      TargetGuard.create({
        allowedTargets: settings.allowedTargets,
        ownEndpoints: settings.ownEndpoints,
        resolve: options.resolve,
      }),
      new UnreachableMemory(settings.unreachableRetrySeconds * 1000),
    );
  }

  private readonly limiter: Limiter;
  private readonly cache = new Map<
    string,
    { expires: number; value: EntityHealth }
  >();
  private readonly inFlight = new Map<string, Promise<EntityHealth>>();
  // Keep-alive connections: repeated checks of the same services stay cheap.
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  private constructor(
    private readonly logger: LoggerService,
    private readonly catalog: CatalogService,
    private readonly permissions: PermissionsService,
    private readonly clusters: ClusterClients,
    private readonly environments: EnvironmentConfig[],
    private readonly settings: HealthSettings,
    private readonly guard: TargetGuard,
    private readonly unreachable: UnreachableMemory,
  ) {
    this.limiter = new Limiter(settings.concurrency);
  }

  async getEntityHealth(
    ref: CompoundEntityRef,
    options: { credentials: BackstageCredentials; refresh?: boolean },
  ): Promise<EntityHealth> {
    const requested = stringifyEntityRef(ref);
    await this.authorize(options.credentials, requested);
    const entity = await this.catalog.getEntityByRef(requested, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(
        `${requested} is not in the catalog (or you may not see it); check the kind, namespace and name`,
      );
    }
    const key = stringifyEntityRef(entity);
    if (!options.refresh) {
      const cached = this.cache.get(key);
      if (cached && cached.expires > Date.now()) {
        return cached.value;
      }
    }
    // A check already under way is as fresh as a new one: share it (a
    // refresh shares only another refresh, which retries everything too).
    const flightKey = `${options.refresh ? 'refresh' : 'check'}:${key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.check(entity, options.refresh ?? false)
        .then(value => {
          this.remember(key, value);
          return value;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private async check(entity: Entity, refresh: boolean): Promise<EntityHealth> {
    const started = performance.now();
    const environments = await Promise.all(
      this.environments.map(environment =>
        this.checkEnvironment(entity, environment, refresh),
      ),
    );
    const result: EntityHealth = {
      entityRef: stringifyEntityRef(entity),
      state: overallState(environments.map(e => e.state)),
      environments,
    };
    this.logger.debug('Entity health checked', {
      entityRef: result.entityRef,
      state: result.state,
      durationMs: Math.round(performance.now() - started),
    });
    return result;
  }

  private remember(key: string, value: EntityHealth) {
    if (this.settings.cacheSeconds <= 0) return;
    const now = Date.now();
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED_ENTITIES) {
      for (const [k, entry] of this.cache) {
        if (entry.expires <= now || this.cache.size >= MAX_CACHED_ENTITIES) {
          this.cache.delete(k);
        }
      }
    }
    this.cache.set(key, {
      expires: now + this.settings.cacheSeconds * 1000,
      value,
    });
  }

  private async checkEnvironment(
    entity: Entity,
    environment: EnvironmentConfig,
    refresh: boolean,
  ): Promise<EnvironmentHealth> {
    const settings = this.settings.environments.get(environment.name)!;
    const budgetMs = settings.timeoutMs;
    const started = performance.now();
    const checkedAt = new Date().toISOString();
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new Error(`the time budget of ${budgetMs} ms is spent`),
        ),
      budgetMs,
    );
    const application = entity.metadata.name;
    const check: Check = {
      entity,
      environment,
      settings,
      namespace: namespaceFor(application, environment),
      kubernetesId:
        entity.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ?? application,
      signal: controller.signal,
      budgetMs,
      refresh,
    };
    try {
      const [probing, cluster] = await Promise.all([
        this.probe(check).catch(
          (error): ProbeOutcome => ({
            probeError: `The health contract could not be probed: ${
              (error as Error).message
            }`,
          }),
        ),
        this.readCluster(check),
      ]);
      return withoutUndefined({
        environment: environment.name,
        cluster: environment.cluster,
        namespace: check.namespace,
        state: environmentState({ probes: probing.probes, ...cluster }),
        ...probing,
        ...cluster,
        checkedAt,
        durationMs: Math.round(performance.now() - started),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async readCluster(check: Check): Promise<ClusterOutcome> {
    const { environment, namespace, signal, budgetMs } = check;
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = this.clusters.kubeConfig(environment.cluster);
    } catch (error) {
      return {
        pods: [],
        events: [],
        kubernetesError: (error as Error).message,
      };
    }
    // Per budget: a cluster too slow for a short budget may suit a longer one.
    const memoryKey = `cluster:${environment.cluster}:${budgetMs}`;
    const since = check.refresh
      ? undefined
      : this.unreachable.recall(memoryKey);
    if (since) {
      return {
        pods: [],
        events: [],
        kubernetesError: `unreachable: cluster ${
          environment.cluster
        } did not answer within ${budgetMs} ms (${this.unreachable.describe(
          since,
        )})`,
      };
    }
    try {
      const workload = await untilAborted(
        readWorkload(kubeConfig, {
          cluster: environment.cluster,
          namespace,
          kubernetesId: check.kubernetesId,
          signal,
        }),
        signal,
      );
      this.unreachable.forget(memoryKey);
      return workload;
    } catch (error) {
      if (signal.aborted) {
        this.unreachable.remember(memoryKey);
        return {
          pods: [],
          events: [],
          kubernetesError: `unreachable: cluster ${environment.cluster} did not answer within ${budgetMs} ms`,
        };
      }
      const mapped = mapKubernetesError(error, {
        cluster: environment.cluster,
        namespace,
        what: 'read pods and events',
      }) as Error & { code?: string };
      return {
        pods: [],
        events: [],
        kubernetesError:
          mapped.code === 'cluster-unreachable'
            ? `unreachable: ${mapped.message}`
            : mapped.message,
      };
    }
  }

  /** Where the contract is probed: annotation, else the environment's config. */
  private async probe(check: Check): Promise<ProbeOutcome> {
    const { entity, environment, settings } = check;
    const annotation = entity.metadata.annotations?.[ANNOTATION_HEALTH_URL];
    if (annotation !== undefined) {
      return this.probeDirect(
        check,
        annotation.replace(/\{\{\s*environment\s*\}\}/g, environment.name),
        `annotation ${ANNOTATION_HEALTH_URL}`,
      );
    }
    if (settings.via === 'service-proxy') {
      return this.probeThroughServiceProxy(check);
    }
    if (settings.urlPattern) {
      return this.probeDirect(
        check,
        settings.urlPattern
          .replace(/\{\{\s*application\s*\}\}/g, entity.metadata.name)
          .replace(/\{\{\s*environment\s*\}\}/g, environment.name),
        `deployments.environments.${environment.name}.health.urlPattern`,
      );
    }
    return {
      probeError: `No health target for ${environment.name}: add the ${ANNOTATION_HEALTH_URL} annotation to the entity, or set deployments.environments.${environment.name}.health.urlPattern (or via: service-proxy)`,
    };
  }

  private async probeDirect(
    check: Check,
    raw: string,
    source: string,
  ): Promise<ProbeOutcome> {
    const { signal, budgetMs } = check;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return {
        probeError: `The ${source} '${withoutCredentials(
          raw,
        )}' is not a URL; expected a base URL such as https://payments-{{ environment }}.acme.internal`,
      };
    }
    const target = redact(url);
    const memoryKey = `target:${url.protocol}//${url.host}:${budgetMs}`;
    const since = check.refresh
      ? undefined
      : this.unreachable.recall(memoryKey);
    if (since) {
      return {
        target,
        probes: unreachableContract(
          target,
          `no answer within ${budgetMs} ms (${this.unreachable.describe(
            since,
          )})`,
        ),
      };
    }
    let addresses;
    try {
      addresses = await untilAborted(this.guard.check(url), signal);
    } catch (error) {
      if (error instanceof TargetRefusedError) {
        return { target, probeError: `Not probed: ${error.message}` };
      }
      if (signal.aborted) {
        this.unreachable.remember(memoryKey);
      }
      return {
        target,
        probes: unreachableContract(
          target,
          describeNetworkError(error, { signal, budgetMs }),
        ),
      };
    }
    const agent =
      url.protocol === 'https:' ? this.agents.https : this.agents.http;
    const probes = await probeContract({
      environment: check.environment.name,
      displayUrl: target,
      fetch: (path, s) =>
        httpGet(new URL(joinUrl(url.toString(), path)), {
          signal: s,
          addresses,
          agent,
        }),
      limiter: this.limiter,
      signal,
      budgetMs,
    });
    const results = [probes.liveness, probes.readiness, probes.info];
    if (signal.aborted && results.every(r => r.status === 'unreachable')) {
      this.unreachable.remember(memoryKey);
    } else if (results.some(r => r.status !== 'unreachable')) {
      this.unreachable.forget(memoryKey);
    }
    return { target, probes };
  }

  /**
   * Through `/api/v1/namespaces/<ns>/services/<id>:<port>/proxy/…` of the
   * environment's cluster, with the portal's credentials for that cluster.
   * The API server is configured, not taken from the catalog, so the target
   * guard does not apply; the API server decides where the service is.
   */
  private async probeThroughServiceProxy(check: Check): Promise<ProbeOutcome> {
    const { environment, namespace, kubernetesId, settings, signal, budgetMs } =
      check;
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = this.clusters.kubeConfig(environment.cluster);
    } catch (error) {
      return { probeError: (error as Error).message };
    }
    const since = check.refresh
      ? undefined
      : this.unreachable.recall(`cluster:${environment.cluster}:${budgetMs}`);
    const server = redact(new URL(kubeConfig.getCurrentCluster()!.server));
    const target = `${server.replace(
      /\/+$/,
      '',
    )}/api/v1/namespaces/${encodeURIComponent(
      namespace,
    )}/services/${encodeURIComponent(kubernetesId)}:${encodeURIComponent(
      settings.servicePort,
    )}/proxy`;
    if (since) {
      return {
        target,
        probes: unreachableContract(
          target,
          `the API server did not answer within ${budgetMs} ms (${this.unreachable.describe(
            since,
          )})`,
        ),
      };
    }
    const probes = await probeContract({
      environment: environment.name,
      displayUrl: target,
      fetch: async (path, s) => {
        const requestOptions: https.RequestOptions = {};
        await kubeConfig.applyToHTTPSOptions(requestOptions);
        return httpGet(new URL(joinUrl(target, path)), {
          signal: s,
          requestOptions,
        });
      },
      intermediary: apiServerFailure,
      limiter: this.limiter,
      signal,
      budgetMs,
    });
    return { target, probes };
  }

  private async authorize(
    credentials: BackstageCredentials,
    resourceRef: string,
  ) {
    const [decision] = await this.permissions.authorize(
      [{ permission: deploymentsReadPermission, resourceRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw withErrorCode(
        new NotAllowedError(
          `You are not allowed to read deployments (${deploymentsReadPermission.name})`,
        ),
        'permission-denied',
      );
    }
  }
}

/**
 * A failure the API server's proxy answered itself (a Kubernetes Status
 * object: no endpoints, service missing, proxy forbidden) rather than the
 * service, in words.
 */
function apiServerFailure(answer: HttpAnswer): string | undefined {
  if (answer.status < 400) return undefined;
  let status: { kind?: unknown; apiVersion?: unknown; message?: unknown };
  try {
    status = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  if (status?.kind !== 'Status' || status.apiVersion !== 'v1') {
    return undefined;
  }
  const text = String(status.message ?? `HTTP ${answer.status}`);
  const message = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  if (answer.status === 401 || answer.status === 403) {
    return `the API server refused the service proxy (${answer.status}): ${message}; the portal's service account needs 'get' on services/proxy in this namespace`;
  }
  return `the API server's service proxy answered ${answer.status}: ${message}`;
}

function unreachableContract(
  target: string,
  error: string,
): HealthContractResult {
  const result = (path: string) => ({
    status: 'unreachable' as const,
    url: joinUrl(target, path),
    error,
  });
  return {
    liveness: result(CONTRACT_PATHS.liveness),
    readiness: result(CONTRACT_PATHS.readiness),
    info: result(CONTRACT_PATHS.info),
  };
}

/** Rejects with the signal's reason once it aborts, whatever `promise` does. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      value => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      error => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/** The URL without user name and password. */
function redact(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

/** Credentials cut out of a string that is not a parseable URL. */
function withoutCredentials(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}
