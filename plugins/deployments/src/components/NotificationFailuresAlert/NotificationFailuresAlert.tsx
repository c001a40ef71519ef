import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { RelativeTime } from '../shared';

/** Failed deliveries listed; older ones are in the audit trail below. */
const SHOWN = 5;
/** How far back the alert looks. */
const WINDOW_MS = 7 * 24 * 3600_000;

/**
 * Chat announcements of this application that no webhook took in the last
 * seven days (`notification.failed` in the audit trail): when, where and
 * why, so the team knows its chat missed something. Shows nothing when all
 * were delivered, or when the audit trail cannot be read (the page's own
 * audit trail says why).
 */
export function NotificationFailuresAlert(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(deploymentsApiRef);
  const { value } = useAsync(
    () =>
      api.getAudit({
        entityRef,
        action: 'notification.failed',
        since: new Date(Date.now() - WINDOW_MS).toISOString(),
        limit: SHOWN + 1,
      }),
    [api, entityRef],
  );
  const failures = value?.items ?? [];
  if (failures.length === 0) return null;
  const more = failures.length > SHOWN || value?.nextCursor !== undefined;
  return (
    <Alert severity="warning" data-testid="notification-failures">
      <AlertTitle>Chat announcements not delivered</AlertTitle>
      The team chat missed {more ? `more than ${SHOWN}` : failures.length}{' '}
      announcement{failures.length === 1 ? '' : 's'} in the last 7 days; check
      the webhook (deployments.notifications.webhooks) with the platform team.
      <Box component="ul" mt={1} mb={0} pl={2}>
        {failures.slice(0, SHOWN).map(failure => (
          <li key={failure.id}>
            <RelativeTime value={failure.at} />
            {failure.environment ? ` in ${failure.environment}` : ''}:{' '}
            {failure.message}
          </li>
        ))}
      </Box>
    </Alert>
  );
}
