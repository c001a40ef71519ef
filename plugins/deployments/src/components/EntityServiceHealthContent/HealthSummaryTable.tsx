import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { EnvironmentHealth } from '@deployments-portal/backstage-plugin-deployments-common';
import { formatDuration, NO_VALUE } from '../../lib/format';
import { podsReady, unreachableReason } from '../../lib/health';
import { FITTING_TABLE } from '../../lib/tables';
import { StatusChip, TruncatedText } from '../shared';
import { ProbeSummary } from './ProbeSummary';

function probeColumn(
  id: 'liveness' | 'readiness' | 'info',
  title: string,
): TableColumn<EnvironmentHealth> {
  return {
    title,
    width: '20%',
    render: env =>
      env.probes ? (
        <ProbeSummary id={id} probes={env.probes} />
      ) : (
        <Typography variant="caption" component="div">
          <TruncatedText text={env.probeError ?? NO_VALUE} lines={3} />
        </Typography>
      ),
  };
}

// Five columns, so a chip is never cut at 1024 px: the environment with its
// state, the three probes, the pods with how long the check took.
const columns: TableColumn<EnvironmentHealth>[] = [
  {
    title: 'Environment',
    width: '22%',
    render: env => (
      <>
        <span data-testid={`health-row-${env.environment}`}>
          <TruncatedText text={env.environment} />
        </span>
        <StatusChip kind="health" status={env.state} />
        {env.state === 'unreachable' && (
          <Typography variant="caption" component="div">
            <TruncatedText text={unreachableReason(env)} lines={3} />
          </Typography>
        )}
      </>
    ),
  },
  probeColumn('liveness', 'Liveness (/health)'),
  probeColumn('readiness', 'Readiness (/api/v2/ready)'),
  probeColumn('info', 'Info (/api/v2/health)'),
  {
    title: 'Pods ready',
    width: '18%',
    render: env => (
      <>
        <div>
          {env.kubernetesError ? 'unknown' : podsReady(env) ?? 'no pods'}
        </div>
        <Typography variant="caption" component="div">
          checked in {formatDuration(env.durationMs / 1000)}
        </Typography>
      </>
    ),
  },
];

/** One row per environment, in the order given (OTAP). */
export function HealthSummaryTable(props: {
  environments: EnvironmentHealth[];
}) {
  return (
    <Table
      title="Per environment"
      options={{
        ...FITTING_TABLE,
        paging: false,
        search: false,
        sorting: false,
      }}
      columns={columns}
      data={props.environments}
    />
  );
}
