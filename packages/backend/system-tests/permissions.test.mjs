// The RBAC matrix of docs/docs/administration.md against the real backend:
// every deployments endpoint and action x {unauthenticated, other team,
// owner, approver, admin} with the expected HTTP status, and an audit record
// for every refusal. The backend runs with app-config.yaml (the
// deployments permission policy and the dev-users sign-in), SQLite in
// memory and one kube-sim cluster started here for all environments.
//
//   node --test packages/backend/system-tests/permissions.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callDeployments,
  outputTail,
  signIn,
  signInUsers,
  startBackend,
  startCluster,
  stopAll,
  waitForEntity,
} from './lib/harness.mjs';

// --- who --------------------------------------------------------------------

/** The callers of the matrix: example users of examples/org.yaml. */
const CALLERS = {
  unauthenticated: undefined,
  'other team': 'linus', // team-orders
  owner: 'ada', // team-payments, owns payments-api
  approver: 'rita', // release-managers
  admin: 'kelsey', // platform-team
};

// --- the matrix ---------------------------------------------------------------

const APP = 'component:default/payments-api';
const DEV = {
  environment: 'development',
  namespace: 'payments-api-development',
};
const DEV_KEY = `development/payments-api-development/payments-api`;
const DIGEST = `sha256:${'c'.repeat(64)}`;

function request(environment, namespace, tag, extra = {}) {
  return {
    application: APP,
    environment,
    namespace,
    image: { repository: 'ghcr.io/acme/payments-api', tag, digest: DIGEST },
    replicas: environment === 'production' ? 2 : 1,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    changeReference: 'https://jira.acme.example/browse/OPS-42',
    ...extra,
  };
}
const devRequest = tag => request(DEV.environment, DEV.namespace, tag);
const prodRequest = tag =>
  request('production', 'payments-api-production', tag);

// Statuses: 401 no credentials, 403 refused by the policy (or the four-eyes
// rule), 2xx allowed. `null`: not applicable (that caller cannot get there).
// READ: everyone signed in may read.
const READ = {
  unauthenticated: 401,
  'other team': 200,
  owner: 200,
  approver: 200,
  admin: 200,
};
// OWNER: the owners of the application's entity and the admins.
const OWNER = status => ({
  unauthenticated: 401,
  'other team': 403,
  owner: status,
  approver: 403,
  admin: status,
});
// DECIDE: approvers (release managers), owners other than the requester, admins.
const DECIDE = {
  unauthenticated: 401,
  'other team': 403,
  owner: 200,
  approver: 200,
  admin: 200,
};

/**
 * Every endpoint and action. `setup(as)` prepares what the call needs (e.g.
 * a fresh pending request) and returns the values for `path`/`body`;
 * `audit` is the audit action a refusal is recorded as (mutations only).
 */
// prettier-ignore
const MATRIX = [
  { name: 'GET /environments', method: 'GET', path: () => '/environments', expect: READ },
  { name: 'GET /policies', method: 'GET', path: () => '/policies', expect: READ },
  { name: 'POST /validate', method: 'POST', path: () => '/validate', body: () => devRequest('1.0.1'), expect: READ },
  { name: 'GET /deployments/:env/:ns', method: 'GET', path: () => `/deployments/${DEV.environment}/${DEV.namespace}`, expect: READ },
  { name: 'GET /deployments/:env/:ns/:name', method: 'GET', path: () => `/deployments/${DEV_KEY}`, expect: READ },
  { name: 'GET /deployments/:env/:ns/:name/history', method: 'GET', path: () => `/deployments/${DEV_KEY}/history`, expect: READ },
  { name: 'GET /entities/:kind/:ns/:name/deployments', method: 'GET', path: () => '/entities/component/default/payments-api/deployments', expect: READ },
  { name: 'GET /entities/:kind/:ns/:name/health', method: 'GET', path: () => '/entities/component/default/payments-api/health', expect: READ },
  { name: 'GET /dashboard', method: 'GET', path: () => '/dashboard', expect: READ },
  { name: 'GET /approvals', method: 'GET', path: () => '/approvals?status=pending', expect: READ },
  {
    name: 'GET /approvals/:id',
    method: 'GET',
    setup: async () => ({ id: await pendingRequest('grace') }),
    path: ({ id }) => `/approvals/${id}`,
    expect: READ,
  },
  { name: 'GET /audit', method: 'GET', path: () => `/audit?entityRef=${APP}`, expect: READ },
  { name: 'GET /audit?format=csv', method: 'GET', path: () => '/audit?format=csv', expect: READ },

  { name: 'POST /deployments (development)', method: 'POST', path: () => '/deployments', body: () => devRequest('1.0.2'), expect: OWNER(200), audit: 'deploy' },
  // Production requires approval: an allowed deploy becomes a pending request.
  { name: 'POST /deployments (production: request)', method: 'POST', path: () => '/deployments', body: () => prodRequest('2.0.0'), expect: OWNER(202), audit: 'deploy' },
  { name: 'PUT /deployments/:env/:ns/:name', method: 'PUT', path: () => `/deployments/${DEV_KEY}`, body: () => ({ replicas: 2 }), expect: OWNER(200), audit: 'update' },
  { name: 'POST .../restart', method: 'POST', path: () => `/deployments/${DEV_KEY}/restart`, expect: OWNER(200), audit: 'restart' },
  { name: 'POST .../rollback', method: 'POST', path: () => `/deployments/${DEV_KEY}/rollback`, body: () => ({ revision: 1 }), expect: OWNER(200), audit: 'rollback' },
  {
    name: 'DELETE /deployments/:env/:ns/:name',
    method: 'DELETE',
    // Each allowed delete needs something to delete.
    setup: async (_as, allowed) => {
      if (allowed) await deploy('kelsey', devRequest('1.0.3'), 200);
      return {};
    },
    path: () => `/deployments/${DEV_KEY}`,
    expect: OWNER(200),
    audit: 'delete',
  },
  {
    name: 'POST /approvals/:id/approve (grace requested)',
    method: 'POST',
    setup: async () => ({ id: await pendingRequest('grace') }),
    path: ({ id }) => `/approvals/${id}/approve`,
    body: () => ({ comment: 'four eyes' }),
    expect: DECIDE,
    audit: 'approval.approve',
  },
  {
    name: 'POST /approvals/:id/reject (grace requested)',
    method: 'POST',
    setup: async () => ({ id: await pendingRequest('grace') }),
    path: ({ id }) => `/approvals/${id}/reject`,
    body: () => ({ comment: 'not now' }),
    expect: DECIDE,
    audit: 'approval.reject',
  },
  {
    // Four eyes: nobody approves their own request, admins neither.
    name: 'POST /approvals/:id/approve (own request)',
    method: 'POST',
    setup: async as => ({ id: await pendingRequest(as ?? 'ada') }),
    path: ({ id }) => `/approvals/${id}/approve`,
    expect: {
      unauthenticated: 401,
      'other team': null,
      owner: 403,
      approver: null,
      admin: 403,
    },
    audit: 'approval.approve',
  },
];

// --- the backend and the cluster ------------------------------------------------

let backend;
let cluster;
let tokens = {};

/**
 * Calls the API as `user`; a change to a deployment waits (`?wait=60`) until
 * it has ended, so the next row sees its result (200 once ended, 202 for a
 * change that waits for approval).
 */
function call(user, method, path, body) {
  const waits = method !== 'GET' && path.startsWith('/deployments');
  const waited = waits
    ? `${path}${path.includes('?') ? '&' : '?'}wait=60`
    : path;
  return callDeployments(backend, tokens[user], method, waited, body);
}

async function deploy(user, body, status) {
  const res = await call(user, 'POST', '/deployments', body);
  assert.equal(res.status, status, `deploy as ${user}: ${res.text}`);
  return res.json;
}

/** A fresh pending production request by `requester`; its id. */
async function pendingRequest(requester) {
  const outcome = await deploy(
    requester,
    prodRequest(`2.0.${Date.now() % 100000}`),
    202,
  );
  assert.equal(outcome.status, 'pending-approval');
  return outcome.approval.id;
}

async function auditEvents() {
  const res = await call('kelsey', 'GET', '/audit?limit=1000');
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}

before(
  async () => {
    cluster = startCluster({
      name: `perm-${process.pid}`,
      environments: ['development', 'test', 'acceptance', 'production'],
    });
    // SQLite in memory: a fresh database for every run.
    backend = await startBackend(
      {
        env: {
          ...cluster.portalEnv,
          APP_CONFIG_backend_database_connection: '":memory:"',
        },
      },
      240_000,
    );
    try {
      // The example org must be in the catalog before anyone can sign in.
      tokens = await signInUsers(
        backend,
        Object.values(CALLERS).filter(Boolean).concat('grace'),
        120_000,
      );
      await waitForEntity(
        backend,
        tokens.kelsey,
        'component/default/payments-api',
        120_000,
      );
      // Something to read, update, restart and roll back to (revision 1).
      await deploy('kelsey', devRequest('1.0.0'), 200);
      await deploy('kelsey', devRequest('1.0.1'), 200);
      // Production only takes what ran in acceptance (policy otap-order).
      await deploy(
        'kelsey',
        request('acceptance', 'payments-api-acceptance', '1.0.1'),
        200,
      );
    } catch (e) {
      process.stderr.write(outputTail(backend, 60));
      throw e;
    }
  },
  { timeout: 420_000 },
);

after(() => stopAll({ backends: [backend], cluster }));

test('the dev-users sign-in gives each example user their groups', async () => {
  const ada = await signIn(backend, 'ada');
  assert.equal(ada.identity.userEntityRef, 'user:default/ada');
  assert.ok(
    ada.identity.ownershipEntityRefs.includes('group:default/team-payments'),
  );
  const rita = await signIn(backend, 'rita');
  assert.ok(
    rita.identity.ownershipEntityRefs.includes(
      'group:default/release-managers',
    ),
  );
  const unknown = await fetch(`${backend.url}/api/auth/dev-users/refresh`, {
    headers: { 'x-portal-dev-user': 'nobody' },
  });
  assert.equal(unknown.status, 404);
  const missing = await fetch(`${backend.url}/api/auth/dev-users/refresh`);
  assert.equal(missing.status, 400);
});

describe('the RBAC matrix', () => {
  for (const row of MATRIX) {
    for (const [who, expected] of Object.entries(row.expect)) {
      if (expected === null) continue;
      const user = CALLERS[who];
      test(
        `${row.name} as ${who} -> ${expected}`,
        { timeout: 180_000 },
        async () => {
          const allowed = expected < 300;
          const values = row.setup ? await row.setup(user, allowed) : {};
          const earlier =
            row.audit && !allowed ? (await auditEvents()).map(e => e.id) : [];
          const res = await call(
            user,
            row.method,
            row.path(values),
            row.body?.(values),
          );
          assert.equal(
            res.status,
            expected,
            `${row.method} ${row.path(values)} as ${who}: ${res.text}`,
          );
          if (row.audit && !allowed) {
            // The refusal is in the audit trail: who, what, refused.
            const added = (await auditEvents()).filter(
              e => !earlier.includes(e.id),
            );
            const actor = user ? `user:default/${user}` : 'anonymous';
            assert.ok(
              added.some(
                e =>
                  e.actor === actor &&
                  e.action === row.audit &&
                  e.result === 'refused' &&
                  // A signed-in caller's refusal names the application.
                  (!user || e.entityRef === APP),
              ),
              `no audit record of the refused ${
                row.audit
              } by ${actor}; new records: ${JSON.stringify(added)}`,
            );
          }
        },
      );
    }
  }
});

test(
  'plain env values are need-to-know: other teams see the names, owners, release managers and admins the values',
  { timeout: 180_000 },
  async () => {
    const env = [
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'PARTNER_URL', value: 'https://partner.acme.example/v1' },
    ];
    const TEST_KEY = 'test/payments-api-test/payments-api';
    await deploy(
      'ada',
      request('test', 'payments-api-test', '1.0.5', { env }),
      200,
    );
    const withValues = await deploy(
      'ada',
      { ...prodRequest('1.0.1'), env },
      202,
    );
    const reads = [
      `/deployments/${TEST_KEY}`,
      `/deployments/${TEST_KEY}/history`,
      '/entities/component/default/payments-api/deployments',
      '/dashboard',
      '/approvals?status=pending',
      `/approvals/${withValues.approval.id}`,
    ];
    for (const path of reads) {
      const hidden = await call('linus', 'GET', path);
      assert.equal(hidden.status, 200, `${path}: ${hidden.text}`);
      assert.doesNotMatch(hidden.text, /partner\.acme\.example|"debug"/, path);
      assert.match(
        hidden.text,
        /"name":\s*"PARTNER_URL",\s*"redacted":\s*true/,
        `${path} keeps the names`,
      );
      for (const user of ['ada', 'rita', 'kelsey']) {
        const shown = await call(user, 'GET', path);
        assert.equal(shown.status, 200, `${path} as ${user}: ${shown.text}`);
        assert.match(
          shown.text,
          /"name":\s*"PARTNER_URL",\s*"value":\s*"https:\/\/partner\.acme\.example\/v1"/,
          `${path} as ${user}`,
        );
      }
    }
  },
);

test('the audit trail is read in pages, by time, and unauthenticated floods stay bounded', async () => {
  const first = await call('kelsey', 'GET', '/audit?limit=2');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.items.length, 2);
  assert.equal(typeof first.json.nextCursor, 'string');
  const second = await call(
    'kelsey',
    'GET',
    `/audit?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`,
  );
  assert.equal(second.status, 200, second.text);
  const firstIds = new Set(first.json.items.map(e => e.id));
  assert.ok(second.json.items.length > 0);
  for (const event of second.json.items) {
    assert.ok(!firstIds.has(event.id), 'a page never repeats an event');
    assert.ok(event.at <= first.json.items[1].at, 'older events follow');
  }
  const future = await call(
    'kelsey',
    'GET',
    '/audit?since=2999-01-01T00:00:00Z',
  );
  assert.equal(future.status, 200, future.text);
  assert.deepEqual(future.json.items, []);
  const bad = await call('kelsey', 'GET', '/audit?cursor=garbage');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /cursor/);

  const anonymous = async () =>
    (await auditEvents()).filter(
      e => e.actor === 'anonymous' && e.result === 'refused',
    ).length;
  const earlier = await anonymous();
  for (let i = 0; i < 30; i++) {
    const res = await callDeployments(
      backend,
      undefined,
      'POST',
      '/deployments',
      {},
    );
    assert.equal(res.status, 401);
  }
  const recorded = (await anonymous()) - earlier;
  assert.ok(
    recorded <= 10,
    `30 unauthenticated calls in a minute wrote ${recorded} rows; at most 10 are recorded one by one`,
  );
});
