import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { HealthTimelineEntry } from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { errorMessage, formatDuration, NO_VALUE } from '../../lib/format';
import { FITTING_TABLE } from '../../lib/tables';
import { RelativeTime, StatusChip, TruncatedText } from '../shared';

/** Entries shown: the latest changes of state. */
const LIMIT = 20;

const columns: TableColumn<HealthTimelineEntry>[] = [
  {
    title: 'Environment',
    width: '16%',
    render: entry => <TruncatedText text={entry.environment} />,
  },
  {
    title: 'State',
    width: '19%',
    render: entry => <StatusChip kind="health" status={entry.state} />,
  },
  {
    title: 'From',
    width: '12%',
    render: entry => <RelativeTime value={entry.from} />,
  },
  {
    title: 'Until',
    width: '12%',
    render: entry =>
      entry.until ? <RelativeTime value={entry.until} /> : 'now',
  },
  {
    title: 'For',
    width: '9%',
    render: entry => formatDuration(entry.durationSeconds),
  },
  {
    title: 'Why',
    width: '32%',
    render: entry => (
      <Typography variant="caption" component="div">
        <TruncatedText text={entry.reason ?? NO_VALUE} lines={2} />
      </Typography>
    ),
  },
];

/**
 * When the application degraded and recovered, per environment, as the
 * backend's scheduled health monitor saw it (independent of page views).
 * `version` changes whenever the health was read again, so the timeline
 * follows it.
 */
export function HealthTimeline(props: { entityRef: string; version?: string }) {
  const api = useApi(deploymentsApiRef);
  const { value, error } = useAsync(
    // async: whatever goes wrong is shown here, never breaks the page.
    async () => api.getHealthTimeline(props.entityRef, { limit: LIMIT }),
    [api, props.entityRef, props.version],
  );
  if (error) {
    return (
      <Typography variant="body2" color="error">
        The health timeline could not be read: {errorMessage(error)}
      </Typography>
    );
  }
  return (
    <div data-testid="health-timeline">
      <Table
        title="Timeline"
        subtitle="Changes of state the health monitor saw, newest first"
        options={{ ...FITTING_TABLE, search: false, paging: false }}
        isLoading={!value}
        columns={columns}
        data={value?.entries ?? []}
        emptyContent={
          <Typography variant="body2" style={{ padding: 16 }}>
            The health monitor has not checked this application yet (it runs
            every minute for deployed applications).
          </Typography>
        }
      />
    </div>
  );
}
