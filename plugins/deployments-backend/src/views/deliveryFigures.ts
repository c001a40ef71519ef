import {
  DeliveryFigures,
  compareEnvironments,
  EnvironmentName,
  TeamEnvironmentFigures,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeliveryCounts } from '../store/DeliveryStore';

/** The figures of a set of counts: sums added up, means divided once. */
export function deliveryFigures(
  counts: Array<Omit<DeliveryCounts, 'entityRef' | 'environment'>>,
): DeliveryFigures {
  const total = counts.reduce(
    (sum, c) => ({
      deployments: sum.deployments + c.deployments,
      succeeded: sum.succeeded + c.succeeded,
      failed: sum.failed + c.failed,
      deploySeconds: sum.deploySeconds + c.deploySeconds,
      recoveries: sum.recoveries + c.recoveries,
      recoverySeconds: sum.recoverySeconds + c.recoverySeconds,
    }),
    {
      deployments: 0,
      succeeded: 0,
      failed: 0,
      deploySeconds: 0,
      recoveries: 0,
      recoverySeconds: 0,
    },
  );
  return {
    deployments: total.deployments,
    succeeded: total.succeeded,
    failed: total.failed,
    ...(total.deployments > 0
      ? { successRate: total.succeeded / total.deployments }
      : {}),
    ...(total.succeeded > 0
      ? { meanDeploySeconds: total.deploySeconds / total.succeeded }
      : {}),
    ...(total.recoveries > 0
      ? {
          meanTimeToRecoverySeconds: total.recoverySeconds / total.recoveries,
        }
      : {}),
  };
}

/**
 * Rolls per-application counts up to one row per team and environment,
 * sorted by team, then in the environments' configured order.
 */
export function figuresByTeam(
  counts: DeliveryCounts[],
  teamOf: (entityRef: string) => string,
  order: readonly EnvironmentName[],
): TeamEnvironmentFigures[] {
  const byEnvironment = compareEnvironments(order);
  const groups = new Map<
    string,
    { team: string; environment: DeliveryCounts['environment'] }
  >();
  const members = new Map<string, DeliveryCounts[]>();
  for (const count of counts) {
    const team = teamOf(count.entityRef);
    const key = `${team}\u0000${count.environment}`;
    if (!groups.has(key)) {
      groups.set(key, { team, environment: count.environment });
      members.set(key, []);
    }
    members.get(key)!.push(count);
  }
  return [...groups.entries()]
    .map(([key, group]) => ({
      ...group,
      ...deliveryFigures(members.get(key)!),
    }))
    .sort(
      (a, b) =>
        a.team.localeCompare(b.team) ||
        byEnvironment(a.environment, b.environment),
    );
}
