import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { makeStyles } from '@material-ui/core/styles';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  INSIGHTS_WINDOWS,
  InsightsWindowDays,
} from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef, InsightsFilter } from '../../api';
import { InsightsCharts } from './InsightsCharts';
import { InsightsTiles } from './InsightsTiles';
import { headlineEnvironment } from './insightsData';

const useStyles = makeStyles(theme => ({
  // The lab's default (action colour at 38 %) is too faint to read.
  toggle: { color: theme.palette.text.primary },
}));

/** Props of {@link DeliveryInsightsPanel}. */
export type DeliveryInsightsPanelProps = {
  /** The dashboard's team/environment filter, or one application. */
  filter: Omit<InsightsFilter, 'windowDays'>;
  /** Leave the charts out (the entity card shows the figures only). */
  figuresOnly?: boolean;
  /** The window, when the page keeps it (the dashboard's tables follow it). */
  windowDays?: InsightsWindowDays;
  onWindowDaysChange?: (days: InsightsWindowDays) => void;
};

/**
 * The DORA figures over the last 7, 30 or 90 days with the ADR's targets,
 * and their trend in charts.
 */
export function DeliveryInsightsPanel(props: DeliveryInsightsPanelProps) {
  const classes = useStyles();
  const api = useApi(deploymentsApiRef);
  const [ownWindowDays, setOwnWindowDays] = useState<InsightsWindowDays>(30);
  const windowDays = props.windowDays ?? ownWindowDays;
  const setWindowDays = props.onWindowDaysChange ?? setOwnWindowDays;
  const { filter } = props;
  const { value, loading, error } = useAsync(
    () => api.getInsights({ ...filter, windowDays }),
    [api, filter.team, filter.environment, filter.entityRef, windowDays],
  );
  const environment = value ? headlineEnvironment(value) : undefined;
  return (
    <Box data-testid="delivery-insights">
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        justifyContent="space-between"
        mb={1.5}
        style={{ gap: 8 }}
      >
        <Typography variant="body2" color="textSecondary">
          {environment
            ? `Figures for ${environment}; charts per ${
                value!.window.bucketDays > 1 ? 'week' : 'day'
              }. Dashed lines are the platform's targets.`
            : 'Delivery figures'}
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={windowDays}
          aria-label="Window"
          onChange={(_event, days: InsightsWindowDays | null) => {
            if (days) setWindowDays(days);
          }}
        >
          {INSIGHTS_WINDOWS.map(days => (
            <ToggleButton
              key={days}
              value={days}
              className={classes.toggle}
              aria-label={`last ${days} days`}
            >
              {/* The visible words are part of the name (axe: label-content-name-mismatch). */}
              {days} days
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
      {error && <ResponseErrorPanel error={error} />}
      {!error && loading && <Progress />}
      {value && environment && !error && (
        <>
          <InsightsTiles insights={value} environment={environment} />
          {!props.figuresOnly && (
            <InsightsCharts insights={value} environment={environment} />
          )}
        </>
      )}
    </Box>
  );
}
