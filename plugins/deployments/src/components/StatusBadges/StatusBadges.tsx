import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import {
  DeploymentStatus,
  HealthState,
  ProbeStatus,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** Where a change is: queued, planning, applying, verifying, succeeded, … */
export function DeploymentStatusBadge(props: { status: DeploymentStatus }) {
  switch (props.status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'rolled-back':
      return <StatusWarning>rolled back</StatusWarning>;
    case 'rolling-back':
      return <StatusWarning>rolling back</StatusWarning>;
    case 'verifying':
      return <StatusRunning>rolling out</StatusRunning>;
    case 'applying':
    case 'planning':
      return <StatusRunning>{props.status}</StatusRunning>;
    case 'queued':
      return <StatusPending>queued</StatusPending>;
    default:
      return <StatusAborted>{String(props.status)}</StatusAborted>;
  }
}

const HEALTH_LABELS: Record<HealthState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
  unreachable: 'Unreachable',
  'not-deployed': 'Not deployed',
};

/** The state of an application in one environment, or across all. */
export function HealthStateBadge(props: { state: HealthState }) {
  const label = HEALTH_LABELS[props.state] ?? String(props.state);
  switch (props.state) {
    case 'healthy':
      return <StatusOK>{label}</StatusOK>;
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
    case 'unhealthy':
    case 'unreachable':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}

/** The outcome of one probe of the health contract. */
export function ProbeStatusBadge(props: { status: ProbeStatus }) {
  switch (props.status) {
    case 'up':
      return <StatusOK>up</StatusOK>;
    case 'down':
      return <StatusError>down</StatusError>;
    default:
      return <StatusWarning>unreachable</StatusWarning>;
  }
}
