import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  changeLink,
  DeploymentChange,
  deploymentsCreatePermission,
  deploymentsDeletePermission,
  deploymentsReadPermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
  isFinalStatus,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { AuditLog, actorOf, auditResultOf } from '../audit/AuditLog';
import { Authorizer } from '../permissions/Authorizer';
import { ChangeStore, StoredChange } from '../store/ChangeStore';
import { ChangeSignals } from './ChangeSignals';

/** The longest `?wait=` a call may ask for, in seconds. */
export const MAX_WAIT_SECONDS = 300;
/** How often a waiter looks again without a signal (a change on another replica). */
const WAIT_POLL_MS = 1000;

const CANCEL_PERMISSIONS = {
  deploy: deploymentsCreatePermission,
  update: deploymentsUpdatePermission,
  restart: deploymentsRestartPermission,
  rollback: deploymentsRollbackPermission,
  delete: deploymentsDeletePermission,
} as const;

/** A wait in seconds, checked; 0 when absent. */
export function waitSeconds(wait: number | undefined): number {
  if (wait === undefined) return 0;
  if (!Number.isFinite(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
    throw withErrorCode(
      new InputError(
        `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}, got ${wait}`,
      ),
      'wait-invalid',
    );
  }
  return wait;
}

/**
 * Changes as the API shows them (`GET /changes/{id}`, the answer of every
 * mutating call): the record, the queue position while it waits, how often
 * it was picked up, and a link to follow it; waiting for one to end, at most
 * `wait` seconds; cancelling one that is still queued.
 */
export class ChangeViews {
  static create(options: {
    changes: ChangeStore;
    signals: ChangeSignals;
    authorizer: Authorizer;
    audit: AuditLog;
    /** Reports a change that ended by being cancelled. */
    onCancelled: (change: StoredChange) => Promise<void>;
  }): ChangeViews {
    return new ChangeViews(options);
  }

  private constructor(
    private readonly options: Parameters<typeof ChangeViews.create>[0],
  ) {}

  async get(
    id: string,
    options: { credentials: BackstageCredentials; wait?: number },
  ): Promise<DeploymentChange> {
    const wait = waitSeconds(options.wait);
    const change = await this.options.changes.getOrThrow(id);
    await this.options.authorizer.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
      change.entityRef,
    );
    return this.answer(change, wait);
  }

  /** Withdraws a change that is still queued (409 once it runs). */
  async cancel(
    id: string,
    options: { credentials: BackstageCredentials },
  ): Promise<DeploymentChange> {
    const change = await this.options.changes.getOrThrow(id);
    const actor = actorOf(options.credentials);
    const context = {
      actor,
      action: 'change.cancel' as const,
      entityRef: change.entityRef,
      environment: change.environment,
      namespace: change.namespace,
      name: change.name,
      toVersion: change.image,
      changeId: change.id,
      taskId: change.taskId,
    };
    try {
      await this.options.authorizer.authorize(
        CANCEL_PERMISSIONS[change.action],
        options.credentials,
        'cancel',
        change.entityRef,
      );
      const cancelled = await this.options.changes.cancel(id, actor);
      if (!cancelled) {
        const now = await this.options.changes.getOrThrow(id);
        throw withErrorCode(
          new ConflictError(
            isFinalStatus(now.status)
              ? `change ${id} already ended ${now.status}; nothing to cancel`
              : `change ${id} is already ${now.status}; only a queued change can be cancelled (roll back or deploy again once it ends)`,
          ),
          'change-in-progress',
        );
      }
      this.options.signals.notify(id);
      await this.options.audit.record({
        ...context,
        result: 'success',
        message: `cancelled revision ${cancelled.revision} before it ran`,
      });
      await this.options.onCancelled(cancelled);
      return this.answer(cancelled, 0);
    } catch (error) {
      await this.options.audit.record({
        ...context,
        result: auditResultOf(error),
        message: (error as Error).message,
      });
      throw error;
    }
  }

  /** A change as the API answers it, after waiting up to `wait` seconds. */
  async follow(id: string, wait: number): Promise<DeploymentChange> {
    return this.answer(await this.options.changes.getOrThrow(id), wait);
  }

  /** The change as the API answers it, after waiting up to `wait` seconds. */
  async answer(
    change: StoredChange,
    wait: number | undefined,
  ): Promise<DeploymentChange> {
    const ended = await this.waitFor(change, waitSeconds(wait) * 1000);
    return {
      ...publicFields(ended),
      ...(ended.status === 'queued'
        ? { queuePosition: await this.options.changes.queuePosition(ended) }
        : {}),
      links: { self: changeLink(ended.id) },
    };
  }

  private async waitFor(
    change: StoredChange,
    ms: number,
  ): Promise<StoredChange> {
    const deadline = Date.now() + ms;
    let current = change;
    while (!isFinalStatus(current.status) && Date.now() < deadline) {
      await this.moved(
        current.id,
        Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now())),
      );
      current = await this.options.changes.getOrThrow(current.id);
    }
    return current;
  }

  /** Resolves when change `id` may have moved, or after `ms` at the latest. */
  private moved(id: string, ms: number): Promise<void> {
    return new Promise<void>(resolve => {
      let unsubscribe = () => {};
      const timer = setTimeout(() => {
        unsubscribe();
        resolve();
      }, ms);
      unsubscribe = this.options.signals.subscribe(moved => {
        if (moved !== id && moved !== '') return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
  }
}

/** What of a stored change the API shows (not the engine's own fields). */
function publicFields(change: StoredChange) {
  const {
    input: _input,
    baseRevision: _baseRevision,
    timeoutSeconds: _timeoutSeconds,
    leaseOwner: _leaseOwner,
    appliedAt: _appliedAt,
    ...shown
  } = change;
  return shown;
}
