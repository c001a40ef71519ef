import {
  AppsV1Api,
  KubeConfig,
  V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import { mapKubernetesError } from './errors';

/**
 * How following a rollout ended. `stalled`, `timeout` and `deleted` are real
 * failures of the new version (the engine may roll back); `unreachable`
 * means the cluster could not be asked until the deadline (nothing is known
 * about the version: no automatic rollback); `aborted` means the follower was
 * stopped (shutdown, lease lost) and the change is resumed elsewhere.
 */
export type RolloutVerdict =
  | { outcome: 'ready'; revision?: string }
  | {
      outcome: 'stalled' | 'timeout' | 'deleted' | 'unreachable' | 'aborted';
      reason: string;
    };

const MAX_BACKOFF_MS = 5000;

function isGone(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: number };
  return e?.statusCode === 410 || e?.code === 410;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Whether a Deployment's current generation is fully rolled out and available. */
function assess(deployment: V1Deployment): {
  ready: boolean;
  stalled?: string;
  progress: string;
} {
  const spec = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const progress = `${status.updatedReplicas ?? 0}/${spec} updated, ${
    status.availableReplicas ?? 0
  } available`;
  const stalled = status.conditions?.find(
    c => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (stalled) {
    return {
      ready: false,
      stalled: stalled.message ?? 'progress deadline exceeded',
      progress,
    };
  }
  return {
    ready:
      (status.observedGeneration ?? 0) >=
        (deployment.metadata?.generation ?? 0) &&
      (status.updatedReplicas ?? 0) === spec &&
      (status.replicas ?? 0) === spec &&
      (status.availableReplicas ?? 0) === spec,
    progress,
  };
}

/**
 * Follows a Deployment's rollout until a verdict, by list + watch: a watch
 * that the API server or anything in between closes is re-established from
 * the last resourceVersion, `410 Gone` re-lists, and a connection error is
 * retried with backoff until the deadline. Only what the cluster says about
 * the Deployment (ready, stalled, deleted, still not ready at the deadline)
 * makes a verdict on the version; a cluster that cannot be reached until the
 * deadline makes `unreachable`.
 */
export function followRollout(
  kubeConfig: KubeConfig,
  target: { cluster: string; namespace: string; name: string },
  options: {
    /** Epoch milliseconds: when a rollout that is not ready counts as failed. */
    deadline: number;
    signal?: AbortSignal;
    /** Called with each new progress text, e.g. "1/2 updated, 1 available". */
    onProgress?: (progress: string) => void;
  },
): Promise<RolloutVerdict> {
  const { cluster, namespace, name } = target;
  const where = {
    cluster,
    namespace,
    what: `watch the rollout of Deployment/${name}`,
  };
  const stop = new AbortController();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const watch = new Watch(kubeConfig);
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments`;
  const fieldSelector = `metadata.name=${name}`;

  return new Promise<RolloutVerdict>(resolve => {
    let settled = false;
    let progress = 'no status yet';
    let reachable = true;
    let lastError = '';
    const finish = (verdict: RolloutVerdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      resolve(verdict);
    };
    const timer = setTimeout(
      () =>
        finish(
          reachable
            ? {
                outcome: 'timeout',
                // What the rollout had reached by then.
                reason: progress,
              }
            : {
                outcome: 'unreachable',
                reason: `the rollout could not be followed until the deadline: ${lastError}`,
              },
        ),
      Math.max(0, options.deadline - Date.now()),
    );
    const onAbort = () =>
      finish({ outcome: 'aborted', reason: 'stopped following the rollout' });
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);

    const observe = (deployment: V1Deployment | undefined) => {
      if (!deployment) {
        finish({
          outcome: 'deleted',
          reason: 'the Deployment was deleted during the rollout',
        });
        return;
      }
      const state = assess(deployment);
      if (state.progress !== progress) {
        progress = state.progress;
        options.onProgress?.(progress);
      }
      if (state.stalled) finish({ outcome: 'stalled', reason: state.stalled });
      else if (state.ready) {
        finish({
          outcome: 'ready',
          revision:
            deployment.metadata?.annotations?.[
              'deployment.kubernetes.io/revision'
            ],
        });
      }
    };

    const run = async () => {
      let resourceVersion = '';
      let backoff = 250;
      while (!settled) {
        try {
          if (!resourceVersion) {
            const list = await apps.listNamespacedDeployment({
              namespace,
              fieldSelector,
            });
            reachable = true;
            observe(list.items[0]);
            resourceVersion = list.metadata?.resourceVersion ?? '';
            if (settled) return;
          }
          const opened = Date.now();
          const closed = await new Promise<unknown>((closedWith, failed) => {
            let done = false;
            watch
              .watch(
                path,
                {
                  fieldSelector,
                  resourceVersion,
                  allowWatchBookmarks: true,
                },
                (type: string, object: any) => {
                  if (type === 'ERROR') {
                    // 410: the resourceVersion is too old; the server closes.
                    if (object?.code === 410) resourceVersion = '';
                    return;
                  }
                  resourceVersion =
                    object?.metadata?.resourceVersion ?? resourceVersion;
                  if (type === 'BOOKMARK') return;
                  observe(type === 'DELETED' ? undefined : object);
                },
                error => {
                  done = true;
                  closedWith(error ?? null);
                },
              )
              .then(request => {
                // watch() also returns after a refused request (done first).
                if (!done) {
                  reachable = true;
                  backoff = 250;
                }
                stop.signal.addEventListener('abort', () => request.abort());
                if (stop.signal.aborted) request.abort();
              }, failed);
          });
          if (settled) return;
          if (isGone(closed)) {
            resourceVersion = '';
          } else if (closed) {
            throw closed;
          }
          // Closed cleanly (server time-out, a proxy or load balancer): the
          // next round watches again from the last resourceVersion, at once
          // unless the connection keeps closing right after it opened.
          if (Date.now() - opened < 200) {
            await sleep(backoff, stop.signal);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          }
        } catch (error) {
          if (settled) return;
          if (isGone(error)) {
            resourceVersion = '';
            continue;
          }
          reachable = false;
          lastError = mapKubernetesError(error, where).message;
          // Ask again from scratch once the cluster answers.
          resourceVersion = '';
          await sleep(backoff, stop.signal);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    };
    run().catch(error =>
      finish({
        outcome: 'unreachable',
        reason: mapKubernetesError(error, where).message,
      }),
    );
  });
}
