import {
  HealthContractResult,
  HealthState,
  LiveDeploymentState,
  PodSummary,
  WarningEvent,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** What an environment's state is decided from. */
export type EnvironmentFindings = {
  /** Absent when no target was probed. */
  probes?: HealthContractResult;
  pods: PodSummary[];
  events: WarningEvent[];
  live?: LiveDeploymentState;
  /** Set when the cluster could not be read. */
  kubernetesError?: string;
};

/**
 * The state of one environment (see HealthState in views.ts):
 *
 * - `unreachable`: no probe got an answer (or none was made) and the cluster
 *   could not be read either;
 * - `not-deployed`: nothing answers and the cluster has no pod or Deployment
 *   of the application;
 * - `unhealthy`: liveness or readiness is not up while something answers
 *   (a service that is not ready gets no traffic), or the cluster shows the
 *   application without a single ready pod;
 * - `degraded`: serving, but the information endpoint is not up, pods are
 *   not all ready, there are warnings, or the cluster could not be read;
 * - `healthy`: everything probed is up and the pods (if any) are ready.
 */
export function environmentState(findings: EnvironmentFindings): HealthState {
  const { probes, pods, events, live, kubernetesError } = findings;
  const clusterRead = kubernetesError === undefined;
  const deployed = pods.length > 0 || live?.exists === true;
  const readyPods = pods.filter(p => p.ready).length;
  const podsNotAllReady =
    readyPods < pods.length ||
    (live?.exists === true &&
      live.replicas !== undefined &&
      (live.readyReplicas ?? 0) < live.replicas);

  if (!probes) {
    if (!clusterRead) return 'unreachable';
    if (!deployed) return 'not-deployed';
    if (readyPods === 0) return 'unhealthy';
    if (podsNotAllReady || events.length > 0) return 'degraded';
    return 'healthy';
  }

  const results = [probes.liveness, probes.readiness, probes.info];
  if (results.every(r => r.status === 'unreachable')) {
    if (!clusterRead) return 'unreachable';
    if (!deployed) return 'not-deployed';
    return 'unhealthy';
  }
  if (probes.liveness.status !== 'up' || probes.readiness.status !== 'up') {
    return 'unhealthy';
  }
  if (clusterRead && deployed && readyPods === 0 && pods.length > 0) {
    return 'unhealthy';
  }
  if (
    probes.info.status !== 'up' ||
    !clusterRead ||
    podsNotAllReady ||
    events.length > 0
  ) {
    return 'degraded';
  }
  return 'healthy';
}

/**
 * The state across environments: `not-deployed` when it runs nowhere,
 * `unreachable` when every environment it runs in is, otherwise the worst of
 * the rest (an unreachable environment among reachable ones counts as
 * degraded).
 */
export function overallState(states: HealthState[]): HealthState {
  const deployed = states.filter(s => s !== 'not-deployed');
  if (deployed.length === 0) return 'not-deployed';
  if (deployed.every(s => s === 'unreachable')) return 'unreachable';
  if (deployed.includes('unhealthy')) return 'unhealthy';
  if (deployed.some(s => s === 'degraded' || s === 'unreachable')) {
    return 'degraded';
  }
  return 'healthy';
}
