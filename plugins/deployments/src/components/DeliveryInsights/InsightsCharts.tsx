import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import { DeliveryInsights } from '@deployments-portal/backstage-plugin-deployments-common';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartPoint, frequencyPoints, trendPoints } from './insightsData';

const CHART_HEIGHT = 200;

const useStyles = makeStyles(theme => ({
  charts: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  chart: { minWidth: 0 },
}));

function ChartFrame(props: {
  title: string;
  description: string;
  testId: string;
  children: ReactNode;
}) {
  const classes = useStyles();
  return (
    <Box
      className={classes.chart}
      component="figure"
      m={0}
      data-testid={props.testId}
      aria-label={`${props.title}: ${props.description}`}
    >
      <Typography variant="subtitle2" component="figcaption">
        {props.title}
      </Typography>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        {props.children as React.ReactElement}
      </ResponsiveContainer>
    </Box>
  );
}

function useChartColors() {
  const theme = useTheme();
  return {
    text: theme.palette.text.secondary,
    legend: theme.palette.text.primary,
    grid: theme.palette.divider,
    threshold: theme.palette.error.main,
    line: theme.palette.primary.main,
    tooltip: {
      contentStyle: {
        background: theme.palette.background.paper,
        border: `1px solid ${theme.palette.divider}`,
        color: theme.palette.text.primary,
      },
      // In the text colour, not the series' (which may be too faint to read).
      itemStyle: { color: theme.palette.text.primary },
    },
    environments: [
      theme.palette.info?.main ?? '#2196f3',
      theme.palette.secondary.main,
      theme.palette.warning?.main ?? '#ff9800',
      theme.palette.success?.main ?? '#4caf50',
      theme.palette.primary.main,
    ],
  };
}

function TrendChart(props: {
  title: string;
  description: string;
  testId: string;
  points: ChartPoint[];
  dataKey: string;
  unit: string;
  /** The ADR's target, in the chart's unit: drawn as a dashed line. */
  target?: number;
}) {
  const colors = useChartColors();
  return (
    <ChartFrame
      title={props.title}
      description={
        props.target === undefined
          ? props.description
          : `${props.description}, target below ${props.target}${props.unit}`
      }
      testId={props.testId}
    >
      <LineChart
        data={props.points}
        margin={{ top: 16, right: 16, bottom: 0, left: 0 }}
      >
        <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
        <XAxis dataKey="label" stroke={colors.text} fontSize={11} />
        <YAxis
          stroke={colors.text}
          fontSize={11}
          unit={props.unit}
          width={56}
        />
        <Tooltip {...colors.tooltip} />
        <Line
          type="monotone"
          dataKey={props.dataKey}
          name={props.title}
          stroke={colors.line}
          strokeWidth={2}
          connectNulls
          dot={{ r: 3 }}
          isAnimationActive={false}
        />
        {props.target !== undefined && (
          <ReferenceLine
            y={props.target}
            stroke={colors.threshold}
            strokeDasharray="6 4"
            ifOverflow="extendDomain"
            label={{
              value: `target < ${props.target}${props.unit}`,
              position: 'insideTopRight',
              fill: colors.threshold,
              fontSize: 11,
            }}
          />
        )}
      </LineChart>
    </ChartFrame>
  );
}

const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/**
 * The DORA trends over the window: deployments per step by environment, and
 * for one environment the change failure rate, deploy time, time to restore
 * and lead time, each with the ADR's target as a dashed threshold.
 */
export function InsightsCharts(props: {
  insights: DeliveryInsights;
  environment: string;
}) {
  const classes = useStyles();
  const colors = useChartColors();
  const { insights, environment } = props;
  const { targets } = insights;
  const frequency = frequencyPoints(insights);
  const trend = trendPoints(insights, environment);
  const step = insights.window.bucketDays > 1 ? 'week' : 'day';
  const withChanges = insights.environments.filter(name =>
    frequency.some(point => Number(point[name]) > 0),
  );
  return (
    <Box className={classes.charts}>
      <ChartFrame
        title="Deployments"
        description={`deployments per ${step} by environment`}
        testId="insights-chart-frequency"
      >
        <BarChart
          data={frequency}
          margin={{ top: 16, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
          <XAxis dataKey="label" stroke={colors.text} fontSize={11} />
          <YAxis
            stroke={colors.text}
            fontSize={11}
            allowDecimals={false}
            width={56}
          />
          <Tooltip {...colors.tooltip} />
          <Legend
            wrapperStyle={{ fontSize: 11 }}
            formatter={value => (
              <span style={{ color: colors.legend }}>{value}</span>
            )}
          />
          {withChanges.map(name => (
            <Bar
              key={name}
              dataKey={name}
              stackId="deployments"
              fill={
                colors.environments[
                  insights.environments.indexOf(name) %
                    colors.environments.length
                ]
              }
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ChartFrame>
      <TrendChart
        title="Change failure rate"
        description={`failed or rolled back per ${step} in ${environment}`}
        testId="insights-chart-failure-rate"
        points={trend}
        dataKey="changeFailurePercent"
        unit=" %"
        target={oneDecimal((1 - targets.successRate) * 100)}
      />
      <TrendChart
        title="Mean deploy time"
        description={`request to Ready per ${step} in ${environment}`}
        testId="insights-chart-deploy-time"
        points={trend}
        dataKey="deployMinutes"
        unit=" min"
        target={oneDecimal(targets.meanDeploySeconds / 60)}
      />
      <TrendChart
        title="Time to restore"
        description={`failure to restored per ${step} in ${environment}`}
        testId="insights-chart-restore"
        points={trend}
        dataKey="restoreMinutes"
        unit=" min"
        target={oneDecimal(targets.timeToRestoreSeconds / 60)}
      />
      <TrendChart
        title="Lead time for changes"
        description={`build to running in ${environment} per ${step}`}
        testId="insights-chart-lead-time"
        points={trend}
        dataKey="leadTimeHours"
        unit=" h"
      />
    </Box>
  );
}
