import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ApprovalRequest,
  deploymentsApprovePermission,
  deploymentsReadPermission,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  ApprovalDecision,
  ApprovalFilter,
} from '@deployments-portal/backstage-plugin-deployments-node';
import { entityRefOrThrow } from '../catalog/ApplicationCatalog';
import { ChangeSignals } from '../changes/ChangeSignals';
import { CostEstimator } from '../cost/CostEstimator';
import { Authorizer, requesterOf } from '../permissions/Authorizer';
import { ApprovalStore } from '../store/ApprovalStore';
import { ChangeStore } from '../store/ChangeStore';
import { DeploymentStore } from '../store/DeploymentStore';
import {
  actorOf,
  AuditContext,
  AuditLog,
  auditResultOf,
  auditSubjectOfApproval,
} from '../audit/AuditLog';
import { ApprovalService } from './ApprovalService';
import { changeHash } from './changeHash';

/**
 * The approval gate's decisions: who may decide (the permission framework,
 * four eyes), and what approving does — in one transaction, the decision
 * (only while the request has not expired), a check that the deployment has
 * not moved on since the request was raised (else 409 `stale-approval`), and
 * the change queued exactly as it was requested.
 */
export class ApprovalGate {
  static create(options: {
    approvals: ApprovalService;
    approvalStore: ApprovalStore;
    changes: ChangeStore;
    records: DeploymentStore;
    authorizer: Authorizer;
    audit: AuditLog;
    signals: ChangeSignals;
    maxQueued: number;
    /** Prices a pending request against what runs now. */
    costs?: CostEstimator;
  }): ApprovalGate {
    return new ApprovalGate(options);
  }

  private constructor(
    private readonly options: Parameters<typeof ApprovalGate.create>[0],
  ) {}

  async list(
    filter: ApprovalFilter,
    credentials: BackstageCredentials,
  ): Promise<ApprovalRequest[]> {
    await this.options.authorizer.authorize(
      deploymentsReadPermission,
      credentials,
      'read',
    );
    return this.options.approvals.list({
      status: filter.status,
      entityRef:
        filter.entityRef === undefined
          ? undefined
          : entityRefOrThrow(filter.entityRef),
    });
  }

  async get(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<ApprovalRequest> {
    const approval = await this.options.approvals.get(id);
    await this.options.authorizer.authorize(
      deploymentsReadPermission,
      credentials,
      'read',
      approval.entityRef,
    );
    const cost = await this.options.costs?.approvalCost(approval);
    return cost ? { ...approval, cost } : approval;
  }

  /**
   * Approves a pending request and queues its change (as the requester's,
   * with the approver recorded). Never by the requester; a request someone
   * else decided first, that expired or went stale is a conflict.
   */
  approve(
    id: string,
    decision: ApprovalDecision,
    credentials: BackstageCredentials,
  ): Promise<ApprovalRequest> {
    return this.audited(id, 'approved', credentials, async approval => {
      const actor = requesterOf(credentials);
      const { approvals } = this.options;
      approvals.checkFourEyes(approval, actor);
      approvals.checkComment(decision.comment);
      if (approval.status !== 'pending') {
        // Decided already: say so (and by whom), whatever else changed.
        return approvals.decided(
          approval,
          { won: false, current: approval },
          actor,
        );
      }
      this.checkIntegrity(approval);
      // Read before the transaction: SQLite has one connection, and the
      // transaction holds it.
      const change = await this.changeOf(approval);
      const now = new Date();
      const result = await this.options.changes.inTransaction(async tx => {
        const latest = await this.options.changes.lockDeployment(tx, approval);
        // Decided meanwhile (by a concurrent approval that just committed
        // its change): that is the answer, not "stale".
        const current = await this.options.approvalStore.get(approval.id, tx);
        if (current && current.status !== 'pending') {
          return {
            kind: 'decided',
            outcome: { won: false, current },
          } as const;
        }
        if (latest !== (approval.baseRevision ?? latest)) {
          return { kind: 'stale', latest } as const;
        }
        const outcome = await this.options.approvalStore.decide(
          approval.id,
          {
            status: 'approved',
            by: actor,
            comment: decision.comment,
            now,
          },
          tx,
        );
        if (!outcome?.won) return { kind: 'decided', outcome } as const;
        const row = await this.options.changes.enqueueIn(tx, change, {
          maxQueued: this.options.maxQueued,
          now,
        });
        await this.options.approvalStore.setChange(approval.id, row.id, tx);
        return { kind: 'decided', outcome, changeId: row.id } as const;
      });
      if (result.kind === 'stale') {
        return approvals.refuseStale(approval, result.latest);
      }
      const approved = approvals.decided(approval, result.outcome, actor);
      const changeId = 'changeId' in result ? result.changeId : undefined;
      if (!changeId) return approved;
      this.options.signals.notify(changeId);
      return { ...approved, changeId };
    });
  }

  reject(
    id: string,
    decision: ApprovalDecision,
    credentials: BackstageCredentials,
  ): Promise<ApprovalRequest> {
    return this.audited(id, 'rejected', credentials, approval =>
      this.options.approvals.reject(approval, {
        actor: requesterOf(credentials),
        comment: decision.comment,
      }),
    );
  }

  /** Authorizes a decision and records it (or its refusal) in the audit trail. */
  private async audited(
    id: string,
    status: 'approved' | 'rejected',
    credentials: BackstageCredentials,
    decide: (approval: ApprovalRequest) => Promise<ApprovalRequest>,
  ): Promise<ApprovalRequest> {
    const approval = await this.options.approvals.get(id);
    const context: AuditContext = {
      actor: actorOf(credentials),
      action: status === 'approved' ? 'approval.approve' : 'approval.reject',
      ...auditSubjectOfApproval(approval),
      taskId: approval.taskId,
    };
    try {
      await this.options.authorizer.authorize(
        deploymentsApprovePermission,
        credentials,
        status === 'approved' ? 'approve' : 'reject',
        approval.entityRef,
      );
      const decided = await decide(approval);
      await this.options.audit.record({
        ...context,
        changeId: decided.changeId,
        result: 'success',
        message: `${status} ${approval.action} requested by ${
          approval.requester
        }${decided.changeId ? ` (queued as change ${decided.changeId})` : ''}${
          decided.comment ? `: ${decided.comment}` : ''
        }`,
      });
      return decided;
    } catch (error) {
      await this.options.audit.record({
        ...context,
        result: auditResultOf(error),
        message: (error as Error).message,
      });
      throw error;
    }
  }

  /** Refuses a request whose stored change does not match its hash. */
  private checkIntegrity(approval: ApprovalRequest) {
    if (!approval.changeHash) return;
    const hash = changeHash({
      ...approval,
      baseRevision: approval.baseRevision ?? 0,
    });
    if (hash !== approval.changeHash) {
      throw withErrorCode(
        new ConflictError(
          `approval request ${approval.id} no longer matches what was requested (its hash differs); nothing was applied - request the change again`,
        ),
        'stale-approval',
      );
    }
  }

  /** The change an approval queues: exactly what was requested. */
  private async changeOf(approval: ApprovalRequest) {
    const latest = await this.options.records.latest(approval);
    const request = approval.request ?? latest?.request;
    if (!request) {
      throw withErrorCode(
        new ConflictError(
          `approval request ${approval.id} has nothing to apply: the deployment has no history`,
        ),
        'stale-approval',
      );
    }
    return {
      environment: approval.environment,
      namespace: approval.namespace,
      name: approval.name,
      entityRef: approval.entityRef,
      action: approval.action,
      request,
      manifests: [],
      image: approval.toVersion ?? latest?.image ?? '',
      digest:
        approval.action === 'deploy' || approval.action === 'update'
          ? request.image.digest
          : undefined,
      requester: approval.requester,
      changeReference: approval.changeReference,
      rollbackToRevision: approval.rollbackToRevision,
      approvalId: approval.id,
      taskId: approval.taskId,
      warnings: approval.warnings,
      idempotencyKey: `approval:${approval.id}`,
    };
  }
}
