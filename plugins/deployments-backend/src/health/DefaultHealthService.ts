import {
  BackstageCredentials,
  CacheService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config, ConfigReader } from '@backstage/config';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  deploymentsReadPermission,
  EntityHealth,
  EntityHealthTimeline,
  EnvironmentHealth,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { EnvironmentConfig } from '../service/readEnvironments';
import { HealthStateStore } from '../store/HealthStateStore';
import { checkEnvironment } from './checkEnvironment';
import { CheckContext, ProbeOutcome } from './checkTypes';
import { EntityHealthCache } from './EntityHealthCache';
import { overallState } from './healthState';
import { probeOnce } from './probeOnce';
import { HealthService } from './HealthService';
import { Limiter } from './Limiter';
import { HealthSettings, readHealthSettings } from './readHealthSettings';
import { Resolver, TargetGuard } from './TargetGuard';
import { UnreachableMemory } from './UnreachableMemory';

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
    /**
     * Where results and unreachable targets are remembered: the plugin's
     * cache service (shared by the replicas when backend.cache is Redis).
     * Default: a cache in this process.
     */
    cache?: CacheService;
    /** For tests: how host names resolve. */
    resolve?: Resolver;
    /** The monitor's states and timeline (GET …/health/timeline). */
    states?: HealthStateStore;
  }): DefaultHealthService {
    const settings = readHealthSettings(options.config, options.environments);
    const cache =
      options.cache ??
      CacheManager.fromConfig(new ConfigReader({})).forPlugin('deployments');
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
      new UnreachableMemory(settings.unreachableRetrySeconds * 1000, cache),
      cache,
      options.states,
    );
  }

  private readonly context: CheckContext;
  private readonly cache: EntityHealthCache;

  private constructor(
    private readonly logger: LoggerService,
    private readonly catalog: CatalogService,
    private readonly permissions: PermissionsService,
    clusters: ClusterClients,
    private readonly environments: EnvironmentConfig[],
    settings: HealthSettings,
    guard: TargetGuard,
    unreachable: UnreachableMemory,
    cache: CacheService,
    private readonly states?: HealthStateStore,
  ) {
    this.context = {
      clusters,
      settings,
      guard,
      unreachable,
      limiter: new Limiter(settings.concurrency),
      // Keep-alive connections: repeated checks of the same services stay cheap.
      agents: {
        http: new http.Agent({ keepAlive: true }),
        https: new https.Agent({ keepAlive: true }),
      },
    };
    this.cache = new EntityHealthCache(cache, settings.cacheSeconds, logger);
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
    const refresh = options.refresh ?? false;
    return this.cache.getOrCheck(stringifyEntityRef(entity), refresh, () =>
      this.check(entity, refresh),
    );
  }

  /**
   * The health timeline the monitor recorded for an entity, newest first.
   * Same permission as its health.
   */
  async getTimeline(
    ref: CompoundEntityRef,
    options: {
      credentials: BackstageCredentials;
      environment?: string;
      limit?: number;
    },
  ): Promise<EntityHealthTimeline> {
    const entityRef = stringifyEntityRef(ref);
    await this.authorize(options.credentials, entityRef);
    if (
      options.environment !== undefined &&
      !this.environments.some(e => e.name === options.environment)
    ) {
      throw withErrorCode(
        new InputError(
          `environment '${
            options.environment
          }' is not configured; configured environments: ${this.environments
            .map(e => e.name)
            .join(', ')}`,
        ),
        'environment-not-configured',
      );
    }
    return {
      entityRef,
      entries: this.states
        ? await this.states.timeline(entityRef, {
            environment: options.environment,
            limit: options.limit ?? 50,
          })
        : [],
    };
  }

  /**
   * Checks `entity` now in the named environments (no cache, no
   * permission check): for the scheduled monitor.
   */
  monitor(
    entity: Entity,
    environments: string[],
  ): Promise<EnvironmentHealth[]> {
    return Promise.all(
      this.environments
        .filter(e => environments.includes(e.name))
        .map(environment =>
          checkEnvironment(this.context, entity, environment, true),
        ),
    );
  }

  /**
   * The contract of `entity` in one environment's namespace, probed now
   * (no cache, no permission check): for the engine's verification.
   */
  probeNow(
    entity: Entity,
    environment: string,
    namespace: string,
    signal?: AbortSignal,
  ): Promise<ProbeOutcome> {
    const config = this.environments.find(e => e.name === environment);
    if (!config) {
      return Promise.resolve({
        probeError: `environment ${environment} is not configured`,
      });
    }
    return probeOnce(this.context, entity, config, namespace, signal);
  }

  private async check(entity: Entity, refresh: boolean): Promise<EntityHealth> {
    const started = performance.now();
    const environments = await Promise.all(
      this.environments.map(environment =>
        checkEnvironment(this.context, entity, environment, refresh),
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
