import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import RefreshIcon from '@material-ui/icons/Refresh';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  DEFAULT_HEALTH_REFRESH_MS,
  useEntityHealth,
} from '../../hooks/useEntityHealth';
import { errorMessage, formatDuration } from '../../lib/format';
import { RelativeTime, StatusChip } from '../shared';
import { EnvironmentHealthCard } from './EnvironmentHealthCard';
import { HealthSummaryTable } from './HealthSummaryTable';
import { HealthTimeline } from './HealthTimeline';

/** @public */
export type EntityServiceHealthContentProps = {
  /** How often to read the health again, in ms; 0 turns it off. Default 15 s. */
  refreshIntervalMs?: number;
};

/**
 * The Service Health tab: the health contract, pods and warning events of
 * an application in every environment. Each environment stands on its own:
 * one that does not answer shows why, the others show their data.
 *
 * @public
 */
export function EntityServiceHealthContent(
  props: EntityServiceHealthContentProps,
) {
  const { entity } = useEntity();
  const intervalMs = props.refreshIntervalMs ?? DEFAULT_HEALTH_REFRESH_MS;
  const { value, error, loading, refresh } = useEntityHealth(
    stringifyEntityRef(entity),
    intervalMs,
  );

  if (!value) {
    if (error) {
      return <ResponseErrorPanel error={error} />;
    }
    return <Progress />;
  }

  const environments = value.environments;
  const checkedAt = environments
    .map(env => env.checkedAt)
    .sort()
    .pop();

  return (
    <Grid container spacing={3} direction="column">
      <Grid item>
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 16 }}
        >
          <Typography variant="h5" component="h2">
            Overall
          </Typography>
          <span data-testid="overall-health">
            <StatusChip kind="health" status={value.state} />
          </span>
          {/* The text colour: the secondary grey is 4.47:1 on the page. */}
          <Typography variant="body2">
            {checkedAt && <RelativeTime prefix="Checked" value={checkedAt} />}
            {intervalMs > 0
              ? ` · refreshes every ${formatDuration(intervalMs / 1000)}`
              : ''}
          </Typography>
          <Box flexGrow={1} />
          <Button
            variant="outlined"
            onClick={refresh}
            disabled={loading}
            startIcon={
              loading ? <CircularProgress size={16} /> : <RefreshIcon />
            }
          >
            Refresh
          </Button>
        </Box>
      </Grid>
      {error && (
        <Grid item>
          <Alert severity="warning">
            Refresh failed, showing the previous result: {errorMessage(error)}
          </Alert>
        </Grid>
      )}
      {environments.length === 0 ? (
        <Grid item>
          <EmptyState
            missing="data"
            title="No environments"
            description="The deployments backend has no environments configured (deployments.environments in app-config)."
          />
        </Grid>
      ) : (
        <>
          <Grid item>
            <HealthSummaryTable environments={environments} />
          </Grid>
          {environments
            .filter(env => env.state !== 'not-deployed' || env.kubernetesError)
            .map(env => (
              <Grid item key={env.environment}>
                <EnvironmentHealthCard environment={env} />
              </Grid>
            ))}
          <Grid item>
            <HealthTimeline entityRef={value.entityRef} version={checkedAt} />
          </Grid>
        </>
      )}
    </Grid>
  );
}
