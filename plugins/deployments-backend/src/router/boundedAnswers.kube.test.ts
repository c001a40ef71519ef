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

// What a caller sends never makes an answer or an audit row grow beyond a
// fixed size, and a value too long for a column is a 400 on PostgreSQL (as
// on SQLite), not a failed insert.
jest.setTimeout(120_000);

const auth = mockCredentials.user.header('user:default/ada');

describe('bounded answers', () => {
  const cluster = getTestCluster();
  const databases = TestDatabases.create({
    ids: [postgresId()],
    disableDocker: true,
  });
  let server: Awaited<ReturnType<typeof startDeploymentsBackend>>['server'];

  beforeAll(async () => {
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: 'bounded-',
    });
    ({ server } = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init(postgresId()),
      entities: [component('payments-api', 'team-payments')],
    }));
  });

  function deployRequest(overrides: Record<string, unknown> = {}) {
    return {
      application: 'component:default/payments-api',
      environment: 'development',
      namespace: 'bounded-payments-api-development',
      image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
      resources: smallResources(),
      ...overrides,
    };
  }

  it('lists the first 20 problems and counts the rest, whatever the request holds', async () => {
    const env = Array.from({ length: 2000 }, (_, i) => ({
      name: `${i}-not-a-name-${'x'.repeat(20)}`,
      value: 'v',
    }));
    const body = deployRequest({ env });
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.errors).toHaveLength(20);
    expect(res.body.error.more).toBe(1980);
    expect(res.body.error.message).toMatch(/; and 1980 more$/);
    // The request was ~100 KB; the answer stays a few KB.
    expect(JSON.stringify(body).length).toBeGreaterThan(90_000);
    expect(res.text.length).toBeLessThan(8_000);
  });

  it('refuses values longer than their columns with 400 on PostgreSQL, and audits the refusal cut to size', async () => {
    const long = `component:default/${'a'.repeat(600)}`;
    const res = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', auth)
      .send(
        deployRequest({
          application: long,
          image: { repository: `ghcr.io/acme/${'b'.repeat(450)}`, tag: '1' },
        }),
      );
    expect(res.status).toBe(400);
    expect(res.body.error.errors).toEqual(
      expect.arrayContaining([
        { field: 'application', message: 'must be at most 255 characters' },
        {
          field: 'image.repository',
          message: 'image repository must be at most 255 characters',
        },
      ]),
    );
    const audit = await request(server)
      .get('/api/deployments/audit?limit=1')
      .set('authorization', auth);
    const [event] = audit.body.items;
    expect(event).toMatchObject({ action: 'deploy', result: 'failure' });
    expect(event.message.length).toBeLessThanOrEqual(2000);
  });

  it('answers POST /validate of a ~100 KB request in a few KB: the first 20 schema errors and a count', async () => {
    const env = Array.from({ length: 2000 }, (_, i) => ({
      name: `${i}-not-a-name-${'x'.repeat(20)}`,
      value: 'v',
    }));
    const body = deployRequest({ env });
    const res = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.moreErrors).toBe(1980);
    expect(JSON.stringify(body).length).toBeGreaterThan(90_000);
    expect(res.text.length).toBeLessThan(8_000);
  });

  it('answers POST /validate with the first 20 policy violations, each cut to size, and a count', async () => {
    // The longest names Kubernetes takes, each one a plain secret.
    const env = Array.from({ length: 400 }, (_, i) => ({
      name: `${'S'.repeat(244 - String(i).length)}${i}_PASSWORD`,
      value: 'hunter2',
    }));
    const body = deployRequest({ env });
    const res = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.violations).toHaveLength(20);
    expect(res.body.moreViolations).toBe(380);
    for (const violation of res.body.violations) {
      expect(violation).toMatchObject({
        policyId: 'plaintext-secrets',
        severity: 'error',
      });
      expect(violation.message.length).toBeLessThanOrEqual(500);
      expect(violation.hint.length).toBeLessThanOrEqual(500);
    }
    expect(JSON.stringify(body).length).toBeGreaterThan(100_000);
    expect(res.text.length).toBeLessThan(20_000);

    // A name longer than Kubernetes takes is a schema error.
    const tooLong = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(
        deployRequest({ env: [{ name: `A${'_'.repeat(253)}`, value: '' }] }),
      );
    expect(tooLong.body.errors).toEqual([
      {
        field: 'env[0].name',
        message:
          'env var name must be at most 253 characters (a ConfigMap key)',
      },
    ]);
  });

  it('lists the first 20 changed fields of each object in the diff of POST /validate, and a count', async () => {
    const deployed = await request(server)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', auth)
      .send(
        deployRequest({
          name: 'many-settings',
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
        }),
      );
    expect(deployed.body.status).toBe('succeeded');
    const env = Array.from({ length: 1200 }, (_, i) => ({
      name: `SETTING_${i}_${'X'.repeat(60)}`,
      value: 'v',
    }));
    const body = deployRequest({ name: 'many-settings', env });
    const res = await request(server)
      .post('/api/deployments/validate')
      .set('authorization', auth)
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
    const configMap = res.body.diff.find(
      (d: { kind: string }) => d.kind === 'ConfigMap',
    );
    expect(configMap.change).toBe('update');
    expect(configMap.fields).toHaveLength(20);
    expect(configMap.moreFields).toBeGreaterThanOrEqual(1180);
    expect(JSON.stringify(body).length).toBeGreaterThan(90_000);
    expect(res.text.length).toBeLessThan(10_000);
  });

  it('refuses an approval comment over 2000 characters before looking anything up', async () => {
    const res = await request(server)
      .post(
        '/api/deployments/approvals/0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10/approve',
      )
      .set('authorization', auth)
      .send({ comment: 'c'.repeat(2001) });
    expect(res.status).toBe(400);
    expect(res.body.error.errors).toEqual([
      { field: 'comment', message: 'must be at most 2000 characters' },
    ]);
  });
});
