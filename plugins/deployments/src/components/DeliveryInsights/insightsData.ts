import {
  DeliveryInsights,
  DoraFigures,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** One step of the charts: its label and a value per series (null = none). */
export type ChartPoint = { start: string; label: string } & Record<
  string,
  string | number | null
>;

/** The environment the figures and the trend charts are about. */
export function headlineEnvironment(insights: DeliveryInsights): string {
  const withChanges = insights.byEnvironment.filter(e => e.deployments > 0);
  const last = insights.environments[insights.environments.length - 1];
  // Production when it has changes (or when nothing has any), else the
  // furthest environment that has.
  if (
    withChanges.length === 0 ||
    withChanges.some(e => e.environment === last)
  ) {
    return last;
  }
  return withChanges[withChanges.length - 1].environment;
}

function stepLabel(start: string, bucketDays: number): string {
  const date = new Date(start);
  const day = date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return bucketDays > 1 ? `wk ${day}` : day;
}

/** Every step of the window, oldest first, even those without changes. */
function steps(insights: DeliveryInsights): string[] {
  return [...new Set(insights.series.map(s => s.start))].sort();
}

/** Deployments per step, one key per environment (for stacked bars). */
export function frequencyPoints(insights: DeliveryInsights): ChartPoint[] {
  return steps(insights).map(start => {
    const point: ChartPoint = {
      start,
      label: stepLabel(start, insights.window.bucketDays),
    };
    for (const environment of insights.environments) {
      const entry = insights.series.find(
        s => s.start === start && s.environment === environment,
      );
      point[environment] = entry?.deployments ?? 0;
    }
    return point;
  });
}

const MINUTE = 60;
const HOUR = 3600;

/**
 * The trend of one environment per step: change failure rate (%), mean
 * deploy time and time to restore (minutes), lead time (hours); null where
 * the step had nothing to measure.
 */
export function trendPoints(
  insights: DeliveryInsights,
  environment: string,
): ChartPoint[] {
  const scaled = (value: number | undefined, unit: number) =>
    value === undefined ? null : Math.round((value / unit) * 10) / 10;
  return steps(insights).map(start => {
    const entry: Partial<DoraFigures> =
      insights.series.find(
        s => s.start === start && s.environment === environment,
      ) ?? {};
    return {
      start,
      label: stepLabel(start, insights.window.bucketDays),
      changeFailurePercent: scaled(entry.changeFailureRate, 0.01),
      deployMinutes: scaled(entry.meanDeploySeconds, MINUTE),
      restoreMinutes: scaled(entry.meanTimeToRestoreSeconds, MINUTE),
      leadTimeHours: scaled(entry.meanLeadTimeSeconds, HOUR),
    };
  });
}
