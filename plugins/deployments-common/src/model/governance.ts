import { EnvironmentName } from './environments';
import { DeploymentChange } from './records';
import { DeploymentRequest } from './request';
import { PolicyViolation } from '../policies/types';
import { CostChange } from '../cost/estimateCost';

/** What an approval request asks for. @public */
export type ApprovalAction = 'deploy' | 'update' | 'rollback' | 'delete';

/**
 * Where an approval request is: `pending` until an approver decides
 * (`approved` or `rejected`), it runs out of time (`expired`), or the
 * deployment changed since it was requested (`stale`: approving it would
 * apply something nobody reviewed against what runs now).
 *
 * @public
 */
export type ApprovalStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'stale';

/** Every approval status, for filters. @public */
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'stale',
];

/**
 * A change to an environment that requires approval, waiting for (or after)
 * the decision of someone other than the requester.
 *
 * @public
 */
export type ApprovalRequest = {
  id: string;
  entityRef: string;
  /** The owning group of the application (`spec.owner`) when requested. */
  owner: string;
  environment: EnvironmentName;
  namespace: string;
  name: string;
  action: ApprovalAction;
  requester: string;
  /** The image running when requested, if any. */
  fromVersion?: string;
  /** The image the change would run (for a delete: absent). */
  toVersion?: string;
  /** For deploy and update: the request that runs once approved. */
  request?: DeploymentRequest;
  /** For a rollback: the revision to restore (absent: the last good one). */
  rollbackToRevision?: number;
  changeReference?: string;
  /** The scaffolder task that asked, if one did. */
  taskId?: string;
  /**
   * Warning-level policy findings of the request when it was checked (they
   * do not block it); the record of the change it queues keeps them. At
   * most 20.
   */
  warnings?: PolicyViolation[];
  /**
   * While pending, for deploy and update in an environment with prices: the
   * monthly estimate and its difference to the revision that runs now.
   */
  cost?: CostChange;
  status: ApprovalStatus;
  createdAt: string;
  expiresAt: string;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  /**
   * sha256 of what was asked for (action, request, rollback target, the
   * revision it was computed against): approving enqueues exactly this.
   */
  changeHash?: string;
  /**
   * The deployment's latest revision when requested. Once a later change
   * was made, approving is refused (`stale-approval`).
   */
  baseRevision?: number;
  /** After approval: the change it enqueued (`GET /changes/{id}`). */
  changeId?: string;
  /** After approval: whether the change was applied, and its revision. */
  result?: 'applied' | 'failed';
  revision?: number;
  error?: string;
};

/**
 * The answer of a change to an environment that requires approval
 * (HTTP 202): nothing was applied, a request waits for a decision.
 *
 * @public
 */
export type PendingApproval = {
  status: 'pending-approval';
  approval: ApprovalRequest;
};

/**
 * What a mutating call answers: the change it queued (follow it with
 * `GET /changes/{id}`), or the approval request it waits for.
 *
 * @public
 */
export type DeploymentOutcome = DeploymentChange | PendingApproval;

/** Whether a change waits for approval instead of having run. @public */
export function isPendingApproval(
  outcome: DeploymentOutcome | undefined,
): outcome is PendingApproval {
  return (
    typeof outcome === 'object' &&
    outcome !== null &&
    outcome.status === 'pending-approval' &&
    'approval' in outcome
  );
}

/**
 * Where the frontend plugin mounts its approvals page by default (the
 * backend's `deployments.approvals.pagePath`).
 *
 * @public
 */
export const DEFAULT_APPROVALS_PATH = '/deployments/approvals';

/**
 * Where the approval request is shown in the portal: the approvals page's
 * path (default `/deployments/approvals`) and the request's id.
 *
 * @public
 */
export function approvalLink(
  id: string,
  approvalsPath: string = DEFAULT_APPROVALS_PATH,
): string {
  return `${approvalsPath.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
}

/**
 * The approvals page's path from `deployments.approvals.pagePath`, for the
 * links the backend hands out (notifications, scaffolder task output).
 *
 * @public
 */
export function readApprovalsPath(config: {
  getOptionalString(key: string): string | undefined;
}): string {
  const path =
    config.getOptionalString('deployments.approvals.pagePath') ??
    DEFAULT_APPROVALS_PATH;
  if (!path.startsWith('/')) {
    throw new Error(
      `deployments.approvals.pagePath: '${path}' is not a path of the app; use one that starts with /, e.g. ${DEFAULT_APPROVALS_PATH}`,
    );
  }
  return path;
}

/** Which audit events a query returns. Absent filters match everything. @public */
export type AuditFilter = {
  entityRef?: string;
  environment?: EnvironmentName;
  /** Only events of this action, e.g. `notification.failed`. */
  action?: AuditAction;
  /** At most this many, newest first. */
  limit?: number;
  /** Only events at or after this instant (ISO 8601). */
  since?: string;
  /** Only events before this instant (ISO 8601). */
  until?: string;
  /** The `nextCursor` of the previous page: the events older than it. */
  cursor?: string;
};

/**
 * One page of the audit trail (`GET /audit`), newest first. `nextCursor`,
 * when present, fetches the next (older) page with the same filter; no
 * event is out of reach however many there are.
 *
 * @public
 */
export type AuditPage = {
  items: AuditEvent[];
  nextCursor?: string;
};

/**
 * What was done: a change (`deploy`, `update`, `restart`, `rollback`,
 * `delete`: one event when it is asked for, one when it ends), a queued
 * change withdrawn (`change.cancel`), an approval step, or drift the
 * scheduled check found (`drift.detect`) or saw gone (`drift.resolve`), or
 * an announcement a chat webhook never took (`notification.failed`: which
 * webhook by name, the event and why; never the webhook's URL).
 *
 * @public
 */
export type AuditAction =
  | 'deploy'
  | 'update'
  | 'restart'
  | 'rollback'
  | 'delete'
  | 'change.cancel'
  | 'approval.request'
  | 'approval.approve'
  | 'approval.reject'
  | 'approval.expire'
  | 'approval.stale'
  | 'approval.apply'
  | 'drift.detect'
  | 'drift.resolve'
  | 'notification.failed';

/** Every audit action, e.g. for a filter's allowed values. @public */
export const AUDIT_ACTIONS: ReadonlyArray<AuditAction> = [
  'deploy',
  'update',
  'restart',
  'rollback',
  'delete',
  'change.cancel',
  'approval.request',
  'approval.approve',
  'approval.reject',
  'approval.expire',
  'approval.stale',
  'approval.apply',
  'drift.detect',
  'drift.resolve',
  'notification.failed',
];

/**
 * How it ended: `accepted` (a change was queued; a second event tells how it
 * ended), `success`, `failure` (tried, did not work), `refused` (401/403: not
 * allowed) or `pending` (waits for approval).
 *
 * @public
 */
export type AuditResult =
  | 'accepted'
  | 'success'
  | 'failure'
  | 'refused'
  | 'pending';

/** One entry of the audit trail. @public */
export type AuditEvent = {
  id: string;
  at: string;
  /** User entity ref, `anonymous` (no valid credentials) or `system` (expiry). */
  actor: string;
  action: AuditAction;
  result: AuditResult;
  entityRef?: string;
  environment?: string;
  namespace?: string;
  name?: string;
  fromVersion?: string;
  toVersion?: string;
  message?: string;
  taskId?: string;
  approvalId?: string;
  /** The change this event is about (`GET /changes/{id}`). */
  changeId?: string;
};

/** The columns of the audit CSV export, in order. @public */
export const AUDIT_CSV_COLUMNS: ReadonlyArray<keyof AuditEvent> = [
  'at',
  'actor',
  'action',
  'result',
  'entityRef',
  'environment',
  'namespace',
  'name',
  'fromVersion',
  'toVersion',
  'message',
  'taskId',
  'approvalId',
  'changeId',
  'id',
];

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // Formula injection: spreadsheets run cells that start with these.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Audit events as CSV (RFC 4180, header line, CRLF line ends). @public */
export function auditEventsToCsv(events: AuditEvent[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const event of events) {
    lines.push(
      AUDIT_CSV_COLUMNS.map(column => csvField(event[column])).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
