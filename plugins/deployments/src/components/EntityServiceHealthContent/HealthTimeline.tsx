import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { HealthTimelineEntry } from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import {
  errorMessage,
  formatDateTime,
  formatDuration,
  NO_VALUE,
} from '../../lib/format';
import { HealthStateBadge } from '../StatusBadges';

/** Entries shown: the latest changes of state. */
const LIMIT = 20;

const columns: TableColumn<HealthTimelineEntry>[] = [
  { title: 'Environment', field: 'environment' },
  {
    title: 'State',
    render: entry => <HealthStateBadge state={entry.state} />,
  },
  { title: 'From', render: entry => formatDateTime(entry.from) },
  {
    title: 'Until',
    render: entry => (entry.until ? formatDateTime(entry.until) : 'now'),
  },
  {
    title: 'For',
    render: entry => formatDuration(entry.durationSeconds),
  },
  {
    title: 'Why',
    render: entry => (
      <Typography variant="caption">{entry.reason ?? NO_VALUE}</Typography>
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
        options={{ search: false, paging: false, padding: 'dense' }}
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
