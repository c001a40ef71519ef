import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  BackstageCredentials,
  createServiceFactory,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import {
  caData,
  getTestCluster,
  kubeConfigFor,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { Knex } from 'knex';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { component, smallResources } from '../__testUtils__/catalog';
import { serviceAccountCluster } from '../__testUtils__/kube';

// The approval gate, audit trail and notifications against a real API
// server (kube-sim): what production runs only ever changes after someone
// other than the requester approved it, exactly once.
jest.setTimeout(180_000);

const PREFIX = 'approvals-';
const APP = 'component:default/payments-api';
const PROD_NS = `${PREFIX}payments-api-production`;
const DEV_NS = `${PREFIX}payments-api-development`;
const DIGEST = `sha256:${'b'.repeat(64)}`;
const ADA = 'user:default/ada';
const GRACE = 'user:default/grace';
const LINUS = 'user:default/linus';
const KELSEY = 'user:default/kelsey';
const as = (user: string) => mockCredentials.user.header(user);

const entities = [
  component('payments-api', 'team-payments'),
  component('orders-api', 'team-orders'),
];

function productionRequest(overrides: Record<string, unknown> = {}) {
  return {
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
    changeReference: 'https://jira.acme.example/browse/OPS-7',
    ...overrides,
  };
}

/** The policy of the test: linus (another team) may read, nothing else. */
function decide(credentials: BackstageCredentials) {
  const user = (credentials.principal as { userEntityRef?: string })
    .userEntityRef;
  return user === LINUS ? AuthorizeResult.DENY : AuthorizeResult.ALLOW;
}
const permissions: Partial<PermissionsService> = {
  async authorize(requests, options) {
    return requests.map(r => ({
      result:
        r.permission.attributes.action === 'read'
          ? AuthorizeResult.ALLOW
          : decide(options.credentials),
    })) as never;
  },
  async authorizeConditional(requests) {
    return requests.map(() => ({ result: AuthorizeResult.ALLOW })) as never;
  },
};

type Hook = {
  server: Server;
  url: string;
  received: any[];
  close(): Promise<void>;
};

/** A real local HTTP server that answers every POST with `status`. */
async function webhookServer(status: number): Promise<Hook> {
  const received: any[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body || '{}') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/hook?token=abc`,
    received,
    close: () => new Promise(r => server.close(() => r())),
  };
}

async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(r => setTimeout(r, 100));
    }
  }
}

describe('approval gate, audit trail and notifications on a real cluster', () => {
  const cluster = getTestCluster();
  const admin = kubeConfigFor(cluster);
  const databases = TestDatabases.create({
    ids: ['SQLITE_3'],
    disableDocker: true,
  });
  const sent: NotificationSendOptions[] = [];
  const tasks: Array<Parameters<SchedulerService['scheduleTask']>[0]> = [];
  let knex: Knex;
  let hook: Hook;
  let failingHook: Hook;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let token: string;

  async function backend(options: {
    webhookUrl: string;
    knex: Knex;
    worker?: boolean;
  }) {
    return (await startBackend(options)).server;
  }

  async function startBackend(options: {
    webhookUrl: string;
    knex: Knex;
    worker?: boolean;
  }) {
    const clusterConfig = serviceAccountCluster({
      name: 'test-cluster',
      url: cluster.server,
      token,
      ca: caData(cluster),
    });
    const started = await startTestBackend({
      features: [
        deploymentsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.database.factory({ knex: options.knex }),
        mockServices.permissions.mock(permissions).factory,
        mockServices.scheduler.mock({
          async scheduleTask(task) {
            tasks.push(task);
          },
        }).factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            async send(notification) {
              sent.push(notification);
            },
          }),
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'config', clusters: [clusterConfig] },
              ],
            },
            deployments: {
              engine: { worker: { enabled: options.worker ?? true } },
              rollout: { timeoutSeconds: 60 },
              approvals: { expiresAfterHours: 24 },
              notifications: { webhookUrl: options.webhookUrl },
              environments: {
                development: {
                  cluster: 'test-cluster',
                  namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
                },
                production: {
                  cluster: 'test-cluster',
                  namespacePattern: `${PREFIX}{{ application }}-{{ environment }}`,
                  // The digest was never in acceptance here: only the gate is tested.
                  policies: { 'otap-order': { enabled: false } },
                },
              },
            },
          },
        }),
      ],
    });
    return started;
  }

  async function productionDeployments() {
    return (
      await admin
        .makeApiClient(AppsV1Api)
        .listNamespacedDeployment({ namespace: PROD_NS })
    ).items;
  }

  async function audit(query = `entityRef=${APP}`) {
    const res = await request(server)
      .get(`/api/deployments/audit?${query}`)
      .set('authorization', as(GRACE));
    expect(res.status).toBe(200);
    return res.body.items as Array<Record<string, unknown>>;
  }

  beforeAll(async () => {
    token = await seedPortalAccess(cluster, ['development', 'production'], {
      namespacePrefix: PREFIX,
    });
    hook = await webhookServer(204);
    failingHook = await webhookServer(500);
    knex = await databases.init('SQLITE_3');
    server = await backend({ webhookUrl: hook.url, knex });
  });

  afterAll(async () => {
    await hook?.close();
    await failingHook?.close();
  });

  let approvalId: string;

  it('turns a production deploy into a pending request and applies nothing', async () => {
    const res = await request(server)
      .post('/api/deployments/deployments?taskId=task-42')
      .set('authorization', as(ADA))
      .send(productionRequest());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'pending-approval',
      approval: {
        status: 'pending',
        action: 'deploy',
        requester: ADA,
        entityRef: APP,
        owner: 'group:default/team-payments',
        environment: 'production',
        namespace: PROD_NS,
        toVersion: `ghcr.io/acme/payments-api@${DIGEST}`,
        taskId: 'task-42',
      },
    });
    approvalId = res.body.approval.id;
    expect(await productionDeployments()).toHaveLength(0);
    const history = await request(server)
      .get(
        `/api/deployments/deployments/production/${PROD_NS}/payments-api/history`,
      )
      .set('authorization', as(ADA));
    expect(history.status).toBe(404);

    const pending = await request(server)
      .get('/api/deployments/approvals?status=pending')
      .set('authorization', as(LINUS));
    expect(pending.body.items.map((a: { id: string }) => a.id)).toEqual([
      approvalId,
    ]);

    const requested = await eventually(() => {
      const found = sent.find(n =>
        n.payload.title.startsWith('Approval requested'),
      );
      expect(found).toBeDefined();
      return found!;
    });
    expect(requested.recipients).toEqual({
      type: 'entity',
      entityRef: [
        'group:default/team-payments',
        'group:default/release-managers',
      ],
      excludeEntityRef: [ADA],
    });
    expect(requested.payload.link).toBe(`/deployments/approvals/${approvalId}`);
    const posted = await eventually(() => {
      expect(hook.received.map(r => r.body.event)).toContain(
        'approval-requested',
      );
      return hook.received.find(r => r.body.event === 'approval-requested')!;
    });
    expect(posted.headers['content-type']).toBe('application/json');
    expect(posted.body).toMatchObject({
      entityRef: APP,
      environment: 'production',
      requester: ADA,
      approvalId,
    });
  });

  it('refuses the requester approving their own request (four eyes), however the ref is spelled', async () => {
    for (const actor of [ADA, ADA.toUpperCase(), 'User:Default/Ada']) {
      const res = await request(server)
        .post(`/api/deployments/approvals/${approvalId}/approve`)
        .set('authorization', as(actor))
        .send({ comment: 'lgtm' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/^four-eyes: /i);
      expect(res.body.error.message).toContain(
        `${actor} requested this change`,
      );
      expect(res.body.error.code).toBe('four-eyes');
    }
    const approval = await request(server)
      .get(`/api/deployments/approvals/${approvalId}`)
      .set('authorization', as(ADA));
    expect(approval.body.status).toBe('pending');
    expect(await productionDeployments()).toHaveLength(0);
  });

  it('refuses an approver the permission policy does not allow', async () => {
    const res = await request(server)
      .post(`/api/deployments/approvals/${approvalId}/approve`)
      .set('authorization', as(LINUS))
      .send({});
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('deployments.approval.decide');
  });

  it('applies once when another owner approves; a second decision is a conflict', async () => {
    const res = await request(server)
      .post(`/api/deployments/approvals/${approvalId}/approve`)
      .set('authorization', as(GRACE))
      .send({ comment: 'ship it' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: approvalId,
      status: 'approved',
      decidedBy: GRACE,
      comment: 'ship it',
      changeId: expect.any(String),
    });
    const change = await request(server)
      .get(`/api/deployments/changes/${res.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect(change.body).toMatchObject({
      revision: 1,
      status: 'succeeded',
      requester: ADA,
      approvalId,
    });
    const live = await productionDeployments();
    expect(live).toHaveLength(1);
    expect(live[0].spec?.template.spec?.containers[0].image).toBe(
      `ghcr.io/acme/payments-api@${DIGEST}`,
    );
    const history = await request(server)
      .get(
        `/api/deployments/deployments/production/${PROD_NS}/payments-api/history`,
      )
      .set('authorization', as(ADA));
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({
      revision: 1,
      status: 'succeeded',
      requester: ADA,
    });
    await eventually(async () =>
      expect(
        (
          await request(server)
            .get(`/api/deployments/approvals/${approvalId}`)
            .set('authorization', as(ADA))
        ).body,
      ).toMatchObject({ result: 'applied', revision: 1 }),
    );

    const again = await request(server)
      .post(`/api/deployments/approvals/${approvalId}/approve`)
      .set('authorization', as(KELSEY))
      .send({});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(
      /already approved by user:default\/grace at \d{4}-/,
    );
    expect(
      (
        await request(server)
          .get(
            `/api/deployments/deployments/production/${PROD_NS}/payments-api/history`,
          )
          .set('authorization', as(ADA))
      ).body.items,
    ).toHaveLength(1);

    const outcomes = await eventually(() => {
      const titles = sent.map(n => n.payload.title);
      expect(titles).toContain(`Approved: deploy ${APP} in production`);
      expect(titles).toContain(`Deployed: ${APP} in production`);
      return sent;
    });
    expect(
      outcomes.find(n => n.payload.title.startsWith('Deployed'))!.recipients,
    ).toEqual({ type: 'entity', entityRef: [ADA, APP] });
  });

  it('records every step in the audit trail, refusals included', async () => {
    const events = (await audit()).filter(e => e.approvalId === approvalId);
    expect(
      events.map(e => `${e.actor} ${e.action} ${e.result}`).reverse(),
    ).toEqual([
      `${ADA} deploy pending`,
      `${ADA} approval.approve refused`,
      `${ADA.toUpperCase()} approval.approve refused`,
      `User:Default/Ada approval.approve refused`,
      `${LINUS} approval.approve refused`,
      `${GRACE} approval.approve success`,
      `${GRACE} approval.apply success`,
      `${ADA} deploy success`,
      `${KELSEY} approval.approve failure`,
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        entityRef: APP,
        environment: 'production',
        taskId: 'task-42',
      });
    }
    const refusal = events.find(
      e => e.actor === ADA && e.result === 'refused',
    )!;
    expect(refusal.message).toMatch(/^four-eyes/);
  });

  it('records a refused change without credentials as anonymous (401)', async () => {
    const res = await request(server)
      .delete(`/api/deployments/deployments/production/${PROD_NS}/payments-api`)
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
    const forged = await request(server)
      .post(`/api/deployments/approvals/${approvalId}/reject`)
      .set('authorization', mockCredentials.user.invalidHeader());
    expect(forged.status).toBe(401);
    const all = await audit('');
    expect(all[0]).toMatchObject({
      actor: 'anonymous',
      action: 'approval.reject',
      result: 'refused',
      approvalId,
    });
    expect(all[1]).toMatchObject({
      actor: 'anonymous',
      action: 'delete',
      result: 'refused',
      environment: 'production',
      namespace: PROD_NS,
      name: 'payments-api',
    });
  });

  it('applies nothing when a request is rejected, and tells the requester', async () => {
    const requested = await request(server)
      .put(`/api/deployments/deployments/production/${PROD_NS}/payments-api`)
      .set('authorization', as(ADA))
      .send({ replicas: 3 });
    expect(requested.status).toBe(202);
    expect(requested.body.approval).toMatchObject({
      action: 'update',
      fromVersion: `ghcr.io/acme/payments-api@${DIGEST}`,
    });
    const res = await request(server)
      .post(`/api/deployments/approvals/${requested.body.approval.id}/reject`)
      .set('authorization', as(GRACE))
      .send({ comment: 'not during the freeze' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'rejected',
      decidedBy: GRACE,
      comment: 'not during the freeze',
    });
    expect(res.body.result).toBeUndefined();
    const live = await productionDeployments();
    expect(live[0].spec?.replicas).toBe(2);
    const rejected = await eventually(() => {
      const found = sent.find(n => n.payload.title.startsWith('Rejected'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(rejected.recipients).toEqual({
      type: 'entity',
      entityRef: [ADA, APP],
    });
    expect(rejected.payload.description).toContain('not during the freeze');
    await eventually(() =>
      expect(hook.received.map(r => r.body.event)).toContain('rejected'),
    );
    const approve = await request(server)
      .post(`/api/deployments/approvals/${requested.body.approval.id}/approve`)
      .set('authorization', as(KELSEY));
    expect(approve.status).toBe(409);
  });

  it('expires an overdue request through the scheduled task, applying nothing', async () => {
    const requested = await request(server)
      .post(
        `/api/deployments/deployments/production/${PROD_NS}/payments-api/rollback`,
      )
      .set('authorization', as(ADA))
      .send({});
    // Nothing earlier to roll back to: refused before any request is stored.
    expect(requested.status).toBe(400);

    const update = await request(server)
      .put(`/api/deployments/deployments/production/${PROD_NS}/payments-api`)
      .set('authorization', as(ADA))
      .send({ replicas: 4 });
    expect(update.status).toBe(202);
    const id = update.body.approval.id;
    expect(
      Date.parse(update.body.approval.expiresAt) -
        Date.parse(update.body.approval.createdAt),
    ).toBe(24 * 3600_000);

    const task = tasks.find(t => t.id === 'deployments-expire-approvals');
    expect(task).toBeDefined();
    await task!.fn(new AbortController().signal as never);
    expect(
      (
        await request(server)
          .get(`/api/deployments/approvals/${id}`)
          .set('authorization', as(ADA))
      ).body.status,
    ).toBe('pending');

    await knex('deployment_approval_requests')
      .where({ id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    await task!.fn(new AbortController().signal as never);
    const expired = await request(server)
      .get(`/api/deployments/approvals/${id}`)
      .set('authorization', as(ADA));
    expect(expired.body).toMatchObject({
      status: 'expired',
      decidedBy: 'system',
    });
    expect((await productionDeployments())[0].spec?.replicas).toBe(2);
    const late = await request(server)
      .post(`/api/deployments/approvals/${id}/approve`)
      .set('authorization', as(GRACE));
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('was already expired');
    await eventually(() =>
      expect(sent.map(n => n.payload.title)).toContain(
        `Approval expired: update ${APP} in production`,
      ),
    );
    const events = (await audit()).filter(e => e.approvalId === id);
    expect(events.map(e => `${e.actor} ${e.action} ${e.result}`)).toEqual([
      `${GRACE} approval.approve failure`,
      'system approval.expire success',
      `${ADA} update pending`,
    ]);
  });

  it('records a failed change on the request and tells the requester when the namespace went away before the approval', async () => {
    const ordersNs = `${PREFIX}orders-api-production`;
    const requested = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', as(ADA))
      .send(
        productionRequest({
          application: 'component:default/orders-api',
          namespace: ordersNs,
          image: {
            repository: 'ghcr.io/acme/orders-api',
            tag: '1.0.0',
            digest: DIGEST,
          },
        }),
      );
    expect(requested.status).toBe(202);
    // The namespace (and the portal's access to it) goes away before the decision.
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: ordersNs });
    const res = await request(server)
      .post(`/api/deployments/approvals/${requested.body.approval.id}/approve`)
      .set('authorization', as(GRACE))
      .send({});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'approved' });
    const change = await request(server)
      .get(`/api/deployments/changes/${res.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect(change.body.status).toBe('failed');
    expect(change.body.error).toContain(ordersNs);
    await eventually(async () =>
      expect(
        (
          await request(server)
            .get(`/api/deployments/approvals/${requested.body.approval.id}`)
            .set('authorization', as(ADA))
        ).body,
      ).toMatchObject({ result: 'failed', error: change.body.error }),
    );
    await eventually(() =>
      expect(
        sent.find(
          n =>
            n.payload.title ===
            'Deployment failed: component:default/orders-api in production',
        )?.recipients,
      ).toEqual({
        type: 'entity',
        entityRef: [ADA, 'component:default/orders-api'],
      }),
    );
    const events = (await audit('entityRef=component:default/orders-api')).map(
      e => `${e.action} ${e.result}`,
    );
    expect(events).toEqual([
      'deploy failure',
      'approval.apply failure',
      'approval.approve success',
      'deploy pending',
    ]);
  });

  it('exports the audit trail as CSV', async () => {
    const res = await request(server)
      .get(`/api/deployments/audit?entityRef=${APP}&format=csv`)
      .set('authorization', as(GRACE));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(
      'deployments-audit.csv',
    );
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,changeId,id',
    );
    expect(lines.length).toBe((await audit()).length + 1);
  });

  it('deploys without approval where none is required, even when the webhook fails', async () => {
    const other = await backend({
      webhookUrl: failingHook.url,
      knex: await databases.init('SQLITE_3'),
    });
    const res = await request(other)
      .post('/api/deployments/deployments?wait=60')
      .set('authorization', as(ADA))
      .send(
        productionRequest({
          environment: 'development',
          namespace: DEV_NS,
          changeReference: undefined,
        }),
      );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', revision: 1 });
    await eventually(() =>
      expect(failingHook.received.map(r => r.body.event)).toEqual(['deployed']),
    );
    expect(failingHook.received[0].body).toMatchObject({
      entityRef: APP,
      environment: 'development',
      revision: 1,
      requester: ADA,
    });
  });

  it('refuses to approve a request whose deployment changed since (stale), applying nothing', async () => {
    const key = `production/${PROD_NS}/payments-api`;
    const first = await request(server)
      .put(`/api/deployments/deployments/${key}`)
      .set('authorization', as(ADA))
      .send({ replicas: 3 });
    const second = await request(server)
      .put(`/api/deployments/deployments/${key}`)
      .set('authorization', as(ADA))
      .send({ replicas: 5 });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.approval.baseRevision).toBe(
      first.body.approval.baseRevision,
    );
    expect(second.body.approval.changeHash).toMatch(/^sha256:[0-9a-f]{64}$/);

    const approved = await request(server)
      .post(`/api/deployments/approvals/${first.body.approval.id}/approve`)
      .set('authorization', as(GRACE))
      .send({});
    await request(server)
      .get(`/api/deployments/changes/${approved.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect((await productionDeployments())[0].spec?.replicas).toBe(3);

    const stale = await request(server)
      .post(`/api/deployments/approvals/${second.body.approval.id}/approve`)
      .set('authorization', as(GRACE))
      .send({});
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale-approval');
    expect(stale.body.error.message).toMatch(
      /is stale: the deployment changed since this was requested \(revision \d+ then, \d+ now\)/,
    );
    const after = await request(server)
      .get(`/api/deployments/approvals/${second.body.approval.id}`)
      .set('authorization', as(ADA));
    expect(after.body).toMatchObject({ status: 'stale', decidedBy: 'system' });
    expect(after.body.changeId).toBeUndefined();
    expect((await productionDeployments())[0].spec?.replicas).toBe(3);
    await eventually(() =>
      expect(sent.map(n => n.payload.title)).toContain(
        `Approval request outdated: update ${APP} in production`,
      ),
    );
  });

  it('answers the slower of two simultaneous approvals that it was already approved, not stale', async () => {
    const requested = await request(server)
      .put(`/api/deployments/deployments/production/${PROD_NS}/payments-api`)
      .set('authorization', as(ADA))
      .send({ replicas: 4 });
    const id = requested.body.approval.id;
    const answers = await Promise.all(
      [GRACE, KELSEY].map(approver =>
        request(server)
          .post(`/api/deployments/approvals/${id}/approve`)
          .set('authorization', as(approver))
          .send({}),
      ),
    );
    expect(answers.map(a => a.status).sort()).toEqual([200, 409]);
    const loser = answers.find(a => a.status === 409)!;
    expect(loser.body.error.code).toBe('approval-decided');
    expect(loser.body.error.message).toMatch(
      /was already approved by user:default\/(grace|kelsey)/,
    );
    const winner = answers.find(a => a.status === 200)!;
    await request(server)
      .get(`/api/deployments/changes/${winner.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect((await productionDeployments())[0].spec?.replicas).toBe(4);
  });

  it('refuses to approve an expired request before the expiry task has run', async () => {
    const requested = await request(server)
      .put(`/api/deployments/deployments/production/${PROD_NS}/payments-api`)
      .set('authorization', as(ADA))
      .send({ replicas: 6 });
    const id = requested.body.approval.id;
    await knex('deployment_approval_requests')
      .where({ id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const late = await request(server)
      .post(`/api/deployments/approvals/${id}/approve`)
      .set('authorization', as(GRACE))
      .send({});
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('approval-expired');
    const after = await request(server)
      .get(`/api/deployments/approvals/${id}`)
      .set('authorization', as(ADA));
    expect(after.body.status).toBe('pending');
    expect(after.body.changeId).toBeUndefined();
    expect((await productionDeployments())[0].spec?.replicas).toBe(4);
  });

  it('applies an approved change exactly once when the backend restarts before it ran', async () => {
    const shared = await databases.init('SQLITE_3');
    const queueOnly = await startBackend({
      webhookUrl: hook.url,
      knex: shared,
      worker: false,
    });
    const requested = await request(queueOnly.server)
      .post('/api/deployments/deployments')
      .set('authorization', as(ADA))
      .send(productionRequest({ name: 'payments-canary' }));
    expect(requested.status).toBe(202);
    const approved = await request(queueOnly.server)
      .post(`/api/deployments/approvals/${requested.body.approval.id}/approve`)
      .set('authorization', as(KELSEY))
      .send({});
    expect(approved.status).toBe(200);
    const queued = await request(queueOnly.server)
      .get(`/api/deployments/changes/${approved.body.changeId}`)
      .set('authorization', as(ADA));
    expect(queued.body).toMatchObject({ status: 'queued', queuePosition: 0 });
    await queueOnly.stop();

    const restarted = await backend({ webhookUrl: hook.url, knex: shared });
    const done = await request(restarted)
      .get(`/api/deployments/changes/${approved.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect(done.body).toMatchObject({ status: 'succeeded', attempts: 1 });
    const history = await request(restarted)
      .get(
        `/api/deployments/deployments/production/${PROD_NS}/payments-canary/history`,
      )
      .set('authorization', as(ADA));
    expect(history.body.items).toHaveLength(1);
    expect(
      (await productionDeployments()).map(d => d.metadata?.name).sort(),
    ).toEqual(['payments-api', 'payments-canary']);
  });

  it('carries the policy warnings of a change through its approval: the 202, the request, and the record approving creates', async () => {
    const warning = expect.objectContaining({
      policyId: 'canonical-config-names',
      severity: 'warning',
      path: 'env[0].name',
      message: expect.stringContaining('PYTHON_ENV'),
    });
    const requested = await request(server)
      .post('/api/deployments/deployments')
      .set('authorization', as(ADA))
      .send(
        productionRequest({
          name: 'payments-aliased',
          env: [{ name: 'PYTHON_ENV', value: 'production' }],
        }),
      );
    expect(requested.status).toBe(202);
    expect(requested.body.approval.warnings).toEqual([warning]);
    const id = requested.body.approval.id;
    const pending = await request(server)
      .get(`/api/deployments/approvals/${id}`)
      .set('authorization', as(GRACE));
    expect(pending.body.warnings).toEqual([warning]);

    const approved = await request(server)
      .post(`/api/deployments/approvals/${id}/approve`)
      .set('authorization', as(GRACE))
      .send({});
    expect(approved.status).toBe(200);
    expect(approved.body.warnings).toEqual([warning]);
    const change = await request(server)
      .get(`/api/deployments/changes/${approved.body.changeId}?wait=60`)
      .set('authorization', as(ADA));
    expect(change.body).toMatchObject({ status: 'succeeded', approvalId: id });
    expect(change.body.warnings).toEqual([warning]);
    const history = await request(server)
      .get(
        `/api/deployments/deployments/production/${PROD_NS}/payments-aliased/history`,
      )
      .set('authorization', as(ADA));
    expect(history.body.items[0].warnings).toEqual([warning]);
  });
});
