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
  isResourcePermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApprovalRequest,
  AuditEvent,
  AuditFilter,
  DeploymentAction,
  DeploymentDetails,
  DeploymentKey,
  DeploymentOutcome,
  DeploymentRecord,
  DeploymentRequest,
  deploymentsApprovePermission,
  deploymentsAuditReadPermission,
  deploymentsCreatePermission,
  DeploymentsDashboard,
  deploymentsDeletePermission,
  deploymentsReadPermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
  DeploymentUpdate,
  EntityDeployments,
  EnvironmentDeployments,
  EnvironmentName,
  EnvironmentSummary,
  evaluatePolicies,
  hasBlockingViolations,
  imageReference,
  isEnvironmentName,
  isPendingApproval,
  LiveDeploymentState,
  namespaceFor,
  parseDeploymentRequest,
  PolicyViolation,
  RenderedManifest,
  renderManifests,
  ValidationResult,
  withErrorCode,
  workloadName,
} from '@internal/backstage-plugin-deployments-common';
import {
  ApprovalDecision,
  ApprovalFilter,
  DashboardFilter,
  DeploymentService,
} from '@internal/backstage-plugin-deployments-node';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { KubernetesDeployer } from '../kubernetes/KubernetesDeployer';
import { DeploymentStore } from '../store/DeploymentStore';
import { figuresByTeam } from './deliveryFigures';
import { diffObject } from './diff';
import { DeploymentMetrics } from './metrics';
import { PolicyViolationsError, RequestInvalidError } from './errors';
import { PolicyRegistry } from './PolicyRegistry';
import { EnvironmentConfig } from './readEnvironments';
import { ApprovalService } from './ApprovalService';
import {
  actorOf,
  AuditContext,
  AuditLog,
  auditResultOf,
  auditSubjectOfApproval,
} from './AuditLog';
import { Notifier } from './Notifier';
import { auditContextOfInput, auditContextOfKey } from './auditContexts';

type CallOptions = { credentials: BackstageCredentials };
/** A mutating call's options: the scaffolder task that makes it, if any. */
type ChangeOptions = CallOptions & { taskId?: string };
/** The approval gate, audit trail and notifications of every change. */
type Governance = {
  approvals: ApprovalService;
  audit: AuditLog;
  notifier: Notifier;
};

type Prepared = {
  request: DeploymentRequest;
  environment: EnvironmentConfig;
  owner: string;
  manifests: RenderedManifest[];
  violations: PolicyViolation[];
  deployer: KubernetesDeployer;
};

const MAX_TIMEOUT_SECONDS = 3600;
const DEFAULT_LIVE_READ_TIMEOUT_MS = 2000;
const DASHBOARD_DEPLOYMENTS_LIMIT = 10_000;
const RECENT_FAILURES_LIMIT = 20;
/** The team of applications whose owner the catalog does not tell us. */
const UNKNOWN_TEAM = 'unknown';

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
    governance: Governance;
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
        // One budget for every live read of a page, shared with the health checks.
        liveReadTimeoutMs:
          options.config.getOptionalNumber('deployments.health.timeoutMs') ??
          DEFAULT_LIVE_READ_TIMEOUT_MS,
      },
      options.governance,
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
      liveReadTimeoutMs: number;
    },
    private readonly governance: Governance,
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
    options: ChangeOptions & { dryRun?: boolean; timeoutSeconds?: number },
  ): Promise<DeploymentOutcome> {
    if (options.dryRun) {
      return this.deployAs('deploy', input, options);
    }
    return this.tracked(
      auditContextOfInput('deploy', input, options),
      context => this.deployAs('deploy', input, options, undefined, context),
    );
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
    await this.refuseOutright(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    const record = await this.latestOrThrow(key);
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
      record.entityRef,
    );
    const deployer = this.deployer(this.environment(key.environment));
    const live = await this.readLive(deployer, key);
    return { record, live };
  }

  async listForEntity(
    entityRef: string,
    options: CallOptions,
  ): Promise<EntityDeployments> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
      this.entityRefOrThrow(entityRef),
    );
    const entity = await this.catalog.getEntityByRef(
      this.entityRefOrThrow(entityRef),
      { credentials: options.credentials },
    );
    if (!entity) {
      throw new NotFoundError(
        `${entityRef} is not in the catalog (or not visible to you); register it first or check the entity ref`,
      );
    }
    const ref = stringifyEntityRef(entity);
    const records = await this.store.listLatest({ entityRef: ref });
    // One deadline for the whole page: a cluster that does not answer costs
    // its own environment, never the others or the response.
    const deadline = this.deadline(this.settings.liveReadTimeoutMs);
    try {
      const environments = await Promise.all(
        this.environments.map(environment =>
          this.environmentDeployments(
            environment,
            entity.metadata.name,
            records.filter(r => r.environment === environment.name),
            deadline.expired,
          ),
        ),
      );
      return { entityRef: ref, environments };
    } finally {
      deadline.clear();
    }
  }

  async dashboard(
    filter: DashboardFilter,
    options: CallOptions,
  ): Promise<DeploymentsDashboard> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    const environment = filter.environment;
    if (environment !== undefined && !isEnvironmentName(environment)) {
      throw new InputError(
        `environment '${environment}' is not one of development, test, acceptance, production`,
      );
    }
    const team = filter.team === undefined ? undefined : this.team(filter.team);

    const entityRefs = await this.store.entityRefs({ environment });
    const teams = await this.teamsOf(entityRefs, options.credentials);
    const teamOf = (ref: string) => teams.get(ref) ?? UNKNOWN_TEAM;
    const scope = {
      environment,
      entityRefs: team
        ? entityRefs.filter(
            // Entity refs compare case-insensitively, as in the catalog.
            ref =>
              teamOf(ref).toLocaleLowerCase('en-US') ===
              team.toLocaleLowerCase('en-US'),
          )
        : undefined,
    };
    if (scope.entityRefs?.length === 0) {
      return {
        deployments: [],
        recentFailures: [],
        figures: [],
        firstDeployments: [],
      };
    }

    const [latest, failures, counts, firsts] = await Promise.all([
      this.store.listLatest({ ...scope, limit: DASHBOARD_DEPLOYMENTS_LIMIT }),
      this.store.recentFailures(scope, RECENT_FAILURES_LIMIT),
      this.store.deliveryCounts(scope),
      this.store.firstDeployments(scope),
    ]);
    const withTeam = (record: DeploymentRecord) => ({
      ...record,
      team: teamOf(record.entityRef),
    });
    return {
      deployments: latest.map(withTeam),
      recentFailures: failures.map(withTeam),
      figures: figuresByTeam(counts, teamOf),
      firstDeployments: firsts.map(first => ({
        entityRef: first.entityRef,
        team: teamOf(first.entityRef),
        firstRequestedAt: first.firstRequestedAt,
        ...(first.firstSucceededAt
          ? {
              firstSucceededAt: first.firstSucceededAt,
              seconds:
                (Date.parse(first.firstSucceededAt) -
                  Date.parse(first.firstRequestedAt)) /
                1000,
            }
          : {}),
      })),
    };
  }

  async history(
    key: DeploymentKey,
    options: CallOptions,
  ): Promise<DeploymentRecord[]> {
    await this.refuseOutright(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    this.environment(key.environment);
    const records = await this.store.history(key);
    if (records.length === 0) {
      throw this.notFound(key);
    }
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
      records[0].entityRef,
    );
    return records;
  }

  async update(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: ChangeOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      await this.keyAuditContext('update', key, options),
      context => this.updateDeployment(key, update, options, context),
    );
  }

  private async updateDeployment(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: ChangeOptions & { timeoutSeconds?: number },
    context: AuditContext,
  ): Promise<DeploymentOutcome> {
    await this.refuseOutright(
      deploymentsUpdatePermission,
      options.credentials,
      'update',
    );
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
    return this.deployAs('update', merged, options, undefined, context);
  }

  async restart(
    key: DeploymentKey,
    options: ChangeOptions,
  ): Promise<DeploymentRecord> {
    return this.tracked(
      await this.keyAuditContext('restart', key, options),
      () => this.restartDeployment(key, options),
    );
  }

  private async restartDeployment(
    key: DeploymentKey,
    options: ChangeOptions,
  ): Promise<DeploymentRecord> {
    await this.refuseOutright(
      deploymentsRestartPermission,
      options.credentials,
      'restart',
    );
    const current = await this.currentlyDeployed(key);
    await this.authorize(
      deploymentsRestartPermission,
      options.credentials,
      'restart',
      current.entityRef,
    );
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
    options: ChangeOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      await this.keyAuditContext('rollback', key, options),
      () => this.rollbackDeployment(key, target, options),
    );
  }

  /** `approved`: the approval request this rollback carries out (already authorized). */
  private async rollbackDeployment(
    key: DeploymentKey,
    target: { revision?: number },
    options: ChangeOptions & { timeoutSeconds?: number },
    approved?: ApprovalRequest,
  ): Promise<DeploymentOutcome> {
    if (!approved) {
      await this.refuseOutright(
        deploymentsRollbackPermission,
        options.credentials,
        'roll back',
      );
    }
    const latest = await this.latestOrThrow(key);
    if (!approved) {
      await this.authorize(
        deploymentsRollbackPermission,
        options.credentials,
        'roll back',
        latest.entityRef,
      );
    }
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
    if (environment.requiresApproval && !approved) {
      return this.governance.approvals.request({
        ...key,
        entityRef: latest.entityRef,
        owner: await this.ownerOfRef(latest.entityRef, options.credentials),
        action: 'rollback',
        requester: this.requester(options.credentials),
        fromVersion: latest.image,
        toVersion: to.image,
        rollbackToRevision: to.revision,
        changeReference: to.changeReference,
        taskId: options.taskId,
      });
    }
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
      requester: approved?.requester ?? this.requester(options.credentials),
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
    options: ChangeOptions,
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      await this.keyAuditContext('delete', key, options),
      () => this.deleteDeployment(key, options),
    );
  }

  /** `approved`: the approval request this delete carries out (already authorized). */
  private async deleteDeployment(
    key: DeploymentKey,
    options: ChangeOptions,
    approved?: ApprovalRequest,
  ): Promise<DeploymentOutcome> {
    if (!approved) {
      await this.refuseOutright(
        deploymentsDeletePermission,
        options.credentials,
        'delete',
      );
    }
    const latest = await this.latestOrThrow(key);
    if (!approved) {
      await this.authorize(
        deploymentsDeletePermission,
        options.credentials,
        'delete',
        latest.entityRef,
      );
    }
    if (latest.action === 'delete' && latest.status === 'succeeded') {
      throw this.notFound(key);
    }
    const environment = this.environment(key.environment);
    if (environment.requiresApproval && !approved) {
      return this.governance.approvals.request({
        ...key,
        entityRef: latest.entityRef,
        owner: await this.ownerOfRef(latest.entityRef, options.credentials),
        action: 'delete',
        requester: this.requester(options.credentials),
        fromVersion: latest.image,
        taskId: options.taskId,
      });
    }
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
      requester: approved?.requester ?? this.requester(options.credentials),
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

  // --- approvals and audit -------------------------------------------------

  async listApprovals(
    filter: ApprovalFilter,
    options: CallOptions,
  ): Promise<ApprovalRequest[]> {
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    return this.governance.approvals.list({
      status: filter.status,
      entityRef:
        filter.entityRef === undefined
          ? undefined
          : this.entityRefOrThrow(filter.entityRef),
    });
  }

  async getApproval(
    id: string,
    options: CallOptions,
  ): Promise<ApprovalRequest> {
    const approval = await this.governance.approvals.get(id);
    await this.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
      approval.entityRef,
    );
    return approval;
  }

  async approve(
    id: string,
    decision: ApprovalDecision,
    options: CallOptions,
  ): Promise<ApprovalRequest> {
    const approved = await this.decide(id, 'approved', decision, options);
    // Only the one caller whose conditional update won gets here: the change
    // is applied exactly once, as the requester's change.
    let record: DeploymentRecord | undefined;
    let error: string | undefined;
    try {
      const outcome = await this.executeApproved(approved, options.credentials);
      if (!isPendingApproval(outcome)) record = outcome;
    } catch (e) {
      error = (e as Error).message;
      this.logger.warn('Approved deployment failed', {
        approvalId: approved.id,
        entityRef: approved.entityRef,
        environment: approved.environment,
        error,
      });
    }
    return this.governance.approvals.recordApplied(approved, { record, error });
  }

  async reject(
    id: string,
    decision: ApprovalDecision,
    options: CallOptions,
  ): Promise<ApprovalRequest> {
    return this.decide(id, 'rejected', decision, options);
  }

  async listAudit(
    filter: AuditFilter,
    options: CallOptions,
  ): Promise<AuditEvent[]> {
    await this.authorize(
      deploymentsAuditReadPermission,
      options.credentials,
      'read the audit trail of',
    );
    return this.governance.audit.list({
      ...filter,
      entityRef:
        filter.entityRef === undefined
          ? undefined
          : this.entityRefOrThrow(filter.entityRef),
    });
  }

  /** Authorizes and records a decision; the four-eyes rule is the approval service's. */
  private async decide(
    id: string,
    status: 'approved' | 'rejected',
    decision: ApprovalDecision,
    options: CallOptions,
  ): Promise<ApprovalRequest> {
    const approval = await this.governance.approvals.get(id);
    const context: AuditContext = {
      actor: actorOf(options.credentials),
      action: status === 'approved' ? 'approval.approve' : 'approval.reject',
      ...auditSubjectOfApproval(approval),
      taskId: approval.taskId,
    };
    try {
      await this.authorize(
        deploymentsApprovePermission,
        options.credentials,
        status === 'approved' ? 'approve' : 'reject',
        approval.entityRef,
      );
      const decided = await this.governance.approvals.decide(approval, {
        status,
        actor: this.requester(options.credentials),
        comment: decision.comment,
      });
      await this.governance.audit.record({
        ...context,
        result: 'success',
        message: `${status} ${approval.action} requested by ${
          approval.requester
        }${decision.comment ? `: ${decision.comment}` : ''}`,
      });
      return decided;
    } catch (error) {
      await this.governance.audit.record({
        ...context,
        result: auditResultOf(error),
        message: (error as Error).message,
      });
      throw error;
    }
  }

  /** Carries out an approved request through the usual deploy path. */
  private executeApproved(
    approval: ApprovalRequest,
    credentials: BackstageCredentials,
  ): Promise<DeploymentOutcome> {
    const key = {
      environment: approval.environment,
      namespace: approval.namespace,
      name: approval.name,
    };
    switch (approval.action) {
      case 'deploy':
      case 'update':
        return this.deployAs(
          approval.action,
          approval.request,
          { credentials },
          approval,
        );
      case 'rollback':
        return this.rollbackDeployment(
          key,
          { revision: approval.rollbackToRevision },
          { credentials },
          approval,
        );
      default:
        return this.deleteDeployment(key, { credentials }, approval);
    }
  }

  /** Audits a mutating call and notifies how a change that ran ended. */
  private async tracked<T extends DeploymentOutcome>(
    context: AuditContext,
    run: (context: AuditContext) => Promise<T>,
  ): Promise<T> {
    const outcome = await this.governance.audit.track(context, run);
    if (!isPendingApproval(outcome) && outcome.action !== 'restart') {
      this.governance.notifier.outcome(outcome, {
        fromVersion: context.fromVersion,
      });
    }
    return outcome;
  }

  /** The audit event of a call on an existing deployment. */
  private async keyAuditContext(
    action: 'update' | 'restart' | 'rollback' | 'delete',
    key: DeploymentKey,
    options: ChangeOptions,
  ): Promise<AuditContext> {
    const current = await this.store.lastGood(key).catch(() => undefined);
    return auditContextOfKey(action, key, options, current);
  }

  private async ownerOfRef(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<string> {
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw withErrorCode(
        new InputError(
          `application: ${entityRef} is not in the catalog (anymore); its deployments cannot be changed through an approval`,
        ),
        'application-not-in-catalog',
      );
    }
    return this.ownerOf(entity);
  }

  // --- internals -----------------------------------------------------------

  /** What the cluster runs for a deployment; a failed read says why. */
  private async readLive(
    deployer: KubernetesDeployer,
    key: { namespace: string; name: string },
  ): Promise<LiveDeploymentState> {
    try {
      return await deployer.live(key.namespace, key.name);
    } catch (error) {
      return { exists: false, error: (error as Error).message };
    }
  }

  /** One environment of an application's Deployments tab, live reads in parallel. */
  private async environmentDeployments(
    environment: EnvironmentConfig,
    application: string,
    records: DeploymentRecord[],
    expired: Promise<void>,
  ): Promise<EnvironmentDeployments> {
    const view: EnvironmentDeployments = {
      environment: environment.name,
      cluster: environment.cluster,
      namespace: namespaceFor(application, environment),
      requiresApproval: environment.requiresApproval,
      deployments: [],
    };
    if (records.length === 0) {
      return view;
    }
    let deployer: KubernetesDeployer;
    try {
      deployer = this.deployer(environment);
    } catch (error) {
      const message = (error as Error).message;
      view.error = message;
      view.deployments = records.map(record => ({
        record,
        live: { exists: false, error: message },
      }));
      return view;
    }
    const timedOut = `Cluster ${environment.cluster} did not answer within ${this.settings.liveReadTimeoutMs} ms`;
    const lives = await Promise.all(
      records.map(record =>
        Promise.race([
          this.readLive(deployer, record),
          expired.then(
            (): LiveDeploymentState => ({ exists: false, error: timedOut }),
          ),
        ]),
      ),
    );
    view.deployments = records.map((record, i) => ({
      record,
      live: lives[i],
    }));
    if (lives.every(live => live.error)) {
      view.error = lives[0].error;
      this.logger.warn('Live state of an environment could not be read', {
        environment: environment.name,
        cluster: environment.cluster,
        error: view.error,
      });
    }
    return view;
  }

  /** A promise that resolves after `ms`, and a way to stop its timer. */
  private deadline(ms: number) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>(resolve => {
      timer = setTimeout(resolve, ms);
    });
    return { expired, clear: () => clearTimeout(timer) };
  }

  private entityRefOrThrow(entityRef: string): string {
    try {
      return stringifyEntityRef(parseEntityRef(entityRef));
    } catch (error) {
      throw new InputError(
        `'${entityRef}' is not an entity ref (${
          (error as Error).message
        }); use kind:namespace/name, e.g. component:default/payments-api`,
      );
    }
  }

  /** A team filter as an entity ref (kind group and namespace default when left out). */
  private team(team: string): string {
    if (team === UNKNOWN_TEAM) return team;
    try {
      return stringifyEntityRef(
        parseEntityRef(team, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(
        `team '${team}' is not an entity ref (${
          (error as Error).message
        }); use a group ref such as group:default/team-payments`,
      );
    }
  }

  /** The owning team of each application, in one catalog call as the caller. */
  private async teamsOf(
    entityRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<Map<string, string>> {
    const teams = new Map<string, string>();
    if (entityRefs.length === 0) return teams;
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs,
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
      },
      { credentials },
    );
    items.forEach((entity, i) => {
      const owner = entity?.spec?.owner;
      if (typeof owner !== 'string' || !owner) return;
      try {
        teams.set(
          entityRefs[i],
          stringifyEntityRef(
            parseEntityRef(owner, {
              defaultKind: 'group',
              defaultNamespace: entity!.metadata.namespace ?? 'default',
            }),
          ),
        );
      } catch {
        // A malformed owner leaves the team unknown.
      }
    });
    return teams;
  }

  /**
   * `approved`: the approval request this change carries out, authorized
   * when it was requested and decided; it runs as the requester's change.
   * `context`: the audit event of the call, completed here.
   */
  private async deployAs(
    action: DeploymentAction,
    input: unknown,
    options: ChangeOptions & { dryRun?: boolean; timeoutSeconds?: number },
    approved?: ApprovalRequest,
    context?: AuditContext,
  ): Promise<DeploymentOutcome> {
    const parsed = parseDeploymentRequest(
      approved ? input : this.withRequester(input, options.credentials),
    );
    if (!parsed.success) {
      throw new RequestInvalidError(parsed.errors);
    }
    if (!approved) {
      // The permission is decided on the application's catalog entity, so the
      // request is parsed first to know which entity it is about.
      await this.authorize(
        action === 'update'
          ? deploymentsUpdatePermission
          : deploymentsCreatePermission,
        options.credentials,
        action === 'update' ? 'update' : 'deploy',
        stringifyEntityRef(parseEntityRef(parsed.request.application)),
      );
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
    if (context) {
      context.entityRef = stringifyEntityRef(
        parseEntityRef(request.application),
      );
      context.fromVersion = previous?.image;
    }
    if (prepared.environment.requiresApproval && !approved) {
      // Validated and dry-run now; applied only once someone else approves.
      await deployer.apply(manifests, { dryRun: true });
      return this.governance.approvals.request({
        ...key,
        entityRef: stringifyEntityRef(parseEntityRef(request.application)),
        owner: prepared.owner,
        action: action === 'update' ? 'update' : 'deploy',
        requester: request.requester,
        fromVersion: previous?.image,
        toVersion: imageReference(request.image),
        request,
        changeReference: request.changeReference,
        taskId: options.taskId,
      });
    }
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

  /**
   * Checks a permission for the caller. Deployments permissions are resource
   * permissions on the owning catalog entity: with `resourceRef` a
   * conditional decision of the policy (e.g. "owner of the entity") is
   * evaluated against that entity; without one (lists, environments) only an
   * unconditional ALLOW lets the call through.
   */
  private async authorize(
    permission: BasicPermission | ResourcePermission,
    credentials: BackstageCredentials,
    verb: string,
    resourceRef?: string,
  ) {
    let result: AuthorizeResult;
    if (!isResourcePermission(permission)) {
      [{ result }] = await this.permissions.authorize([{ permission }], {
        credentials,
      });
    } else if (resourceRef) {
      [{ result }] = await this.permissions.authorize(
        [{ permission, resourceRef }],
        { credentials },
      );
    } else {
      [{ result }] = await this.permissions.authorizeConditional(
        [{ permission }],
        { credentials },
      );
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw this.notAllowed(permission, verb, resourceRef);
    }
  }

  /**
   * Refuses before anything is looked up when the policy denies the
   * permission outright (for every entity), so a refused caller learns
   * nothing about what exists; a conditional answer is decided by
   * `authorize` once the deployment's entity is known.
   */
  private async refuseOutright(
    permission: ResourcePermission,
    credentials: BackstageCredentials,
    verb: string,
  ) {
    const [{ result }] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (result === AuthorizeResult.DENY) {
      throw this.notAllowed(permission, verb);
    }
  }

  private notAllowed(
    permission: BasicPermission | ResourcePermission,
    verb: string,
    resourceRef?: string,
  ) {
    return withErrorCode(
      new NotAllowedError(
        `You are not allowed to ${verb} deployments${
          resourceRef ? ` of ${resourceRef}` : ''
        } (${permission.name})`,
      ),
      'permission-denied',
    );
  }
}
