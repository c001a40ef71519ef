// The change engine with two backend replicas on one PostgreSQL database,
// as production runs it: a replica that is killed (SIGKILL) in the middle of
// a change leaves it to the other, which resumes it from its last step once
// the lease has run out; nothing is left unfinished and the change runs once.
//
//   node --test packages/backend/system-tests/engine.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callDeployments,
  dropDatabases,
  kubectlJson,
  outputTail,
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
} from './lib/harness.mjs';

const DATABASE_PREFIX = 'systest_engine_';
const APP = 'component:default/payments-api';
const NAMESPACE = 'payments-api-development';
const KEY = `development/${NAMESPACE}/payments-api`;
const LEASE_SECONDS = 5;

let cluster;
const backends = {};
let token;

function startEngineBackend(name) {
  return startBackend(
    {
      name,
      env: {
        ...cluster.portalEnv,
        APP_CONFIG_backend_database_client: 'pg',
        APP_CONFIG_backend_database_prefix: DATABASE_PREFIX,
        APP_CONFIG_backend_database_connection: JSON.stringify(
          postgresConnection(),
        ),
        // A short lease: the survivor takes over within seconds.
        APP_CONFIG_deployments_engine_leaseSeconds: String(LEASE_SECONDS),
        APP_CONFIG_deployments_engine_pollIntervalSeconds: '1',
      },
    },
    300_000,
  );
}

function call(backend, method, path, body) {
  return callDeployments(backend, token, method, path, body);
}

function deployRequest(image) {
  return {
    application: APP,
    environment: 'development',
    namespace: NAMESPACE,
    image,
    replicas: 3,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
  };
}

/** A query on the deployments plugin's own database. */
function pluginQuery(sql, params) {
  return withDatabase(`${DATABASE_PREFIX}deployments`, async client => {
    const { rows } = await client.query(sql, params);
    return rows;
  });
}

before(
  async () => {
    requirePostgresEnv();
    await dropDatabases(DATABASE_PREFIX);
    cluster = startCluster({
      name: `engine-${process.pid}`,
      environments: ['development'],
    });
    // One after the other: both migrate the same databases.
    backends.A = await startEngineBackend('A');
    backends.B = await startEngineBackend('B');
    try {
      ({ ada: token } = await signInUsers(backends.A, ['ada'], 180_000));
      await waitFor(
        backends.B,
        'sign-in on B',
        () => signIn(backends.B, 'ada'),
        60_000,
      );
      await waitForEntity(
        backends.A,
        token,
        'component/default/payments-api',
        180_000,
      );
      const first = await call(
        backends.A,
        'POST',
        '/deployments?wait=120',
        deployRequest({
          repository: 'ghcr.io/acme/payments-api',
          tag: '1.0.0',
        }),
      );
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.status, 'succeeded', first.text);
    } catch (e) {
      for (const backend of Object.values(backends)) {
        process.stderr.write(
          `--- backend ${backend.name}\n${outputTail(backend)}\n`,
        );
      }
      throw e;
    }
  },
  { timeout: 900_000 },
);

after(async () => {
  await stopAll({ backends: Object.values(backends), cluster });
  await dropDatabases(DATABASE_PREFIX).catch(() => {});
});

test(
  'a replica killed in the middle of a change: the other resumes it and it runs once',
  { timeout: 300_000 },
  async () => {
    // A slow rolling update: three pods, each ready 3 s after it starts.
    const queued = await call(
      backends.A,
      'PUT',
      `/deployments/${KEY}?timeoutSeconds=120`,
      { image: { repository: 'ghcr.io/acme/slow-payments-api', tag: '2.0.0' } },
    );
    assert.equal(queued.status, 202, queued.text);
    const { id } = queued.json;

    // Whichever replica took it: wait until it follows the rollout.
    const holder = await waitFor(
      backends.A,
      'the change to be verifying',
      async () => {
        const [row] = await pluginQuery(
          'SELECT status, lease_owner FROM deployment_records WHERE id = $1',
          [id],
        );
        return row?.status === 'verifying' && row.lease_owner;
      },
      60_000,
    );
    const victim = Object.values(backends).find(b =>
      holder.includes(`:${b.process.pid}:`),
    );
    assert.ok(victim, `the lease ${holder} names one of the two backends`);
    const survivor = victim === backends.A ? backends.B : backends.A;
    process.kill(-victim.process.pid, 'SIGKILL');

    const resumed = await waitFor(
      survivor,
      'another replica to resume the change',
      async () => {
        const [row] = await pluginQuery(
          'SELECT lease_owner, attempts FROM deployment_records WHERE id = $1',
          [id],
        );
        return row?.lease_owner?.includes(`:${survivor.process.pid}:`) && row;
      },
      60_000,
    );
    // How fast: yarn bench:engine (the takeover time after a kill).
    assert.equal(resumed.attempts, 2);

    const ended = await call(survivor, 'GET', `/changes/${id}?wait=120`);
    assert.equal(ended.status, 200, ended.text);
    assert.equal(ended.json.status, 'succeeded', ended.text);
    assert.equal(ended.json.attempts, 2);
    assert.ok(
      ended.json.statusHistory.some(step =>
        /^resumed by .* \(the lease of .* expired\)$/.test(step.reason ?? ''),
      ),
      JSON.stringify(ended.json.statusHistory),
    );

    // Nothing unfinished; one record per change; the cluster runs it.
    const unfinished = await pluginQuery(
      `SELECT id, status FROM deployment_records WHERE status NOT IN ('succeeded', 'failed', 'rolled-back', 'cancelled')`,
    );
    assert.deepEqual(unfinished, []);
    const history = await call(survivor, 'GET', `/deployments/${KEY}/history`);
    assert.deepEqual(
      history.json.items.map(r => `${r.revision} ${r.action} ${r.status}`),
      ['2 update succeeded', '1 deploy succeeded'],
    );
    const live = kubectlJson(
      cluster,
      '-n',
      NAMESPACE,
      'get',
      'deployment',
      'payments-api',
    );
    assert.equal(
      live.spec.template.spec.containers[0].image,
      'ghcr.io/acme/slow-payments-api:2.0.0',
    );
    assert.equal(live.status.readyReplicas, 3);
    const replicaSets = kubectlJson(
      cluster,
      '-n',
      NAMESPACE,
      'get',
      'replicasets',
    );
    assert.equal(
      replicaSets.items.filter(
        rs =>
          rs.spec.template.spec.containers[0].image ===
          'ghcr.io/acme/slow-payments-api:2.0.0',
      ).length,
      1,
    );
  },
);
