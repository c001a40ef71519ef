import { LoggerService } from '@backstage/backend-plugin-api';
import { metrics } from '@opentelemetry/api';
import { HealthStateStore } from '../store/HealthStateStore';

/** The Prometheus names of the health gauges (docs/alerts use them). */
export const HEALTH_METRICS = {
  up: 'deployments_service_up',
  ready: 'deployments_service_ready',
  healthy: 'deployments_service_healthy',
  probe: 'deployments_service_probe_seconds',
} as const;

/**
 * Gauges of what the health monitor last saw, per application and
 * environment, read from the database when metrics are collected: every
 * replica exports the same values (alert on `max by (application,
 * environment)`), whichever ran the monitor.
 */
export function registerHealthGauges(
  states: HealthStateStore,
  logger: LoggerService,
) {
  const meter = metrics.getMeter('backstage-plugin-deployments');
  const up = meter.createObservableGauge(HEALTH_METRICS.up, {
    description:
      'Liveness (GET /health) of the application answered 200 at the last monitor run (1) or not (0)',
  });
  const ready = meter.createObservableGauge(HEALTH_METRICS.ready, {
    description:
      'Readiness (GET /api/v2/ready) of the application answered 200 at the last monitor run (1) or not (0)',
  });
  const healthy = meter.createObservableGauge(HEALTH_METRICS.healthy, {
    description:
      'The application was healthy (contract and pods) at the last monitor run (1) or not (0)',
  });
  const probe = meter.createObservableGauge(HEALTH_METRICS.probe, {
    description: 'Response time of the readiness probe at the last monitor run',
    unit: 's',
  });
  meter.addBatchObservableCallback(
    async result => {
      let all;
      try {
        all = await states.states();
      } catch (error) {
        logger.warn('Health gauges could not be read', {
          error: (error as Error).message,
        });
        return;
      }
      for (const state of all) {
        const attributes = {
          application: state.entityRef,
          environment: state.environment,
        };
        result.observe(healthy, state.state === 'healthy' ? 1 : 0, attributes);
        if (state.up !== undefined) {
          result.observe(up, state.up ? 1 : 0, attributes);
        }
        if (state.ready !== undefined) {
          result.observe(ready, state.ready ? 1 : 0, attributes);
        }
        if (state.probeMs !== undefined) {
          result.observe(probe, state.probeMs / 1000, attributes);
        }
      }
    },
    [up, ready, healthy, probe],
  );
}
