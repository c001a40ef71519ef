import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { EnvironmentHealth } from '@deployments-portal/backstage-plugin-deployments-common';
import { performance } from 'node:perf_hooks';
import { Notifier } from '../approvals/Notifier';
import { ApplicationCatalog } from '../catalog/ApplicationCatalog';
import { DeploymentStore } from '../store/DeploymentStore';
import { HealthObservation, HealthStateStore } from '../store/HealthStateStore';
import { DefaultHealthService } from './DefaultHealthService';
import { Limiter } from './Limiter';

/** What one monitor run did. */
export type MonitorCycle = {
  applications: number;
  /** Application × environment pairs checked. */
  checks: number;
  /** State changes seen (timeline entries). */
  changed: number;
  /** Changes announced to the owners (held for the debounce window). */
  announced: number;
  durationMs: number;
};

/**
 * Checks the health contract and pods of every deployed application in
 * every environment where it runs, independent of page views, on the
 * scheduler's clock (one replica at a time): each result is an
 * observation for the HealthStateStore, whose timeline the Service Health
 * tab shows and whose states the Prometheus gauges export; a change that
 * held for the debounce window is announced to the owners once.
 */
export class HealthMonitor {
  static create(options: {
    records: DeploymentStore;
    states: HealthStateStore;
    health: DefaultHealthService;
    catalog: ApplicationCatalog;
    notifier: Notifier;
    logger: LoggerService;
    debounceSeconds: number;
  }): HealthMonitor {
    return new HealthMonitor(options);
  }

  /** Applications checked at once (their probes share the health limiter too). */
  private readonly limiter = new Limiter(4);

  private constructor(
    private readonly options: Parameters<typeof HealthMonitor.create>[0],
  ) {}

  async check(): Promise<MonitorCycle> {
    const started = performance.now();
    const { records, logger } = this.options;
    const environmentsOf = new Map<string, Set<string>>();
    for (const { record } of await records.runningEverywhere()) {
      const set = environmentsOf.get(record.entityRef) ?? new Set<string>();
      set.add(record.environment);
      environmentsOf.set(record.entityRef, set);
    }
    const cycle: MonitorCycle = {
      applications: environmentsOf.size,
      checks: 0,
      changed: 0,
      announced: 0,
      durationMs: 0,
    };
    await Promise.all(
      [...environmentsOf].map(([entityRef, environments]) =>
        this.limiter.run(async () => {
          try {
            await this.checkApplication(entityRef, [...environments], cycle);
          } catch (error) {
            logger.warn('Health monitor could not check an application', {
              entityRef,
              error: (error as Error).message,
            });
          }
        }),
      ),
    );
    cycle.durationMs = Math.round(performance.now() - started);
    logger.info('Health monitor run done', { ...cycle });
    return cycle;
  }

  private async checkApplication(
    entityRef: string,
    environments: string[],
    cycle: MonitorCycle,
  ) {
    const { states, health, catalog, notifier, debounceSeconds } = this.options;
    let entity: Entity;
    try {
      entity = await catalog.application(entityRef);
    } catch {
      return; // Gone from the catalog: nobody to show or tell.
    }
    const results = await health.monitor(entity, environments);
    for (const result of results) {
      cycle.checks += 1;
      const { changed, announce } = await states.observe(
        entityRef,
        result.environment,
        observationOf(result),
        { debounceMs: debounceSeconds * 1000 },
      );
      if (changed) cycle.changed += 1;
      if (announce) {
        cycle.announced += 1;
        notifier.health(entityRef, result.environment, announce);
      }
    }
  }
}

/** What a check found, in the store's terms. */
export function observationOf(result: EnvironmentHealth): HealthObservation {
  const probes = result.probes;
  return {
    state: result.state,
    reason: reasonOf(result),
    ...(probes
      ? {
          up: probes.liveness.status === 'up',
          ready: probes.readiness.status === 'up',
          ...(probes.readiness.responseTimeMs !== undefined
            ? { probeMs: probes.readiness.responseTimeMs }
            : {}),
        }
      : {}),
  };
}

/** Why an environment is not healthy, in words (undefined when it is). */
export function reasonOf(result: EnvironmentHealth): string | undefined {
  if (result.state === 'healthy') return undefined;
  const probes = result.probes;
  const parts: string[] = [];
  if (probes) {
    for (const [name, probe] of [
      ['liveness', probes.liveness],
      ['readiness', probes.readiness],
    ] as const) {
      if (probe.status !== 'up') {
        parts.push(
          `${name} ${probe.status}${
            probe.httpStatus ? ` (${probe.httpStatus})` : ''
          }${probe.error ? `: ${probe.error}` : ''}`,
        );
      }
    }
  } else if (result.probeError) {
    parts.push(result.probeError);
  }
  const ready = result.pods.filter(p => p.ready).length;
  if (result.pods.length > 0 && ready < result.pods.length) {
    parts.push(`${ready}/${result.pods.length} pods ready`);
  }
  if (result.kubernetesError) parts.push(result.kubernetesError);
  return parts.join('; ') || result.state;
}
