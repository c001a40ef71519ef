import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { DeliveryInsights } from '@deployments-portal/backstage-plugin-deployments-common';
import { formatDuration, formatPercent, NO_VALUE } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  tiles: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))',
    gap: theme.spacing(1.5),
  },
  tile: { padding: theme.spacing(1.5), minWidth: 0 },
  // Material green 800 / red 800 on a light page, 300 on a dark one: above
  // 4.5:1 on the tiles in both (the theme's success colour, #4caf50, is
  // 2.8:1 on white and 3.6:1 on the dark paper).
  met: {
    color: theme.palette.type === 'dark' ? '#81c784' : '#2e7d32',
  },
  missed: {
    color: theme.palette.type === 'dark' ? '#ef9a9a' : '#c62828',
  },
}));

type Tile = {
  label: string;
  value: string;
  /** The target in words, and whether the value meets it (absent: no value). */
  target?: { text: string; met?: boolean };
  detail?: string;
};

function tiles(insights: DeliveryInsights, environment: string): Tile[] {
  const { targets, firstDeployments } = insights;
  // The figures of the environment the panel is about (the answer's
  // overall is production's, or the filter's environment's).
  const overall =
    insights.byEnvironment.find(e => e.environment === environment) ??
    insights.overall;
  const maxFailureRate = 1 - targets.successRate;
  const below = (value: number | undefined, limit: number) =>
    value === undefined ? undefined : value <= limit;
  return [
    {
      label: 'Deployment frequency',
      value:
        overall.deployments > 0
          ? `${Math.round(overall.deploymentsPerDay * 10) / 10} / day`
          : NO_VALUE,
      detail: `${overall.deployments} in ${insights.window.days} days`,
    },
    {
      label: 'Lead time for changes',
      value: formatDuration(overall.meanLeadTimeSeconds),
      detail: `build to running, ${overall.leadTimeSamples} builds`,
    },
    {
      label: 'Change failure rate',
      value: formatPercent(overall.changeFailureRate),
      target: {
        text: `target < ${formatPercent(maxFailureRate)}`,
        met: below(overall.changeFailureRate, maxFailureRate),
      },
      detail: `${overall.failed} failed or rolled back`,
    },
    {
      label: 'Time to restore',
      value: formatDuration(overall.meanTimeToRestoreSeconds),
      target: {
        text: `target < ${formatDuration(targets.timeToRestoreSeconds)}`,
        met: below(
          overall.meanTimeToRestoreSeconds,
          targets.timeToRestoreSeconds,
        ),
      },
      detail: `${overall.restores} restored`,
    },
    {
      label: 'Mean deploy time',
      value: formatDuration(overall.meanDeploySeconds),
      target: {
        text: `target < ${formatDuration(targets.meanDeploySeconds)}`,
        met: below(overall.meanDeploySeconds, targets.meanDeploySeconds),
      },
      detail: 'request to Ready',
    },
    {
      label: 'First deployments',
      value:
        firstDeployments.applications > 0
          ? `${firstDeployments.withinTarget} of ${firstDeployments.applications}`
          : NO_VALUE,
      target: {
        text: `within ${formatDuration(targets.firstDeploySeconds)}`,
        met:
          firstDeployments.applications > 0
            ? firstDeployments.withinTarget === firstDeployments.applications
            : undefined,
      },
      detail: `mean ${formatDuration(firstDeployments.meanSeconds)}`,
    },
  ];
}

/** The headline DORA figures, each with the ADR's target where it has one. */
export function InsightsTiles(props: {
  insights: DeliveryInsights;
  environment: string;
}) {
  const classes = useStyles();
  const targetClass = (met: boolean | undefined) => {
    if (met === undefined) return undefined;
    return met ? classes.met : classes.missed;
  };
  return (
    <Box
      className={classes.tiles}
      role="list"
      aria-label={`Delivery figures in ${props.environment}`}
    >
      {tiles(props.insights, props.environment).map(tile => (
        <Paper
          key={tile.label}
          variant="outlined"
          className={classes.tile}
          role="listitem"
          data-testid={`insights-tile-${tile.label}`}
        >
          <Typography variant="caption" color="textSecondary" component="p">
            {tile.label}
          </Typography>
          <Typography variant="h6" component="p">
            {tile.value}
          </Typography>
          {tile.target && (
            <Typography
              variant="caption"
              component="p"
              className={targetClass(tile.target.met)}
            >
              {tile.target.text}
              {tile.target.met === true && ' · met'}
              {tile.target.met === false && ' · missed'}
            </Typography>
          )}
          {tile.detail && (
            <Typography variant="caption" color="textSecondary" component="p">
              {tile.detail}
            </Typography>
          )}
        </Paper>
      ))}
    </Box>
  );
}
