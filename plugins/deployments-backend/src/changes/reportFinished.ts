import { LoggerService } from '@backstage/backend-plugin-api';
import { ApprovalService } from '../approvals/ApprovalService';
import { Notifier } from '../approvals/Notifier';
import { AuditLog } from '../audit/AuditLog';
import { DeploymentMetrics } from '../service/metrics';
import { DeploymentStore } from '../store/DeploymentStore';
import { StoredChange } from '../store/ChangeStore';
import { DriftStore } from '../store/DriftStore';

/**
 * What happens once when a change ends, on the replica that ended it (or the
 * one that cancelled it): the metrics, the result of the approval request it
 * carried out, the audit event of how it ended and the notification of
 * requester and owners (a restart only in the audit trail).
 */
export function createFinishedReporter(options: {
  records: DeploymentStore;
  audit: AuditLog;
  notifier: Notifier;
  approvals: ApprovalService;
  metrics: DeploymentMetrics;
  logger: LoggerService;
  /** Drift found before is gone once a change re-applied every object. */
  drift?: DriftStore;
}): (change: StoredChange) => Promise<void> {
  const { records, audit, notifier, approvals, metrics, drift } = options;
  return async change => {
    metrics.recordFinished(change);
    if (change.status === 'succeeded' && change.action !== 'restart') {
      await drift?.clear(change);
    }
    const previous =
      change.baseRevision === undefined
        ? undefined
        : await records.byRevision(change, change.baseRevision);
    const approval = change.approvalId
      ? await approvals.get(change.approvalId).catch(() => undefined)
      : undefined;
    if (approval) {
      await approvals.recordApplied(approval, change);
    }
    // A cancelled change is in the audit trail as its cancellation.
    if (change.status === 'cancelled') return;
    await audit.record({
      actor: change.requester,
      action: change.action,
      result: change.status === 'succeeded' ? 'success' : 'failure',
      entityRef: change.entityRef,
      environment: change.environment,
      namespace: change.namespace,
      name: change.name,
      fromVersion: previous?.image,
      toVersion: change.action === 'delete' ? undefined : change.image,
      message: `revision ${change.revision} ${change.status}${
        change.error ? `: ${change.error}` : ''
      }`,
      taskId: change.taskId,
      approvalId: change.approvalId,
      changeId: change.id,
    });
    if (change.action !== 'restart') {
      notifier.outcome(change, {
        fromVersion: previous?.image ?? approval?.fromVersion,
        approvalId: change.approvalId,
      });
    }
  };
}
