import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeploymentStatus,
  isFinalStatus,
  RenderedManifest,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  applyOrder,
  objectKey,
  PartialApplyError,
} from '../kubernetes/KubernetesDeployer';
import { Targets } from '../kubernetes/Targets';
import { DeploymentStore } from '../store/DeploymentStore';
import {
  ChangeFields,
  ChangeStore,
  LeaseLostError,
  StoredChange,
} from '../store/ChangeStore';
import { ChangePlanner } from './ChangePlanner';
import { HealthVerifier } from './HealthVerifier';
import { restorePrevious } from './restorePrevious';

/** How the executor treats rollouts. */
export type ExecutorSettings = {
  /** Default time a new revision has to become ready, from the end of its apply. */
  timeoutSeconds: number;
  /** Restore the previous revision when a new one does not become ready. */
  autoRollback: boolean;
  /** A change picked up more often than this (its replicas keep dying) fails. */
  maxAttempts: number;
};

/**
 * Runs one claimed change through its steps, persisting each before the
 * next, so that a change whose replica died is resumed by another from its
 * last step:
 *
 * - planning: planned against what runs now (ChangePlanner);
 * - applying: server-side dry run of the whole object set, then the apply
 *   with the Deployment last (a restart patches its pod template, a delete
 *   removes the objects); a refusal half-way restores what ran;
 * - verifying: follows the rollout until the deadline, measured from the
 *   apply, then verifies the readiness contract for a window
 *   (HealthVerifier); only a real failure of the new version rolls back;
 * - rolling-back: re-applies the previous revision's objects (or removes a
 *   first deploy's) and waits for it.
 *
 * Every write is fenced by the worker's lease; when the worker loses it or
 * is stopped (`signal`), the executor returns without another write.
 */
export class ChangeExecutor {
  static create(options: {
    changes: ChangeStore;
    records: DeploymentStore;
    planner: ChangePlanner;
    targets: Targets;
    logger: LoggerService;
    settings: ExecutorSettings;
    /** Verifies the readiness contract of a revision whose pods are Ready. */
    verifier?: HealthVerifier;
    /** After every step (wakes waiters and the UI). */
    onTransition: (change: StoredChange) => void;
    /** Once, when a change ends (audit, notifications, approvals, metrics). */
    onFinished: (change: StoredChange) => Promise<void>;
  }): ChangeExecutor {
    return new ChangeExecutor(options);
  }

  private constructor(
    private readonly options: Parameters<typeof ChangeExecutor.create>[0],
  ) {}

  async run(
    claimed: StoredChange,
    worker: string,
    signal: AbortSignal,
  ): Promise<StoredChange> {
    const { logger, settings } = this.options;
    let change = claimed;
    const context = {
      changeId: change.id,
      entityRef: change.entityRef,
      environment: change.environment,
      namespace: change.namespace,
      name: change.name,
      revision: change.revision,
    };
    try {
      if (change.attempts > settings.maxAttempts) {
        return await this.end(
          change,
          worker,
          'failed',
          `Gave up after ${settings.maxAttempts} attempts: the backend replicas that ran this change stopped each time (last step: ${change.status}); check what the cluster runs and try again`,
        );
      }
      if (change.attempts > 1) {
        logger.info('Change resumed', { ...context, step: change.status });
      }
      while (!isFinalStatus(change.status) && !signal.aborted) {
        change = await this.step(change, worker, signal);
      }
      return change;
    } catch (error) {
      if (error instanceof LeaseLostError || signal.aborted) {
        logger.info('Change handed over', {
          ...context,
          step: change.status,
          reason: (error as Error).message,
        });
        return change;
      }
      return this.end(change, worker, 'failed', (error as Error).message);
    }
  }

  private step(
    change: StoredChange,
    worker: string,
    signal: AbortSignal,
  ): Promise<StoredChange> {
    switch (change.status) {
      case 'planning':
        return this.planStep(change, worker);
      case 'applying':
        return this.applyStep(change, worker);
      case 'verifying':
        return this.verifyStep(change, worker, signal);
      default:
        return this.restoreStep(change, worker, signal);
    }
  }

  private async planStep(change: StoredChange, worker: string) {
    const plan = await this.options.planner.plan(change);
    return this.move(change, worker, 'applying', {
      fields: {
        request: plan.request,
        manifests: plan.manifests,
        image: plan.image,
        digest: plan.digest ?? null,
        baseRevision: plan.base?.revision ?? null,
      },
    });
  }

  private async applyStep(change: StoredChange, worker: string) {
    const deployer = this.options.targets.deployer(change.environment);
    const manifests = await this.options.changes.manifests(change.id);
    if (change.action === 'delete') {
      await deployer.delete(manifests);
      return this.end(change, worker, 'succeeded');
    }
    if (change.action === 'restart') {
      // The change's own time: a resumed restart patches the same value.
      await deployer.restart(
        change.namespace,
        change.name,
        new Date(change.createdAt),
      );
      return this.move(change, worker, 'verifying', {
        fields: { appliedAt: new Date() },
      });
    }

    const ordered = applyOrder(manifests);
    try {
      await deployer.apply(ordered, { dryRun: true });
    } catch (error) {
      const refused = error as PartialApplyError;
      return this.end(
        change,
        worker,
        'failed',
        `Nothing was applied: the dry run of ${objectKey(
          refused.failed,
        )} was refused: ${refused.cause?.message ?? refused.message}`,
      );
    }
    try {
      await deployer.apply(ordered);
    } catch (error) {
      const refused = error as PartialApplyError;
      const cause = `${objectKey(refused.failed)} was refused: ${
        refused.cause?.message ?? refused.message
      }`;
      if (!refused.applied?.length) {
        return this.end(
          change,
          worker,
          'failed',
          `Nothing was applied: ${cause}`,
        );
      }
      const reason = `Revision ${
        change.revision
      } was applied only in part: ${cause} (after ${refused.applied
        .map(objectKey)
        .join(', ')})`;
      return this.move(change, worker, 'rolling-back', {
        reason,
        fields: { error: reason, failureDetectedAt: new Date() },
      });
    }
    const base = await this.baseManifests(change);
    if (base) {
      try {
        await deployer.prune(base, manifests);
      } catch (error) {
        this.options.logger.warn(
          'Objects the new revision no longer has could not be removed',
          { changeId: change.id, error: (error as Error).message },
        );
      }
    }
    return this.move(change, worker, 'verifying', {
      fields: { appliedAt: new Date() },
    });
  }

  private async verifyStep(
    change: StoredChange,
    worker: string,
    signal: AbortSignal,
  ) {
    const timeoutSeconds = this.timeoutOf(change);
    const appliedAt = change.appliedAt
      ? Date.parse(change.appliedAt)
      : Date.now();
    const verdict = await this.options.targets
      .deployer(change.environment)
      .followRollout(change.namespace, change.name, {
        deadline: appliedAt + timeoutSeconds * 1000,
        signal,
      });
    if (verdict.outcome === 'ready') {
      const verification = this.options.verifier
        ? await this.options.verifier.afterReady(change, signal)
        : ({ outcome: 'ok', note: '' } as const);
      if (verification.outcome === 'aborted') return change;
      if (verification.outcome === 'ok') {
        return this.end(
          change,
          worker,
          'succeeded',
          undefined,
          verification.note,
        );
      }
      return this.failVerification(
        change,
        worker,
        `Revision ${change.revision} is not healthy: ${verification.reason}`,
      );
    }
    if (verdict.outcome === 'aborted') {
      return change;
    }
    if (verdict.outcome === 'unreachable') {
      return this.end(
        change,
        worker,
        'failed',
        `Revision ${change.revision} could not be verified, so it was not rolled back: ${verdict.reason}`,
      );
    }
    return this.failVerification(
      change,
      worker,
      `Revision ${change.revision} did not become ready: ${
        verdict.outcome === 'timeout'
          ? `rollout did not become ready within ${timeoutSeconds}s (${verdict.reason})`
          : verdict.reason
      }`,
    );
  }

  /** A new revision failed: roll back when it may, else end failed. */
  private async failVerification(
    change: StoredChange,
    worker: string,
    reason: string,
  ): Promise<StoredChange> {
    const detectedAt = new Date();
    const canRollBack =
      this.options.settings.autoRollback &&
      change.baseRevision !== undefined &&
      (change.action === 'deploy' || change.action === 'update');
    if (!canRollBack) {
      return this.end(change, worker, 'failed', reason);
    }
    this.options.logger.warn('Deployment not ready, rolling back', {
      changeId: change.id,
      entityRef: change.entityRef,
      environment: change.environment,
      revision: change.revision,
      toRevision: change.baseRevision,
      reason,
    });
    return this.move(change, worker, 'rolling-back', {
      reason,
      fields: { error: reason, failureDetectedAt: detectedAt },
    });
  }

  /**
   * Puts back what ran before: the previous revision's objects (and waits
   * for its rollout when the new version had been rolled out), or, on a
   * first deploy, removes the objects it created.
   */
  private async restoreStep(
    change: StoredChange,
    worker: string,
    signal: AbortSignal,
  ) {
    const restored = await restorePrevious({
      change,
      deployer: this.options.targets.deployer(change.environment),
      manifests: await this.options.changes.manifests(change.id),
      base: await this.baseManifests(change),
      timeoutSeconds: this.timeoutOf(change),
      signal,
    });
    if (!restored) return change;
    return this.end(
      change,
      worker,
      restored.status,
      restored.message,
      undefined,
      restored.restoredAt,
    );
  }

  private async baseManifests(
    change: StoredChange,
  ): Promise<RenderedManifest[] | undefined> {
    if (change.baseRevision === undefined) return undefined;
    const base = await this.options.records.byRevision(
      change,
      change.baseRevision,
    );
    return base ? this.options.records.manifests(base.id) : undefined;
  }

  private timeoutOf(change: StoredChange): number {
    return change.timeoutSeconds ?? this.options.settings.timeoutSeconds;
  }

  private async move(
    change: StoredChange,
    worker: string,
    status: DeploymentStatus,
    options: { reason?: string; fields?: ChangeFields } = {},
  ): Promise<StoredChange> {
    const moved = await this.options.changes.transition(
      change,
      worker,
      status,
      options,
    );
    this.options.onTransition(moved);
    return moved;
  }

  /**
   * Ends a change (`error`: why it did not succeed; `note`: what else its
   * history should say; `restoredAt`: when a rollback had the previous
   * revision ready) and reports it once.
   */
  private async end(
    change: StoredChange,
    worker: string,
    status: 'succeeded' | 'failed' | 'rolled-back',
    error?: string,
    note?: string,
    restoredAt?: Date,
  ): Promise<StoredChange> {
    const ended = await this.move(change, worker, status, {
      reason: error ?? (note || undefined),
      fields: {
        ...(error === undefined ? {} : { error }),
        ...(restoredAt ? { restoredAt } : {}),
      },
    });
    const level = status === 'succeeded' ? 'info' : 'warn';
    this.options.logger[level](`Change ${status}`, {
      changeId: ended.id,
      entityRef: ended.entityRef,
      environment: ended.environment,
      namespace: ended.namespace,
      revision: ended.revision,
      action: ended.action,
      ...(error ? { error } : {}),
    });
    try {
      await this.options.onFinished(ended);
    } catch (e) {
      this.options.logger.error('Reporting a finished change failed', {
        changeId: ended.id,
        error: (e as Error).message,
      });
    }
    return ended;
  }
}
