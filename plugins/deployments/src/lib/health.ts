import {
  EnvironmentHealth,
  ProbeResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { unreachable } from './format';

/** The three probes of the health contract, with their default paths. */
export const PROBES = [
  { id: 'liveness', label: 'Liveness', path: '/health' },
  { id: 'readiness', label: 'Readiness', path: '/api/v2/ready' },
  { id: 'info', label: 'Info', path: '/api/v2/health' },
] as const;

function probeProblem(label: string, probe: ProbeResult): string | undefined {
  if (probe.status === 'up') {
    return undefined;
  }
  const detail =
    probe.error ?? (probe.httpStatus ? `HTTP ${probe.httpStatus}` : undefined);
  return `${label} ${probe.status}${detail ? `: ${detail}` : ''}`;
}

/**
 * What is wrong in one environment, in words, most fundamental first: an
 * unreachable cluster, then a service that was not probed or did not answer.
 */
export function environmentProblems(env: EnvironmentHealth): string[] {
  const problems: string[] = [];
  if (env.kubernetesError) {
    problems.push(unreachable(env.kubernetesError));
  }
  if (env.live?.error && env.live.error !== env.kubernetesError) {
    problems.push(unreachable(env.live.error));
  }
  if (env.probeError) {
    problems.push(`health contract not probed: ${env.probeError}`);
  }
  if (env.probes) {
    for (const { id, label } of PROBES) {
      const problem = probeProblem(label, env.probes[id]);
      if (problem) {
        problems.push(problem);
      }
    }
  }
  return problems;
}

/** The line to show for an environment that did not answer. */
export function unreachableReason(env: EnvironmentHealth): string {
  const [first] = environmentProblems(env);
  return unreachable(first ?? 'no answer from the cluster or the service');
}

/** `3/3` pods ready, or undefined when there are no pods to count. */
export function podsReady(env: EnvironmentHealth): string | undefined {
  if (env.pods.length === 0) {
    return undefined;
  }
  return `${env.pods.filter(p => p.ready).length}/${env.pods.length}`;
}
