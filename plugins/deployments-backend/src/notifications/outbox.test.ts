import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader, JsonObject } from '@backstage/config';
import { DeploymentRecord } from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { until } from '../__testUtils__/eventually';
import { startWebhookServer } from '../__testUtils__/webhookServer';
import { Notifier } from '../approvals/Notifier';
import { AuditLog } from '../audit/AuditLog';
import { AuditStore } from '../store/AuditStore';
import { NotificationOutboxStore } from '../store/NotificationOutboxStore';

// Delivery through the database outbox (as the backend runs it), against
// real local HTTP servers: retries deliver exactly one message, a message
// survives a restart of the backend, replicas on one database deliver each
// message once, and a webhook that never takes it leaves one audit event.
jest.setTimeout(60_000);

const record = {
  id: '6f1c2b4a-9d1e-4c55-8a3e-1d2f3a4b5c6d',
  entityRef: 'component:default/payments-api',
  environment: 'production',
  namespace: 'payments-api-production',
  name: 'payments-api',
  revision: 7,
  action: 'deploy',
  status: 'succeeded',
  image: 'ghcr.io/acme/payments-api:2.0.0',
  requester: 'user:default/ada',
} as unknown as DeploymentRecord;

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/** One backend replica's notifier on the shared database. */
async function replica(
  knex: Knex,
  webhooks: JsonObject[],
  delivery: Record<string, number> = {},
) {
  const database = mockServices.database({ knex });
  const store = await AuditStore.create(database);
  const outbox = await NotificationOutboxStore.create(database);
  const logger = mockServices.logger.mock();
  const notifier = Notifier.create({
    config: new ConfigReader({
      deployments: {
        notifications: {
          webhooks,
          delivery: {
            attemptTimeoutSeconds: 0.5,
            maxDurationSeconds: 5,
            initialBackoffSeconds: 0.05,
            maxBackoffSeconds: 0.2,
            ...delivery,
          },
        },
      },
    }),
    logger,
    audit: AuditLog.create({ store, logger }),
    outbox,
    pollIntervalMs: 100,
  });
  notifier.start();
  const failures = async () =>
    (await store.list({ action: 'notification.failed' })).map(e => e.message);
  return { notifier, outbox, logger, failures };
}

describe('chat webhooks through the outbox', () => {
  it('a webhook that fails twice (503, then 429 with Retry-After: 1) gets exactly one message', async () => {
    const hook = await startWebhookServer([
      { status: 503 },
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 200 },
    ]);
    const a = await replica(await databases.init('SQLITE_3'), [
      { name: 'chat', url: hook.url, format: 'slack' },
    ]);
    try {
      a.notifier.outcome(record);
      await a.notifier.idle();
      expect(hook.requests.map(r => r.status)).toEqual([503, 429, 200]);
      expect(hook.delivered()).toHaveLength(1);
      expect(hook.requests[2].at - hook.requests[1].at).toBeGreaterThanOrEqual(
        950,
      );
      expect(await a.outbox.count()).toBe(0);
      expect(await a.failures()).toEqual([]);
    } finally {
      await a.notifier.stop();
      await hook.close();
    }
  });

  it('a webhook that always fails leaves exactly one audit event, and an empty outbox', async () => {
    const hook = await startWebhookServer([{ status: 502 }]);
    const a = await replica(
      await databases.init('SQLITE_3'),
      [{ name: 'chat', url: hook.url, format: 'discord' }],
      { maxDurationSeconds: 1 },
    );
    try {
      a.notifier.outcome(record);
      await a.notifier.idle();
      expect(hook.requests.length).toBeGreaterThan(1);
      const failures = await a.failures();
      expect(failures).toEqual([
        expect.stringMatching(
          /^webhook chat \(discord\) did not take the deployed announcement: HTTP 502 Bad Gateway; gave up after \d+ attempts in [01] s$/,
        ),
      ]);
      expect(JSON.stringify(failures)).not.toContain('s3cr3t');
      expect(await a.outbox.count()).toBe(0);
    } finally {
      await a.notifier.stop();
      await hook.close();
    }
  });

  it('keeps a message over a restart: the next start delivers it, once', async () => {
    const hook = await startWebhookServer([
      { status: 503, headers: { 'Retry-After': '2' } },
      { status: 200 },
    ]);
    const knex = await databases.init('SQLITE_3');
    const webhooks = [{ name: 'chat', url: hook.url, format: 'slack' }];
    const first = await replica(knex, webhooks);
    try {
      first.notifier.outcome(record);
      await until('the first attempt', async () => hook.requests.length > 0);
      // The backend stops while the message waits for its retry.
      await first.notifier.stop();
      expect(await first.outbox.count()).toBe(1);
      expect(await first.failures()).toEqual([]);

      const second = await replica(knex, webhooks);
      await second.notifier.idle();
      await second.notifier.stop();
      expect(hook.requests.map(r => r.status)).toEqual([503, 200]);
      expect(hook.delivered()).toHaveLength(1);
      expect(await second.outbox.count()).toBe(0);
      expect(await second.failures()).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('gives back a message whose attempt the shutdown cut short, for the next start', async () => {
    const hook = await startWebhookServer(['hang', { status: 204 }]);
    const knex = await databases.init('SQLITE_3');
    const webhooks = [{ name: 'chat', url: hook.url }];
    const first = await replica(knex, webhooks, { attemptTimeoutSeconds: 30 });
    try {
      first.notifier.outcome(record);
      await until('the hanging attempt', async () => hook.requests.length > 0);
      await first.notifier.stop();
      expect(await first.failures()).toEqual([]);

      const second = await replica(knex, webhooks);
      await second.notifier.idle();
      await second.notifier.stop();
      expect(hook.delivered()).toEqual([
        expect.objectContaining({ event: 'deployed', revision: 7 }),
      ]);
      expect(await second.failures()).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('delivers each message once with two replicas on one database', async () => {
    const hook = await startWebhookServer([{ status: 200 }]);
    const knex = await databases.init('SQLITE_3');
    const webhooks = [{ name: 'chat', url: hook.url }];
    const a = await replica(knex, webhooks);
    const b = await replica(knex, webhooks);
    try {
      for (let revision = 1; revision <= 6; revision++) {
        (revision % 2 ? a : b).notifier.outcome({ ...record, revision });
      }
      await a.notifier.idle();
      await b.notifier.idle();
      const revisions = hook
        .delivered()
        .map(body => (body as { revision: number }).revision);
      expect(revisions.sort()).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await a.notifier.stop();
      await b.notifier.stop();
      await hook.close();
    }
  });
});
