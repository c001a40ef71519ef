import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { DeploymentRecord } from '@deployments-portal/backstage-plugin-deployments-common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { pendingApproval } from '../__testUtils__/approvals';
import { Notifier } from './Notifier';

// The webhook against real local HTTP servers: one that takes the events,
// one that fails, and a port nobody listens on.
const approval = pendingApproval({
  toVersion: 'ghcr.io/acme/payments-api:2.0.0',
});

async function listen(status: number) {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/chat?token=s3cr3t`,
    bodies,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

async function eventually(check: () => void) {
  for (let i = 0; ; i++) {
    try {
      check();
      return;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise(r => setTimeout(r, 50));
    }
  }
}

function notifier(webhookUrl?: string, pagePath?: string) {
  const logger = mockServices.logger.mock();
  const sent: NotificationSendOptions[] = [];
  const instance = Notifier.create({
    config: new ConfigReader({
      deployments: {
        notifications: {
          ...(webhookUrl ? { webhookUrl } : {}),
          delivery: {
            maxDurationSeconds: 0.5,
            initialBackoffSeconds: 0.05,
            maxBackoffSeconds: 0.1,
          },
        },
        approvals: {
          releaseManagerGroup: 'group:default/release-managers',
          ...(pagePath ? { pagePath } : {}),
        },
      },
    }),
    logger,
    notifications: {
      async send(options) {
        sent.push(options);
      },
    },
  });
  return { instance, logger, sent };
}

describe('Notifier', () => {
  it('links to the approvals page where the app mounts it', async () => {
    const { instance, sent } = notifier(undefined, '/releases/approvals/');
    instance.approvalRequested(approval);
    await eventually(() => expect(sent).toHaveLength(1));
    expect(sent[0].payload.link).toBe(
      `/releases/approvals/${encodeURIComponent(approval.id)}`,
    );
    expect(() => notifier(undefined, 'releases/approvals')).toThrow(
      "deployments.approvals.pagePath: 'releases/approvals' is not a path of the app; use one that starts with /, e.g. /deployments/approvals",
    );
  });

  it('posts every event as plain JSON to the webhook and notifies the right people', async () => {
    const hook = await listen(204);
    try {
      const { instance, sent, logger } = notifier(hook.url);
      instance.approvalRequested(approval);
      instance.decided({
        ...approval,
        status: 'rejected',
        decidedBy: 'user:default/grace',
        comment: 'not now',
      });
      await eventually(() => expect(hook.bodies).toHaveLength(2));
      expect(hook.bodies[0]).toMatchObject({
        event: 'approval-requested',
        entityRef: approval.entityRef,
        environment: 'production',
        requester: 'user:default/ada',
        toVersion: 'ghcr.io/acme/payments-api:2.0.0',
        approvalId: approval.id,
        link: `/deployments/approvals/${approval.id}`,
      });
      expect(hook.bodies[1]).toMatchObject({
        event: 'rejected',
        actor: 'user:default/grace',
        comment: 'not now',
      });
      expect(sent.map(s => s.recipients)).toEqual([
        {
          type: 'entity',
          entityRef: [
            'group:default/team-payments',
            'group:default/release-managers',
          ],
          excludeEntityRef: ['user:default/ada'],
        },
        {
          type: 'entity',
          entityRef: ['user:default/ada', 'component:default/payments-api'],
        },
      ]);
      expect(logger.warn).not.toHaveBeenCalled();
    } finally {
      await hook.close();
    }
  });

  it('logs a failing webhook by name, without its URL, and never throws', async () => {
    const failing = await listen(500);
    const closed = await listen(204);
    await closed.close();
    try {
      for (const url of [failing.url, closed.url]) {
        const { instance, logger } = notifier(url);
        expect(() =>
          instance.outcome({
            ...approval,
            id: 'r1',
            revision: 3,
            action: 'deploy',
            status: 'succeeded',
            image: 'ghcr.io/acme/payments-api:2.0.0',
          } as unknown as DeploymentRecord),
        ).not.toThrow();
        await eventually(() => expect(logger.warn).toHaveBeenCalled());
        const [message, meta] = logger.warn.mock.calls[0];
        expect(message).toBe('Deployment webhook failed');
        expect(meta).toMatchObject({ event: 'deployed', webhook: 'default' });
        expect(JSON.stringify(logger.warn.mock.calls)).not.toContain('s3cr3t');
      }
      // Retried (a 500 may pass) until the delivery time limit.
      expect(failing.bodies.length).toBeGreaterThan(1);
    } finally {
      await failing.close();
    }
  });

  it('logs a notification service failure and carries on', async () => {
    const logger = mockServices.logger.mock();
    const instance = Notifier.create({
      config: new ConfigReader({}),
      logger,
      notifications: {
        async send() {
          throw new Error('notifications backend unreachable');
        },
      },
    });
    instance.approvalRequested(approval);
    await eventually(() =>
      expect(logger.warn).toHaveBeenCalledWith(
        'Deployment notification could not be sent',
        expect.objectContaining({
          error: 'notifications backend unreachable',
        }),
      ),
    );
  });
});
