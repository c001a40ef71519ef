import {
  compareEnvironments,
  DeliveryTargets,
  DoraFigures,
  EnvironmentName,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DoraCounts, EntityDoraCounts } from '../store/DoraStore';

/** The architecture decision's targets, unless configured otherwise. */
export const DEFAULT_DELIVERY_TARGETS: DeliveryTargets = {
  successRate: 0.95,
  meanDeploySeconds: 5 * 60,
  timeToRestoreSeconds: 10 * 60,
  firstDeploySeconds: 15 * 60,
};

type Sums = Omit<DoraCounts, 'environment'>;

const ZERO: Sums = {
  deployments: 0,
  succeeded: 0,
  failed: 0,
  deploySeconds: 0,
  leadTimeSamples: 0,
  leadTimeSeconds: 0,
  restores: 0,
  restoreSeconds: 0,
};

function add(a: Sums, b: Sums): Sums {
  return {
    deployments: a.deployments + b.deployments,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    deploySeconds: a.deploySeconds + b.deploySeconds,
    leadTimeSamples: a.leadTimeSamples + b.leadTimeSamples,
    leadTimeSeconds: a.leadTimeSeconds + b.leadTimeSeconds,
    restores: a.restores + b.restores,
    restoreSeconds: a.restoreSeconds + b.restoreSeconds,
  };
}

/**
 * The DORA figures of a set of counts over `days` days: the sums added up,
 * each mean divided once, rates absent where nothing was counted.
 */
export function doraFigures(counts: Sums[], days: number): DoraFigures {
  const total = counts.reduce(add, ZERO);
  const mean = (sum: number, samples: number) =>
    samples > 0 ? sum / samples : undefined;
  const figures: DoraFigures = {
    deployments: total.deployments,
    succeeded: total.succeeded,
    failed: total.failed,
    deploymentsPerDay: days > 0 ? total.deployments / days : 0,
    leadTimeSamples: total.leadTimeSamples,
    restores: total.restores,
  };
  const optional = {
    changeFailureRate: mean(total.failed, total.deployments),
    meanDeploySeconds: mean(total.deploySeconds, total.succeeded),
    meanLeadTimeSeconds: mean(total.leadTimeSeconds, total.leadTimeSamples),
    meanTimeToRestoreSeconds: mean(total.restoreSeconds, total.restores),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) {
      (figures as Record<string, number>)[key] = value;
    }
  }
  return figures;
}

/** Groups counts by a key and gives each group's figures. */
export function groupFigures<T extends DoraCounts, K extends object>(
  counts: T[],
  keyOf: (count: T) => K,
  days: number,
): Array<DoraFigures & K> {
  const groups = new Map<string, { key: K; members: T[] }>();
  for (const count of counts) {
    const key = keyOf(count);
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, members: [] };
    group.members.push(count);
    groups.set(id, group);
  }
  return [...groups.values()].map(({ key, members }) => ({
    ...key,
    ...doraFigures(members, days),
  }));
}

/** Per team and environment: by team, then in the environments' order. */
export function doraByTeam(
  counts: EntityDoraCounts[],
  teamOf: (entityRef: string) => string,
  order: readonly EnvironmentName[],
  days: number,
) {
  const byEnvironment = compareEnvironments(order);
  return groupFigures(
    counts,
    c => ({ team: teamOf(c.entityRef), environment: c.environment }),
    days,
  ).sort(
    (a, b) =>
      a.team.localeCompare(b.team) ||
      byEnvironment(a.environment, b.environment),
  );
}
