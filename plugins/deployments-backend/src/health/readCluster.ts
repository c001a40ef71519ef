import { KubeConfig } from '@kubernetes/client-node';
import { mapKubernetesError } from '../kubernetes/errors';
import { Check, CheckContext, ClusterOutcome } from './checkTypes';
import { readWorkload } from './readWorkload';
import { untilAborted } from './untilAborted';

/**
 * The pods and warning events of one environment, within the check's budget.
 * A cluster that did not answer within the same budget a moment ago is
 * reported unreachable at once (unless `refresh`); any failure becomes
 * `kubernetesError`, never an exception.
 */
export async function readCluster(
  context: CheckContext,
  check: Check,
): Promise<ClusterOutcome> {
  const { environment, namespace, signal, budgetMs } = check;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = context.clusters.kubeConfig(environment.cluster);
  } catch (error) {
    return {
      pods: [],
      events: [],
      kubernetesError: (error as Error).message,
    };
  }
  // Per budget: a cluster too slow for a short budget may suit a longer one.
  const memoryKey = `cluster:${environment.cluster}:${budgetMs}`;
  const since = check.refresh
    ? undefined
    : await context.unreachable.recall(memoryKey);
  if (since) {
    return {
      pods: [],
      events: [],
      kubernetesError: `unreachable: cluster ${
        environment.cluster
      } did not answer within ${budgetMs} ms (${context.unreachable.describe(
        since,
      )})`,
    };
  }
  try {
    const workload = await untilAborted(
      readWorkload(kubeConfig, {
        cluster: environment.cluster,
        namespace,
        kubernetesId: check.kubernetesId,
        signal,
      }),
      signal,
    );
    context.unreachable.forget(memoryKey);
    return workload;
  } catch (error) {
    if (signal.aborted) {
      context.unreachable.remember(memoryKey);
      return {
        pods: [],
        events: [],
        kubernetesError: `unreachable: cluster ${environment.cluster} did not answer within ${budgetMs} ms`,
      };
    }
    const mapped = mapKubernetesError(error, {
      cluster: environment.cluster,
      namespace,
      what: 'read pods and events',
    }) as Error & { code?: string };
    return {
      pods: [],
      events: [],
      kubernetesError:
        mapped.code === 'cluster-unreachable'
          ? `unreachable: ${mapped.message}`
          : mapped.message,
    };
  }
}
