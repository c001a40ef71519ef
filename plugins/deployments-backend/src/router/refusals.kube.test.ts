import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  caData,
  getTestCluster,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import request from 'supertest';
import { startDeploymentsBackend } from '../__testUtils__/backend';
import { component, smallResources } from '../__testUtils__/catalog';
import { postgresId } from '../__testUtils__/databases';

// Hostile input against the real backend on PostgreSQL (which, unlike
// SQLite, refuses NUL in text and values longer than a column) and a real
// API server: every refusal is a 400 that names the field, and nothing is
// recorded, queued or applied.
jest.setTimeout(180_000);

const PREFIX = 'refusals-';
const APP = 'component:default/payments-api';
const DEV_NS = `${PREFIX}payments-api-development`;
const PROD_NS = `${PREFIX}payments-api-production`;
const DIGEST = `sha256:${'c'.repeat(64)}`;
const as = (user: string) => mockCredentials.user.header(user);
const ADA = as('user:default/ada');
const GRACE = as('user:default/grace');
const API = '/api/deployments';

describe('hostile input on PostgreSQL', () => {
  const cluster = getTestCluster();
  const databases = TestDatabases.create({
    ids: [postgresId()],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(
      cluster,
      ['development', 'production'],
      { namespacePrefix: PREFIX },
    );
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init(postgresId()),
      entities: [component('payments-api', 'team-payments')],
      deployments: {
        environments: {
          development: {
            cluster: 'test-cluster',
            namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
          },
          production: {
            cluster: 'test-cluster',
            namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
            // The digest never ran in acceptance here: only the gate is tested.
            policies: { 'otap-order': { enabled: false } },
          },
        },
      },
    }));
  });

  function deployRequest(overrides: Record<string, unknown> = {}) {
    return {
      application: APP,
      environment: 'development',
      namespace: DEV_NS,
      image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
      resources: smallResources(),
      ...overrides,
    };
  }

  async function history(name: string, environment = 'development') {
    const namespace = environment === 'development' ? DEV_NS : PROD_NS;
    const res = await request(server)
      .get(`${API}/deployments/${environment}/${namespace}/${name}/history`)
      .set('authorization', ADA);
    return res.status === 404 ? [] : (res.body.items as any[]);
  }

  /** The audit events of an action (the trail records refusals too). */
  async function audited(action: string) {
    const res = await request(server)
      .get(`${API}/audit?limit=10000`)
      .set('authorization', ADA);
    expect(res.status).toBe(200);
    return (res.body.items as Array<{ action: string }>).filter(
      event => event.action === action,
    );
  }

  it('refuses an image repository over 255 characters, so the full reference always fits the 512-character columns', async () => {
    const tag = `1${'x'.repeat(127)}`;
    // 400 characters passed the schema before, and with the tag made an
    // image of 529 characters that PostgreSQL refused on insert (500).
    const res = await request(server)
      .post(`${API}/deployments`)
      .set('authorization', ADA)
      .send(
        deployRequest({
          name: 'long-image',
          image: { repository: `ghcr.io/acme/${'b'.repeat(387)}`, tag },
        }),
      );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request-invalid');
    expect(res.body.error.errors).toEqual([
      {
        field: 'image.repository',
        message: 'image repository must be at most 255 characters',
      },
    ]);
    expect(await history('long-image')).toEqual([]);

    // The longest repository with the longest tag is recorded as sent.
    const repository = `ghcr.io/acme/${'b'.repeat(242)}`;
    const longest = await request(server)
      .post(`${API}/deployments`)
      .set('authorization', ADA)
      .send(deployRequest({ name: 'long-image', image: { repository, tag } }));
    expect(longest.status).toBe(202);
    expect(longest.body.image).toBe(`${repository}:${tag}`);
    expect(await history('long-image')).toEqual([
      expect.objectContaining({ image: `${repository}:${tag}` }),
    ]);
  });

  it('refuses control characters in entity ref and team filters with 400 naming the parameter (PostgreSQL cannot query NUL)', async () => {
    for (const [path, field] of [
      ['/approvals?entityRef=component:default/payments%00api', 'entityRef'],
      ['/audit?entityRef=component:default/payments%00api', 'entityRef'],
      ['/dashboard?team=group:default/team%00payments', 'team'],
    ]) {
      const res = await request(server)
        .get(`${API}${path}`)
        .set('authorization', ADA);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error).toMatchObject({
        code: 'parameter-invalid',
        errors: [
          {
            field: `query ${field}`,
            message: 'must not contain control characters',
          },
        ],
      });
    }
    const kindless = await request(server)
      .get(`${API}/approvals?entityRef=payments-api`)
      .set('authorization', ADA);
    expect(kindless.status).toBe(400);
    expect(kindless.body.error.errors[0].field).toBe('query entityRef');
  });

  let approvalId: string;

  it('carries the policy warnings of a change that waits for approval: in the 202, on the approval request', async () => {
    const res = await request(server)
      .post(`${API}/deployments`)
      .set('authorization', ADA)
      .send({
        application: APP,
        environment: 'production',
        namespace: PROD_NS,
        image: {
          repository: 'ghcr.io/acme/payments-api',
          tag: '2.0.0',
          digest: DIGEST,
        },
        replicas: 2,
        resources: smallResources(),
        changeReference: 'https://jira.acme.example/browse/OPS-9',
        env: [{ name: 'PYTHON_ENV', value: 'production' }],
      });
    expect(res.status).toBe(202);
    approvalId = res.body.approval.id;
    const warning = expect.objectContaining({
      policyId: 'canonical-config-names',
      severity: 'warning',
      path: 'env[0].name',
    });
    expect(res.body.approval.warnings).toEqual([warning]);
    const stored = await request(server)
      .get(`${API}/approvals/${approvalId}`)
      .set('authorization', GRACE);
    expect(stored.body.warnings).toEqual([warning]);
  });

  it('refuses NUL and other control characters in an approval comment, deciding nothing', async () => {
    for (const comment of ['ship it\u0000', 'ship \u001b[2Jit']) {
      const res = await request(server)
        .post(`${API}/approvals/${approvalId}/approve`)
        .set('authorization', GRACE)
        .send({ comment });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'parameter-invalid',
        errors: [
          {
            field: 'comment',
            message:
              'must not contain control characters (line breaks and tabs are fine)',
          },
        ],
      });
    }
    const approval = await request(server)
      .get(`${API}/approvals/${approvalId}`)
      .set('authorization', GRACE);
    expect(approval.body).toMatchObject({ status: 'pending' });
    expect(approval.body.comment).toBeUndefined();
    expect(await audited('approval.approve')).toEqual([]);
  });

  it('approves with a multi-line comment; the record of the change keeps the warnings', async () => {
    const res = await request(server)
      .post(`${API}/approvals/${approvalId}/approve`)
      .set('authorization', GRACE)
      .send({ comment: 'ship it\n- after the freeze' });
    expect(res.status).toBe(200);
    expect(res.body.comment).toBe('ship it\n- after the freeze');
    const change = await request(server)
      .get(`${API}/changes/${res.body.changeId}`)
      .set('authorization', ADA);
    expect(change.body.warnings).toEqual([
      expect.objectContaining({
        policyId: 'canonical-config-names',
        path: 'env[0].name',
      }),
    ]);
  });

  it('refuses a rollback revision that is not a positive 32-bit integer with 400, recording nothing', async () => {
    const deployed = await request(server)
      .post(`${API}/deployments?wait=60`)
      .set('authorization', ADA)
      .send(deployRequest());
    expect(deployed.body.status).toBe('succeeded');
    const rollback = `${API}/deployments/development/${DEV_NS}/payments-api/rollback`;
    for (const revision of [0, -1, 1.5, '3', 2147483648, null, [1]]) {
      const res = await request(server)
        .post(rollback)
        .set('authorization', ADA)
        .send({ revision });
      expect({ revision, status: res.status }).toEqual({
        revision,
        status: 400,
      });
      expect(res.body.error.code).toBe('rollback-target-invalid');
      expect(res.body.error.errors).toEqual([
        { field: 'revision', message: expect.any(String) },
      ]);
    }
    expect(await history('payments-api')).toHaveLength(1);
    expect(await audited('rollback')).toEqual([]);

    // The largest revision the column holds is a valid number, and simply
    // not in the history.
    const largest = await request(server)
      .post(rollback)
      .set('authorization', ADA)
      .send({ revision: 2147483647 });
    expect(largest.status).toBe(400);
    expect(largest.body.error.code).toBe('rollback-target-invalid');
    expect(largest.body.error.message).toContain('revision 2147483647');
    expect(await history('payments-api')).toHaveLength(1);
  });

  it('refuses a body that gives a key twice with 400 naming the key, recording nothing', async () => {
    const before = (await audited('deploy')).length;
    const body = JSON.stringify(deployRequest({ name: 'twice' })).replace(
      /}$/,
      ',"environment":"production"}',
    );
    const res = await request(server)
      .post(`${API}/deployments`)
      .set('authorization', ADA)
      .set('content-type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'parameter-invalid',
      errors: [
        {
          field: 'environment',
          message:
            'duplicate key environment: a JSON object takes each key once; remove the other',
        },
      ],
    });
    expect(await history('twice')).toEqual([]);
    expect(await audited('deploy')).toHaveLength(before);
  });
});
