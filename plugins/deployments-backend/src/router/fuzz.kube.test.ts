import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  caData,
  getTestCluster,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import fc from 'fast-check';
import request from 'supertest';
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { component, smallResources } from '../__testUtils__/catalog';
import { postgresId } from '../__testUtils__/databases';

// Property-based fuzzing of every route of the API, on PostgreSQL (whose
// columns have lengths SQLite ignores) and a real API server: whatever a
// caller sends — odd unicode, wrong JSON types, duplicate keys, malformed
// refs, repeated parameters, broken JSON — the answer is never a 5xx and the
// connection is never dropped. A fixed seed makes a failure reproducible.
//   FUZZ_RUNS=20000 yarn workspace @deployments-portal/backstage-plugin-deployments-backend fuzz:api
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
jest.setTimeout(Math.max(300_000, RUNS * 150));

const PREFIX = 'fuzz-';
const ENVIRONMENTS = ['development', 'test', 'acceptance', 'production'];

/** Strings a careless or hostile caller sends. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '%00',
    '\u0000',
    '\u202e',
    'component:',
    ':default/x',
    'component:default/',
    'group:default/team-payments',
    'component:default/payments-api',
    'Component:Default/Payments-API',
    'true',
    'false',
    '-1',
    '1e309',
    'NaN',
    '0x10',
    '__proto__',
    'constructor',
    'a'.repeat(300),
    'é'.repeat(100),
  ),
);

/** JSON values of every type, nested. */
const anyJson = fc.jsonValue({ maxDepth: 4 });

const pathParam = fc.oneof(
  fc.constantFrom(
    ...ENVIRONMENTS,
    `${PREFIX}payments-api-development`,
    'payments-api',
    'component',
    'default',
    '0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10',
  ),
  nasty,
);

/** Mostly the good value (so calls get deep into the service), else anything. */
function mostly<T>(
  good: fc.Arbitrary<T>,
  ...bad: fc.Arbitrary<unknown>[]
): fc.Arbitrary<T> {
  return fc.oneof(
    { arbitrary: good, weight: 12 },
    ...bad.map(arbitrary => ({
      arbitrary: arbitrary as fc.Arbitrary<T>,
      weight: 1,
    })),
  );
}

/** A deployment request, mostly good, with any field possibly wrong or missing. */
const absent = fc.constant(undefined);
const deployBody = fc.record({
  application: mostly(
    fc.constant('component:default/payments-api'),
    nasty,
    anyJson,
    absent,
  ),
  environment: mostly(
    fc.constant('development'),
    fc.constantFrom(...ENVIRONMENTS),
    nasty,
    anyJson,
  ),
  namespace: mostly(
    fc.constant(`${PREFIX}payments-api-development`),
    nasty,
    anyJson,
  ),
  name: mostly(
    fc.constantFrom('payments-fuzz', 'payments-fuzz-2'),
    nasty,
    anyJson,
    absent,
  ),
  image: mostly(
    fc.record({
      repository: mostly(fc.constant('ghcr.io/acme/payments-api'), nasty),
      tag: mostly(fc.constantFrom('1.0.0', '1.0.1'), nasty, absent),
      digest: mostly(absent, fc.constant(`sha256:${'a'.repeat(64)}`), nasty),
    }),
    anyJson,
  ),
  replicas: mostly(
    fc.integer({ min: 0, max: 3 }),
    fc.integer(),
    fc.double(),
    anyJson,
  ),
  resources: mostly(fc.constant(smallResources()), anyJson, absent),
  env: mostly(
    fc.array(
      mostly(
        fc.record({
          name: fc.constantFrom('ENVIRONMENT', 'PYTHON_ENV', 'LOG_LEVEL'),
          value: fc.string(),
        }),
        fc.record({ name: nasty, value: nasty }),
        fc.record({
          name: nasty,
          secretKeyRef: fc.record({ name: nasty, key: nasty }),
        }),
        anyJson,
      ),
      { maxLength: 30 },
    ),
    anyJson,
  ),
  ports: mostly(
    absent,
    fc.array(fc.record({ name: nasty, containerPort: fc.integer() }), {
      maxLength: 3,
    }),
    anyJson,
  ),
  autoscaling: mostly(absent, anyJson),
  changeReference: mostly(absent, fc.webUrl(), nasty),
  requester: mostly(absent, nasty),
});

type Call = {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  query: Array<[string, string]>;
  body?: unknown;
  /** Raw text sent as JSON (broken JSON, duplicate keys). */
  raw?: string;
  auth: 'user' | 'none' | 'invalid';
};

function enc(part: string) {
  try {
    return encodeURIComponent(part);
  } catch {
    return 'x'; // lone surrogates cannot be encoded
  }
}

const none = fc.constant(undefined);
/** What the other routes take: a rollback target, an update, a comment. */
const rollbackBody = mostly(
  fc.record({
    revision: fc.oneof(
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      fc.double(),
      fc.constantFrom(1.5, 1e20, -1, 0),
      nasty,
      anyJson,
    ),
  }),
  anyJson,
  none,
);
const updateBody = mostly(
  fc.record(
    {
      replicas: mostly(fc.integer({ min: 0, max: 3 }), fc.integer(), anyJson),
      image: mostly(
        fc.record({ tag: mostly(fc.constantFrom('1.0.2', '1.0.3'), nasty) }),
        anyJson,
      ),
      env: anyJson,
      name: nasty,
      changeReference: nasty,
    },
    { requiredKeys: [] },
  ),
  anyJson,
);
const commentBody = mostly(
  fc.record({ comment: mostly(fc.string(), nasty, anyJson) }),
  anyJson,
  none,
);

/** A deployment that exists (the fuzz deploys it first), or anything. */
const deploymentKey = mostly(
  fc.constantFrom(
    ['development', `${PREFIX}payments-api-development`, 'payments-fuzz'],
    ['development', `${PREFIX}payments-api-development`, 'payments-fuzz-2'],
  ),
  fc.tuple(pathParam, pathParam, pathParam),
).map(k => k.map(enc).join('/'));
const entityKey = mostly(
  fc.constant(['component', 'default', 'payments-api']),
  fc.tuple(pathParam, pathParam, pathParam),
).map(k => k.map(enc).join('/'));
const id = pathParam.map(enc);

type Route = [Call['method'], string, unknown];
const route: fc.Arbitrary<Route> = fc.oneof(
  fc.tuple(fc.constant('get'), fc.constant('/environments'), none),
  fc.tuple(fc.constant('get'), fc.constant('/policies'), none),
  fc.tuple(fc.constant('get'), fc.constant('/openapi.yaml'), none),
  fc.tuple(fc.constant('post'), fc.constant('/validate'), deployBody),
  {
    arbitrary: fc.tuple(
      fc.constant('post'),
      fc.constant('/deployments'),
      deployBody,
    ),
    weight: 4,
  },
  fc.tuple(fc.constant('get'), fc.constant('/dashboard'), none),
  fc.tuple(fc.constant('get'), fc.constant('/approvals'), none),
  fc.tuple(fc.constant('get'), fc.constant('/audit'), none),
  fc.tuple(
    fc.constant('get'),
    id.map(i => `/approvals/${i}`),
    none,
  ),
  fc.tuple(
    fc.constant('post'),
    id.map(i => `/approvals/${i}/approve`),
    commentBody,
  ),
  fc.tuple(
    fc.constant('post'),
    id.map(i => `/approvals/${i}/reject`),
    commentBody,
  ),
  fc.tuple(
    fc.constant('get'),
    id.map(i => `/changes/${i}`),
    none,
  ),
  fc.tuple(
    fc.constant('post'),
    id.map(i => `/changes/${i}/cancel`),
    none,
  ),
  fc.tuple(
    fc.constant('get'),
    fc
      .tuple(pathParam, pathParam)
      .map(([e, n]) => `/deployments/${enc(e)}/${enc(n)}`),
    none,
  ),
  fc.tuple(
    fc.constant('get'),
    deploymentKey.map(k => `/deployments/${k}`),
    none,
  ),
  {
    arbitrary: fc.tuple(
      fc.constant('put'),
      deploymentKey.map(k => `/deployments/${k}`),
      updateBody,
    ),
    weight: 2,
  },
  fc.tuple(
    fc.constant('delete'),
    deploymentKey.map(k => `/deployments/${k}`),
    none,
  ),
  fc.tuple(
    fc.constant('post'),
    deploymentKey.map(k => `/deployments/${k}/restart`),
    none,
  ),
  {
    arbitrary: fc.tuple(
      fc.constant('post'),
      deploymentKey.map(k => `/deployments/${k}/rollback`),
      rollbackBody,
    ),
    weight: 2,
  },
  fc.tuple(
    fc.constant('get'),
    deploymentKey.map(k => `/deployments/${k}/history`),
    none,
  ),
  fc.tuple(
    fc.constant('get'),
    entityKey.map(k => `/entities/${k}/deployments`),
    none,
  ),
  fc.tuple(
    fc.constant('get'),
    entityKey.map(k => `/entities/${k}/health`),
    none,
  ),
) as fc.Arbitrary<Route>;

const queryNames = fc.constantFrom(
  'dryRun',
  'wait',
  'timeoutSeconds',
  'taskId',
  'refresh',
  'status',
  'entityRef',
  'environment',
  'team',
  'format',
  'limit',
  'cursor',
  'a[b]',
);

const call: fc.Arbitrary<Call> = fc
  .record({
    route,
    query: mostly(
      fc.constant([] as Array<[string, string]>),
      fc.array(fc.tuple(queryNames, nasty), { maxLength: 4 }),
    ),
    body: mostly(none, anyJson),
    raw: mostly(
      fc.constant(undefined),
      fc.constantFrom(
        '{"application": "component:default/payments-api", "application": 1}',
        '{"replicas": 1, "replicas": "2"',
        '{"env": [',
        'null',
        '"just a string"',
        '{"__proto__": {"polluted": true}}',
        `[${'['.repeat(2000)}`,
      ),
    ),
    auth: fc.constantFrom('user', 'user', 'user', 'user', 'none', 'invalid'),
  })
  .map(({ route: [method, path, routeBody], query, body, raw, auth }) => ({
    method,
    path,
    query,
    // The route's own body, now and then something else entirely.
    body: body ?? routeBody,
    raw,
    auth,
  }));

describe('every route under fuzzed input', () => {
  const cluster = getTestCluster();
  const databases = TestDatabases.create({
    ids: [postgresId()],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init(postgresId()),
      entities: [component('payments-api', 'team-payments')],
      deployments: {
        rollout: { timeoutSeconds: 10 },
        environments: Object.fromEntries(
          ENVIRONMENTS.map(name => [
            name,
            {
              cluster: 'test-cluster',
              namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
            },
          ]),
        ),
      },
    }));
  });

  it(`answers ${RUNS} fuzzed calls without a 5xx or a dropped connection (seed ${SEED})`, async () => {
    // Something to update, restart, roll back and delete: routes on it go
    // all the way into the service instead of stopping at a 404.
    for (const name of ['payments-fuzz', 'payments-fuzz-2']) {
      const deployed = await request(server)
        .post('/api/deployments/deployments?wait=60')
        .set('authorization', mockCredentials.user.header('user:default/ada'))
        .send({
          application: 'component:default/payments-api',
          environment: 'development',
          namespace: `${PREFIX}payments-api-development`,
          name,
          image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
          resources: smallResources(),
        });
      expect(deployed.body.status).toBe('succeeded');
    }
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(call, async c => {
        let req = request(server)[c.method](`/api/deployments${c.path}`);
        if (c.query.length > 0) {
          req = req.query(
            c.query
              .map(([name, value]) => `${enc(name)}=${enc(value)}`)
              .join('&'),
          );
        }
        if (c.auth === 'user') {
          req = req.set(
            'authorization',
            mockCredentials.user.header('user:default/ada'),
          );
        } else if (c.auth === 'invalid') {
          req = req.set('authorization', mockCredentials.user.invalidHeader());
        }
        // Sent as JSON text, also when the body is not an object.
        const raw =
          c.raw ??
          (c.body === undefined || c.method === 'get'
            ? undefined
            : JSON.stringify(c.body));
        if (raw !== undefined) {
          req = req.set('content-type', 'application/json').send(raw);
        }
        const res = await req;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) {
          throw new Error(
            `${c.method.toUpperCase()} ${c.path} answered ${
              res.status
            }: ${res.text.slice(0, 500)}`,
          );
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Every kind of answer came up, not only refusals at the door: changes
    // were accepted (202), so the calls reached the cluster too.
    expect([...statuses.keys()].sort()).toEqual(
      expect.arrayContaining([200, 202, 400, 401, 404]),
    );
  });
});
