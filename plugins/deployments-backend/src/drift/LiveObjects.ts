import { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '@deployments-portal/backstage-plugin-deployments-common';
import { Limiter } from '../health/Limiter';
import { RawApi } from '../kubernetes/RawApi';

/** A kind of object to read: `apps/v1` `Deployment`. */
export type ObjectKind = { apiVersion: string; kind: string };

const PAGE = 500;

/** Where an object is found in what `read` returns. */
export function liveKey(kind: string, namespace: string, name: string) {
  return `${kind}/${namespace}/${name}`;
}

/**
 * Reads every object the portal manages in one cluster, by kind, with the
 * portal's managed-by label: one list of the whole cluster per kind where
 * the portal may list cluster-wide, else one per namespace (the portal's
 * account reads ConfigMaps, ServiceAccounts and the like only in
 * application namespaces). The number of API requests therefore grows
 * with kinds and namespaces, never with fields or pods; `requests` counts
 * them.
 */
export class LiveObjects {
  /** Kinds this account may not list cluster-wide (learnt from a 403). */
  private readonly namespacedOnly = new Set<string>();
  private readonly limiter = new Limiter(8);
  private readonly api: RawApi;

  constructor(kubeConfig: KubeConfig) {
    this.api = RawApi.for(kubeConfig);
  }

  /** API requests sent to this cluster so far. */
  get requests(): number {
    return this.api.requests;
  }

  async read(
    kinds: ObjectKind[],
    namespaces: string[],
  ): Promise<Map<string, KubernetesObject>> {
    const found = new Map<string, KubernetesObject>();
    const wanted = new Set(namespaces);
    await Promise.all(
      kinds.map(async kind => {
        const items = await this.readKind(kind, namespaces);
        for (const item of items) {
          const namespace = item.metadata?.namespace ?? '';
          if (!wanted.has(namespace)) continue;
          found.set(liveKey(kind.kind, namespace, item.metadata!.name!), item);
        }
      }),
    );
    return found;
  }

  private async readKind(
    kind: ObjectKind,
    namespaces: string[],
  ): Promise<KubernetesObject[]> {
    const id = `${kind.apiVersion}/${kind.kind}`;
    const resource = await this.api.resource(kind.apiVersion, kind.kind);
    if (!resource.namespaced || !this.namespacedOnly.has(id)) {
      try {
        return await this.list(kind);
      } catch (error) {
        if (statusOf(error) !== 403 || !resource.namespaced) throw error;
        this.namespacedOnly.add(id);
      }
    }
    const lists = await Promise.all(
      namespaces.map(namespace =>
        this.limiter.run(() =>
          this.list(kind, namespace).catch(error => {
            // A namespace that is gone holds nothing: its objects are missing.
            if (statusOf(error) === 404) return [];
            throw error;
          }),
        ),
      ),
    );
    return lists.flat();
  }

  private async list(
    kind: ObjectKind,
    namespace?: string,
  ): Promise<KubernetesObject[]> {
    const path = await this.api.objectPath({
      ...kind,
      metadata: { namespace },
    });
    const items: KubernetesObject[] = [];
    let continueToken: string | undefined;
    do {
      const query = new URLSearchParams({
        labelSelector: `app.kubernetes.io/managed-by=${FIELD_MANAGER}`,
        limit: String(PAGE),
        ...(continueToken ? { continue: continueToken } : {}),
      });
      const page = (await this.api.request('GET', `${path}?${query}`)) as {
        items?: KubernetesObject[];
        metadata?: { continue?: string };
      };
      for (const item of page.items ?? []) {
        // List items come without kind and apiVersion.
        items.push({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
      }
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return items;
  }
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
