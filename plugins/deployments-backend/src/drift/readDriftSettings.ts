import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readTaskSchedule } from '../service/readTaskSchedule';

/** `deployments.drift`: whether and how often the drift check runs. */
export type DriftSettings = {
  enabled: boolean;
  schedule: SchedulerServiceTaskScheduleDefinition;
};

/** Every 5 minutes by default, one replica at a time (the scheduler's global tasks). */
export function readDriftSettings(config: Config): DriftSettings {
  return readTaskSchedule(config, 'deployments.drift', {
    frequency: { minutes: 5 },
    timeout: { minutes: 4 },
    initialDelay: { seconds: 30 },
  });
}
