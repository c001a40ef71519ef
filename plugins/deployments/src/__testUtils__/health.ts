import {
  compareEnvironments,
  OTAP_ENVIRONMENT_NAMES,
  EntityHealth,
  EnvironmentHealth,
  EnvironmentName,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ENTITY_REF } from './deployments';

/** A healthy environment: every probe up, two ready pods, no warnings. */
export function healthyEnvironment(
  environment: EnvironmentName,
  overrides: Partial<EnvironmentHealth> = {},
): EnvironmentHealth {
  const target = `http://127.0.0.1:18081/${environment}`;
  return {
    environment,
    cluster: environment === 'production' ? 'local-prod' : 'local-nonprod',
    namespace: `payments-api-${environment}`,
    state: 'healthy',
    target,
    probes: {
      liveness: {
        status: 'up',
        url: `${target}/health`,
        httpStatus: 200,
        responseTimeMs: 12,
      },
      readiness: {
        status: 'up',
        url: `${target}/api/v2/ready`,
        httpStatus: 200,
        responseTimeMs: 18,
        database: 'connected',
      },
      info: {
        status: 'up',
        url: `${target}/api/v2/health`,
        httpStatus: 200,
        responseTimeMs: 9,
        environment,
        timestamp: '2026-11-24T12:00:00Z',
      },
    },
    pods: [
      {
        name: 'payments-api-7d9f-abcde',
        phase: 'Running',
        ready: true,
        restarts: 0,
        node: 'kwok-node-0',
      },
      {
        name: 'payments-api-7d9f-fghij',
        phase: 'Running',
        ready: true,
        restarts: 1,
        node: 'kwok-node-1',
      },
    ],
    events: [],
    checkedAt: '2026-11-24T12:00:01Z',
    durationMs: 240,
    ...overrides,
  };
}

/** A cluster that did not answer: nothing but the reason. */
export function unreachableEnvironment(
  environment: EnvironmentName,
  reason: string,
): EnvironmentHealth {
  return {
    environment,
    cluster: 'local-prod',
    namespace: `payments-api-${environment}`,
    state: 'unreachable',
    pods: [],
    events: [],
    kubernetesError: reason,
    probeError: 'no target: deployments/health-url is not reachable',
    checkedAt: '2026-11-24T12:00:05Z',
    durationMs: 5000,
  };
}

export function entityHealth(
  environments: EnvironmentHealth[],
  state: EntityHealth['state'] = 'degraded',
): EntityHealth {
  return { entityRef: ENTITY_REF, state, environments };
}

/** Production unreachable, acceptance degraded, test and development fine. */
export function mixedHealth(): EntityHealth {
  // As the backend answers: in the configured order.
  const environments = [
    unreachableEnvironment(
      'production',
      'unreachable: connect ETIMEDOUT 10.0.0.1:6443 after 5 s',
    ),
    healthyEnvironment('test'),
    healthyEnvironment('acceptance', {
      state: 'degraded',
      probes: {
        ...healthyEnvironment('acceptance').probes!,
        readiness: {
          status: 'down',
          url: 'http://127.0.0.1:18081/acceptance/api/v2/ready',
          httpStatus: 503,
          responseTimeMs: 31,
          database: 'disconnected',
          error: 'HTTP 503: not ready',
        },
      },
      pods: [
        {
          name: 'payments-api-5c4b-klmno',
          phase: 'Running',
          ready: false,
          restarts: 7,
        },
      ],
      events: [
        {
          object: 'Pod/payments-api-5c4b-klmno',
          reason: 'BackOff',
          message: 'Back-off restarting failed container',
          count: 7,
          lastSeen: '2026-11-24T11:59:00Z',
          suggestedFix:
            'The container keeps crashing: read its logs (kubectl logs --previous) and check DATABASE_URL',
        },
      ],
    }),
    healthyEnvironment('development'),
  ];
  const order = compareEnvironments(OTAP_ENVIRONMENT_NAMES);
  return entityHealth(
    environments.sort((a, b) => order(a.environment, b.environment)),
  );
}
