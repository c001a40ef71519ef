import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/**
 * A scheduled task's settings at `key` (`enabled`, `schedule` as every
 * Backstage task schedule: frequency and timeout, optional initialDelay),
 * with `defaults` when the schedule is not configured.
 */
export function readTaskSchedule(
  config: Config,
  key: string,
  defaults: Required<
    Pick<
      SchedulerServiceTaskScheduleDefinition,
      'frequency' | 'timeout' | 'initialDelay'
    >
  >,
): { enabled: boolean; schedule: SchedulerServiceTaskScheduleDefinition } {
  const section = config.getOptionalConfig(key);
  const schedule = section?.getOptionalConfig('schedule');
  return {
    enabled: section?.getOptionalBoolean('enabled') ?? true,
    schedule: schedule
      ? {
          initialDelay: defaults.initialDelay,
          ...readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule),
        }
      : defaults,
  };
}
