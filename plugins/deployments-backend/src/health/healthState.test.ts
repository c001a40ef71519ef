import {
  HealthContractResult,
  HealthState,
  PodSummary,
  ProbeStatus,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  EnvironmentFindings,
  environmentState,
  overallState,
} from './healthState';

function probes(
  liveness: ProbeStatus,
  readiness: ProbeStatus = liveness,
  info: ProbeStatus = liveness,
): HealthContractResult {
  return {
    liveness: { status: liveness, url: 'http://x/health' },
    readiness: { status: readiness, url: 'http://x/api/v2/ready' },
    info: { status: info, url: 'http://x/api/v2/health' },
  };
}

const ready: PodSummary = {
  name: 'a',
  phase: 'Running',
  ready: true,
  restarts: 0,
};
const notReady: PodSummary = {
  name: 'b',
  phase: 'Running',
  ready: false,
  restarts: 4,
};
const warning = { object: 'Pod/a', reason: 'BackOff', message: 'x', count: 1 };

const cases: Array<[string, Partial<EnvironmentFindings>, HealthState]> = [
  ['all up, pods ready', { probes: probes('up'), pods: [ready] }, 'healthy'],
  [
    'all up, nothing in the cluster (served elsewhere)',
    { probes: probes('up'), pods: [] },
    'healthy',
  ],
  [
    'readiness down (no traffic reaches it)',
    { probes: probes('up', 'down'), pods: [ready] },
    'unhealthy',
  ],
  [
    'information endpoint down',
    { probes: probes('up', 'up', 'down'), pods: [ready] },
    'degraded',
  ],
  [
    'a pod not ready',
    { probes: probes('up'), pods: [ready, notReady] },
    'degraded',
  ],
  [
    'a warning',
    { probes: probes('up'), pods: [ready], events: [warning] },
    'degraded',
  ],
  [
    'cluster unreadable but service up',
    { probes: probes('up'), pods: [], kubernetesError: 'unreachable: x' },
    'degraded',
  ],
  [
    'liveness down',
    { probes: probes('down', 'up', 'up'), pods: [ready] },
    'unhealthy',
  ],
  [
    'liveness unreachable while others answer',
    { probes: probes('unreachable', 'down', 'up'), pods: [] },
    'unhealthy',
  ],
  ['no ready pod', { probes: probes('up'), pods: [notReady] }, 'unhealthy'],
  [
    'nothing answers, pods exist',
    { probes: probes('unreachable'), pods: [ready] },
    'unhealthy',
  ],
  [
    'nothing answers, nothing deployed',
    { probes: probes('unreachable'), pods: [] },
    'not-deployed',
  ],
  [
    'nothing answers, cluster unreachable',
    {
      probes: probes('unreachable'),
      pods: [],
      kubernetesError: 'unreachable: x',
    },
    'unreachable',
  ],
  [
    'no target, cluster unreachable',
    { pods: [], kubernetesError: 'unreachable: x' },
    'unreachable',
  ],
  ['no target, nothing deployed', { pods: [] }, 'not-deployed'],
  ['no target, pods ready', { pods: [ready] }, 'healthy'],
  ['no target, pods not all ready', { pods: [ready, notReady] }, 'degraded'],
  ['no target, no ready pod', { pods: [notReady] }, 'unhealthy'],
  [
    'no target, Deployment short of replicas',
    { pods: [ready], live: { exists: true, replicas: 3, readyReplicas: 1 } },
    'degraded',
  ],
];

describe('environmentState', () => {
  it.each(cases)('%s', (_label, findings, expected) => {
    expect(environmentState({ pods: [], events: [], ...findings })).toBe(
      expected,
    );
  });
});

describe('overallState', () => {
  it.each([
    [['healthy', 'healthy'], 'healthy'],
    [['healthy', 'not-deployed'], 'healthy'],
    [['not-deployed', 'not-deployed'], 'not-deployed'],
    [[], 'not-deployed'],
    [['unreachable', 'not-deployed'], 'unreachable'],
    [['healthy', 'unreachable'], 'degraded'],
    [['healthy', 'degraded'], 'degraded'],
    [['degraded', 'unhealthy', 'unreachable'], 'unhealthy'],
  ] as const)('%j is %s', (states, expected) => {
    expect(overallState([...states])).toBe(expected);
  });
});
