import { ResponseError } from '@backstage/errors';
import { BACKEND_BASE, fakeBackend, json } from '../__testUtils__/fakeBackend';
import { approval, auditEvent } from '../__testUtils__/governance';

const base = BACKEND_BASE;
const ID = '8c3f9a0e-1d2b-4c5d-9e6f-0a1b2c3d4e5f';

describe('DeploymentsClient: approvals and audit', () => {
  it('lists approval requests with only the filters that are set', async () => {
    const { client, calls } = fakeBackend(() =>
      json(200, { items: [approval()] }),
    );

    expect(await client.listApprovals()).toEqual([approval()]);
    await client.listApprovals({
      status: 'pending',
      entityRef: 'component:default/payments-api',
    });

    expect(calls.map(c => c.url)).toEqual([
      `${base}/approvals`,
      `${base}/approvals?status=pending&entityRef=component%3Adefault%2Fpayments-api`,
    ]);
  });

  it('reads one request and posts decisions with the optional comment', async () => {
    const { client, calls } = fakeBackend(() => json(200, approval()));

    await client.getApproval(ID);
    await client.approve(ID, '  looks good  ');
    await client.reject(ID);
    await client.reject(ID, '   ');

    expect(calls).toEqual([
      { url: `${base}/approvals/${ID}`, method: 'GET', body: undefined },
      {
        url: `${base}/approvals/${ID}/approve`,
        method: 'POST',
        body: { comment: 'looks good' },
      },
      { url: `${base}/approvals/${ID}/reject`, method: 'POST', body: {} },
      { url: `${base}/approvals/${ID}/reject`, method: 'POST', body: {} },
    ]);
  });

  it("throws the backend's conflict as a ResponseError with its message", async () => {
    const { client } = fakeBackend(() =>
      json(409, {
        error: {
          name: 'ConflictError',
          message:
            'already approved by user:default/grace at 2026-11-25T09:00:00Z',
        },
        response: { statusCode: 409 },
      }),
    );

    const error = await client.approve(ID).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toBe(
      'already approved by user:default/grace at 2026-11-25T09:00:00Z',
    );
  });

  it('hands a 202 pending-approval answer of a change through', async () => {
    const pending = { status: 'pending-approval', approval: approval() };
    const { client } = fakeBackend(() => json(202, pending));

    await expect(
      client.rollback({
        environment: 'production',
        namespace: 'payments-api-production',
        name: 'payments-api',
      }),
    ).resolves.toEqual(pending);
  });

  it('reads the audit trail with its filters', async () => {
    const { client, calls } = fakeBackend(() =>
      json(200, { items: [auditEvent()], nextCursor: 'YXVkaXQ6NDI' }),
    );

    expect(
      await client.getAudit({
        entityRef: 'component:default/payments-api',
        environment: 'production',
        limit: 50,
      }),
    ).toEqual({ items: [auditEvent()], nextCursor: 'YXVkaXQ6NDI' });
    await client.getAudit();
    await client.getAudit({
      since: '2026-11-01T00:00:00Z',
      until: '2026-12-01T00:00:00Z',
      cursor: 'YXVkaXQ6NDI',
    });
    await client.getAudit({
      entityRef: 'component:default/payments-api',
      action: 'notification.failed',
      limit: 6,
    });

    expect(calls.map(c => c.url)).toEqual([
      `${base}/audit?entityRef=component%3Adefault%2Fpayments-api&environment=production&limit=50`,
      `${base}/audit`,
      `${base}/audit?since=2026-11-01T00%3A00%3A00Z&until=2026-12-01T00%3A00%3A00Z&cursor=YXVkaXQ6NDI`,
      `${base}/audit?entityRef=component%3Adefault%2Fpayments-api&action=notification.failed&limit=6`,
    ]);
  });

  it('exports the audit trail as CSV, as the backend wrote it', async () => {
    const csv = 'at,actor\r\n2026-11-25T09:00:00Z,user:default/ada\r\n';
    const { client, calls } = fakeBackend(
      () =>
        new Response(csv, {
          status: 200,
          headers: { 'content-type': 'text/csv; charset=utf-8' },
        }),
    );

    const blob = await client.exportAudit(
      { entityRef: 'component:default/payments-api' },
      'csv',
    );

    expect(calls[0].url).toBe(
      `${base}/audit?entityRef=component%3Adefault%2Fpayments-api&format=csv`,
    );
    expect(await blob.text()).toBe(csv);
  });

  it('exports the audit trail as a JSON array of events', async () => {
    const { client, calls } = fakeBackend(() =>
      json(200, { items: [auditEvent()] }),
    );

    const blob = await client.exportAudit({}, 'json');

    expect(calls[0].url).toBe(`${base}/audit?format=json`);
    expect(blob.type).toBe('application/json');
    expect(JSON.parse(await blob.text())).toEqual([auditEvent()]);
  });

  it('fails an export with the backend error instead of a file', async () => {
    const { client } = fakeBackend(() =>
      json(403, {
        error: {
          name: 'NotAllowedError',
          message: 'You may not read the audit trail',
        },
        response: { statusCode: 403 },
      }),
    );

    await expect(client.exportAudit({}, 'csv')).rejects.toBeInstanceOf(
      ResponseError,
    );
  });
});
