import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  APPROVAL_STATUSES,
  ApprovalRequest,
  ApprovalStatus,
  DeploymentRecord,
  PendingApproval,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ApprovalStore, NewApprovalRequest } from '../store/ApprovalStore';
import { AuditLog, auditSubjectOfApproval } from '../audit/AuditLog';
import { Notifier } from './Notifier';
import { changeHash } from './changeHash';
import { hasControlCharacters } from '../service/errors';

const DEFAULT_EXPIRES_AFTER_HOURS = 72;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Approval requests: pending requests in the database, decided exactly once
 * by a conditional update (so two backend instances never both decide), the
 * four-eyes rule, expiry, and the notifications of each step. Approving
 * (which also queues the change) is the ApprovalGate's; whether the caller
 * may decide at all is the permission framework's answer, asked before.
 */
export class ApprovalService {
  static create(options: {
    config: Config;
    logger: LoggerService;
    store: ApprovalStore;
    audit: AuditLog;
    notifier: Notifier;
  }): ApprovalService {
    const hours =
      options.config.getOptionalNumber(
        'deployments.approvals.expiresAfterHours',
      ) ?? DEFAULT_EXPIRES_AFTER_HOURS;
    if (!Number.isFinite(hours) || hours <= 0) {
      throw new InputError(
        `deployments.approvals.expiresAfterHours must be a positive number of hours, got ${hours}`,
      );
    }
    return new ApprovalService(
      options.logger,
      options.store,
      options.audit,
      options.notifier,
      hours,
    );
  }

  private constructor(
    private readonly logger: LoggerService,
    private readonly store: ApprovalStore,
    private readonly audit: AuditLog,
    private readonly notifier: Notifier,
    private readonly expiresAfterHours: number,
  ) {}

  /**
   * Stores a pending request, pinned to the deployment's latest revision
   * (`baseRevision`) and to a hash of what it asks for, and tells the
   * approvers; applies nothing.
   */
  async request(
    request: Omit<NewApprovalRequest, 'expiresAt' | 'changeHash'>,
    now = new Date(),
  ): Promise<PendingApproval> {
    const approval = await this.store.insert(
      {
        ...request,
        changeHash: changeHash(request),
        expiresAt: new Date(now.getTime() + this.expiresAfterHours * 3600_000),
      },
      now,
    );
    this.logger.info('Deployment approval requested', {
      approvalId: approval.id,
      entityRef: approval.entityRef,
      environment: approval.environment,
      action: approval.action,
      requester: approval.requester,
    });
    this.notifier.approvalRequested(approval);
    return { status: 'pending-approval', approval };
  }

  async get(id: string): Promise<ApprovalRequest> {
    if (!UUID.test(id)) {
      throw new InputError(
        `approval id '${id}' is not a UUID; use the id of GET /approvals`,
      );
    }
    const approval = await this.store.get(id);
    if (!approval) {
      throw withErrorCode(
        new NotFoundError(`No approval request ${id}`),
        'approval-not-found',
      );
    }
    return approval;
  }

  list(filter: { status?: ApprovalStatus; entityRef?: string }) {
    if (
      filter.status !== undefined &&
      !APPROVAL_STATUSES.includes(filter.status)
    ) {
      throw new InputError(
        `status '${filter.status}' is not one of ${APPROVAL_STATUSES.join(
          ', ',
        )}`,
      );
    }
    return this.store.list(filter);
  }

  /**
   * Refuses the requester as approver of their own change (user refs
   * compare case-insensitively, as the catalog's do).
   */
  checkFourEyes(approval: ApprovalRequest, actor: string): void {
    if (
      actor.toLocaleLowerCase('en-US') ===
      approval.requester.toLocaleLowerCase('en-US')
    ) {
      throw withErrorCode(
        new NotAllowedError(
          `four-eyes: ${actor} requested this change and cannot approve it; ask another member of the owning group (${approval.owner}) or a release manager`,
        ),
        'four-eyes',
      );
    }
  }

  /**
   * Refuses a comment the record cannot take: too long, or with control
   * characters other than line breaks and tabs (PostgreSQL cannot store
   * NUL).
   */
  checkComment(comment: string | undefined): void {
    if (comment !== undefined && comment.length > 2000) {
      throw new InputError('comment must be at most 2000 characters');
    }
    if (
      comment !== undefined &&
      hasControlCharacters(comment, { breaks: true })
    ) {
      throw new InputError(
        'comment must not contain control characters (line breaks and tabs are fine)',
      );
    }
  }

  /**
   * Rejects a pending request as `actor`. Of concurrent decisions exactly
   * one wins; the others get a ConflictError naming who decided first.
   */
  async reject(
    approval: ApprovalRequest,
    decision: { actor: string; comment?: string },
  ): Promise<ApprovalRequest> {
    this.checkComment(decision.comment);
    const outcome = await this.store.decide(approval.id, {
      status: 'rejected',
      by: decision.actor,
      comment: decision.comment,
    });
    return this.decided(approval, outcome, decision.actor);
  }

  /** The winner's request, or why there was nothing (more) to decide. */
  decided(
    approval: ApprovalRequest,
    outcome: Awaited<ReturnType<ApprovalStore['decide']>>,
    actor: string,
  ): ApprovalRequest {
    if (!outcome) {
      throw withErrorCode(
        new NotFoundError(`No approval request ${approval.id}`),
        'approval-not-found',
      );
    }
    if (!outcome.won) {
      if (
        outcome.current.status === 'pending' &&
        Date.parse(outcome.current.expiresAt) <= Date.now()
      ) {
        throw withErrorCode(
          new ConflictError(
            `approval request ${approval.id} expired at ${outcome.current.expiresAt}; nothing was applied - request the change again`,
          ),
          'approval-expired',
        );
      }
      throw withErrorCode(
        new ConflictError(describeDecided(outcome.current)),
        'approval-decided',
      );
    }
    this.logger.info(`Deployment request ${outcome.approval.status}`, {
      approvalId: approval.id,
      entityRef: approval.entityRef,
      environment: approval.environment,
      decidedBy: actor,
    });
    this.notifier.decided(outcome.approval);
    return outcome.approval;
  }

  /**
   * Marks a pending request stale (the deployment changed since it was
   * raised), tells the requester, and answers the 409 for the approver.
   */
  async refuseStale(
    approval: ApprovalRequest,
    latestRevision: number,
  ): Promise<never> {
    const reason = `the deployment changed since this was requested (revision ${
      approval.baseRevision ?? 0
    } then, ${latestRevision} now); request the change again against what runs now`;
    const outcome = await this.store.decide(approval.id, {
      status: 'stale',
      by: 'system',
      comment: reason,
    });
    if (outcome?.won) {
      await this.audit.record({
        actor: 'system',
        action: 'approval.stale',
        result: 'success',
        ...auditSubjectOfApproval(approval),
        message: `marked stale: ${reason}`,
        taskId: approval.taskId,
      });
      this.notifier.decided(outcome.approval);
    }
    throw withErrorCode(
      new ConflictError(
        `approval request ${approval.id} is stale: ${reason}; nothing was applied`,
      ),
      'stale-approval',
    );
  }

  /**
   * Stores how the change an approval queued ended, and audits it (the
   * change's own notification tells requester and owners).
   */
  async recordApplied(
    approval: ApprovalRequest,
    record: DeploymentRecord,
  ): Promise<ApprovalRequest> {
    const applied = record.status === 'succeeded';
    const updated = await this.store.recordResult(approval.id, {
      result: applied ? 'applied' : 'failed',
      revision: record.revision,
      error: applied ? undefined : record.error ?? `ended ${record.status}`,
    });
    await this.audit.record({
      actor: approval.decidedBy ?? 'system',
      action: 'approval.apply',
      result: applied ? 'success' : 'failure',
      ...auditSubjectOfApproval(approval),
      toVersion: record.image ?? approval.toVersion,
      changeId: record.id,
      message: applied
        ? `${approval.action} requested by ${approval.requester} applied as revision ${record.revision}`
        : `${approval.action} requested by ${approval.requester} ended ${record.status}: ${updated.error}`,
      taskId: approval.taskId,
    });
    return updated;
  }

  /**
   * Moves every overdue pending request to `expired` (the same conditional
   * update as a decision, so a request approved at the same moment is either
   * approved or expired, never both). Run by the scheduler.
   */
  async expireOverdue(now = new Date()): Promise<ApprovalRequest[]> {
    const expired: ApprovalRequest[] = [];
    for (const approval of await this.store.overdue(now)) {
      const outcome = await this.store.decide(approval.id, {
        status: 'expired',
        by: 'system',
        comment: `no decision within ${this.expiresAfterHours} hours`,
        now,
      });
      if (!outcome?.won) continue;
      expired.push(outcome.approval);
      await this.audit.record({
        actor: 'system',
        action: 'approval.expire',
        result: 'success',
        ...auditSubjectOfApproval(approval),
        message: `expired after ${this.expiresAfterHours} hours without a decision; nothing was changed`,
        taskId: approval.taskId,
      });
      this.notifier.decided(outcome.approval);
    }
    if (expired.length > 0) {
      this.logger.info('Deployment approval requests expired', {
        count: expired.length,
      });
    }
    return expired;
  }
}

function describeDecided(approval: ApprovalRequest): string {
  if (approval.status === 'pending') {
    return `approval request ${approval.id} is still pending; try again`;
  }
  const by =
    approval.status === 'expired'
      ? ''
      : ` by ${approval.decidedBy ?? 'someone else'}`;
  return `approval request ${approval.id} was already ${approval.status}${by} at ${approval.decidedAt}; nothing more to decide`;
}
