import Typography from '@material-ui/core/Typography';
import {
  HealthContractResult,
  ProbeResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { formatDateTime } from '../../lib/format';
import { StatusChip, TruncatedText } from '../shared';

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
      <StatusChip kind="probe" status={probe.status} />
      {facts.length > 0 && (
        <Typography variant="caption" component="div">
          {facts.join(' · ')}
        </Typography>
      )}
      {details && (
        <Typography variant="caption" component="div">
          <TruncatedText text={details} lines={2} />
        </Typography>
      )}
      {probe.status !== 'up' && probe.error && (
        // The chip says it failed; the reason in the text colour reads in
        // both themes (the error red is under 4.5:1 on table rows).
        <Typography variant="caption" component="div">
          <TruncatedText text={probe.error} lines={3} />
        </Typography>
      )}
    </div>
  );
}
