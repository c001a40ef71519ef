import {
  ApprovalRequest,
  ApprovalStatus,
  AuditResult,
  DeploymentStatus,
  HealthState,
  ProbeStatus,
  ReadinessStatus,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** How a status reads: done well, needs a look, went wrong, under way, waiting, nothing. */
export type StatusTone =
  | 'ok'
  | 'warning'
  | 'error'
  | 'running'
  | 'pending'
  | 'neutral';

/** Every status the suite shows, by what it is the status of. */
export type StatusChipStatus =
  | { kind: 'change'; status: DeploymentStatus }
  | {
      kind: 'approval';
      status: ApprovalStatus;
      /** For an approved request: what became of its change. */
      result?: ApprovalRequest['result'];
    }
  | { kind: 'health'; status: HealthState }
  | { kind: 'probe'; status: ProbeStatus }
  | { kind: 'audit'; status: AuditResult }
  | { kind: 'readiness'; status: ReadinessStatus };

export type StatusLook = { label: string; tone: StatusTone };

const CHANGE: Record<DeploymentStatus, StatusLook> = {
  queued: { label: 'queued', tone: 'pending' },
  planning: { label: 'planning', tone: 'running' },
  applying: { label: 'applying', tone: 'running' },
  verifying: { label: 'rolling out', tone: 'running' },
  'rolling-back': { label: 'rolling back', tone: 'warning' },
  succeeded: { label: 'succeeded', tone: 'ok' },
  failed: { label: 'failed', tone: 'error' },
  'rolled-back': { label: 'rolled back', tone: 'warning' },
  cancelled: { label: 'cancelled', tone: 'neutral' },
};

const APPROVAL: Record<ApprovalStatus, StatusLook> = {
  pending: { label: 'pending', tone: 'pending' },
  approved: { label: 'approved, applying', tone: 'running' },
  rejected: { label: 'rejected', tone: 'warning' },
  expired: { label: 'expired', tone: 'neutral' },
  stale: { label: 'stale', tone: 'warning' },
};

const HEALTH: Record<HealthState, StatusLook> = {
  healthy: { label: 'Healthy', tone: 'ok' },
  degraded: { label: 'Degraded', tone: 'warning' },
  unhealthy: { label: 'Unhealthy', tone: 'error' },
  unreachable: { label: 'Unreachable', tone: 'error' },
  'not-deployed': { label: 'Not deployed', tone: 'neutral' },
};

const PROBE: Record<ProbeStatus, StatusLook> = {
  up: { label: 'up', tone: 'ok' },
  down: { label: 'down', tone: 'error' },
  unreachable: { label: 'unreachable', tone: 'warning' },
};

const AUDIT: Record<AuditResult, StatusLook> = {
  accepted: { label: 'accepted', tone: 'running' },
  success: { label: 'success', tone: 'ok' },
  failure: { label: 'failure', tone: 'error' },
  refused: { label: 'refused', tone: 'warning' },
  pending: { label: 'pending', tone: 'pending' },
};

const READINESS: Record<ReadinessStatus, StatusLook> = {
  ok: { label: 'Ready', tone: 'ok' },
  missing: { label: 'Missing', tone: 'warning' },
  unknown: { label: 'Unknown', tone: 'neutral' },
};

/** The label and tone of a status; an unknown one (a newer backend) reads as itself. */
export function statusLook(props: StatusChipStatus): StatusLook {
  const unknown: StatusLook = { label: String(props.status), tone: 'neutral' };
  switch (props.kind) {
    case 'change':
      return CHANGE[props.status] ?? unknown;
    case 'approval':
      if (props.status === 'approved' && props.result === 'applied') {
        return { label: 'approved', tone: 'ok' };
      }
      if (props.status === 'approved' && props.result === 'failed') {
        return { label: 'approved, apply failed', tone: 'error' };
      }
      return APPROVAL[props.status] ?? unknown;
    case 'health':
      return HEALTH[props.status] ?? unknown;
    case 'probe':
      return PROBE[props.status] ?? unknown;
    case 'audit':
      return AUDIT[props.status] ?? unknown;
    case 'readiness':
      return READINESS[props.status] ?? unknown;
    default:
      return unknown;
  }
}
