import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/** `deployments.drift`: whether and how often the drift check runs. */
export type DriftSettings = {
  enabled: boolean;
  schedule: SchedulerServiceTaskScheduleDefinition;
};

/** Every 5 minutes by default, one replica at a time (the scheduler's global tasks). */
export function readDriftSettings(config: Config): DriftSettings {
  const drift = config.getOptionalConfig('deployments.drift');
  const schedule = drift?.getOptionalConfig('schedule');
  return {
    enabled: drift?.getOptionalBoolean('enabled') ?? true,
    schedule: schedule
      ? {
          initialDelay: { seconds: 30 },
          // frequency and timeout, as every Backstage task schedule.
          ...readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule),
        }
      : {
          frequency: { minutes: 5 },
          timeout: { minutes: 4 },
          initialDelay: { seconds: 30 },
        },
  };
}
