/* eslint-disable no-console */
// The drift check over 500 deployments in two clusters (250 each, one
// namespace per deployment as the namespace pattern makes them), read with
// the portal's own least-privilege account: cluster-wide lists where it may,
// per-namespace lists where it may not (ConfigMaps, ServiceAccounts, …).
// 5% of the deployments are edited by another field manager first.
//   yarn bench:drift   (from the repository root; builds kube-sim first if needed)
// Targets: one cycle < 30 s; a small constant number of API requests per deployment.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  caData,
  kubeConfigFor,
  KubeSimCluster,
  seedPortalAccess,
  startCluster,
  stopCluster,
} from '@internal/kube-sim';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Notifier } from '../src/approvals/Notifier';
import { AuditLog } from '../src/audit/AuditLog';
import { DriftDetector } from '../src/drift/DriftDetector';
import { ClusterClients } from '../src/kubernetes/ClusterClients';
import { KubernetesDeployer } from '../src/kubernetes/KubernetesDeployer';
import { Targets } from '../src/kubernetes/Targets';
import { readEnvironments } from '../src/service/readEnvironments';
import { AuditStore } from '../src/store/AuditStore';
import { DeploymentStore } from '../src/store/DeploymentStore';
import { DriftStore } from '../src/store/DriftStore';

const PER_CLUSTER = Number(process.env.BENCH_DEPLOYMENTS ?? 500) / 2;
const CYCLES = Number(process.env.BENCH_CYCLES ?? 5);
const ENVIRONMENTS = ['development', 'test'] as const;

function manifestsFor(environment: string, index: number) {
  const parsed = parseDeploymentRequest({
    application: `component:default/app-${index}`,
    environment,
    namespace: `app-${index}-${environment}`,
    name: `app-${index}`,
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
    replicas: 1,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ENVIRONMENT', value: environment }],
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return {
    request: parsed.request,
    manifests: renderManifests(parsed.request, {
      owner: 'group:default/team-payments',
    }),
  };
}

/** Runs `task` over `items`, `limit` at a time. */
async function pool<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

async function populate(
  cluster: KubeSimCluster,
  environment: string,
  store: DeploymentStore,
) {
  const admin = kubeConfigFor(cluster);
  const core = admin.makeApiClient(CoreV1Api);
  const deployer = new KubernetesDeployer(cluster.name, admin);
  const indexes = Array.from({ length: PER_CLUSTER }, (_, i) => i);
  await pool(indexes, 16, async i => {
    const namespace = `app-${i}-${environment}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // The portal's namespaced rights, as the platform grants them per application namespace.
    await admin
      .makeApiClient(RbacAuthorizationV1Api)
      .createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: 'backstage-portal-deploy', namespace },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'backstage-portal-deploy',
          },
          subjects: [
            {
              kind: 'ServiceAccount',
              name: 'backstage-portal',
              namespace: 'backstage-system',
            },
          ],
        },
      });
    const { request, manifests } = manifestsFor(environment, i);
    await deployer.apply(manifests);
    await store.insert(
      {
        environment,
        namespace,
        name: `app-${i}`,
        entityRef: `component:default/app-${i}`,
        action: 'deploy',
        request,
        manifests,
        image: 'ghcr.io/acme/payments-api:1.0.0',
        requester: 'user:default/ada',
      },
      new Date(),
      'succeeded',
    );
  });
  // 5%: edited by hand.
  const apps = admin.makeApiClient(AppsV1Api);
  for (let i = 0; i < PER_CLUSTER; i += 20) {
    await apps.patchNamespacedDeployment(
      {
        name: `app-${i}`,
        namespace: `app-${i}-${environment}`,
        fieldManager: 'kubectl-edit',
        body: { spec: { replicas: 3 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  console.log(`starting two kube-sim clusters in ${stateDir} ...`);
  const clusters = await Promise.all(
    ['drift-a', 'drift-b'].map(name =>
      startCluster({ name, stateDir: join(stateDir, name) }),
    ),
  );
  try {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const database = {
      getClient: async () => knex,
      migrations: { skip: false },
    };
    const store = await DeploymentStore.create(database);
    const tokens: string[] = [];
    for (const [i, cluster] of clusters.entries()) {
      // The portal's account and cluster roles (and the example namespaces, unused here).
      tokens.push(
        await seedPortalAccess(cluster, [ENVIRONMENTS[i]], {
          namespacePrefix: 'seed-',
        }),
      );
      const started = performance.now();
      await populate(cluster, ENVIRONMENTS[i], store);
      console.log(
        `${PER_CLUSTER} deployments applied in ${cluster.name} (${
          ENVIRONMENTS[i]
        }) in ${Math.round((performance.now() - started) / 1000)} s`,
      );
    }
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: clusters.map((cluster, i) => ({
              name: cluster.name,
              url: cluster.server,
              authProvider: 'serviceAccount',
              serviceAccountToken: tokens[i],
              caData: caData(cluster),
            })),
          },
        ],
      },
      deployments: {
        environments: Object.fromEntries(
          ENVIRONMENTS.map((e, i) => [e, { cluster: clusters[i].name }]),
        ),
      },
    });
    const quiet = () => {};
    const logger: LoggerService = {
      debug: quiet,
      info: quiet,
      warn: (message, meta) => console.warn(message, meta),
      error: (message, meta) => console.error(message, meta),
      child: () => logger,
    };
    const clusterClients = ClusterClients.fromConfig(config, { logger });
    const detector = DriftDetector.create({
      records: store,
      drift: await DriftStore.create(database),
      targets: Targets.create({
        environments: readEnvironments(config),
        clusters: clusterClients,
      }),
      clusters: clusterClients,
      notifier: Notifier.create({ config, logger }),
      audit: AuditLog.create({
        store: await AuditStore.create(database),
        logger,
      }),
      logger,
    });
    const durations: number[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const result = await detector.check();
      durations.push(result.durationMs);
      console.log(
        `cycle ${cycle}: ${result.deployments} deployments, ${
          result.drifted
        } drifted (${result.announced} new), ${result.durationMs} ms, ${
          result.requests
        } API requests (${(
          result.requests / Math.max(1, result.deployments)
        ).toFixed(2)} per deployment)${
          result.unreadable.length
            ? `, unreadable: ${JSON.stringify(result.unreadable)}`
            : ''
        }`,
      );
    }
    const sorted = [...durations].sort((a, b) => a - b);
    console.log(
      `drift check of ${PER_CLUSTER * 2} deployments over 2 clusters: median ${
        sorted[Math.floor(sorted.length / 2)]
      } ms, worst ${
        sorted[sorted.length - 1]
      } ms per cycle (target < 30000 ms); rss ${Math.round(
        process.memoryUsage().rss / 2 ** 20,
      )} MiB`,
    );
    await knex.destroy();
  } finally {
    await Promise.all(
      clusters.map(c =>
        stopCluster({ name: c.name, stateDir: join(stateDir, c.name) }),
      ),
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
