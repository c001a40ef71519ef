import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import {
  DeploymentAction,
  DeploymentChange,
  DeploymentKey,
  DeploymentOutcome,
  imageReference,
  isPendingApproval,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ApprovalService } from '../approvals/ApprovalService';
import { AuditContext, AuditLog } from '../audit/AuditLog';
import { auditContextOfInput, auditContextOfKey } from '../audit/auditContexts';
import { ApplicationCatalog } from '../catalog/ApplicationCatalog';
import { Targets } from '../kubernetes/Targets';
import { requesterOf } from '../permissions/Authorizer';
import { ChangeStore } from '../store/ChangeStore';
import { DeploymentStore, NewRecord } from '../store/DeploymentStore';
import { DeploymentView } from '../views/DeploymentView';
import { ChangePlanner, checkUpdate, mergeUpdate } from './ChangePlanner';
import { ChangeSignals } from './ChangeSignals';
import { ChangeViews, waitSeconds } from './ChangeViews';
import { Preflight } from './Preflight';

/** Options of a call that asks for a change. */
export type ChangeCallOptions = {
  credentials: BackstageCredentials;
  /** The scaffolder task that asks, for the audit trail and approvals. */
  taskId?: string;
  /** Asking again with the same key answers the change made the first time. */
  idempotencyKey?: string;
  /** Seconds to wait for the change to end before answering (bounded). */
  wait?: number;
  /** The rollout's time to become ready (1 to 3600 seconds). */
  timeoutSeconds?: number;
};

/**
 * The asking side of the change engine: a mutating call is checked in full
 * (schema, permission, catalog, policies, the objects' ownership and a
 * server-side dry run) before anything is recorded, so a bad request is a
 * 4xx and changes nothing; then it is queued (or, where the environment
 * requires it, becomes an approval request) and answered at once, or after
 * at most `wait` seconds. Workers carry it out (ChangeWorker).
 */
export class ChangeRequests {
  static create(options: {
    preflight: Preflight;
    planner: ChangePlanner;
    records: DeploymentStore;
    changes: ChangeStore;
    changeViews: ChangeViews;
    deployments: DeploymentView;
    catalog: ApplicationCatalog;
    targets: Targets;
    approvals: ApprovalService;
    audit: AuditLog;
    signals: ChangeSignals;
    maxQueued: number;
  }): ChangeRequests {
    return new ChangeRequests(options);
  }

  private constructor(
    private readonly options: Parameters<typeof ChangeRequests.create>[0],
  ) {}

  /** Validates, then queues the deploy (or raises the approval request). */
  async deploy(
    input: unknown,
    options: ChangeCallOptions & { dryRun?: boolean },
  ): Promise<DeploymentOutcome> {
    if (options.dryRun) {
      return this.options.preflight.dryRun(input, options);
    }
    return this.tracked(
      { ...auditContextOfInput('deploy', input, options), wait: options.wait },
      ctx => this.requestDeploy('deploy', input, options, ctx),
    );
  }

  async update(
    key: DeploymentKey,
    update: unknown,
    options: ChangeCallOptions,
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      {
        ...(await this.keyContext('update', key, options)),
        wait: options.wait,
      },
      async context => {
        await this.options.preflight.refuseOutright(
          'update',
          options.credentials,
        );
        const patch = checkUpdate(update);
        const running = await this.options.planner.runningOrThrow(key);
        context.fromVersion = running.image;
        return this.requestDeploy(
          'update',
          mergeUpdate(running.request, patch),
          options,
          context,
          patch,
        );
      },
    );
  }

  /** Immediate in every environment: the version does not change. */
  async restart(
    key: DeploymentKey,
    options: ChangeCallOptions,
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      {
        ...(await this.keyContext('restart', key, options)),
        wait: options.wait,
      },
      async context => {
        await this.options.preflight.refuseOutright(
          'restart',
          options.credentials,
        );
        const running = await this.options.planner.runningOrThrow(key);
        await this.options.preflight.authorize(
          'restart',
          options.credentials,
          running.entityRef,
        );
        context.entityRef = running.entityRef;
        context.fromVersion = running.image;
        return this.enqueue(
          {
            ...key,
            entityRef: running.entityRef,
            action: 'restart',
            request: running.request,
            manifests: [],
            image: running.image,
            digest: running.digest,
            requester: requesterOf(options.credentials),
            changeReference: running.changeReference,
          },
          options,
        );
      },
    );
  }

  /** To `target.revision`, or to the last good revision before what runs. */
  async rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: ChangeCallOptions,
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      {
        ...(await this.keyContext('rollback', key, options)),
        wait: options.wait,
      },
      async context => {
        await this.options.preflight.refuseOutright(
          'rollback',
          options.credentials,
        );
        const latest = await this.options.deployments.latestOrThrow(key);
        await this.options.preflight.authorize(
          'rollback',
          options.credentials,
          latest.entityRef,
        );
        const to = await this.options.preflight.rollbackTarget(
          key,
          target.revision,
        );
        const running = await this.options.records.running(key);
        context.entityRef = latest.entityRef;
        context.fromVersion = running?.image;
        context.toVersion = to.image;
        const environment = this.options.targets.environment(key.environment);
        const requester = requesterOf(options.credentials);
        // What ran before must still be accepted by the cluster.
        await this.options.preflight.dryRunApply(
          key.environment,
          await this.options.records.manifests(to.id),
        );
        if (environment.requiresApproval) {
          return this.options.approvals.request({
            ...key,
            entityRef: latest.entityRef,
            owner: await this.owner(latest.entityRef, options.credentials),
            action: 'rollback',
            requester,
            fromVersion: running?.image,
            toVersion: to.image,
            rollbackToRevision: to.revision,
            changeReference: to.changeReference,
            taskId: options.taskId,
            baseRevision: await this.options.records.latestChangingRevision(
              key,
            ),
          });
        }
        return this.enqueue(
          {
            ...key,
            entityRef: to.entityRef,
            action: 'rollback',
            request: to.request,
            manifests: [],
            image: to.image,
            digest: to.digest,
            requester,
            changeReference: to.changeReference,
            rollbackToRevision: to.revision,
          },
          options,
        );
      },
    );
  }

  /** Removes everything the deployment created; the history stays. */
  async delete(
    key: DeploymentKey,
    options: ChangeCallOptions,
  ): Promise<DeploymentOutcome> {
    return this.tracked(
      {
        ...(await this.keyContext('delete', key, options)),
        wait: options.wait,
      },
      async context => {
        await this.options.preflight.refuseOutright(
          'delete',
          options.credentials,
        );
        const latest = await this.options.deployments.latestOrThrow(key);
        await this.options.preflight.authorize(
          'delete',
          options.credentials,
          latest.entityRef,
        );
        const running = await this.options.records.running(key);
        if (!running && latest.action === 'delete') {
          throw this.options.deployments.notFound(key);
        }
        context.entityRef = latest.entityRef;
        context.fromVersion = running?.image;
        const environment = this.options.targets.environment(key.environment);
        const requester = requesterOf(options.credentials);
        if (environment.requiresApproval) {
          return this.options.approvals.request({
            ...key,
            entityRef: latest.entityRef,
            owner: await this.owner(latest.entityRef, options.credentials),
            action: 'delete',
            requester,
            fromVersion: running?.image,
            taskId: options.taskId,
            baseRevision: await this.options.records.latestChangingRevision(
              key,
            ),
          });
        }
        return this.enqueue(
          {
            ...key,
            entityRef: latest.entityRef,
            action: 'delete',
            request: (running ?? latest).request,
            manifests: [],
            image: (running ?? latest).image,
            digest: (running ?? latest).digest,
            requester,
          },
          options,
        );
      },
    );
  }

  private async requestDeploy(
    action: 'deploy' | 'update',
    input: unknown,
    options: ChangeCallOptions,
    context: AuditContext,
    patch?: object,
  ): Promise<DeploymentOutcome> {
    const preview = await this.options.preflight.checkDeploy(
      action,
      input,
      options,
    );
    const { request } = preview;
    const key: DeploymentKey = {
      environment: request.environment,
      namespace: request.namespace,
      name: preview.manifests.find(m => m.kind === 'Deployment')!.metadata!
        .name!,
    };
    const running = await this.options.records.running(key);
    context.entityRef = preview.entityRef;
    context.fromVersion = running?.image;
    const warnings = preview.violations.filter(v => v.severity === 'warning');
    if (preview.environment.requiresApproval) {
      // Validated and dry-run now; queued only once someone else approves.
      return this.options.approvals.request({
        ...key,
        entityRef: preview.entityRef,
        owner: preview.owner,
        action,
        requester: request.requester,
        fromVersion: running?.image,
        toVersion: imageReference(request.image),
        request,
        changeReference: request.changeReference,
        taskId: options.taskId,
        baseRevision: await this.options.records.latestChangingRevision(key),
        warnings,
      });
    }
    return this.enqueue(
      {
        ...key,
        entityRef: preview.entityRef,
        action: action as DeploymentAction,
        request,
        manifests: preview.manifests,
        image: imageReference(request.image),
        digest: request.image.digest,
        requester: request.requester,
        changeReference: request.changeReference,
        input: patch,
        baseRevision: running?.revision,
        warnings,
      },
      options,
    );
  }

  private async enqueue(
    record: NewRecord,
    options: ChangeCallOptions,
  ): Promise<DeploymentChange> {
    const { change, created } = await this.options.changes.enqueue(
      {
        ...record,
        timeoutSeconds: this.options.preflight.timeout(options.timeoutSeconds),
        // One caller's key never answers another caller's change.
        idempotencyKey:
          options.idempotencyKey === undefined
            ? undefined
            : `sha256:${createHash('sha256')
                .update(`${record.requester}\u0000${options.idempotencyKey}`)
                .digest('hex')}`,
        taskId: options.taskId,
      },
      { maxQueued: this.options.maxQueued },
    );
    if (created) this.options.signals.notify(change.id);
    return this.options.changeViews.answer(change, 0);
  }

  /**
   * Audits a mutating call (the engine audits how the change ends), then
   * waits up to `wait` seconds for the change to end.
   */
  private async tracked(
    context: AuditContext & { wait?: number },
    run: (context: AuditContext) => Promise<DeploymentOutcome>,
  ): Promise<DeploymentOutcome> {
    const { wait, ...auditContext } = context;
    waitSeconds(wait);
    const outcome = await this.options.audit.track(auditContext, run);
    if (isPendingApproval(outcome) || !wait) return outcome;
    return this.options.changeViews.follow(outcome.id, wait);
  }

  /**
   * The audit event of a call on an existing deployment: which application
   * and version it is about, also when the call is refused.
   */
  private async keyContext(
    action: 'update' | 'restart' | 'rollback' | 'delete',
    key: DeploymentKey,
    options: ChangeCallOptions,
  ): Promise<AuditContext> {
    const current = await this.options.records
      .lastGood(key)
      .catch(() => undefined);
    return auditContextOfKey(action, key, options, current);
  }

  private async owner(entityRef: string, credentials: BackstageCredentials) {
    const { catalog } = this.options;
    return catalog.ownerOf(await catalog.application(entityRef, credentials));
  }
}
