// The approval gate with two backend instances on one PostgreSQL database,
// as in a production set-up with more than one replica:
// - the same approval submitted to both at once is applied exactly once,
//   recorded once as the decision, and the other instance answers 409;
// - a pending request survives a backend restart and, approved then, is
//   applied once.
// Both backends run app-config.yaml (the deployments permission policy, the
// dev-users sign-in for tokens of different users) on the PostgreSQL server
// of `./portal test` (POSTGRES_*), against one kube-sim cluster started here.
//
//   node --test packages/backend/system-tests/approvals.test.mjs
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
  stopBackend,
  waitFor,
  waitForEntity,
} from './lib/harness.mjs';

// The plugins' databases of this test, apart from those of other tests on
// the same server; dropped before the test so that every run starts empty.
const DATABASE_PREFIX = 'systest_approvals_';
const APP = 'component:default/payments-api';
const PROD_KEY = 'production/payments-api-production/payments-api';
const DIGEST = `sha256:${'d'.repeat(64)}`;

let cluster;
const backends = {};
let tokens = {};

/** Starts (or restarts) backend `name` on PostgreSQL and waits until it is ready. */
function startApprovalsBackend(name, port) {
  return startBackend(
    {
      name,
      port,
      env: {
        ...cluster.portalEnv,
        APP_CONFIG_backend_database_client: 'pg',
        APP_CONFIG_backend_database_prefix: DATABASE_PREFIX,
        APP_CONFIG_backend_database_connection: JSON.stringify(
          postgresConnection(),
        ),
      },
    },
    300_000,
  );
}

function call(backend, user, method, path, body) {
  return callDeployments(backend, tokens[user], method, path, body);
}

function kubectlGetProduction(...args) {
  return kubectlJson(cluster, '-n', 'payments-api-production', 'get', ...args);
}

function deployRequest(environment, extra = {}) {
  return {
    application: APP,
    environment,
    namespace: `payments-api-${environment}`,
    image: {
      repository: 'ghcr.io/acme/payments-api',
      tag: '3.0.0',
      digest: DIGEST,
    },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    changeReference: 'https://jira.acme.example/browse/OPS-77',
    ...extra,
  };
}

/** payments-api 3.0.0 to `environment`, requested by ada (an owner); waits for it to end. */
function requestDeployment(backend, environment) {
  return call(
    backend,
    'ada',
    'POST',
    '/deployments?wait=120',
    deployRequest(environment),
  );
}

/** Waits until the change an approval queued has ended; the change. */
async function changeOf(backend, approval) {
  assert.ok(approval.changeId, JSON.stringify(approval));
  const res = await call(
    backend,
    'ada',
    'GET',
    `/changes/${approval.changeId}?wait=120`,
  );
  assert.equal(res.status, 200, res.text);
  return res.json;
}

/** The approval request once the result of its change is recorded. */
function approvalWithResult(backend, id) {
  return waitFor(
    backend,
    `the result of approval ${id}`,
    async () => {
      const res = await call(backend, 'grace', 'GET', `/approvals/${id}`);
      return res.json?.result ? res.json : undefined;
    },
    60_000,
  );
}

async function history(backend) {
  const res = await call(
    backend,
    'ada',
    'GET',
    `/deployments/${PROD_KEY}/history`,
  );
  if (res.status === 404) return [];
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

async function auditOf(backend, approvalId) {
  const res = await call(
    backend,
    'grace',
    'GET',
    `/audit?entityRef=${APP}&environment=production`,
  );
  assert.equal(res.status, 200, res.text);
  return res.json.items.filter(e => e.approvalId === approvalId);
}

before(
  async () => {
    requirePostgresEnv();
    await dropDatabases(DATABASE_PREFIX);
    cluster = startCluster({
      name: `approvals-${process.pid}`,
      environments: ['acceptance', 'production'],
    });
    // One after the other: both migrate the same databases.
    backends.A = await startApprovalsBackend('A');
    backends.B = await startApprovalsBackend('B');
    const { A: a, B: b } = backends;
    try {
      // The example org must be in the (shared) catalog before anyone can sign in.
      tokens = await signInUsers(a, ['ada', 'grace'], 180_000);
      await waitFor(b, 'sign-in on B', () => signIn(b, 'ada'), 60_000);
      await waitForEntity(
        a,
        tokens.ada,
        'component/default/payments-api',
        180_000,
      );
      // Production only takes a digest that ran in acceptance (policy otap-order).
      const acceptance = await requestDeployment(a, 'acceptance');
      assert.equal(acceptance.status, 200, acceptance.text);
      assert.equal(acceptance.json.status, 'succeeded', acceptance.text);
    } catch (e) {
      for (const backend of [a, b]) {
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
  'production refuses a tag or a foreign registry before any approval, naming the digest that runs in acceptance',
  { timeout: 120_000 },
  async () => {
    const { A: a } = backends;
    const tagOnly = await call(a, 'ada', 'POST', '/deployments', {
      ...deployRequest('production'),
      image: { repository: 'ghcr.io/acme/payments-api', tag: '3.0.0' },
    });
    assert.equal(tagOnly.status, 400, tagOnly.text);
    const otap = (tagOnly.json.error.violations ?? []).find(
      v => v.policyId === 'otap-order',
    );
    assert.ok(otap, tagOnly.text);
    assert.equal(otap.path, 'image.digest');
    assert.equal(
      otap.message,
      `production takes a digest that ran in acceptance, not a tag; acceptance runs ghcr.io/acme/payments-api@${DIGEST}`,
    );

    const foreign = await call(a, 'ada', 'POST', '/deployments', {
      ...deployRequest('production'),
      image: { repository: 'docker.io/evil/payments-api', digest: DIGEST },
    });
    assert.equal(foreign.status, 400, foreign.text);
    assert.match(
      foreign.text,
      /image repository 'docker.io\/evil\/payments-api' is not in an allowed registry/,
    );

    const pending = await call(a, 'grace', 'GET', '/approvals?status=pending');
    assert.equal(pending.status, 200, pending.text);
    assert.deepEqual(pending.json.items, [], 'no approval was requested');
    assert.deepEqual(await history(a), [], 'nothing recorded');
  },
);

test(
  'the same approval sent to two instances at once is applied exactly once',
  { timeout: 300_000 },
  async () => {
    const { A: a, B: b } = backends;
    const requested = await requestDeployment(a, 'production');
    assert.equal(requested.status, 202, requested.text);
    assert.equal(requested.json.status, 'pending-approval');
    const { id } = requested.json.approval;
    assert.deepEqual(await history(b), [], 'nothing applied while pending');
    assert.equal(kubectlGetProduction('deployments').items.length, 0);

    // Both instances see the request: it is in the shared database.
    const seen = await call(b, 'grace', 'GET', `/approvals/${id}`);
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.json.status, 'pending');

    const answers = await Promise.all([
      call(a, 'grace', 'POST', `/approvals/${id}/approve`, {
        comment: 'from A',
      }),
      call(b, 'grace', 'POST', `/approvals/${id}/approve`, {
        comment: 'from B',
      }),
    ]);
    const statuses = answers.map(r => r.status).sort();
    assert.deepEqual(statuses, [200, 409], answers.map(r => r.text).join('\n'));
    const winner = answers.find(r => r.status === 200).json;
    const loser = answers.find(r => r.status === 409).json;
    assert.equal(winner.status, 'approved');
    const applied = await changeOf(a, winner);
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied));
    assert.equal(applied.revision, 1);
    const result = await approvalWithResult(b, id);
    assert.equal(result.result, 'applied', JSON.stringify(result));
    assert.equal(result.revision, 1);
    assert.match(
      loser.error.message,
      /already approved by user:default\/grace at /,
    );

    const records = await history(a);
    assert.equal(records.length, 1, JSON.stringify(records));
    assert.equal(records[0].requester, 'user:default/ada');
    assert.equal(records[0].status, 'succeeded');
    const live = kubectlGetProduction('deployment', 'payments-api');
    assert.equal(
      live.spec.template.spec.containers[0].image,
      `ghcr.io/acme/payments-api@${DIGEST}`,
    );

    const events = await auditOf(b, id);
    const decisions = events.filter(
      e => e.action === 'approval.approve' && e.result === 'success',
    );
    assert.equal(decisions.length, 1, JSON.stringify(events));
    assert.equal(
      events.filter(e => e.action === 'approval.apply').length,
      1,
      JSON.stringify(events),
    );
    // The loser's attempt is recorded as a failed (conflicting) decision.
    assert.equal(
      events.filter(
        e => e.action === 'approval.approve' && e.result === 'failure',
      ).length,
      1,
    );
  },
);

test(
  'a pending request survives a restart and is applied once when approved',
  { timeout: 600_000 },
  async () => {
    let b = backends.B;
    const requested = await call(b, 'ada', 'PUT', `/deployments/${PROD_KEY}`, {
      replicas: 3,
    });
    assert.equal(requested.status, 202, requested.text);
    const { id } = requested.json.approval;

    await stopBackend(b);
    b = await startApprovalsBackend('B', b.port);
    backends.B = b;
    await waitFor(
      b,
      'sign-in after restart',
      () => signIn(b, 'grace'),
      120_000,
    );

    const pending = await call(
      b,
      'grace',
      'GET',
      `/approvals?status=pending&entityRef=${APP}`,
    );
    assert.equal(pending.status, 200, pending.text);
    assert.deepEqual(
      pending.json.items.map(r => r.id),
      [id],
    );

    const approved = await call(
      b,
      'grace',
      'POST',
      `/approvals/${id}/approve`,
      {},
    );
    assert.equal(approved.status, 200, approved.text);
    const applied = await changeOf(b, approved.json);
    assert.equal(applied.status, 'succeeded', JSON.stringify(applied));
    assert.equal(applied.revision, 2);
    const again = await call(
      backends.A,
      'grace',
      'POST',
      `/approvals/${id}/approve`,
      {},
    );
    assert.equal(again.status, 409, again.text);

    const records = await history(backends.A);
    assert.deepEqual(
      records.map(r => `${r.revision} ${r.action} ${r.status}`),
      ['2 update succeeded', '1 deploy succeeded'],
    );
    assert.equal(
      kubectlGetProduction('deployment', 'payments-api').spec.replicas,
      3,
    );
  },
);
