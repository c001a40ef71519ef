// Two backend replicas as production runs them (docs/docs/production.md):
// one PostgreSQL database, one Redis as the shared cache (backend.cache),
// haproxy in front alternating requests and checking readiness.
// - started together on empty databases, one waits for the other's
//   migrations (packages/backend/src/modules/startupLock.ts);
// - requests alternate between the replicas;
// - a production change requested through one replica is approved through
//   the other and runs once;
// - the Service Health of an application is checked once for both replicas:
//   the second answers from Redis;
// - a replica killed in the middle of a change: the other finishes it, the
//   balancer stops sending to the dead one, and no request fails.
//
//   node --test packages/backend/system-tests/replicas.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callDeployments,
  dropDatabases,
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
import { startLoadBalancer, startRedis } from './lib/infra.mjs';

const DATABASE_PREFIX = 'systest_replicas_';
const APP = 'component:default/payments-api';
const DIGEST = `sha256:${'f'.repeat(64)}`;
const DEV_KEY = 'development/payments-api-development/payments-api';

let cluster;
let redis;
let balancer;
const backends = {};
let tokens = {};

function startReplica(name) {
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
        APP_CONFIG_backend_cache_store: 'redis',
        APP_CONFIG_backend_cache_connection: redis.url,
        APP_CONFIG_deployments_engine_leaseSeconds: '5',
        APP_CONFIG_deployments_engine_pollIntervalSeconds: '1',
      },
    },
    300_000,
  );
}

/** A call through the load balancer; `servedBy` names the replica. */
async function viaBalancer(user, method, path, body) {
  const res = await fetch(`${balancer.url}/api/deployments${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${tokens[user]}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    json,
    text,
    servedBy: res.headers.get('x-served-by'),
  };
}

function call(backend, user, method, path, body) {
  return callDeployments(backend, tokens[user], method, path, body);
}

function deployRequest(environment, extra = {}) {
  return {
    application: APP,
    environment,
    namespace: `payments-api-${environment}`,
    image: {
      repository: 'ghcr.io/acme/payments-api',
      tag: '4.0.0',
      digest: DIGEST,
    },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    changeReference: 'https://jira.acme.example/browse/OPS-88',
    ...extra,
  };
}

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
    redis = await startRedis();
    cluster = startCluster({
      name: `replicas-${process.pid}`,
      environments: ['development', 'acceptance', 'production'],
    });
    // Both at once on empty databases, as a rollout starts them: each
    // plugin's migrations run once (knex's migration lock), neither fails.
    [backends.A, backends.B] = await Promise.all([
      startReplica('A'),
      startReplica('B'),
    ]);
    balancer = await startLoadBalancer([
      { name: 'A', port: backends.A.port },
      { name: 'B', port: backends.B.port },
    ]);
    try {
      tokens = await signInUsers(backends.A, ['ada', 'grace'], 180_000);
      await waitFor(
        backends.B,
        'sign-in on B',
        () => signIn(backends.B, 'ada'),
        60_000,
      );
      await waitForEntity(
        backends.A,
        tokens.ada,
        'component/default/payments-api',
        180_000,
      );
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
  balancer?.stop();
  await stopAll({ backends: Object.values(backends), cluster });
  redis?.stop();
  await dropDatabases(DATABASE_PREFIX).catch(() => {});
});

test('replicas started together on empty databases both start, one after the other; migrations ran once', async () => {
  const waited = [backends.A, backends.B].filter(b =>
    b.output.includes('Another replica is starting'),
  );
  assert.equal(waited.length, 1, 'one replica waited for the other');
  const migrations = await pluginQuery(
    'SELECT name, count(*)::int AS n FROM knex_migrations GROUP BY name',
  );
  assert.ok(migrations.length > 0);
  assert.deepEqual(
    migrations.filter(m => m.n !== 1),
    [],
  );
});

test(
  'the balancer alternates requests between the two replicas',
  { timeout: 60_000 },
  async () => {
    const served = [];
    for (let i = 0; i < 6; i++) {
      const res = await viaBalancer('ada', 'GET', '/environments');
      assert.equal(res.status, 200, res.text);
      served.push(res.servedBy);
    }
    assert.deepEqual([...new Set(served)].sort(), ['A', 'B'], served.join(','));
  },
);

test(
  'a production change requested through one replica is approved through the other and runs once',
  { timeout: 300_000 },
  async () => {
    // Production takes only a digest that ran in acceptance (otap-order).
    const acceptance = await call(
      backends.A,
      'ada',
      'POST',
      '/deployments?wait=120',
      deployRequest('acceptance'),
    );
    assert.equal(acceptance.status, 200, acceptance.text);
    assert.equal(acceptance.json.status, 'succeeded', acceptance.text);

    const requested = await call(
      backends.A,
      'ada',
      'POST',
      '/deployments',
      deployRequest('production'),
    );
    assert.equal(requested.status, 202, requested.text);
    const approvalId = requested.json.approval.id;

    const approved = await call(
      backends.B,
      'grace',
      'POST',
      `/approvals/${approvalId}/approve`,
      {
        comment: 'four eyes, other replica',
      },
    );
    assert.equal(approved.status, 200, approved.text);
    const changeId = approved.json.changeId ?? approved.json.approval?.changeId;
    assert.ok(changeId, approved.text);

    const ended = await viaBalancer(
      'ada',
      'GET',
      `/changes/${changeId}?wait=120`,
    );
    assert.equal(ended.status, 200, ended.text);
    assert.equal(ended.json.status, 'succeeded', ended.text);
    const rows = await pluginQuery(
      `SELECT count(*)::int AS n FROM deployment_records WHERE environment = 'production'`,
    );
    assert.equal(rows[0].n, 1);
  },
);

test(
  'Service Health is checked once for both replicas: the second answers from Redis',
  { timeout: 120_000 },
  async () => {
    const path = '/entities/component/default/payments-api/health';
    // The plugin's cache namespace, the key base64-encoded (Backstage's
    // cache service does that).
    const key = `deployments:${Buffer.from(
      'health:entity:component:default/payments-api',
    ).toString('base64')}`;
    /** Until Redis holds the result A wrote (writes are not waited for). */
    const stored = () =>
      waitFor(
        backends.A,
        'the health result in Redis',
        () => redis.cli('exists', key) === '1',
        10_000,
      );
    const fromA = await call(backends.A, 'ada', 'GET', path);
    assert.equal(fromA.status, 200, fromA.text);
    await stored();
    const fromB = await call(backends.B, 'ada', 'GET', path);
    assert.equal(fromB.status, 200, fromB.text);
    // The same check, not a second one: same times, to the millisecond.
    assert.deepEqual(
      fromB.json.environments.map(e => e.checkedAt),
      fromA.json.environments.map(e => e.checkedAt),
    );
    // A refresh checks again, and both replicas then serve the new result.
    const refreshed = await call(
      backends.B,
      'ada',
      'GET',
      `${path}?refresh=true`,
    );
    assert.equal(refreshed.status, 200, refreshed.text);
    const refreshedAt = JSON.stringify(
      refreshed.json.environments.map(e => e.checkedAt),
    );
    await waitFor(
      backends.A,
      'A to serve the refreshed result',
      async () => {
        const again = await call(backends.A, 'ada', 'GET', path);
        return (
          JSON.stringify(again.json.environments.map(e => e.checkedAt)) ===
          refreshedAt
        );
      },
      10_000,
    );
  },
);

test(
  'a replica killed in the middle of a change: the other finishes it and the balancer keeps answering',
  { timeout: 300_000 },
  async () => {
    const first = await viaBalancer('ada', 'POST', '/deployments?wait=120', {
      ...deployRequest('development'),
      image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
      changeReference: undefined,
    });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.status, 'succeeded', first.text);

    // A slow rolling update (pods of "slow" images are ready after 3 s each).
    const queued = await viaBalancer(
      'ada',
      'PUT',
      `/deployments/${DEV_KEY}?timeoutSeconds=120`,
      {
        image: { repository: 'ghcr.io/acme/slow-payments-api', tag: '2.0.0' },
      },
    );
    assert.equal(queued.status, 202, queued.text);
    const { id } = queued.json;
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
    process.kill(-victim.process.pid, 'SIGKILL');

    // Through the balancer, every request is answered while the dead replica
    // is taken out, and the change ends as it should.
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      const res = await viaBalancer('ada', 'GET', '/environments');
      statuses.push(`${res.status}:${res.servedBy}`);
    }
    assert.ok(
      statuses.every(s => s.startsWith('200:')),
      statuses.join(','),
    );
    const ended = await viaBalancer('ada', 'GET', `/changes/${id}?wait=120`);
    assert.equal(ended.status, 200, ended.text);
    assert.equal(ended.json.status, 'succeeded', ended.text);
    assert.notEqual(ended.servedBy, victim.name);
    assert.equal(ended.json.attempts, 2);
  },
);
