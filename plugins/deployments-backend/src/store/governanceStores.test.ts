import { mockServices } from '@backstage/backend-test-utils';
import { auditEventsToCsv } from '@deployments-portal/backstage-plugin-deployments-common';
import { APPROVAL_SUBJECT } from '../__testUtils__/approvals';
import { storeTestDatabases } from '../__testUtils__/databases';
import { ApprovalStore, NewApprovalRequest } from './ApprovalStore';
import { AuditStore } from './AuditStore';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL too (fails without one, see storeTestDatabases).
const { ids, databases } = storeTestDatabases();

const T0 = new Date('2026-11-25T09:00:00.000Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3600_000);

function newApproval(
  overrides: Partial<NewApprovalRequest> = {},
): NewApprovalRequest {
  return {
    ...APPROVAL_SUBJECT,
    fromVersion: 'ghcr.io/acme/payments-api:1.0.0',
    toVersion: 'ghcr.io/acme/payments-api:1.1.0',
    taskId: 'task-1',
    expiresAt: hours(72),
    changeHash: `sha256:${'c'.repeat(64)}`,
    baseRevision: 0,
    ...overrides,
  };
}

describe.each(ids)('approval and audit stores on %s', databaseId => {
  async function stores() {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({ knex });
    return {
      knex,
      approvals: await ApprovalStore.create(database),
      audit: await AuditStore.create(database),
    };
  }

  it('stores a pending request and reads it back by id and filter', async () => {
    const { approvals } = await stores();
    const created = await approvals.insert(newApproval(), T0);
    await approvals.insert(
      newApproval({ entityRef: 'component:default/orders-api' }),
      hours(1),
    );
    expect(created).toMatchObject({
      status: 'pending',
      requester: 'user:default/ada',
      createdAt: T0.toISOString(),
      expiresAt: hours(72).toISOString(),
      taskId: 'task-1',
    });
    expect(created.decidedBy).toBeUndefined();
    expect(await approvals.get(created.id)).toEqual(created);
    expect(await approvals.get('00000000-0000-4000-8000-000000000000')).toBe(
      undefined,
    );
    const forPayments = await approvals.list({
      entityRef: 'component:default/payments-api',
    });
    expect(forPayments.map(a => a.id)).toEqual([created.id]);
    const all = await approvals.list({ status: 'pending' });
    expect(all.map(a => a.entityRef)).toEqual([
      'component:default/orders-api',
      'component:default/payments-api',
    ]);
    expect(await approvals.list({ status: 'approved' })).toEqual([]);
  });

  it('decides a request once: a second decision loses and learns who won', async () => {
    const { approvals } = await stores();
    const { id } = await approvals.insert(newApproval(), T0);
    const first = await approvals.decide(id, {
      status: 'approved',
      by: 'user:default/grace',
      comment: 'ok',
      now: hours(1),
    });
    expect(first).toMatchObject({
      won: true,
      approval: {
        status: 'approved',
        decidedBy: 'user:default/grace',
        decidedAt: hours(1).toISOString(),
        comment: 'ok',
      },
    });
    const second = await approvals.decide(id, {
      status: 'rejected',
      by: 'user:default/kelsey',
    });
    expect(second).toMatchObject({
      won: false,
      current: { status: 'approved', decidedBy: 'user:default/grace' },
    });
    expect(
      await approvals.decide('00000000-0000-4000-8000-000000000000', {
        status: 'approved',
        by: 'user:default/grace',
      }),
    ).toBeUndefined();
  });

  it('lets exactly one of many concurrent approvals win', async () => {
    const { approvals } = await stores();
    const { id } = await approvals.insert(newApproval(), T0);
    const approvers = ['grace', 'kelsey', 'rita', 'linus', 'margaret'];
    const outcomes = await Promise.all(
      approvers.map(name =>
        approvals.decide(id, {
          status: 'approved',
          by: `user:default/${name}`,
          now: hours(1),
        }),
      ),
    );
    const winners = outcomes.filter(o => o?.won);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    if (!winner.won) throw new Error('unreachable');
    expect((await approvals.get(id))!.decidedBy).toBe(
      winner.approval.decidedBy,
    );
    for (const loser of outcomes.filter(o => !o?.won)) {
      expect(loser).toMatchObject({
        won: false,
        current: { decidedBy: winner.approval.decidedBy },
      });
    }
  });

  it('finds overdue pending requests only and records results', async () => {
    const { approvals } = await stores();
    const overdue = await approvals.insert(
      newApproval({ expiresAt: hours(1) }),
      T0,
    );
    const decided = await approvals.insert(
      newApproval({ expiresAt: hours(1) }),
      T0,
    );
    await approvals.insert(newApproval({ expiresAt: hours(5) }), T0);
    await approvals.decide(decided.id, {
      status: 'approved',
      by: 'user:default/grace',
      now: hours(0.5),
    });
    expect((await approvals.overdue(hours(2))).map(a => a.id)).toEqual([
      overdue.id,
    ]);
    expect(await approvals.overdue(hours(0.5))).toEqual([]);

    const applied = await approvals.recordResult(decided.id, {
      result: 'applied',
      revision: 4,
    });
    expect(applied).toMatchObject({ result: 'applied', revision: 4 });
    expect(applied.error).toBeUndefined();
  });

  it('appends audit events and filters them newest first', async () => {
    const { audit } = await stores();
    const requested = {
      actor: 'user:default/ada',
      action: 'deploy',
      result: 'pending',
      entityRef: 'component:default/payments-api',
      environment: 'production',
      taskId: 'task-1',
      approvalId: '11111111-1111-4111-8111-111111111111',
    } as const;
    await audit.insert({ at: hours(0), ...requested });
    await audit.insert({
      at: hours(1),
      actor: 'anonymous',
      action: 'delete',
      result: 'refused',
      environment: 'production',
      message: 'Missing credentials',
    });
    await audit.insert({
      at: hours(2),
      actor: 'user:default/grace',
      action: 'approval.approve',
      result: 'success',
      entityRef: 'component:default/payments-api',
      environment: 'production',
      message: 'approved, "ship it"',
    });
    await audit.insert({
      at: hours(3),
      actor: 'user:default/linus',
      action: 'deploy',
      result: 'success',
      entityRef: 'component:default/orders-api',
      environment: 'development',
    });

    const all = await audit.list();
    expect(all.map(e => e.actor)).toEqual([
      'user:default/linus',
      'user:default/grace',
      'anonymous',
      'user:default/ada',
    ]);
    expect(all[3]).toEqual({
      id: expect.any(String),
      at: hours(0).toISOString(),
      ...requested,
    });
    expect(
      (await audit.list({ entityRef: 'component:default/payments-api' })).map(
        e => e.action,
      ),
    ).toEqual(['approval.approve', 'deploy']);
    expect(
      (await audit.list({ environment: 'production', limit: 2 })).map(
        e => e.actor,
      ),
    ).toEqual(['user:default/grace', 'anonymous']);

    const csv = auditEventsToCsv(
      await audit.list({ entityRef: 'component:default/payments-api' }),
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,changeId,id',
    );
    expect(lines[1]).toMatch(
      /^2026-11-25T11:00:00\.000Z,user:default\/grace,approval\.approve,success,component:default\/payments-api,production,,,,,"approved, ""ship it""",,,,[0-9a-f-]{36}$/,
    );
    expect(lines).toHaveLength(4); // header, two events, final CRLF
    expect(lines[3]).toBe('');
  });
  it('pages the audit trail with a cursor and filters by time', async () => {
    const { audit } = await stores();
    for (let hour = 0; hour < 7; hour++) {
      await audit.insert({
        at: hours(hour),
        actor: `user:default/u${hour}`,
        action: 'deploy',
        result: 'success',
        environment: 'development',
      });
    }
    const first = await audit.page({ limit: 3 });
    expect(first.items.map(e => e.actor)).toEqual([
      'user:default/u6',
      'user:default/u5',
      'user:default/u4',
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));

    // An event stored between two pages does not shift the next page.
    await audit.insert({
      at: hours(8),
      actor: 'user:default/late',
      action: 'deploy',
      result: 'success',
    });
    const second = await audit.page({ limit: 3, cursor: first.nextCursor });
    expect(second.items.map(e => e.actor)).toEqual([
      'user:default/u3',
      'user:default/u2',
      'user:default/u1',
    ]);
    const last = await audit.page({ limit: 3, cursor: second.nextCursor });
    expect(last.items.map(e => e.actor)).toEqual(['user:default/u0']);
    expect(last.nextCursor).toBeUndefined();

    const window = await audit.page({
      since: hours(2).toISOString(),
      until: hours(5).toISOString(),
    });
    expect(window.items.map(e => e.actor)).toEqual([
      'user:default/u4',
      'user:default/u3',
      'user:default/u2',
    ]);
    expect(window.nextCursor).toBeUndefined();

    await expect(audit.page({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(
      /cursor is not a cursor of this audit trail/,
    );
  });
});
