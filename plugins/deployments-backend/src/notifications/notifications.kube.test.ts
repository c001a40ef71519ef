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
import { sleep, until } from '../__testUtils__/eventually';
import { startWebhookServer } from '../__testUtils__/webhookServer';

// The whole backend on a real API server with a chat webhook that never
// answers: changes run and finish while its message hangs, and once the
// delivery time limit is spent the lost message is exactly one
// notification.failed event in the audit trail (by the webhook's name,
// never its URL), which the Deployments tab reads with ?action=.
jest.setTimeout(120_000);

const PREFIX = 'notify-';
const NS = `${PREFIX}payments-api-development`;
const APP = 'component:default/payments-api';
const auth = mockCredentials.user.header('user:default/ada');

describe('chat webhooks on a real cluster', () => {
  const cluster = getTestCluster();
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });

  it('never blocks a change, and records a message it could not deliver once', async () => {
    const hook = await startWebhookServer(['hang']);
    const token = await seedPortalAccess(cluster, ['development'], {
      namespacePrefix: PREFIX,
    });
    const backend = await startDeploymentsBackend({
      cluster: { url: cluster.server, token, ca: caData(cluster) },
      knex: await databases.init('SQLITE_3'),
      entities: [component('payments-api', 'team-payments')],
      deployments: {
        notifications: {
          webhooks: [{ name: 'team-chat', url: hook.url, format: 'slack' }],
          delivery: {
            attemptTimeoutSeconds: 10,
            maxDurationSeconds: 20,
            initialBackoffSeconds: 0.5,
            maxBackoffSeconds: 1,
          },
        },
      },
    });
    const { server } = backend;
    const failures = async () => {
      const res = await request(server)
        .get(
          `/api/deployments/audit?entityRef=${encodeURIComponent(
            APP,
          )}&action=notification.failed`,
        )
        .set('authorization', auth);
      expect(res.status).toBe(200);
      return res.body.items as Array<{ action: string; message: string }>;
    };
    try {
      const deployed = await request(server)
        .post('/api/deployments/deployments?wait=60')
        .set('authorization', auth)
        .send({
          application: APP,
          environment: 'development',
          namespace: NS,
          image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
          replicas: 1,
          resources: smallResources(),
        });
      expect(deployed.body.status).toBe('succeeded');
      // The announcement of the deploy now hangs at the webhook …
      await until('the webhook called', async () => hook.requests.length > 0);
      // … while the next change of the same deployment runs and ends.
      const started = Date.now();
      const restarted = await request(server)
        .post(
          `/api/deployments/deployments/development/${NS}/payments-api/restart?wait=60`,
        )
        .set('authorization', auth);
      expect(restarted.body.status).toBe('succeeded');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(hook.requests.every(r => r.status === undefined)).toBe(true);
      expect(await failures()).toEqual([]);

      // After the delivery time limit: one event, and no second one later.
      const [failure] = await until(
        'the lost message audited',
        async () => {
          const items = await failures();
          return items.length > 0 ? items : undefined;
        },
        40_000,
      );
      await sleep(1500);
      expect(await failures()).toHaveLength(1);
      expect(failure).toMatchObject({
        actor: 'system',
        action: 'notification.failed',
        result: 'failure',
        environment: 'development',
        namespace: NS,
        message: expect.stringMatching(
          /^webhook team-chat \(slack\) did not take the deployed announcement: no answer within [\d.]+ s; gave up after \d attempts in (19|20|21) s$/,
        ),
      });
      expect(JSON.stringify(failure)).not.toContain('s3cr3t');

      const bad = await request(server)
        .get('/api/deployments/audit?action=notification.lost')
        .set('authorization', auth);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('action');
      const anonymous = await request(server)
        .get('/api/deployments/audit?action=notification.failed')
        .set('authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    } finally {
      await backend.stop();
      await hook.close();
    }
  });
});
