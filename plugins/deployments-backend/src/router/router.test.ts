import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  AuditEvent,
  AuditPage,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import { resolve } from 'node:path';
import request from 'supertest';
import { HealthService } from '../health/HealthService';
import { createRouter } from '.';
import { pendingApproval } from '../__testUtils__/approvals';
import { AuditLog } from '../audit/AuditLog';
import { PolicyRegistry } from '../service/PolicyRegistry';

const ID = '0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10';
const ADA = mockCredentials.user.header('user:default/ada');

const approval = pendingApproval({ id: ID });

async function app() {
  const deployments = {
    listApprovals: jest.fn(async () => [approval]),
    getApproval: jest.fn(async () => approval),
    approve: jest.fn(async () => ({ ...approval, status: 'approved' })),
    reject: jest.fn(async () => ({ ...approval, status: 'rejected' })),
    listAudit: jest.fn(async (): Promise<AuditPage> => ({ items: [] })),
    deploy: jest.fn(async () => ({ status: 'pending-approval', approval })),
    delete: jest.fn(),
  };
  const audit = { refusedAnonymously: jest.fn(async (_event: unknown) => {}) };
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    deployments: deployments as unknown as DeploymentService,
    policies: {} as PolicyRegistry,
    health: {} as HealthService,
    audit: audit as unknown as AuditLog,
    permissions: mockServices.permissions(),
    openApiPath: resolve(__dirname, '../../openapi.yaml'),
  });
  const server = express().use(router).use(mockErrorHandler());
  return { server, deployments, audit };
}

describe('approval and audit routes', () => {
  it('refuses a change without valid credentials with 401 and audits it as anonymous', async () => {
    const { server, deployments, audit } = await app();
    for (const header of [
      mockCredentials.none.header(),
      mockCredentials.user.invalidHeader(),
    ]) {
      const res = await request(server)
        .post(`/approvals/${ID}/approve`)
        .set('authorization', header)
        .send({});
      expect(res.status).toBe(401);
    }
    const del = await request(server)
      .delete('/deployments/production/payments-api-production/payments-api')
      .set('authorization', mockCredentials.none.header());
    expect(del.status).toBe(401);
    // Express routes paths case-insensitively; the check must too.
    const shouted = await request(server)
      .post(
        '/DEPLOYMENTS/production/payments-api-production/payments-api/RESTART',
      )
      .set('authorization', mockCredentials.none.header());
    expect(shouted.status).toBe(401);
    expect(deployments.approve).not.toHaveBeenCalled();
    expect(deployments.delete).not.toHaveBeenCalled();
    expect(audit.refusedAnonymously.mock.calls.map(([event]) => event)).toEqual(
      [
        expect.objectContaining({
          action: 'approval.approve',
          approvalId: ID,
        }),
        expect.objectContaining({
          action: 'approval.approve',
        }),
        expect.objectContaining({
          action: 'delete',
          environment: 'production',
          namespace: 'payments-api-production',
          name: 'payments-api',
        }),
        expect.objectContaining({
          action: 'restart',
          environment: 'production',
        }),
      ],
    );

    // Reads are refused too, but only changes are audited.
    const list = await request(server)
      .get('/approvals')
      .set('authorization', mockCredentials.none.header());
    expect(list.status).toBe(401);
    const auditRead = await request(server)
      .get('/audit')
      .set('authorization', mockCredentials.none.header());
    expect(auditRead.status).toBe(401);
    expect(audit.refusedAnonymously).toHaveBeenCalledTimes(4);
  });

  it('answers 400 for malformed ids, filters and bodies', async () => {
    const { server, deployments } = await app();
    const cases: Array<[request.Test, RegExp]> = [
      [
        request(server).post('/approvals/not-a-uuid/approve').send({}),
        /params id: must be a UUID/,
      ],
      [request(server).get('/approvals/42'), /params id: must be a UUID/],
      [
        request(server).post(`/approvals/${ID}/reject`).send({ comment: 3 }),
        /comment: must be text/,
      ],
      [
        request(server).post(`/approvals/${ID}/reject`).send({ note: 'x' }),
        /unknown field note/,
      ],
      [
        request(server).get('/approvals?status=done'),
        /query status: must be one of pending, approved/,
      ],
      [
        request(server).get('/audit?format=xml'),
        /query format: must be json or csv/,
      ],
      [
        request(server).get('/audit?limit=0'),
        /query limit: must be a whole number from 1 to 10000/,
      ],
      [
        request(server).post('/deployments?taskId=a%20b').send({}),
        /query taskId: must be one scaffolder task id/,
      ],
      [
        request(server).post('/deployments?dryRun=1').send({}),
        /query dryRun: must be exactly true or false/,
      ],
    ];
    for (const [req, message] of cases) {
      const res = await req.set('authorization', ADA);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect(deployments.approve).not.toHaveBeenCalled();
    expect(deployments.reject).not.toHaveBeenCalled();
    expect(deployments.deploy).not.toHaveBeenCalled();
  });

  it('checks entity ref and team filters in the route: 400 parameter-invalid naming the parameter, nothing looked up', async () => {
    const { server, deployments } = await app();
    const cases: Array<[string, string, string]> = [
      [
        '/approvals?entityRef=payments-api',
        'query entityRef',
        'must be an entity ref such as component:default/payments-api (kind:namespace/name)',
      ],
      [
        '/approvals?entityRef=component:default/payments%00api',
        'query entityRef',
        'must not contain control characters',
      ],
      [
        '/audit?entityRef=component:default/payments%1Bapi',
        'query entityRef',
        'must not contain control characters',
      ],
      [
        `/audit?entityRef=component:default/${'a'.repeat(300)}`,
        'query entityRef',
        'must be at most 255 characters',
      ],
      [
        '/audit?entityRef=component:default/not%20a%20name',
        'query entityRef',
        'must be an entity ref such as component:default/payments-api (kind:namespace/name)',
      ],
      [
        '/dashboard?team=group:default/team%00payments',
        'query team',
        'must not contain control characters',
      ],
      [
        '/dashboard?team=',
        'query team',
        'must be an entity ref such as group:default/team-payments (or unknown)',
      ],
    ];
    for (const [path, field, message] of cases) {
      const res = await request(server).get(path).set('authorization', ADA);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error).toMatchObject({
        code: 'parameter-invalid',
        errors: [{ field, message }],
      });
    }
    expect(deployments.listApprovals).not.toHaveBeenCalled();
    expect(deployments.listAudit).not.toHaveBeenCalled();

    // A valid ref is passed on as the catalog spells it.
    const res = await request(server)
      .get('/approvals?entityRef=Component:Default/payments-api')
      .set('authorization', ADA);
    expect(res.status).toBe(200);
    expect(deployments.listApprovals).toHaveBeenCalledWith(
      { entityRef: 'component:default/payments-api' },
      expect.anything(),
    );
  });

  it('refuses control characters in an approval comment, but takes line breaks', async () => {
    const { server, deployments } = await app();
    for (const comment of ['ok\u0000', 'ok\u001b[31m', 'ok\u007f']) {
      const res = await request(server)
        .post(`/approvals/${ID}/approve`)
        .set('authorization', ADA)
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
    expect(deployments.approve).not.toHaveBeenCalled();
    const res = await request(server)
      .post(`/approvals/${ID}/reject`)
      .set('authorization', ADA)
      .send({ comment: 'not now:\r\n\t- after the freeze' });
    expect(res.status).toBe(200);
    expect(deployments.reject).toHaveBeenCalledWith(
      ID,
      { comment: 'not now:\r\n\t- after the freeze' },
      expect.anything(),
    );
  });

  it('refuses a body that gives a key twice, naming the key, before the service sees it', async () => {
    const { server, deployments } = await app();
    const res = await request(server)
      .post('/deployments')
      .set('authorization', ADA)
      .set('content-type', 'application/json')
      .send(
        '{"application":"component:default/payments-api","environment":"development","environment":"production"}',
      );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'parameter-invalid',
      errors: [{ field: 'environment', message: expect.any(String) }],
    });
    expect(res.body.error.message).toContain('duplicate key environment');
    expect(deployments.deploy).not.toHaveBeenCalled();
  });

  it('keeps a refusal bounded however many unknown parameters and fields it has', async () => {
    const { server } = await app();
    // As many as fit in a URL (Node takes at most 16 KB of headers).
    const query = Array.from(
      { length: 100 },
      (_, i) => `p${i}${'x'.repeat(100)}=1`,
    ).join('&');
    const res = await request(server)
      .get(`/approvals?${query}`)
      .set('authorization', ADA);
    expect(res.status).toBe(400);
    expect(res.body.error.errors).toEqual([
      {
        field: 'query',
        message: expect.stringMatching(
          /^unknown fields p0x+…, .* and 95 more: remove them$/,
        ),
      },
    ]);
    // (Backstage's error handler echoes the URL itself, which Node bounds.)
    expect(JSON.stringify(res.body.error).length).toBeLessThan(1_000);

    const fields = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`f${i}${'y'.repeat(100)}`, 1]),
    );
    const body = await request(server)
      .post(`/approvals/${ID}/approve`)
      .set('authorization', ADA)
      .send(fields);
    expect(body.status).toBe(400);
    expect(body.body.error.errors[0].message).toMatch(
      / and 495 more: remove them$/,
    );
    expect(body.text.length).toBeLessThan(1_000);
  });

  it('maps a missing request to 404 and a decided one to 409', async () => {
    const { server, deployments } = await app();
    deployments.getApproval.mockRejectedValueOnce(
      new NotFoundError(`No approval request ${ID}`),
    );
    const missing = await request(server)
      .get(`/approvals/${ID}`)
      .set('authorization', ADA);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`No approval request ${ID}`);

    deployments.approve.mockRejectedValueOnce(
      new ConflictError(
        `approval request ${ID} was already approved by user:default/grace at 2026-11-25T09:01:00.000Z; nothing more to decide`,
      ),
    );
    const conflict = await request(server)
      .post(`/approvals/${ID}/approve`)
      .set('authorization', mockCredentials.user.header('user:default/kelsey'))
      .send({ comment: 'ok' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'already approved by user:default/grace',
      ),
    });
    expect(deployments.approve).toHaveBeenCalledWith(
      ID,
      { comment: 'ok' },
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({
            userEntityRef: 'user:default/kelsey',
          }),
        }),
      },
    );
  });

  it('answers a change that waits for approval with 202 and passes the task id', async () => {
    const { server, deployments } = await app();
    const res = await request(server)
      .post('/deployments?taskId=9f1c2d3e-aaaa-4bbb-8ccc-123456789abc')
      .set('authorization', ADA)
      .send({ application: 'component:default/payments-api' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'pending-approval', approval });
    expect(deployments.deploy).toHaveBeenCalledWith(
      { application: 'component:default/payments-api' },
      expect.objectContaining({
        taskId: '9f1c2d3e-aaaa-4bbb-8ccc-123456789abc',
      }),
    );
  });

  it('lists approvals with their filters', async () => {
    const { server, deployments } = await app();
    const res = await request(server)
      .get('/approvals?status=pending&entityRef=component:default/payments-api')
      .set('authorization', ADA);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [approval] });
    expect(deployments.listApprovals).toHaveBeenCalledWith(
      { status: 'pending', entityRef: 'component:default/payments-api' },
      expect.anything(),
    );
  });

  it('exports the audit trail as JSON and as properly escaped CSV', async () => {
    const { server, deployments } = await app();
    const events: AuditEvent[] = [
      {
        id: 'e1',
        at: '2026-11-25T09:02:00.000Z',
        actor: 'user:default/grace',
        action: 'approval.reject',
        result: 'success',
        entityRef: 'component:default/payments-api',
        environment: 'production',
        message: 'rejected deploy: "not now",\nafter the freeze',
        approvalId: ID,
      },
      {
        id: 'e2',
        at: '2026-11-25T09:01:00.000Z',
        actor: 'anonymous',
        action: 'delete',
        result: 'refused',
        message: '=HYPERLINK("http://evil")',
      },
    ];
    deployments.listAudit.mockResolvedValue({
      items: events,
      nextCursor: 'YXVkaXQ6NDI',
    });

    const json = await request(server)
      .get(
        '/audit?entityRef=component:default/payments-api&environment=production&limit=50',
      )
      .set('authorization', ADA);
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ items: events, nextCursor: 'YXVkaXQ6NDI' });
    expect(deployments.listAudit).toHaveBeenCalledWith(
      {
        entityRef: 'component:default/payments-api',
        environment: 'production',
        limit: 50,
      },
      expect.anything(),
    );

    const csv = await request(server)
      .get('/audit?format=csv')
      .set('authorization', ADA);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="deployments-audit.csv"',
    );
    expect(csv.headers['x-next-cursor']).toBe('YXVkaXQ6NDI');
    expect(csv.text).toBe(
      [
        'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,changeId,id',
        `2026-11-25T09:02:00.000Z,user:default/grace,approval.reject,success,component:default/payments-api,production,,,,,"rejected deploy: ""not now"",\nafter the freeze",,${ID},,e1`,
        `2026-11-25T09:01:00.000Z,anonymous,delete,refused,,,,,,,"'=HYPERLINK(""http://evil"")",,,,e2`,
        '',
      ].join('\r\n'),
    );
  });

  it('refuses a malformed time window or cursor with 400, naming the parameter', async () => {
    const { server, deployments } = await app();

    const since = await request(server)
      .get('/audit?since=yesterday')
      .set('authorization', ADA);
    expect(since.status).toBe(400);
    expect(since.body.error.message).toContain('since');
    expect(since.body.error.message).toContain('ISO 8601');

    const cursor = await request(server)
      .get('/audit?cursor=not-a-cursor')
      .set('authorization', ADA);
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.message).toContain('cursor');
    expect(cursor.body.error.message).toContain('nextCursor');
    expect(deployments.listAudit).not.toHaveBeenCalled();
  });
});
