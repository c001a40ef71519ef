/* eslint-disable no-console */
// Benchmarks of the change engine with real backends (packages/backend) on a
// kube-sim cluster; prints figures, asserts nothing:
//
//   yarn bench:engine ratio       POST → change succeeded, against `kubectl
//                                 apply --server-side` + `kubectl rollout
//                                 status` of the same objects, alternating.
//                                 Target: ratio <= 1.0.
//   yarn bench:engine throughput  1,000 changes over 200 deployments sent at
//                                 once to two replicas sharing PostgreSQL:
//                                 errors, double applies, unfinished changes,
//                                 changes/s, p50/p95 queue wait, memory
//                                 per replica (idle and peak).
//   yarn bench:engine takeover    a replica killed with changes in flight:
//                                 time until the other resumes them.
//                                 Target: lease length + 5 s.
//
// throughput and takeover need PostgreSQL: POSTGRES_HOST, POSTGRES_PORT,
// POSTGRES_USER, POSTGRES_PASSWORD (./portal test starts one; or your own).
// BENCH_ROUNDS (ratio, default 10), BENCH_DEPLOYMENTS (throughput, 200),
// BENCH_CHANGES_PER_DEPLOYMENT (5), BENCH_LEASE_SECONDS (takeover, 20).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backendDir,
  callDeployments,
  dropDatabases,
  postgresConnection,
  requirePostgresEnv,
  signIn,
  signInUsers,
  startBackend,
  startCluster,
  stopAll,
  waitFor,
  waitForEntity,
  withDatabase,
} from '../system-tests/lib/harness.mjs';

const require = createRequire(import.meta.url);
// The suite's own renderer (TypeScript, through the CLI's transform), so
// kubectl applies exactly the objects the portal would.
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
  paths: [backendDir],
}));
const { parseDeploymentRequest, renderManifests } = require(require.resolve(
  '@deployments-portal/backstage-plugin-deployments-common',
  {
    paths: [backendDir],
  },
));

const APP = 'component:default/payments-api';
const NAMESPACE = 'payments-api-development';
const FINAL = ['succeeded', 'failed', 'rolled-back', 'cancelled'];

function request(name, tag, extra = {}) {
  return {
    application: APP,
    environment: 'development',
    namespace: NAMESPACE,
    name,
    image: { repository: 'ghcr.io/acme/payments-api', tag },
    replicas: 1,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    ...extra,
  };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = q =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  return {
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
  };
}

const ms = value => `${value.toFixed(0)} ms`;

// The engine's own work, as kubectl does it: no readiness verification
// window after Ready (kubectl has none; it adds its configured length,
// 10 s by default, to every change of an application with a health target).
const NO_VERIFICATION = {
  APP_CONFIG_deployments_rollout_verification_windowSeconds: '0',
};

function postgresEnv(prefix, extra = {}) {
  return {
    APP_CONFIG_backend_database_client: 'pg',
    APP_CONFIG_backend_database_prefix: prefix,
    APP_CONFIG_backend_database_connection: JSON.stringify(
      postgresConnection(),
    ),
    ...NO_VERIFICATION,
    ...extra,
  };
}

async function ready(backends) {
  const [first] = backends;
  const { ada } = await signInUsers(first, ['ada'], 180_000);
  for (const other of backends.slice(1)) {
    await waitFor(other, 'sign-in', () => signIn(other, 'ada'), 120_000);
  }
  await waitForEntity(first, ada, 'component/default/payments-api', 180_000);
  return ada;
}

// --- ratio ----------------------------------------------------------------------

async function ratio(cluster) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
  const backend = await startBackend(
    {
      name: 'bench',
      env: {
        ...cluster.portalEnv,
        ...NO_VERIFICATION,
        APP_CONFIG_backend_database_connection: '":memory:"',
      },
    },
    300_000,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  try {
    const token = await ready([backend]);
    const portal = async tag => {
      const t0 = performance.now();
      const res = await callDeployments(
        backend,
        token,
        'POST',
        '/deployments?wait=120',
        request('via-portal', tag),
      );
      if (res.json?.status !== 'succeeded') {
        throw new Error(`portal deploy ${tag}: ${res.status} ${res.text}`);
      }
      const elapsed = performance.now() - t0;
      if (process.env.BENCH_VERBOSE) {
        const created = Date.parse(res.json.createdAt);
        console.log(
          `${tag}: ${ms(elapsed)} = request until queued ~${ms(
            elapsed - (Date.parse(res.json.finishedAt) - created),
          )}, then ${res.json.statusHistory
            .map(step => `${step.status} +${Date.parse(step.at) - created}`)
            .join(', ')}`,
        );
      }
      return elapsed;
    };
    const file = join(dir, 'objects.json');
    const kubectl = tag => {
      const parsed = parseDeploymentRequest({
        ...request('via-kubectl', tag),
        requester: 'user:default/ada',
      });
      const items = renderManifests(parsed.request, {
        owner: 'group:default/team-payments',
      });
      writeFileSync(
        file,
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
      );
      const t0 = performance.now();
      const kubeconfig = `--kubeconfig=${cluster.kubeconfig}`;
      execFileSync(
        'kubectl',
        [
          kubeconfig,
          'apply',
          '--server-side',
          '--field-manager=bench',
          '-f',
          file,
        ],
        { stdio: 'ignore' },
      );
      execFileSync(
        'kubectl',
        [
          kubeconfig,
          '-n',
          NAMESPACE,
          'rollout',
          'status',
          'deployment/via-kubectl',
          '--timeout=120s',
        ],
        { stdio: 'ignore' },
      );
      return performance.now() - t0;
    };
    // Warm both paths (TLS sessions, kubectl's discovery cache, the catalog).
    await portal('0.0.0');
    kubectl('0.0.0');
    const ours = [];
    const theirs = [];
    for (let round = 1; round <= rounds; round++) {
      const tag = `1.0.${round}`;
      // Alternate which goes first.
      if (round % 2) {
        ours.push(await portal(tag));
        theirs.push(kubectl(tag));
      } else {
        theirs.push(kubectl(tag));
        ours.push(await portal(tag));
      }
    }
    const a = stats(ours);
    const b = stats(theirs);
    console.log(
      `rounds: ${rounds} (each a new image: a rolling update of 1 replica)`,
    );
    console.log(
      `portal POST → change succeeded   mean ${ms(a.mean)}  p50 ${ms(
        a.p50,
      )}  p95 ${ms(a.p95)}`,
    );
    console.log(
      `kubectl apply --server-side + rollout status  mean ${ms(
        b.mean,
      )}  p50 ${ms(b.p50)}  p95 ${ms(b.p95)}`,
    );
    console.log(
      `ratio portal/kubectl (mean): ${(a.mean / b.mean).toFixed(
        2,
      )}x (target <= 1.0x)`,
    );
  } finally {
    await stopAll({ backends: [backend] });
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- memory ---------------------------------------------------------------------

/** Resident memory of a backend's process, in MiB (Linux /proc). */
function rssMiB(backend) {
  try {
    const status = readFileSync(`/proc/${backend.process.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Samples every replica's RSS every 500 ms; `stop()` returns the peaks. */
function sampleMemory(backends) {
  const peaks = backends.map(rssMiB);
  const timer = setInterval(() => {
    backends.forEach((b, i) => {
      peaks[i] = Math.max(peaks[i], rssMiB(b));
    });
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}

const mib = values => values.map(v => `${Math.round(v)} MiB`).join(', ');

// --- throughput -------------------------------------------------------------------

async function throughput(cluster) {
  requirePostgresEnv();
  const deployments = Number(process.env.BENCH_DEPLOYMENTS ?? 200);
  const perDeployment = Number(process.env.BENCH_CHANGES_PER_DEPLOYMENT ?? 5);
  const prefix = 'bench_engine_throughput_';
  await dropDatabases(prefix);
  const env = {
    ...cluster.portalEnv,
    ...postgresEnv(prefix, {
      APP_CONFIG_deployments_engine_maxQueuedPerDeployment: String(
        perDeployment + 1,
      ),
    }),
  };
  const backends = [];
  try {
    backends.push(await startBackend({ name: 'A', env }, 300_000));
    backends.push(await startBackend({ name: 'B', env }, 300_000));
    const token = await ready(backends);
    // Idle: started, signed in, nothing queued yet (after 20 s of quiet).
    await new Promise(resolve => setTimeout(resolve, 20_000));
    const idle = backends.map(rssMiB);
    const memory = sampleMemory(backends);
    const total = deployments * perDeployment;
    console.log(
      `sending ${total} changes (${perDeployment} deploys of each of ${deployments} deployments) to 2 replicas ...`,
    );
    const ids = [];
    const errors = [];
    const started = performance.now();
    let next = 0;
    // At most 64 requests in flight; every change is queued before any waits.
    const sender = async () => {
      while (next < total) {
        const i = next++;
        const deployment = i % deployments;
        const round = Math.floor(i / deployments);
        const backend = backends[i % 2];
        const res = await callDeployments(
          backend,
          token,
          'POST',
          '/deployments',
          request(
            `bench-${String(deployment).padStart(3, '0')}`,
            `1.${round}.0`,
          ),
        );
        if (res.status === 202) ids.push(res.json.id);
        else errors.push(`${res.status} ${res.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, sender));
    const submitted = performance.now();
    console.log(
      `queued ${ids.length} in ${ms(submitted - started)}; ${
        errors.length
      } refused`,
    );
    const query = (sql, params) =>
      withDatabase(
        `${prefix}deployments`,
        async client => (await client.query(sql, params)).rows,
      );
    await waitFor(
      backends[0],
      'every change to end',
      async () => {
        const [{ count }] = await query(
          `SELECT count(*) FROM deployment_records WHERE status NOT IN (${FINAL.map(
            s => `'${s}'`,
          ).join(', ')})`,
        );
        return Number(count) === 0;
      },
      3_600_000,
    );
    const ended = performance.now();
    const peaks = memory.stop();
    console.log(
      `memory per replica (RSS; backends started from source, as the system tests do): idle ${mib(
        idle,
      )}; peak under this load ${mib(peaks)}`,
    );
    const rows = await query(
      'SELECT id, name, revision, status, attempts, created_at, started_at, finished_at, status_history FROM deployment_records',
    );
    const byStatus = {};
    for (const row of rows)
      byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    const perName = new Map();
    for (const row of rows)
      perName.set(row.name, [...(perName.get(row.name) ?? []), row]);
    // A double apply: two records for one change, or changes of one deployment overlapping.
    let doubles = rows.filter(row => row.attempts > 1).length;
    for (const records of perName.values()) {
      records.sort((x, y) => x.revision - y.revision);
      for (let i = 1; i < records.length; i++) {
        if (records[i].started_at < records[i - 1].finished_at) doubles++;
      }
    }
    const waits = rows
      .filter(row => row.started_at)
      .map(row => new Date(row.started_at) - new Date(row.created_at));
    const wait = stats(waits);
    console.log(
      `records: ${rows.length} (expected ${total}); by status: ${JSON.stringify(
        byStatus,
      )}`,
    );
    console.log(
      `errors: ${errors.length}${
        errors.length ? ` (first: ${errors[0]})` : ''
      }; double applies or overlaps: ${doubles}; unfinished: 0`,
    );
    console.log(
      `throughput: ${(rows.length / ((ended - started) / 1000)).toFixed(
        1,
      )} changes/s (${ms(
        ended - started,
      )} from the first request to the last change ended)`,
    );
    console.log(
      `queue wait: p50 ${ms(wait.p50)}, p95 ${ms(wait.p95)}, max ${ms(
        wait.max,
      )}`,
    );
    // Where a running change spends its time, step by step.
    const steps = {};
    for (const row of rows) {
      const history = JSON.parse(row.status_history);
      for (let i = 1; i < history.length; i++) {
        (steps[history[i - 1].status] ??= []).push(
          Date.parse(history[i].at) - Date.parse(history[i - 1].at),
        );
      }
    }
    console.log(
      `time per step (p50 / p95): ${Object.entries(steps)
        .filter(([step]) => step !== 'queued')
        .map(([step, times]) => {
          const t = stats(times);
          return `${step} ${ms(t.p50)} / ${ms(t.p95)}`;
        })
        .join(', ')}`,
    );
  } finally {
    await stopAll({ backends });
    await dropDatabases(prefix).catch(() => {});
  }
}

// --- takeover -----------------------------------------------------------------------

async function takeover(cluster) {
  requirePostgresEnv();
  const lease = Number(process.env.BENCH_LEASE_SECONDS ?? 20);
  const prefix = 'bench_engine_takeover_';
  await dropDatabases(prefix);
  const env = {
    ...cluster.portalEnv,
    ...postgresEnv(prefix, {
      APP_CONFIG_deployments_engine_leaseSeconds: String(lease),
    }),
  };
  const backends = [];
  try {
    backends.push(await startBackend({ name: 'A', env }, 300_000));
    backends.push(await startBackend({ name: 'B', env }, 300_000));
    const token = await ready(backends);
    const query = (sql, params) =>
      withDatabase(
        `${prefix}deployments`,
        async client => (await client.query(sql, params)).rows,
      );
    // Changes that stay in verifying: images that never become ready.
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const res = await callDeployments(
        backends[i % 2],
        token,
        'POST',
        '/deployments?timeoutSeconds=900',
        request(`takeover-${i}`, '1.0.0', {
          image: {
            repository: 'ghcr.io/acme/unready-payments-api',
            tag: '1.0.0',
          },
        }),
      );
      if (res.status !== 202) throw new Error(res.text);
      ids.push(res.json.id);
    }
    await waitFor(
      backends[0],
      'every change to be verifying',
      async () => {
        const rows = await query(
          'SELECT status FROM deployment_records WHERE id = ANY($1)',
          [ids],
        );
        return rows.every(row => row.status === 'verifying');
      },
      120_000,
    );
    const holders = await query(
      'SELECT id, lease_owner FROM deployment_records WHERE id = ANY($1)',
      [ids],
    );
    const [victim, survivor] = [...backends].sort(
      (x, y) =>
        holders.filter(h => h.lease_owner.includes(`:${y.process.pid}:`))
          .length -
        holders.filter(h => h.lease_owner.includes(`:${x.process.pid}:`))
          .length,
    );
    const taken = holders
      .filter(h => h.lease_owner.includes(`:${victim.process.pid}:`))
      .map(h => h.id);
    console.log(
      `killing replica ${victim.name} (SIGKILL) while it runs ${taken.length} of ${ids.length} changes; lease ${lease} s ...`,
    );
    const killed = performance.now();
    process.kill(-victim.process.pid, 'SIGKILL');
    const resumedAt = new Map();
    await waitFor(
      survivor,
      'the other replica to resume every change',
      async () => {
        const rows = await query(
          'SELECT id, lease_owner FROM deployment_records WHERE id = ANY($1)',
          [taken],
        );
        for (const row of rows) {
          if (
            row.lease_owner?.includes(`:${survivor.process.pid}:`) &&
            !resumedAt.has(row.id)
          ) {
            resumedAt.set(row.id, performance.now() - killed);
          }
        }
        return resumedAt.size === taken.length;
      },
      300_000,
    );
    const times = stats([...resumedAt.values()]);
    console.log(
      `resumed by ${survivor.name}: ${
        taken.length
      } changes; time after the kill: mean ${ms(times.mean)}, max ${ms(
        times.max,
      )} (target <= ${(lease + 5) * 1000} ms: lease + 5 s)`,
    );
  } finally {
    await stopAll({ backends });
    await dropDatabases(prefix).catch(() => {});
  }
}

const scenarios = { ratio, throughput, takeover };

async function main() {
  const chosen = process.argv[2] ?? 'ratio';
  const run = scenarios[chosen];
  if (!run) {
    console.error(
      `usage: yarn bench:engine [${Object.keys(scenarios).join('|')}]`,
    );
    process.exit(2);
  }
  const cluster = startCluster({
    name: `bench-engine-${process.pid}`,
    environments: ['development'],
  });
  try {
    await run(cluster);
  } finally {
    await stopAll({ cluster });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
