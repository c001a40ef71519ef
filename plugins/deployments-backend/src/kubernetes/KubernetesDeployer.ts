import {
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import {
  FIELD_MANAGER,
  LiveDeploymentState,
  RenderedManifest,
} from '@internal/backstage-plugin-deployments-common';
import { liveStateOf } from './liveState';
import { mapKubernetesError } from './errors';

/** How a rollout ended. */
export type RolloutResult =
  | { ready: true; revision?: string }
  | { ready: false; reason: string };

/** What the cluster runs now, for the UI. */
export type LiveState = LiveDeploymentState;

const RESTART_MANAGER = `${FIELD_MANAGER}-restart`;

function objectKey(m: KubernetesObject) {
  return `${m.kind}/${m.metadata?.name}`;
}

/**
 * Applies rendered manifests to one cluster with server-side apply (one field
 * manager), follows rollouts by watching, restarts, deletes and reads live
 * state. Every failure comes back as a Backstage error (see errors.ts).
 */
export class KubernetesDeployer {
  private readonly objects: KubernetesObjectApi;

  constructor(
    private readonly cluster: string,
    private readonly kubeConfig: KubeConfig,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  private fail(error: unknown, what: string, namespace?: string): never {
    throw mapKubernetesError(error, { cluster: this.cluster, namespace, what });
  }

  /** Server-side apply of every manifest, in order. */
  async apply(
    manifests: RenderedManifest[],
    options: { dryRun?: boolean } = {},
  ): Promise<KubernetesObject[]> {
    const applied: KubernetesObject[] = [];
    for (const manifest of manifests) {
      try {
        applied.push(
          await this.objects.patch(
            manifest as KubernetesObject,
            undefined,
            options.dryRun ? 'All' : undefined,
            FIELD_MANAGER,
            true,
            PatchStrategy.ServerSideApply,
          ),
        );
      } catch (error) {
        this.fail(
          error,
          `apply ${objectKey(manifest as KubernetesObject)}`,
          manifest.metadata?.namespace,
        );
      }
    }
    return applied;
  }

  /** Deletes objects of `previous` that `next` no longer contains. */
  async prune(previous: RenderedManifest[], next: RenderedManifest[]) {
    const keep = new Set(next.map(m => objectKey(m as KubernetesObject)));
    await this.delete(
      previous.filter(m => !keep.has(objectKey(m as KubernetesObject))),
    );
  }

  /** Deletes objects (foreground: dependents first); missing ones are fine. */
  async delete(manifests: RenderedManifest[]): Promise<void> {
    for (const manifest of [...manifests].reverse()) {
      try {
        await this.objects.delete(
          manifest as KubernetesObject,
          undefined,
          undefined,
          undefined,
          undefined,
          'Foreground',
        );
      } catch (error) {
        if ((error as { code?: number }).code === 404) continue;
        this.fail(
          error,
          `delete ${objectKey(manifest as KubernetesObject)}`,
          manifest.metadata?.namespace,
        );
      }
    }
  }

  /** Reads the live version of an object, or undefined when absent. */
  async read(
    manifest: RenderedManifest,
  ): Promise<KubernetesObject | undefined> {
    try {
      return await this.objects.read(manifest as any);
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      return this.fail(
        error,
        `read ${objectKey(manifest as KubernetesObject)}`,
        manifest.metadata?.namespace,
      );
    }
  }

  /** Rolls the pods like `kubectl rollout restart`, under its own field manager. */
  async restart(namespace: string, name: string, at: Date): Promise<void> {
    try {
      await this.objects.patch(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace },
          spec: {
            template: {
              metadata: {
                annotations: {
                  'kubectl.kubernetes.io/restartedAt': at.toISOString(),
                },
              },
            },
          },
        } as KubernetesObject,
        undefined,
        undefined,
        RESTART_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      this.fail(error, `restart Deployment/${name}`, namespace);
    }
  }

  /** Namespaces of the cluster with their owner label. */
  async namespaces(): Promise<Array<{ name: string; owner?: string }>> {
    try {
      const list = await this.kubeConfig
        .makeApiClient(CoreV1Api)
        .listNamespace();
      return list.items.map(ns => ({
        name: ns.metadata!.name!,
        owner: ns.metadata?.labels?.['backstage.io/owner'],
      }));
    } catch (error) {
      return this.fail(error, 'list namespaces');
    }
  }

  async live(namespace: string, name: string): Promise<LiveState> {
    const deployment = (await this.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
    } as RenderedManifest)) as V1Deployment | undefined;
    if (!deployment) return { exists: false };
    return liveStateOf(deployment);
  }

  /**
   * Waits, by watching, until the Deployment's current generation is fully
   * rolled out and available, it reports ProgressDeadlineExceeded, the
   * timeout passes or the cluster goes away.
   */
  awaitRollout(
    namespace: string,
    name: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<RolloutResult> {
    return new Promise(resolve => {
      let settled = false;
      let request: { abort(): void } | undefined;
      let last = 'no status yet';
      const clock: { timer?: ReturnType<typeof setTimeout> } = {};
      const finish = (result: RolloutResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(clock.timer);
        request?.abort();
        resolve(result);
      };
      clock.timer = setTimeout(
        () =>
          finish({
            ready: false,
            reason: `rollout did not become ready within ${Math.round(
              options.timeoutMs / 1000,
            )}s (${last})`,
          }),
        options.timeoutMs,
      );
      options.signal?.addEventListener('abort', () =>
        finish({ ready: false, reason: 'rollout wait aborted' }),
      );
      new Watch(this.kubeConfig)
        .watch(
          `/apis/apps/v1/namespaces/${namespace}/deployments`,
          { fieldSelector: `metadata.name=${name}` },
          (type, deployment: V1Deployment) => {
            if (type === 'DELETED') {
              finish({
                ready: false,
                reason: 'the Deployment was deleted during the rollout',
              });
              return;
            }
            const spec = deployment.spec?.replicas ?? 1;
            const status = deployment.status ?? {};
            last = `${status.updatedReplicas ?? 0}/${spec} updated, ${
              status.availableReplicas ?? 0
            } available`;
            const stalled = status.conditions?.find(
              c =>
                c.type === 'Progressing' &&
                c.reason === 'ProgressDeadlineExceeded',
            );
            if (stalled) {
              finish({
                ready: false,
                reason: stalled.message ?? 'progress deadline exceeded',
              });
              return;
            }
            if (
              (status.observedGeneration ?? 0) >=
                (deployment.metadata?.generation ?? 0) &&
              (status.updatedReplicas ?? 0) === spec &&
              (status.replicas ?? 0) === spec &&
              (status.availableReplicas ?? 0) === spec
            ) {
              finish({
                ready: true,
                revision:
                  deployment.metadata?.annotations?.[
                    'deployment.kubernetes.io/revision'
                  ],
              });
            }
          },
          error => {
            if (settled || !error || (error as Error).name === 'AbortError')
              return;
            finish({
              ready: false,
              reason: mapKubernetesError(error, {
                cluster: this.cluster,
                namespace,
                what: `watch the rollout of Deployment/${name}`,
              }).message,
            });
          },
        )
        .then(
          r => {
            request = r;
            if (settled) r.abort();
          },
          error =>
            finish({
              ready: false,
              reason: mapKubernetesError(error, {
                cluster: this.cluster,
                namespace,
                what: `watch the rollout of Deployment/${name}`,
              }).message,
            }),
        );
    });
  }
}
