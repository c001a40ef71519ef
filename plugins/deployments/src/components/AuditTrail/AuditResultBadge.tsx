import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { AuditResult } from '@deployments-portal/backstage-plugin-deployments-common';

/** success / failure / refused (401, 403) / pending (waits for approval). */
export function AuditResultBadge(props: { result: AuditResult }) {
  switch (props.result) {
    case 'success':
      return <StatusOK>success</StatusOK>;
    case 'failure':
      return <StatusError>failure</StatusError>;
    case 'refused':
      return <StatusWarning>refused</StatusWarning>;
    default:
      return <StatusPending>{props.result}</StatusPending>;
  }
}
