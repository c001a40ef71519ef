import {
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  V1Deployment,
} from '@kubernetes/client-node';
import {
  FIELD_MANAGER,
  LiveDeploymentState,
  RenderedManifest,
  SECRET_APPLICATION_LABEL,
} from '@deployments-portal/backstage-plugin-deployments-common';
import https from 'node:https';
import { httpGet } from '../health/httpGet';
import { liveStateOf } from './liveState';
import { mapKubernetesError } from './errors';
import { RawApi } from './RawApi';
import { followRollout, RolloutVerdict } from './RolloutWatch';

/** What the cluster runs now, for the UI. */
export type LiveState = LiveDeploymentState;

const RESTART_MANAGER = `${FIELD_MANAGER}-restart`;
/** Only the metadata of an object (for Secrets: never their data). */
const PARTIAL_METADATA =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export function objectKey(m: KubernetesObject | RenderedManifest) {
  return `${m.kind}/${m.metadata?.name}`;
}

/** The Deployment last: its pods start only once everything they use exists (also the order of a diff). */
export function applyOrder(manifests: RenderedManifest[]): RenderedManifest[] {
  return [
    ...manifests.filter(m => m.kind !== 'Deployment'),
    ...manifests.filter(m => m.kind === 'Deployment'),
  ];
}

/**
 * An apply that stopped half-way: `applied` went through before `failed`
 * was refused (`cause`, a Backstage error).
 */
export class PartialApplyError extends Error {
  constructor(
    readonly applied: RenderedManifest[],
    readonly failed: RenderedManifest,
    readonly cause: Error,
  ) {
    super(cause.message);
    this.name = 'PartialApplyError';
  }
}

/** An existing object the portal did not create for this application. */
export type UnmanagedObject = { object: string; managedBy: string };

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

  /**
   * Server-side apply of every manifest. A dry run sends them all at once;
   * a real apply sends every object but the Deployment at once and the
   * Deployment last, so its pods start only when what they use exists. A
   * refusal throws a PartialApplyError that says what was applied before.
   */
  async apply(
    manifests: RenderedManifest[],
    options: { dryRun?: boolean } = {},
  ): Promise<KubernetesObject[]> {
    const phases = options.dryRun
      ? [manifests]
      : [
          manifests.filter(m => m.kind !== 'Deployment'),
          manifests.filter(m => m.kind === 'Deployment'),
        ];
    const results = new Map<RenderedManifest, KubernetesObject>();
    for (const phase of phases) {
      const settled = await Promise.allSettled(
        phase.map(manifest => this.applyOne(manifest, options.dryRun)),
      );
      settled.forEach((result, i) => {
        if (result.status === 'fulfilled') results.set(phase[i], result.value);
      });
      const refused = settled.findIndex(r => r.status === 'rejected');
      if (refused >= 0) {
        const manifest = phase[refused];
        throw new PartialApplyError(
          manifests.filter(m => results.has(m)),
          manifest,
          mapKubernetesError(
            (settled[refused] as PromiseRejectedResult).reason,
            {
              cluster: this.cluster,
              namespace: manifest.metadata?.namespace,
              what: `${options.dryRun ? 'dry-run apply' : 'apply'} ${objectKey(
                manifest,
              )}`,
            },
          ),
        );
      }
    }
    return manifests.map(m => results.get(m)!);
  }

  /** Sent as rendered: the typed client drops fields its models rename (see RawApi). */
  private applyOne(manifest: RenderedManifest, dryRun?: boolean) {
    return RawApi.for(this.kubeConfig).apply<KubernetesObject>(manifest, {
      fieldManager: FIELD_MANAGER,
      dryRun,
    });
  }

  /**
   * The objects among `manifests` that exist and were not created by the
   * portal for `application`: without the portal's managed-by and
   * application labels, or never applied by its field manager.
   */
  async unmanaged(
    manifests: RenderedManifest[],
    application: string,
  ): Promise<UnmanagedObject[]> {
    const live = await Promise.all(manifests.map(m => this.read(m)));
    const unmanaged: UnmanagedObject[] = [];
    live.forEach((object, i) => {
      if (!object) return;
      const labels = object.metadata?.labels ?? {};
      const managers = (object.metadata?.managedFields ?? [])
        .filter(f => !f.subresource)
        .map(f => f.manager ?? 'unknown');
      const ours =
        labels['app.kubernetes.io/managed-by'] === FIELD_MANAGER &&
        labels['backstage.io/kubernetes-id'] === application &&
        managers.includes(FIELD_MANAGER);
      if (!ours) {
        unmanaged.push({
          object: objectKey(manifests[i]),
          managedBy:
            managers.filter(m => m !== FIELD_MANAGER).join(', ') ||
            labels['app.kubernetes.io/managed-by'] ||
            'unknown',
        });
      }
    });
    return unmanaged;
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

  /**
   * The Secrets `names` in `namespace`: the application each is labelled for
   * (`deployments/application`), or null when it does not exist. Read as
   * PartialObjectMetadata, so the API server never sends a Secret's data to
   * the portal.
   */
  async secrets(
    namespace: string,
    names: string[],
  ): Promise<Record<string, { application?: string } | null>> {
    const found: Record<string, { application?: string } | null> = {};
    const server = this.kubeConfig
      .getCurrentCluster()!
      .server.replace(/\/+$/, '');
    await Promise.all(
      [...new Set(names)].map(async name => {
        const requestOptions: https.RequestOptions = {};
        await this.kubeConfig.applyToHTTPSOptions(requestOptions);
        requestOptions.headers = {
          ...(requestOptions.headers as Record<string, string>),
          accept: PARTIAL_METADATA,
        };
        const answer = await httpGet(
          new URL(
            `${server}/api/v1/namespaces/${encodeURIComponent(
              namespace,
            )}/secrets/${encodeURIComponent(name)}`,
          ),
          { signal: AbortSignal.timeout(10_000), requestOptions },
        ).catch(error =>
          this.fail(error, `read the metadata of Secret/${name}`, namespace),
        );
        if (answer.status === 404) {
          found[name] = null;
          return;
        }
        if (answer.status !== 200) {
          this.fail(
            { code: answer.status, body: answer.body },
            `read the metadata of Secret/${name}`,
            namespace,
          );
        }
        const labels = (
          JSON.parse(answer.body) as {
            metadata?: { labels?: Record<string, string> };
          }
        ).metadata?.labels;
        const application = labels?.[SECRET_APPLICATION_LABEL];
        found[name] = application ? { application } : {};
      }),
    );
    return found;
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

  /** Follows a Deployment's rollout until a verdict (see RolloutWatch). */
  followRollout(
    namespace: string,
    name: string,
    options: {
      deadline: number;
      signal?: AbortSignal;
      onProgress?: (progress: string) => void;
    },
  ): Promise<RolloutVerdict> {
    return followRollout(
      this.kubeConfig,
      { cluster: this.cluster, namespace, name },
      options,
    );
  }
}
