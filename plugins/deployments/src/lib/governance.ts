import {
  ApprovalAction,
  ApprovalRequest,
  ApprovalStatus,
  AuditEvent,
} from '@deployments-portal/backstage-plugin-deployments-common';

const ACTION_LABELS: Record<ApprovalAction, string> = {
  deploy: 'Deploy',
  update: 'Update',
  rollback: 'Roll back',
  delete: 'Delete',
};

export function approvalActionLabel(action: ApprovalAction): string {
  return ACTION_LABELS[action] ?? action;
}

const CHANGE_NOUNS: Record<ApprovalAction, string> = {
  deploy: 'deployment',
  update: 'update',
  rollback: 'rollback',
  delete: 'deletion',
};

/** "the deployment of payments-api in production" */
export function describeApprovalChange(approval: ApprovalRequest): string {
  return `the ${CHANGE_NOUNS[approval.action] ?? approval.action} of ${
    approval.name
  } in ${approval.environment}`;
}

const STATUS_ORDER: ApprovalStatus[] = [
  'pending',
  'approved',
  'rejected',
  'expired',
];

/** Pending requests first, then newest first. */
export function pendingFirst(items: ApprovalRequest[]): ApprovalRequest[] {
  return [...items].sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
      b.createdAt.localeCompare(a.createdAt),
  );
}

/** `1.4.1 → 1.4.2` from the images; absent sides read `—` / `(removed)`. */
export function versionChange(item: {
  fromVersion?: string;
  toVersion?: string;
  action?: string;
}): string {
  const from = item.fromVersion ?? '—';
  const to = item.toVersion ?? (item.action === 'delete' ? '(removed)' : '—');
  return item.fromVersion || item.toVersion ? `${from} → ${to}` : '—';
}

/** The id of the request in a path like `/deployments/approvals/<id>`. */
export function approvalIdFromPath(pathname: string): string | undefined {
  const match = /\/approvals\/([^/]+)\/?$/.exec(pathname);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** Why the signed-in user cannot decide, or `undefined` when they can. */
export function decisionBlockedReason(options: {
  approval: ApprovalRequest;
  user: string | undefined;
  allowed: boolean;
}): string | undefined {
  const { approval, user, allowed } = options;
  if (user && user === approval.requester) {
    return 'four-eyes: you requested this change, so someone else must approve or reject it';
  }
  if (!allowed) {
    return `You are not allowed to decide on changes of ${approval.entityRef} (approvers: the owning group or the release managers)`;
  }
  return undefined;
}

/** An audit event's action in words. */
export function auditActionLabel(action: AuditEvent['action']): string {
  return action.replace('approval.', 'approval: ');
}
