import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import {
  EnvironmentHealth,
  PodSummary,
  WarningEvent,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { NO_VALUE, unreachable } from '../../lib/format';
import { FITTING_TABLE } from '../../lib/tables';
import { RelativeTime, StatusChip, TruncatedText } from '../shared';

const podColumns: TableColumn<PodSummary>[] = [
  {
    title: 'Pod',
    width: '34%',
    render: pod => <TruncatedText text={pod.name} />,
  },
  {
    title: 'Phase',
    width: '15%',
    render: pod => <TruncatedText text={pod.phase} />,
  },
  {
    title: 'Ready',
    width: '19%',
    render: pod => (
      <TruncatedText
        text={`${pod.ready ? 'yes' : 'no'}, ${pod.restarts} restart${
          pod.restarts === 1 ? '' : 's'
        }`}
      />
    ),
  },
  {
    title: 'Node',
    width: '17%',
    render: pod => <TruncatedText text={pod.node ?? NO_VALUE} />,
  },
  {
    title: 'Started',
    width: '15%',
    render: pod => <RelativeTime value={pod.startedAt} />,
  },
];

const eventColumns: TableColumn<WarningEvent>[] = [
  {
    title: 'Object',
    width: '18%',
    render: event => <TruncatedText text={event.object} />,
  },
  {
    title: 'Reason',
    width: '13%',
    render: event => <TruncatedText text={event.reason} />,
  },
  {
    title: 'Message',
    width: '27%',
    render: event => <TruncatedText text={event.message} lines={3} />,
  },
  { title: 'Count', field: 'count', width: '8%' },
  {
    title: 'Last seen',
    width: '12%',
    render: event => <RelativeTime value={event.lastSeen} />,
  },
  {
    title: 'Suggested fix',
    width: '22%',
    render: event => (
      <TruncatedText text={event.suggestedFix ?? NO_VALUE} lines={3} />
    ),
  },
];

const tableOptions = {
  ...FITTING_TABLE,
  paging: false,
  search: false,
  sorting: false,
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
      titleTypographyProps={{ component: 'h2' }}
      title={
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          {env.environment}
          <StatusChip kind="health" status={env.state} />
        </Box>
      }
      subheader={
        // One element: the card header lays its subheader's children out in a row.
        <span>
          cluster {env.cluster} · namespace {env.namespace}
          {env.target ? ` · ${env.target}` : ''} · checked{' '}
          <RelativeTime value={env.checkedAt} />
        </span>
      }
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
            <Typography variant="subtitle2" component="h3">
              Pods
            </Typography>
            <RowsOrNone columns={podColumns} rows={env.pods} none="No pods." />
            <Box mt={2}>
              <Typography variant="subtitle2" component="h3">
                Recent warning events
              </Typography>
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
