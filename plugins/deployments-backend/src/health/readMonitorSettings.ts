import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readTaskSchedule } from '../service/readTaskSchedule';

/** `deployments.health.monitor`: the scheduled health checks. */
export type MonitorSettings = {
  enabled: boolean;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How long a new state must hold before the owners hear of it. */
  debounceSeconds: number;
};

/** Every minute by default, one replica at a time; changes announced after 2 minutes. */
export function readMonitorSettings(config: Config): MonitorSettings {
  const debounceSeconds =
    config.getOptionalNumber('deployments.health.monitor.debounceSeconds') ??
    120;
  if (!Number.isFinite(debounceSeconds) || debounceSeconds < 0) {
    throw new Error(
      `Invalid config at deployments.health.monitor.debounceSeconds: must be 0 or a positive number, got ${debounceSeconds}`,
    );
  }
  return {
    ...readTaskSchedule(config, 'deployments.health.monitor', {
      frequency: { minutes: 1 },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 15 },
    }),
    debounceSeconds,
  };
}
