import { Config } from '@backstage/config';
import { DeliveryTargets } from '@deployments-portal/backstage-plugin-deployments-common';
import { DEFAULT_DELIVERY_TARGETS } from './doraFigures';

const KEY = 'deployments.insights.targets';

/**
 * `deployments.insights.targets`: the thresholds the insights' charts draw,
 * the architecture decision's by default (success rate over 95 %, deploys
 * under 5 min, restore under 10 min, first deploy under 15 min).
 */
export function readDeliveryTargets(config: Config): DeliveryTargets {
  const read = (
    key: keyof DeliveryTargets,
    valid: (value: number) => boolean,
    rule: string,
  ) => {
    const value =
      config.getOptionalNumber(`${KEY}.${key}`) ??
      DEFAULT_DELIVERY_TARGETS[key];
    if (!Number.isFinite(value) || !valid(value)) {
      throw new Error(
        `Invalid config at ${KEY}.${key}: must be ${rule}, got ${value}`,
      );
    }
    return value;
  };
  const positive = (value: number) => value > 0;
  return {
    successRate: read(
      'successRate',
      value => value > 0 && value <= 1,
      'a share between 0 and 1, e.g. 0.95',
    ),
    meanDeploySeconds: read('meanDeploySeconds', positive, 'seconds above 0'),
    timeToRestoreSeconds: read(
      'timeToRestoreSeconds',
      positive,
      'seconds above 0',
    ),
    firstDeploySeconds: read('firstDeploySeconds', positive, 'seconds above 0'),
  };
}
