import Typography from '@material-ui/core/Typography';
import {
  HealthContractResult,
  ProbeResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { formatDateTime } from '../../lib/format';
import { ProbeStatusBadge } from '../StatusBadges';

function responseTime(probe: ProbeResult): string | undefined {
  return probe.responseTimeMs === undefined
    ? undefined
    : `${Math.round(probe.responseTimeMs)} ms`;
}

/** What one probe answered: outcome, HTTP status, response time, details. */
export function ProbeSummary(props: {
  id: keyof HealthContractResult;
  probes: HealthContractResult;
}) {
  const probe = props.probes[props.id];
  const facts = [
    probe.httpStatus !== undefined ? `HTTP ${probe.httpStatus}` : undefined,
    responseTime(probe),
  ].filter(Boolean);
  let details: string | undefined;
  if (props.id === 'readiness' && props.probes.readiness.database) {
    details = `database: ${props.probes.readiness.database}`;
  }
  if (props.id === 'info') {
    const { environment, timestamp } = props.probes.info;
    details = [
      environment && `environment: ${environment}`,
      timestamp && `time: ${formatDateTime(timestamp)}`,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  return (
    <div title={probe.url}>
      <ProbeStatusBadge status={probe.status} />
      {facts.length > 0 && (
        <Typography variant="caption" component="div">
          {facts.join(' · ')}
        </Typography>
      )}
      {details && (
        <Typography variant="caption" component="div">
          {details}
        </Typography>
      )}
      {probe.status !== 'up' && probe.error && (
        <Typography variant="caption" color="error" component="div">
          {probe.error}
        </Typography>
      )}
    </div>
  );
}
