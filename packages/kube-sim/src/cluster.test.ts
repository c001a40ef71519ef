import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import { kubeConfigFor, startCluster, stopCluster } from './cluster';
import { getTestCluster } from './jest/testCluster';

const run = promisify(execFile);

// Cluster start-ups and rollouts take seconds, more on a busy machine.
jest.setTimeout(180_000);

function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

/** Resolves once the Deployment reports Available with all replicas ready. */
function awaitAvailable(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<V1Deployment> {
  return new Promise((resolvePromise, reject) => {
    let request: { abort(): void } | undefined;
    const timer = setTimeout(() => {
      request?.abort();
      reject(
        new Error(
          `Deployment ${namespace}/${name} not Available in ${timeoutMs}ms`,
        ),
      );
    }, timeoutMs);
    new Watch(kc)
      .watch(
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        { fieldSelector: `metadata.name=${name}` },
        (_type, deployment: V1Deployment) => {
          const available = deployment.status?.conditions?.some(
            c => c.type === 'Available' && c.status === 'True',
          );
          if (
            available &&
            deployment.status?.readyReplicas === deployment.spec?.replicas &&
            deployment.status?.updatedReplicas === deployment.spec?.replicas
          ) {
            clearTimeout(timer);
            request?.abort();
            resolvePromise(deployment);
          }
        },
        err => {
          if (err && err.name !== 'AbortError') {
            clearTimeout(timer);
            reject(err);
          }
        },
      )
      .then(r => {
        request = r;
      }, reject);
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise(resolvePromise => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () =>
      server.close(() => resolvePromise(true)),
    );
  });
}

/**
 * Whether pid is a running process. A zombie (exited, waiting for its parent
 * to reap it) holds no ports or memory and does not count.
 */
function processIsAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('kube-sim cluster', () => {
  const cluster = getTestCluster();
  const admin = kubeConfigFor(cluster);

  it('rolls out a 2-replica Deployment to Available, and kubectl agrees', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const apps = admin.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'rollout' } } });

    await apps.createNamespacedDeployment({
      namespace: 'rollout',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });

    const deployment = await awaitAvailable(admin, 'rollout', 'web', 60_000);
    expect(deployment.status?.readyReplicas).toBe(2);

    const pods = await core.listNamespacedPod({ namespace: 'rollout' });
    expect(pods.items).toHaveLength(2);
    // Scheduled onto the cluster's fake (kwok) nodes.
    const nodes = (await core.listNode()).items.map(n => n.metadata?.name);
    expect(nodes.length).toBeGreaterThan(0);
    for (const pod of pods.items) {
      expect(nodes).toContain(pod.spec?.nodeName);
    }
    expect(pods.items.every(p => p.status?.phase === 'Running')).toBe(true);

    const { stdout } = await run('kubectl', [
      `--kubeconfig=${cluster.kubeconfig}`,
      '--namespace=rollout',
      'rollout',
      'status',
      'deployment/web',
      '--timeout=30s',
    ]);
    expect(stdout).toContain('deployment "web" successfully rolled out');
  });

  it('keeps a pod that never becomes ready out of Available', async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'stuck' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'stuck' } },
          template: {
            metadata: { labels: { app: 'stuck' } },
            spec: {
              containers: [{ name: 'stuck', image: 'acme/unready:1.0' }],
            },
          },
        },
      },
    });

    await expect(
      awaitAvailable(admin, 'default', 'stuck', 5_000),
    ).rejects.toThrow('not Available');
  });

  it('answers 403 to a token without rights', async () => {
    const nobody = kubeConfigFor(cluster, cluster.nobodyToken);
    const error = await nobody
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch(e => e);
    expect(statusCode(error)).toBe(403);
  });

  it('confines a namespaced service account to its namespace', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    for (const name of ['team-a', 'team-b']) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
    await core.createNamespacedServiceAccount({
      namespace: 'team-a',
      body: { metadata: { name: 'deployer' } },
    });
    await rbac.createNamespacedRole({
      namespace: 'team-a',
      body: {
        metadata: { name: 'deployer' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'team-a',
      body: {
        metadata: { name: 'deployer' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'deployer',
        },
        subjects: [
          { kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' },
        ],
      },
    });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace: 'team-a',
      name: 'deployer',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const deployer = kubeConfigFor(
      cluster,
      tokenRequest.status!.token,
    ).makeApiClient(CoreV1Api);
    const configMap = (namespace: string) => ({
      namespace,
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });

    await expect(
      deployer.createNamespacedConfigMap(configMap('team-a')),
    ).resolves.toMatchObject({ metadata: { name: 'settings' } });
    const error = await deployer
      .createNamespacedConfigMap(configMap('team-b'))
      .catch(e => e);
    expect(statusCode(error)).toBe(403);
  });

  it('stops without leftover processes or ports, and starts again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kube-sim-restart-'));
    try {
      const first = await startCluster({ name: 'restart', stateDir });
      await stopCluster({ name: 'restart', stateDir });

      for (const pid of Object.values(first.pids)) {
        expect({ pid, alive: processIsAlive(pid) }).toEqual({
          pid,
          alive: false,
        });
      }
      for (const port of Object.values(first.ports)) {
        expect({ port, free: await portIsFree(port) }).toEqual({
          port,
          free: true,
        });
      }

      const second = await startCluster({ name: 'restart', stateDir });
      const nodes = await kubeConfigFor(second)
        .makeApiClient(CoreV1Api)
        .listNode();
      expect(nodes.items).toHaveLength(2);
      await stopCluster({ name: 'restart', stateDir });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
