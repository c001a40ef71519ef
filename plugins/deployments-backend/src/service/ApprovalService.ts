import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ApprovalRequest,
  ApprovalStatus,
  DeploymentRecord,
  PendingApproval,
  withErrorCode,
} from '@internal/backstage-plugin-deployments-common';
import { ApprovalStore, NewApprovalRequest } from '../store/ApprovalStore';
import { AuditLog, auditSubjectOfApproval } from './AuditLog';
import { Notifier } from './Notifier';

const DEFAULT_EXPIRES_AFTER_HOURS = 72;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The approval gate: pending requests in the database, decided exactly once
 * by a conditional update (so two backend instances never both apply), the
 * four-eyes rule, expiry, and the notifications of each step. Whether the
 * caller may decide at all is the permission framework's answer, asked by
 * the deployment service before it calls `decide`.
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

  /** Stores a pending request and tells the approvers; applies nothing. */
  async request(
    request: Omit<NewApprovalRequest, 'expiresAt'>,
    now = new Date(),
  ): Promise<PendingApproval> {
    const approval = await this.store.insert(
      {
        ...request,
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
      !['pending', 'approved', 'rejected', 'expired'].includes(filter.status)
    ) {
      throw new InputError(
        `status '${filter.status}' is not one of pending, approved, rejected, expired`,
      );
    }
    return this.store.list(filter);
  }

  /**
   * Approves or rejects a pending request as `actor`. The requester can never
   * decide their own request; of concurrent decisions exactly one wins, the
   * others get a ConflictError naming who decided first.
   */
  async decide(
    approval: ApprovalRequest,
    decision: {
      status: 'approved' | 'rejected';
      actor: string;
      comment?: string;
    },
  ): Promise<ApprovalRequest> {
    if (
      decision.status === 'approved' &&
      decision.actor === approval.requester
    ) {
      throw withErrorCode(
        new NotAllowedError(
          `four-eyes: ${decision.actor} requested this change and cannot approve it; ask another member of the owning group (${approval.owner}) or a release manager`,
        ),
        'four-eyes',
      );
    }
    if (decision.comment !== undefined && decision.comment.length > 2000) {
      throw new InputError('comment must be at most 2000 characters');
    }
    const outcome = await this.store.decide(approval.id, {
      status: decision.status,
      by: decision.actor,
      comment: decision.comment,
    });
    if (!outcome) {
      throw withErrorCode(
        new NotFoundError(`No approval request ${approval.id}`),
        'approval-not-found',
      );
    }
    if (!outcome.won) {
      throw withErrorCode(
        new ConflictError(describeDecided(outcome.current)),
        'approval-decided',
      );
    }
    this.logger.info(`Deployment request ${decision.status}`, {
      approvalId: approval.id,
      entityRef: approval.entityRef,
      environment: approval.environment,
      decidedBy: decision.actor,
    });
    this.notifier.decided(outcome.approval);
    return outcome.approval;
  }

  /** Stores what applying an approved request did, audits and notifies it. */
  async recordApplied(
    approval: ApprovalRequest,
    outcome: { record?: DeploymentRecord; error?: string },
  ): Promise<ApprovalRequest> {
    const applied = outcome.record?.status === 'succeeded';
    const updated = await this.store.recordResult(approval.id, {
      result: applied ? 'applied' : 'failed',
      revision: outcome.record?.revision,
      error: applied
        ? undefined
        : outcome.error ?? outcome.record?.error ?? 'no reason recorded',
    });
    await this.audit.record({
      actor: approval.decidedBy ?? 'system',
      action: 'approval.apply',
      result: applied ? 'success' : 'failure',
      ...auditSubjectOfApproval(approval),
      toVersion: outcome.record?.image ?? approval.toVersion,
      message: applied
        ? `${approval.action} requested by ${approval.requester} applied as revision ${outcome.record?.revision}`
        : `${approval.action} requested by ${approval.requester} failed: ${updated.error}`,
      taskId: approval.taskId,
    });
    if (outcome.record) {
      this.notifier.outcome(outcome.record, {
        fromVersion: approval.fromVersion,
        approvalId: approval.id,
      });
    } else {
      this.notifier.applyFailed(updated);
    }
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
