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
/** How long the portal's token lives in tests (a test run is shorter). */
const PORTAL_TOKEN_SECONDS = 4 * 3600;

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
  return requestPortalToken(admin.makeApiClient(CoreV1Api));
}

/**
 * A short-lived token of the portal's service account from the TokenRequest
 * API (what `kubectl create token` does); no long-lived token Secret exists.
 */
async function requestPortalToken(
  core: CoreV1Api,
  expirationSeconds = PORTAL_TOKEN_SECONDS,
): Promise<string> {
  const request = await core.createNamespacedServiceAccountToken({
    name: 'backstage-portal',
    namespace: 'backstage-system',
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = request.status?.token;
  if (!token) {
    throw new Error('the TokenRequest for backstage-portal returned no token');
  }
  return token;
}

/** The cluster's CA certificate, base64 (for `caData` in app-config). */
export function caData(cluster: KubeSimCluster): string {
  return readFileSync(cluster.caFile).toString('base64');
}
