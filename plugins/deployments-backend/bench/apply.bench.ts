/* eslint-disable no-console */
// The apply path (server-side apply of the rendered manifests through the
// portal's KubernetesDeployer) against `kubectl apply --server-side` of the
// same manifests to the same API server, in one run.
//   yarn bench:apply   (from the repository root; builds kube-sim first if needed)
// Target: ratio <= 1.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { kubeConfigFor, startCluster, stopCluster } from '@internal/kube-sim';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { KubernetesDeployer } from '../src/kubernetes/KubernetesDeployer';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

function manifestsFor(round: number, name: string) {
  const parsed = parseDeploymentRequest({
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: 'bench',
    name,
    image: { repository: 'ghcr.io/acme/payments-api', tag: `1.0.${round}` },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ROUND', value: String(round) }],
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return renderManifests(parsed.request, {
    owner: 'group:default/team-payments',
  });
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    mean,
    p50: sorted[Math.floor(sorted.length / 2)],
    p95: sorted[Math.floor(sorted.length * 0.95)],
  };
}

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-apply-'));
  console.log(`starting a kube-sim cluster in ${stateDir} ...`);
  const cluster = await startCluster({ name: 'bench', stateDir });
  try {
    const kc = kubeConfigFor(cluster);
    await kc
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'bench' } } });
    const deployer = new KubernetesDeployer('bench', kc);
    const ours: number[] = [];
    const kubectl: number[] = [];
    const file = join(stateDir, 'manifests.json');
    // Warm up both paths (TLS session, discovery cache of kubectl).
    await deployer.apply(manifestsFor(0, 'warm-portal'));
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: manifestsFor(0, 'warm-kubectl'),
      }),
    );
    execFileSync('kubectl', [
      `--kubeconfig=${cluster.kubeconfig}`,
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=bench',
      '-f',
      file,
    ]);

    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which goes first so neither profits from the other's warm caches.
      const runOurs = async () => {
        const t0 = performance.now();
        await deployer.apply(manifestsFor(round, 'via-portal'));
        ours.push(performance.now() - t0);
      };
      const runKubectl = () => {
        writeFileSync(
          file,
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'List',
            items: manifestsFor(round, 'via-kubectl'),
          }),
        );
        const t0 = performance.now();
        execFileSync('kubectl', [
          `--kubeconfig=${cluster.kubeconfig}`,
          'apply',
          '--server-side',
          '--force-conflicts',
          '--field-manager=bench',
          '-f',
          file,
        ]);
        kubectl.push(performance.now() - t0);
      };
      if (round % 2) {
        await runOurs();
        runKubectl();
      } else {
        runKubectl();
        await runOurs();
      }
    }
    const a = stats(ours);
    const b = stats(kubectl);
    console.log(
      `rounds: ${ROUNDS}, objects per apply: ${manifestsFor(1, 'x').length}`,
    );
    console.log(
      `portal apply      mean ${a.mean.toFixed(1)} ms  p50 ${a.p50.toFixed(
        1,
      )} ms  p95 ${a.p95.toFixed(1)} ms`,
    );
    console.log(
      `kubectl apply SSA mean ${b.mean.toFixed(1)} ms  p50 ${b.p50.toFixed(
        1,
      )} ms  p95 ${b.p95.toFixed(1)} ms`,
    );
    console.log(
      `ratio portal/kubectl (mean): ${(a.mean / b.mean).toFixed(
        2,
      )}x (target <= 1.1x)`,
    );
  } finally {
    await stopCluster({ name: 'bench', stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
