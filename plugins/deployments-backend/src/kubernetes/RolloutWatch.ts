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

type FollowOptions = {
  /** Epoch milliseconds: when a rollout that is not ready counts as failed. */
  deadline: number;
  signal?: AbortSignal;
  /** Called with each new progress text, e.g. "1/2 updated, 1 available". */
  onProgress?: (progress: string) => void;
};

/** One rollout being followed: its last progress, reachability and watch. */
class RolloutFollower {
  private readonly stop = new AbortController();
  private readonly apps: AppsV1Api;
  private readonly watch: Watch;
  private readonly path: string;
  private readonly fieldSelector: string;
  private settled = false;
  private progress = 'no status yet';
  private reachable = true;
  private lastError = '';
  private resourceVersion = '';
  private backoff = 250;
  private resolve: (verdict: RolloutVerdict) => void = () => {};
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    kubeConfig: KubeConfig,
    private readonly target: {
      cluster: string;
      namespace: string;
      name: string;
    },
    private readonly options: FollowOptions,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.watch = new Watch(kubeConfig);
    this.path = `/apis/apps/v1/namespaces/${target.namespace}/deployments`;
    this.fieldSelector = `metadata.name=${target.name}`;
  }

  verdict(): Promise<RolloutVerdict> {
    return new Promise<RolloutVerdict>(resolve => {
      this.resolve = resolve;
      this.timer = setTimeout(
        () => this.atDeadline(),
        Math.max(0, this.options.deadline - Date.now()),
      );
      if (this.options.signal?.aborted) this.onAbort();
      this.options.signal?.addEventListener('abort', this.onAbort);
      this.run().catch(error =>
        this.finish({
          outcome: 'unreachable',
          reason: this.mapError(error),
        }),
      );
    });
  }

  private readonly onAbort = () =>
    this.finish({
      outcome: 'aborted',
      reason: 'stopped following the rollout',
    });

  private atDeadline() {
    this.finish(
      this.reachable
        ? // What the rollout had reached by then.
          { outcome: 'timeout', reason: this.progress }
        : {
            outcome: 'unreachable',
            reason: `the rollout could not be followed until the deadline: ${this.lastError}`,
          },
    );
  }

  private finish(verdict: RolloutVerdict) {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.stop.abort();
    this.resolve(verdict);
  }

  private mapError(error: unknown): string {
    return mapKubernetesError(error, {
      cluster: this.target.cluster,
      namespace: this.target.namespace,
      what: `watch the rollout of Deployment/${this.target.name}`,
    }).message;
  }

  private observe(deployment: V1Deployment | undefined) {
    if (!deployment) {
      this.finish({
        outcome: 'deleted',
        reason: 'the Deployment was deleted during the rollout',
      });
      return;
    }
    const state = assess(deployment);
    if (state.progress !== this.progress) {
      this.progress = state.progress;
      this.options.onProgress?.(this.progress);
    }
    if (state.stalled) {
      this.finish({ outcome: 'stalled', reason: state.stalled });
    } else if (state.ready) {
      this.finish({
        outcome: 'ready',
        revision:
          deployment.metadata?.annotations?.[
            'deployment.kubernetes.io/revision'
          ],
      });
    }
  }

  private async run() {
    while (!this.settled) {
      try {
        await this.round();
      } catch (error) {
        if (this.settled) return;
        if (isGone(error)) {
          this.resourceVersion = '';
          continue;
        }
        this.reachable = false;
        this.lastError = this.mapError(error);
        // Ask again from scratch once the cluster answers.
        this.resourceVersion = '';
        await this.pause();
      }
    }
  }

  /** A list (when there is no resourceVersion) and one watch until it closes. */
  private async round() {
    if (!this.resourceVersion) {
      const list = await this.apps.listNamespacedDeployment({
        namespace: this.target.namespace,
        fieldSelector: this.fieldSelector,
      });
      this.reachable = true;
      this.observe(list.items[0]);
      this.resourceVersion = list.metadata?.resourceVersion ?? '';
      if (this.settled) return;
    }
    const opened = Date.now();
    const closed = await this.watchOnce();
    if (this.settled) return;
    if (isGone(closed)) {
      this.resourceVersion = '';
    } else if (closed) {
      throw closed;
    } else if (Date.now() - opened < 200) {
      // Closed cleanly (server time-out, a proxy or load balancer): the next
      // round watches again from the last resourceVersion, at once unless
      // the connection keeps closing right after it opened.
      await this.pause();
    }
  }

  /** Watches from the last resourceVersion; resolves with how it closed. */
  private watchOnce(): Promise<unknown> {
    return new Promise<unknown>((closedWith, failed) => {
      let done = false;
      this.watch
        .watch(
          this.path,
          {
            fieldSelector: this.fieldSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
          },
          (type: string, object: any) => this.onEvent(type, object),
          error => {
            done = true;
            closedWith(error ?? null);
          },
        )
        .then(request => {
          // watch() also returns after a refused request (done first).
          if (!done) {
            this.reachable = true;
            this.backoff = 250;
          }
          this.stop.signal.addEventListener('abort', () => request.abort());
          if (this.stop.signal.aborted) request.abort();
        }, failed);
    });
  }

  private onEvent(type: string, object: any) {
    if (type === 'ERROR') {
      // 410: the resourceVersion is too old; the server closes the watch.
      if (object?.code === 410) this.resourceVersion = '';
      return;
    }
    this.resourceVersion =
      object?.metadata?.resourceVersion ?? this.resourceVersion;
    if (type === 'BOOKMARK') return;
    this.observe(type === 'DELETED' ? undefined : object);
  }

  private async pause() {
    await sleep(this.backoff, this.stop.signal);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }
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
  options: FollowOptions,
): Promise<RolloutVerdict> {
  return new RolloutFollower(kubeConfig, target, options).verdict();
}
