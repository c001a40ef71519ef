import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader, JsonObject } from '@backstage/config';
import { DeploymentRecord } from '@deployments-portal/backstage-plugin-deployments-common';
import { pendingApproval } from '../__testUtils__/approvals';
import { startWebhookServer } from '../__testUtils__/webhookServer';
import { Notifier } from '../approvals/Notifier';
import { AuditLog } from '../audit/AuditLog';
import { AuditStore } from '../store/AuditStore';

// The chat webhooks against real local HTTP servers: each format's body has
// the shape its chat tool documents, webhooks get only their environments'
// and teams' events, retries deliver exactly one message, and a webhook
// that never takes one leaves exactly one audit event, without its URL.
jest.setTimeout(60_000);

const TICKET = 'https://jira.acme.example/browse/OPS-42';
const APP_URL = 'https://portal.acme.example';

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
  changeReference: TICKET,
} as unknown as DeploymentRecord;

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

async function setup(
  webhooks: JsonObject[],
  options: { owner?: string; delivery?: Record<string, number> } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const store = await AuditStore.create(mockServices.database({ knex }));
  const logger = mockServices.logger.mock();
  const audit = AuditLog.create({ store, logger });
  const notifier = Notifier.create({
    config: new ConfigReader({
      app: { baseUrl: `${APP_URL}/` },
      deployments: {
        environments: {
          production: { cluster: 'prod-eu-1' },
          development: { cluster: 'dev-eu-1' },
        },
        notifications: {
          webhooks,
          delivery: {
            attemptTimeoutSeconds: 0.5,
            maxDurationSeconds: 5,
            initialBackoffSeconds: 0.05,
            maxBackoffSeconds: 0.2,
            ...options.delivery,
          },
        },
      },
    }),
    logger,
    audit,
    ownerOf: async () => options.owner ?? 'group:default/team-payments',
  });
  const failures = async () =>
    (await store.list({ action: 'notification.failed' })).map(e => ({
      ...e,
      id: undefined,
      at: undefined,
    }));
  return { notifier, logger, failures };
}

describe('chat webhooks', () => {
  it('slack: text and Block Kit blocks (header, message, fields, link buttons)', async () => {
    const hook = await startWebhookServer([{ status: 200 }]);
    try {
      const { notifier } = await setup([{ url: hook.url, format: 'slack' }]);
      notifier.outcome(record, {
        fromVersion: 'ghcr.io/acme/payments-api:1.9.0',
      });
      await notifier.idle();
      expect(hook.delivered()).toEqual([
        {
          text: '✅ Deployed: component:default/payments-api in production: deploy of component:default/payments-api in production (revision 7) succeeded',
          blocks: [
            {
              type: 'header',
              text: {
                type: 'plain_text',
                text: '✅ Deployed: component:default/payments-api in production',
              },
            },
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: 'deploy of component:default/payments-api in production (revision 7) succeeded',
              },
            },
            {
              type: 'section',
              fields: [
                {
                  type: 'mrkdwn',
                  text: '*Application*\ncomponent:default/payments-api',
                },
                {
                  type: 'mrkdwn',
                  text: '*Where*\nproduction · cluster prod-eu-1 · namespace payments-api-production',
                },
                { type: 'mrkdwn', text: '*What*\ndeploy (revision 7)' },
                {
                  type: 'mrkdwn',
                  text: '*Version*\nghcr.io/acme/payments-api:1.9.0 → ghcr.io/acme/payments-api:2.0.0',
                },
                { type: 'mrkdwn', text: '*Requested by*\nuser:default/ada' },
                { type: 'mrkdwn', text: '*Result*\ndeployed' },
                { type: 'mrkdwn', text: `*Change*\n<${TICKET}|${TICKET}>` },
              ],
            },
            {
              type: 'actions',
              elements: [
                {
                  type: 'button',
                  text: { type: 'plain_text', text: 'Deployments tab' },
                  url: `${APP_URL}/catalog/default/component/payments-api/deployments`,
                },
                {
                  type: 'button',
                  text: { type: 'plain_text', text: 'Open in the portal' },
                  url: `${APP_URL}/catalog/default/component/payments-api`,
                },
                {
                  type: 'button',
                  text: { type: 'plain_text', text: 'Change ticket' },
                  url: TICKET,
                },
              ],
            },
          ],
        },
      ]);
      expect(hook.requests[0].contentType).toBe('application/json');
    } finally {
      await hook.close();
    }
  });

  it('discord: content and one embed within Discord limits, mentions off', async () => {
    const hook = await startWebhookServer([{ status: 204 }]);
    try {
      const { notifier } = await setup([{ url: hook.url, format: 'discord' }]);
      notifier.outcome({
        ...record,
        status: 'failed',
        error: `image pull failed ${'x'.repeat(3000)} @everyone`,
      });
      await notifier.idle();
      const [body] = hook.delivered() as any[];
      expect(Object.keys(body).sort()).toEqual([
        'allowed_mentions',
        'content',
        'embeds',
      ]);
      expect(body.content).toBe(
        '❌ **Deployment failed: component:default/payments-api in production**',
      );
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(body.embeds).toHaveLength(1);
      const [embed] = body.embeds;
      expect(embed).toMatchObject({
        title:
          'Deployment failed: component:default/payments-api in production',
        url: `${APP_URL}/catalog/default/component/payments-api/deployments`,
        color: 0xe01e5a,
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(embed.description.length).toBeLessThanOrEqual(4096);
      expect(embed.description).toContain(
        `[Deployments tab](${APP_URL}/catalog/default/component/payments-api/deployments)`,
      );
      expect(embed.description).toContain(`[Change ticket](${TICKET})`);
      expect(embed.fields).toContainEqual({
        name: 'Where',
        value:
          'production · cluster prod-eu-1 · namespace payments-api-production',
        inline: true,
      });
      expect(embed.fields).toContainEqual({
        name: 'Result',
        value: 'failed',
        inline: true,
      });
      for (const field of embed.fields) {
        expect(field.value.length).toBeLessThanOrEqual(1024);
      }
    } finally {
      await hook.close();
    }
  });

  it('teams: a message with one Adaptive Card attachment (FactSet, OpenUrl actions)', async () => {
    const hook = await startWebhookServer([{ status: 202 }]);
    try {
      const { notifier } = await setup([{ url: hook.url, format: 'teams' }]);
      notifier.approvalRequested(
        pendingApproval({
          toVersion: 'ghcr.io/acme/payments-api:2.0.0',
          changeReference: TICKET,
        }),
      );
      await notifier.idle();
      const [body] = hook.delivered() as any[];
      expect(body.type).toBe('message');
      expect(body.attachments).toHaveLength(1);
      const [attachment] = body.attachments;
      expect(attachment.contentType).toBe(
        'application/vnd.microsoft.card.adaptive',
      );
      expect(attachment.contentUrl).toBeNull();
      const card = attachment.content;
      expect(card).toMatchObject({
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
      });
      expect(card.body[0]).toEqual({
        type: 'TextBlock',
        text: 'Approval requested: deploy component:default/payments-api in production',
        weight: 'Bolder',
        size: 'Medium',
        color: 'Warning',
        wrap: true,
      });
      expect(card.body[1]).toEqual({
        type: 'TextBlock',
        text: 'user:default/ada asks to deploy component:default/payments-api in production (ghcr.io/acme/payments-api:2.0.0)',
        wrap: true,
      });
      expect(card.body[2].type).toBe('FactSet');
      expect(card.body[2].facts).toContainEqual({
        title: 'Change',
        value: `[${TICKET}](${TICKET})`,
      });
      expect(card.actions).toEqual([
        {
          type: 'Action.OpenUrl',
          title: 'Deployments tab',
          url: `${APP_URL}/catalog/default/component/payments-api/deployments`,
        },
        {
          type: 'Action.OpenUrl',
          title: 'Approval request',
          url: `${APP_URL}/deployments/approvals/0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10`,
        },
        { type: 'Action.OpenUrl', title: 'Change ticket', url: TICKET },
      ]);
    } finally {
      await hook.close();
    }
  });

  it('googlechat: a text message with *bold* and <url|text> links', async () => {
    const hook = await startWebhookServer([{ status: 200 }]);
    try {
      const { notifier } = await setup([
        { url: hook.url, format: 'googlechat' },
      ]);
      notifier.decided(
        pendingApproval({
          status: 'approved',
          decidedBy: 'user:default/grace',
          changeReference: TICKET,
        }),
      );
      await notifier.idle();
      const [body] = hook.delivered() as any[];
      expect(Object.keys(body)).toEqual(['text']);
      expect(body.text.split('\n')).toEqual([
        '✅ *Approved: deploy component:default/payments-api in production*',
        'The request to deploy component:default/payments-api in production was approved by user:default/grace',
        '*Application:* component:default/payments-api',
        '*Where:* production · cluster prod-eu-1 · namespace payments-api-production',
        '*What:* deploy',
        '*Requested by:* user:default/ada',
        '*Decided by:* user:default/grace',
        '*Result:* approved',
        `*Change:* <${TICKET}|${TICKET}>`,
        `<${APP_URL}/catalog/default/component/payments-api/deployments|Deployments tab> · <${APP_URL}/deployments/approvals/0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10|Approval request> · <${TICKET}|Change ticket>`,
      ]);
    } finally {
      await hook.close();
    }
  });

  it('json (the default): the event body of earlier releases, unchanged', async () => {
    const hook = await startWebhookServer([{ status: 204 }]);
    try {
      const { notifier } = await setup([{ url: hook.url }]);
      notifier.outcome(record, { approvalId: 'a-1' });
      await notifier.idle();
      const [body] = hook.delivered() as any[];
      expect(body).toEqual({
        event: 'deployed',
        entityRef: 'component:default/payments-api',
        environment: 'production',
        namespace: 'payments-api-production',
        name: 'payments-api',
        action: 'deploy',
        requester: 'user:default/ada',
        toVersion: 'ghcr.io/acme/payments-api:2.0.0',
        revision: 7,
        approvalId: 'a-1',
        message:
          'deploy of component:default/payments-api in production (revision 7) succeeded',
        link: '/catalog/default/component/payments-api',
        at: expect.any(String),
      });
    } finally {
      await hook.close();
    }
  });

  it('sends each event only to the webhooks of its environment and owning team', async () => {
    const all = await startWebhookServer([{ status: 200 }]);
    const production = await startWebhookServer([{ status: 200 }]);
    const payments = await startWebhookServer([{ status: 200 }]);
    const orders = await startWebhookServer([{ status: 200 }]);
    try {
      const { notifier } = await setup([
        { name: 'all', url: all.url },
        { name: 'prod', url: production.url, environments: ['production'] },
        { name: 'payments', url: payments.url, teams: ['team-payments'] },
        {
          name: 'orders',
          url: orders.url,
          teams: ['group:default/team-orders'],
        },
      ]);
      notifier.outcome({ ...record, environment: 'development' });
      notifier.outcome(record);
      await notifier.idle();
      const environments = (server: typeof all) =>
        server.delivered().map(b => (b as { environment: string }).environment);
      expect(environments(all).sort()).toEqual(['development', 'production']);
      expect(environments(production)).toEqual(['production']);
      expect(environments(payments).sort()).toEqual([
        'development',
        'production',
      ]);
      expect(orders.requests).toEqual([]);
    } finally {
      await Promise.all(
        [all, production, payments, orders].map(s => s.close()),
      );
    }
  });

  it('a webhook that fails twice (503, then 429 with Retry-After: 1) gets exactly one message and no failure is recorded', async () => {
    const hook = await startWebhookServer([
      { status: 503 },
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 200 },
    ]);
    try {
      const { notifier, failures } = await setup([
        { url: hook.url, format: 'slack' },
      ]);
      notifier.outcome(record);
      await notifier.idle();
      expect(hook.requests.map(r => r.status)).toEqual([503, 429, 200]);
      expect(hook.delivered()).toHaveLength(1);
      expect(await failures()).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('a webhook that always fails leaves exactly one audit event, without its URL', async () => {
    const hook = await startWebhookServer([{ status: 500 }]);
    try {
      const { notifier, failures, logger } = await setup(
        [{ name: 'payments-slack', url: hook.url, format: 'slack' }],
        { delivery: { maxDurationSeconds: 1 } },
      );
      notifier.outcome(record);
      await notifier.idle();
      expect(hook.requests.length).toBeGreaterThan(1);
      expect(await failures()).toEqual([
        {
          id: undefined,
          at: undefined,
          actor: 'system',
          action: 'notification.failed',
          result: 'failure',
          entityRef: 'component:default/payments-api',
          environment: 'production',
          namespace: 'payments-api-production',
          name: 'payments-api',
          toVersion: 'ghcr.io/acme/payments-api:2.0.0',
          changeId: record.id,
          message: expect.stringMatching(
            /^webhook payments-slack \(slack\) did not take the deployed announcement: HTTP 500 Internal Server Error; gave up after \d+ attempts in \d+ s$/,
          ),
        },
      ]);
      const everything = JSON.stringify([
        await failures(),
        logger.warn.mock.calls,
        logger.info.mock.calls,
        logger.error.mock.calls,
      ]);
      expect(everything).not.toContain('s3cr3t');
      expect(everything).not.toContain('/hooks/');
    } finally {
      await hook.close();
    }
  });

  it('keeps the older single webhookUrl working as a json webhook', async () => {
    const hook = await startWebhookServer([{ status: 204 }]);
    try {
      const notifier = Notifier.create({
        config: new ConfigReader({
          deployments: { notifications: { webhookUrl: hook.url } },
        }),
        logger: mockServices.logger.mock(),
      });
      notifier.outcome(record);
      await notifier.idle();
      expect(hook.delivered()).toEqual([
        expect.objectContaining({ event: 'deployed', revision: 7 }),
      ]);
    } finally {
      await hook.close();
    }
  });

  it('refuses a configuration mistake naming the key, never the URL', () => {
    const create = (notifications: JsonObject) => () =>
      Notifier.create({
        config: new ConfigReader({ deployments: { notifications } }),
        logger: mockServices.logger.mock(),
      });
    expect(
      create({
        webhooks: [{ url: 'https://x.example/s3cr3t', format: 'irc' }],
      }),
    ).toThrow(
      "deployments.notifications.webhooks[0].format 'irc' is not a format; use one of json, slack, discord, teams, googlechat",
    );
    expect(create({ webhooks: [{ url: 'ftp://s3cr3t@x.example' }] })).toThrow(
      /^deployments\.notifications\.webhooks\[0\]\.url is not an http\(s\) URL; paste the chat's incoming webhook URL/,
    );
    expect(
      create({
        webhooks: [
          { url: 'https://x.example/1' },
          { url: 'https://x.example/2' },
        ],
        delivery: { maxDurationSeconds: 0 },
      }),
    ).toThrow(
      'deployments.notifications.delivery.maxDurationSeconds must be a number of seconds above 0 and at most 86400, got 0',
    );
  });
});
