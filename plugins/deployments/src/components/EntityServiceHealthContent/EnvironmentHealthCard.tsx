import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import {
  EnvironmentHealth,
  PodSummary,
  WarningEvent,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { formatDateTime, NO_VALUE, unreachable } from '../../lib/format';
import { HealthStateBadge } from '../StatusBadges';

const podColumns: TableColumn<PodSummary>[] = [
  { title: 'Pod', field: 'name' },
  { title: 'Phase', field: 'phase' },
  { title: 'Ready', render: pod => (pod.ready ? 'yes' : 'no') },
  { title: 'Restarts', field: 'restarts' },
  { title: 'Node', render: pod => pod.node ?? NO_VALUE },
  { title: 'Started', render: pod => formatDateTime(pod.startedAt) },
];

const eventColumns: TableColumn<WarningEvent>[] = [
  { title: 'Object', field: 'object' },
  { title: 'Reason', field: 'reason' },
  { title: 'Message', field: 'message' },
  { title: 'Count', field: 'count' },
  { title: 'Last seen', render: event => formatDateTime(event.lastSeen) },
  {
    title: 'Suggested fix',
    render: event => event.suggestedFix ?? NO_VALUE,
  },
];

const tableOptions = {
  paging: false,
  search: false,
  sorting: false,
  padding: 'dense' as const,
  toolbar: false,
};

/** A small table, or what to say instead when it has no rows. */
function RowsOrNone<T extends object>(props: {
  columns: TableColumn<T>[];
  rows: T[];
  none: string;
}) {
  const { columns, rows, none } = props;
  return rows.length === 0 ? (
    <Typography color="textSecondary">{none}</Typography>
  ) : (
    <Table options={tableOptions} columns={columns} data={rows} />
  );
}

/** Pods and warning events of one environment. */
export function EnvironmentHealthCard(props: {
  environment: EnvironmentHealth;
}) {
  const env = props.environment;
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          {env.environment}
          <HealthStateBadge state={env.state} />
        </Box>
      }
      subheader={`cluster ${env.cluster} · namespace ${env.namespace}${
        env.target ? ` · ${env.target}` : ''
      } · checked ${formatDateTime(env.checkedAt)}`}
    >
      <div data-testid={`health-${env.environment}`}>
        {env.probeError && (
          <Box mb={2}>
            <Alert severity="info">
              Health contract not probed: {env.probeError}
            </Alert>
          </Box>
        )}
        {env.kubernetesError ? (
          <Alert severity="warning">{unreachable(env.kubernetesError)}</Alert>
        ) : (
          <>
            <Typography variant="subtitle2">Pods</Typography>
            <RowsOrNone columns={podColumns} rows={env.pods} none="No pods." />
            <Box mt={2}>
              <Typography variant="subtitle2">Recent warning events</Typography>
              <RowsOrNone
                columns={eventColumns}
                rows={env.events}
                none="No warnings."
              />
            </Box>
          </>
        )}
      </div>
    </InfoCard>
  );
}
