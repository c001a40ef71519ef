import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CoreV1Api,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { KubeSimCluster, kubeConfigFor, repoRoot } from './cluster';

/**
 * Prepares a cluster the way `./portal start` does (the same seed script):
 * application namespaces and the portal's namespace-scoped service account.
 * Returns that account's token. Test suites sharing a cluster use their own
 * `namespacePrefix`.
 */
export async function seedPortalAccess(
  cluster: KubeSimCluster,
  environments: string[],
  options: { namespacePrefix?: string } = {},
): Promise<string> {
  const root = repoRoot();
  const list = JSON.parse(
    execFileSync(process.execPath, [
      resolve(root, 'tools/kube-sim/seed/portal-access.js'),
      `--prefix=${options.namespacePrefix ?? ''}`,
      resolve(root, 'examples/entities.yaml'),
      ...environments,
    ]).toString(),
  ) as { items: KubernetesObject[] };
  const admin = kubeConfigFor(cluster);
  const objects = KubernetesObjectApi.makeApiClient(admin);
  for (const item of list.items) {
    await objects.patch(
      item,
      undefined,
      undefined,
      'kube-sim-seed',
      true,
      PatchStrategy.ServerSideApply,
    );
  }
  const core = admin.makeApiClient(CoreV1Api);
  for (let i = 0; i < 100; i++) {
    const secret = await core.readNamespacedSecret({
      name: 'backstage-portal-token',
      namespace: 'backstage-system',
    });
    if (secret.data?.token) {
      return Buffer.from(secret.data.token, 'base64').toString();
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error('the backstage-portal service account token was not issued');
}

/** The cluster's CA certificate, base64 (for `caData` in app-config). */
export function caData(cluster: KubeSimCluster): string {
  return readFileSync(cluster.caFile).toString('base64');
}
