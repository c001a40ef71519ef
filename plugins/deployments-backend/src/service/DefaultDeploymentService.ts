import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeploymentAction,
  DeploymentDetails,
  DeploymentKey,
  DeploymentRecord,
  DeploymentRequest,
  DeploymentUpdate,
  deploymentsCreatePermission,
  deploymentsDeletePermission,
  deploymentsReadPermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
  EnvironmentName,
  EnvironmentSummary,
  evaluatePolicies,
  hasBlockingViolations,
  imageReference,
  parseDeploymentRequest,
  PolicyViolation,
  RenderedManifest,
  renderManifests,
  ValidationResult,
  withErrorCode,
  workloadName,
} from '@internal/backstage-plugin-deployments-common';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { KubernetesDeployer } from '../kubernetes/KubernetesDeployer';
import { DeploymentStore } from '../store/DeploymentStore';
import { diffObject } from './diff';
import { DeploymentMetrics } from './metrics';
import { PolicyViolationsError, RequestInvalidError } from './errors';
import { PolicyRegistry } from './PolicyRegistry';
import { EnvironmentConfig } from './readEnvironments';

type CallOptions = { credentials: BackstageCredentials };

type Prepared = {
  request: DeploymentRequest;
  environment: EnvironmentConfig;
  owner: string;
  manifests: RenderedManifest[];
  violations: PolicyViolation[];
  deployer: KubernetesDeployer;
};

const MAX_TIMEOUT_SECONDS = 3600;

/**
 * The deployments service: validation, apply, rollout tracking with
 * automatic rollback, restart, rollback, delete and history. The REST
 * router and (through deployments-node) the scaffolder actions both use it.
 */
export class DefaultDeploymentService implements DeploymentService {
  static create(options: {
    config: Config;
    logger: LoggerService;
    catalog: CatalogService;
    permissions: PermissionsService;
    store: DeploymentStore;
    clusters: ClusterClients;
    environments: EnvironmentConfig[];
    policies: PolicyRegistry;
  }): DefaultDeploymentService {
    const rollout = options.config.getOptionalConfig('deployments.rollout');
    return new DefaultDeploymentService(
      options.logger,
      options.catalog,
      options.permissions,
      options.store,
      options.clusters,
      options.environments,
      options.policies,
      new DeploymentMetrics(),
      {
        timeoutSeconds: rollout?.getOptionalNumber('timeoutSeconds') ?? 300,
        autoRollback: rollout?.getOptionalBoolean('autoRollback') ?? true,
        ingressNamespace:
          options.config.getOptionalString('deployments.ingressNamespace') ??
          'ingress-nginx',
      },
    );
  }

  private constructor(
    private readonly logger: LoggerService,
    private readonly catalog: CatalogService,
    private readonly permissions: PermissionsService,
    private readonly store: DeploymentStore,
    private readonly clusters: ClusterClients,
    private readonly environments: EnvironmentConfig[],
    private readonly policies: PolicyRegistry,
    private readonly metrics: DeploymentMetrics,
    private readonly settings: {
      timeoutSeconds: number;
      autoRollback: boolean;
      ingressNamespace: string;
    },
  ) {}

  async listEnvironments(options: CallOptions): Promise<EnvironmentSummary[]> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    return this.environments.map(
      ({ name, cluster, namespacePattern, requiresApproval }) => ({
        name,
        cluster,
        namespacePattern,
        requiresApproval,
      }),
    );
  }

  async validate(
    input: unknown,
    options: CallOptions,
  ): Promise<ValidationResult> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    const parsed = parseDeploymentRequest(
      this.withRequester(input, options.credentials),
    );
    if (!parsed.success) {
      return { valid: false, errors: parsed.errors, violations: [], diff: [] };
    }
    const prepared = await this.prepare(parsed.request, options.credentials);
    const result: ValidationResult = {
      valid: !hasBlockingViolations(prepared.violations),
      errors: [],
      violations: prepared.violations,
      diff: [],
    };
    if (!result.valid) {
      return result;
    }
    try {
      const planned = await prepared.deployer.apply(prepared.manifests, {
        dryRun: true,
      });
      result.dryRun = { ok: true };
      for (const [i, manifest] of prepared.manifests.entries()) {
        const live = await prepared.deployer.read(manifest);
        result.diff.push(
          diffObject(
            manifest.kind,
            manifest.metadata!.name!,
            live as Record<string, unknown> | undefined,
            planned[i] as unknown as Record<string, unknown>,
          ),
        );
      }
    } catch (error) {
      result.valid = false;
      result.dryRun = { ok: false, error: (error as Error).message };
    }
    return result;
  }

  async deploy(
    input: unknown,
    options: CallOptions & { dryRun?: boolean; timeoutSeconds?: number },
  ): Promise<DeploymentRecord> {
    return this.deployAs('deploy', input, options);
  }

  async list(
    filter: { environment: EnvironmentName; namespace: string },
    options: CallOptions,
  ): Promise<DeploymentRecord[]> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    this.environment(filter.environment);
    return this.store.listLatest(filter);
  }

  async get(
    key: DeploymentKey,
    options: CallOptions,
  ): Promise<DeploymentDetails> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    const record = await this.latestOrThrow(key);
    const deployer = this.deployer(this.environment(key.environment));
    const live = await deployer.live(key.namespace, key.name).catch(error => ({
      exists: false,
      error: (error as Error).message,
    }));
    return { record, live };
  }

  async history(
    key: DeploymentKey,
    options: CallOptions,
  ): Promise<DeploymentRecord[]> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    this.environment(key.environment);
    const records = await this.store.history(key);
    if (records.length === 0) {
      throw this.notFound(key);
    }
    return records;
  }

  async update(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: CallOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentRecord> {
    const current = await this.currentlyDeployed(key);
    if (
      typeof update !== 'object' ||
      update === null ||
      Array.isArray(update)
    ) {
      throw withErrorCode(
        new InputError(
          'The update must be a JSON object, e.g. { "replicas": 3 }',
        ),
        'update-invalid',
      );
    }
    const { image, ...rest } = update as DeploymentUpdate &
      Record<string, unknown>;
    for (const field of [
      'application',
      'environment',
      'namespace',
      'name',
      'requester',
    ]) {
      if (field in rest) {
        throw withErrorCode(
          new InputError(
            `${field} cannot be changed by an update; deploy a new application or environment instead`,
          ),
          'update-invalid',
        );
      }
    }
    const merged = {
      ...current.request,
      ...rest,
      // A new tag without a digest must not keep the old digest, and vice versa.
      image: image
        ? {
            repository: image.repository ?? current.request.image.repository,
            tag: image.tag,
            digest: image.digest,
          }
        : current.request.image,
    };
    return this.deployAs('update', merged, options);
  }

  async restart(
    key: DeploymentKey,
    options: CallOptions,
  ): Promise<DeploymentRecord> {
    await this.authorize(
      deploymentsRestartPermission,
      options.credentials,
      'restart',
    );
    const current = await this.currentlyDeployed(key);
    const environment = this.environment(key.environment);
    const deployer = this.deployer(environment);
    const manifests = await this.store.manifests(current.id);
    const record = await this.store.insert({
      ...key,
      entityRef: current.entityRef,
      action: 'restart',
      request: current.request,
      manifests,
      image: current.image,
      digest: current.digest,
      requester: this.requester(options.credentials),
      changeReference: current.changeReference,
    });
    await this.recordFailure(record.id, async () => {
      await deployer.restart(key.namespace, key.name, new Date());
    });
    return this.followRollout(
      record,
      deployer,
      this.settings.timeoutSeconds,
      undefined,
    );
  }

  async rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: CallOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentRecord> {
    await this.authorize(
      deploymentsRollbackPermission,
      options.credentials,
      'roll back',
    );
    const latest = await this.latestOrThrow(key);
    let to: DeploymentRecord | undefined;
    if (target.revision !== undefined) {
      to = await this.store.byRevision(key, target.revision);
      if (!to) {
        throw withErrorCode(
          new InputError(
            `revision ${target.revision} does not exist in the history of ${key.namespace}/${key.name}`,
          ),
          'rollback-target-invalid',
        );
      }
      if (to.status !== 'succeeded' || to.action === 'delete') {
        throw withErrorCode(
          new InputError(
            `revision ${
              target.revision
            } is not a version that ran successfully (it ${
              to.action === 'delete' ? 'was a delete' : `ended ${to.status}`
            }); pick a succeeded revision from the history`,
          ),
          'rollback-target-invalid',
        );
      }
    } else {
      const current = await this.store.lastGood(key);
      to = current
        ? await this.store.lastGood(key, current.revision)
        : undefined;
      if (!to) {
        throw withErrorCode(
          new InputError(
            `${key.namespace}/${key.name} has no earlier successful revision to roll back to`,
          ),
          'rollback-target-invalid',
        );
      }
    }
    const environment = this.environment(key.environment);
    const deployer = this.deployer(environment);
    const manifests = await this.store.manifests(to.id);
    const currentManifests = await this.store.manifests(latest.id);
    const record = await this.store.insert({
      ...key,
      entityRef: to.entityRef,
      action: 'rollback',
      request: to.request,
      manifests,
      image: to.image,
      digest: to.digest,
      requester: this.requester(options.credentials),
      changeReference: to.changeReference,
      rollbackToRevision: to.revision,
    });
    this.logger.info('Deployment rollback requested', {
      entityRef: to.entityRef,
      environment: key.environment,
      namespace: key.namespace,
      revision: record.revision,
      toRevision: to.revision,
    });
    await this.recordFailure(record.id, async () => {
      await deployer.apply(manifests);
      await deployer.prune(currentManifests, manifests);
    });
    return this.followRollout(
      record,
      deployer,
      this.timeout(options.timeoutSeconds),
      undefined,
    );
  }

  async delete(
    key: DeploymentKey,
    options: CallOptions,
  ): Promise<DeploymentRecord> {
    await this.authorize(
      deploymentsDeletePermission,
      options.credentials,
      'delete',
    );
    const latest = await this.latestOrThrow(key);
    if (latest.action === 'delete' && latest.status === 'succeeded') {
      throw this.notFound(key);
    }
    const environment = this.environment(key.environment);
    const deployer = this.deployer(environment);
    const manifests = await this.store.manifests(latest.id);
    const record = await this.store.insert({
      ...key,
      entityRef: latest.entityRef,
      action: 'delete',
      request: latest.request,
      manifests,
      image: latest.image,
      digest: latest.digest,
      requester: this.requester(options.credentials),
    });
    await this.recordFailure(record.id, async () => {
      await deployer.delete(manifests);
    });
    this.logger.info('Deployment deleted', {
      entityRef: latest.entityRef,
      environment: key.environment,
      namespace: key.namespace,
      revision: record.revision,
    });
    return this.finish(record.id, 'succeeded');
  }

  // --- internals -----------------------------------------------------------

  private async deployAs(
    action: DeploymentAction,
    input: unknown,
    options: CallOptions & { dryRun?: boolean; timeoutSeconds?: number },
  ): Promise<DeploymentRecord> {
    await this.authorize(
      action === 'update'
        ? deploymentsUpdatePermission
        : deploymentsCreatePermission,
      options.credentials,
      action === 'update' ? 'update' : 'deploy',
    );
    const parsed = parseDeploymentRequest(
      this.withRequester(input, options.credentials),
    );
    if (!parsed.success) {
      throw new RequestInvalidError(parsed.errors);
    }
    const prepared = await this.prepare(parsed.request, options.credentials);
    this.metrics.recordViolations(
      prepared.request.environment,
      prepared.violations,
    );
    if (hasBlockingViolations(prepared.violations)) {
      throw new PolicyViolationsError(prepared.violations);
    }
    const { request, deployer, manifests } = prepared;
    const key = {
      environment: request.environment,
      namespace: request.namespace,
      name: workloadName(request),
    };

    if (options.dryRun) {
      await deployer.apply(manifests, { dryRun: true });
      const now = new Date().toISOString();
      return {
        id: 'dry-run',
        entityRef: request.application,
        ...key,
        revision: 0,
        action,
        status: 'succeeded',
        request,
        image: imageReference(request.image),
        digest: request.image.digest,
        requester: request.requester,
        changeReference: request.changeReference,
        statusHistory: [{ status: 'succeeded', at: now }],
        createdAt: now,
        finishedAt: now,
      };
    }

    const previous = await this.store.lastGood(key);
    const previousManifests = previous
      ? await this.store.manifests(previous.id)
      : undefined;
    const record = await this.store.insert({
      ...key,
      entityRef: stringifyEntityRef(parseEntityRef(request.application)),
      action,
      request,
      manifests,
      image: imageReference(request.image),
      digest: request.image.digest,
      requester: request.requester,
      changeReference: request.changeReference,
    });
    this.logger.info('Deployment applying', {
      entityRef: record.entityRef,
      environment: key.environment,
      namespace: key.namespace,
      revision: record.revision,
      image: record.image,
    });

    try {
      await deployer.apply(manifests);
      if (previousManifests) {
        await deployer.prune(previousManifests, manifests);
      }
    } catch (error) {
      await this.finish(record.id, 'failed', {
        error: (error as Error).message,
      });
      this.logger.warn('Deployment apply failed', {
        entityRef: record.entityRef,
        environment: key.environment,
        revision: record.revision,
        error: (error as Error).message,
      });
      throw error;
    }

    return this.followRollout(
      record,
      deployer,
      this.timeout(options.timeoutSeconds),
      previous && previousManifests
        ? { record: previous, manifests: previousManifests, current: manifests }
        : undefined,
    );
  }

  /**
   * Waits for the rollout; when it does not become ready, restores the
   * previous good revision (if configured and there is one).
   */
  private async followRollout(
    record: DeploymentRecord,
    deployer: KubernetesDeployer,
    timeoutSeconds: number,
    previous:
      | {
          record: DeploymentRecord;
          manifests: RenderedManifest[];
          current: RenderedManifest[];
        }
      | undefined,
  ): Promise<DeploymentRecord> {
    await this.store.transition(record.id, 'rolling-out');
    const result = await deployer.awaitRollout(record.namespace, record.name, {
      timeoutMs: timeoutSeconds * 1000,
    });
    const context = {
      entityRef: record.entityRef,
      environment: record.environment,
      namespace: record.namespace,
      revision: record.revision,
    };
    if (result.ready) {
      this.logger.info('Deployment ready', context);
      return this.finish(record.id, 'succeeded');
    }
    if (!this.settings.autoRollback || !previous) {
      this.logger.warn('Deployment failed', {
        ...context,
        reason: result.reason,
      });
      return this.finish(record.id, 'failed', {
        error: `Revision ${record.revision} did not become ready: ${result.reason}`,
      });
    }
    this.logger.warn('Deployment not ready, rolling back', {
      ...context,
      reason: result.reason,
      toRevision: previous.record.revision,
    });
    try {
      await deployer.apply(previous.manifests);
      await deployer.prune(previous.current, previous.manifests);
      const restored = await deployer.awaitRollout(
        record.namespace,
        record.name,
        {
          timeoutMs: timeoutSeconds * 1000,
        },
      );
      return this.finish(record.id, 'rolled-back', {
        error: `Revision ${record.revision} did not become ready: ${
          result.reason
        }; rolled back to revision ${previous.record.revision}${
          restored.ready
            ? ''
            : ` (which is not ready either: ${restored.reason})`
        }`,
      });
    } catch (error) {
      return this.finish(record.id, 'failed', {
        error: `Revision ${record.revision} did not become ready: ${
          result.reason
        }; the automatic rollback failed too: ${(error as Error).message}`,
      });
    }
  }

  /** Runs a cluster change for a record; on failure records it as failed and rethrows. */
  private async recordFailure(id: string, change: () => Promise<void>) {
    try {
      await change();
    } catch (error) {
      await this.finish(id, 'failed', { error: (error as Error).message });
      throw error;
    }
  }

  private async finish(
    id: string,
    status: 'succeeded' | 'failed' | 'rolled-back',
    options: { error?: string } = {},
  ): Promise<DeploymentRecord> {
    const record = await this.store.transition(id, status, options);
    this.metrics.recordFinished(record);
    return record;
  }

  private async prepare(
    request: DeploymentRequest,
    credentials: BackstageCredentials,
  ): Promise<Prepared> {
    const environment = this.environment(request.environment);
    const entity = await this.catalog.getEntityByRef(request.application, {
      credentials,
    });
    if (!entity) {
      throw withErrorCode(
        new InputError(
          `application: ${request.application} is not in the catalog; register it first or pick an existing component`,
        ),
        'application-not-in-catalog',
      );
    }
    const owner = this.ownerOf(entity);
    const deployer = this.deployer(environment);
    const manifests = renderManifests(request, {
      owner,
      ingressNamespace: this.settings.ingressNamespace,
    });
    const [namespaces, deployedDigests] = await Promise.all([
      deployer.namespaces(),
      this.store.deployedDigests(stringifyEntityRef(entity)),
    ]);
    const violations = evaluatePolicies(
      {
        request,
        manifests,
        context: { owner, cluster: { namespaces, deployedDigests } },
      },
      this.policies.policies(),
      environment.policies,
    );
    return { request, environment, owner, manifests, violations, deployer };
  }

  private ownerOf(entity: Entity): string {
    const owner = entity.spec?.owner;
    if (typeof owner !== 'string' || !owner) {
      throw withErrorCode(
        new InputError(
          `application: ${stringifyEntityRef(
            entity,
          )} has no spec.owner in the catalog; a deployable component needs an owning group`,
        ),
        'application-without-owner',
      );
    }
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  }

  private withRequester(
    input: unknown,
    credentials: BackstageCredentials,
  ): unknown {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return input;
    }
    // Who deploys is who is signed in, whatever the body says.
    return { ...input, requester: this.requester(credentials) };
  }

  private requester(credentials: BackstageCredentials): string {
    const principal = credentials.principal as {
      type: string;
      userEntityRef?: string;
      subject?: string;
    };
    if (principal.type === 'user' && principal.userEntityRef) {
      return principal.userEntityRef;
    }
    throw withErrorCode(
      new NotAllowedError(
        'Deployments are made on behalf of a signed-in user; call with user credentials (or on behalf of a user)',
      ),
      'user-required',
    );
  }

  private environment(name: string): EnvironmentConfig {
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

  private deployer(environment: EnvironmentConfig): KubernetesDeployer {
    return new KubernetesDeployer(
      environment.cluster,
      this.clusters.kubeConfig(environment.cluster),
    );
  }

  private timeout(requested?: number): number {
    if (requested === undefined) return this.settings.timeoutSeconds;
    if (
      !Number.isFinite(requested) ||
      requested < 1 ||
      requested > MAX_TIMEOUT_SECONDS
    ) {
      throw withErrorCode(
        new InputError(
          `timeoutSeconds must be between 1 and ${MAX_TIMEOUT_SECONDS}, got ${requested}`,
        ),
        'timeout-invalid',
      );
    }
    return requested;
  }

  private async latestOrThrow(key: DeploymentKey): Promise<DeploymentRecord> {
    this.environment(key.environment);
    const latest = await this.store.latest(key);
    if (!latest) {
      throw this.notFound(key);
    }
    return latest;
  }

  /** The record of what runs now: the last good one, unless it was deleted. */
  private async currentlyDeployed(
    key: DeploymentKey,
  ): Promise<DeploymentRecord> {
    const latest = await this.latestOrThrow(key);
    const good = await this.store.lastGood(key);
    if (
      !good ||
      (latest.action === 'delete' && latest.status === 'succeeded')
    ) {
      throw withErrorCode(
        new NotFoundError(
          `${key.namespace}/${key.name} is not running in ${key.environment}; deploy it first`,
        ),
        'deployment-not-found',
      );
    }
    return good;
  }

  private notFound(key: DeploymentKey) {
    return withErrorCode(
      new NotFoundError(
        `No deployment ${key.namespace}/${key.name} in ${key.environment}`,
      ),
      'deployment-not-found',
    );
  }

  private async authorize(
    permission: BasicPermission,
    credentials: BackstageCredentials,
    verb: string,
  ) {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw withErrorCode(
        new NotAllowedError(
          `You are not allowed to ${verb} deployments (${permission.name})`,
        ),
        'permission-denied',
      );
    }
  }
}
