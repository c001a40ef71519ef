import { mockServices } from '@backstage/backend-test-utils';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { storeTestDatabases } from '../__testUtils__/databases';
import { smallResources } from '../__testUtils__/catalog';
import { ChangeStore, LeaseLostError } from './ChangeStore';
import { NewRecord } from './recordRows';

jest.setTimeout(60_000);

// The change queue on SQLite and PostgreSQL: what the workers of every
// backend replica rely on.
const { ids, databases } = storeTestDatabases();

const LEASE_MS = 20_000;

function change(overrides: Partial<NewRecord> = {}): NewRecord {
  const parsed = parseDeploymentRequest({
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: 'payments-api-development',
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
    resources: smallResources(),
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error('bad fixture');
  return {
    environment: 'development',
    namespace: 'payments-api-development',
    name: 'payments-api',
    entityRef: 'component:default/payments-api',
    action: 'deploy',
    request: parsed.request,
    manifests: renderManifests(parsed.request, {
      owner: 'group:default/team-payments',
    }),
    image: 'ghcr.io/acme/payments-api:1.0.0',
    requester: 'user:default/ada',
    ...overrides,
  };
}

const OTHER = { name: 'payments-worker' };

describe.each(ids)('ChangeStore on %s', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    return ChangeStore.create(mockServices.database({ knex }));
  }

  async function enqueue(store: ChangeStore, overrides = {}, at?: Date) {
    const { change: queued } = await store.enqueue(change(overrides), {
      maxQueued: 20,
      now: at,
    });
    return queued;
  }

  it('queues changes in revision order, and one key gives one change', async () => {
    const store = await createStore();
    const first = await enqueue(store);
    const second = await enqueue(store);
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect(first.status).toBe('queued');
    expect(await store.queuePosition(second)).toBe(1);

    const keyed = await store.enqueue(
      change({ idempotencyKey: 'task-1:deploy' }),
      { maxQueued: 20 },
    );
    const again = await store.enqueue(
      change({ idempotencyKey: 'task-1:deploy' }),
      { maxQueued: 20 },
    );
    expect(keyed.created).toBe(true);
    expect(again).toEqual({ change: keyed.change, created: false });
  });

  it('numbers concurrent changes of one deployment without gaps or doubles', async () => {
    const store = await createStore();
    const queued = await Promise.all(
      Array.from({ length: 8 }, () => enqueue(store)),
    );
    expect(queued.map(c => c.revision).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('refuses more queued changes than the limit with queue-full', async () => {
    const store = await createStore();
    await store.enqueue(change(), { maxQueued: 2 });
    await store.enqueue(change(), { maxQueued: 2 });
    await expect(
      store.enqueue(change(), { maxQueued: 2 }),
    ).rejects.toMatchObject({ name: 'ConflictError', code: 'queue-full' });
  });

  it('lets a worker claim only the head of each deployment queue, oldest first', async () => {
    const store = await createStore();
    const t0 = Date.now() - 60_000;
    const first = await enqueue(store, {}, new Date(t0));
    const second = await enqueue(store, {}, new Date(t0 + 1000));
    const other = await enqueue(store, OTHER, new Date(t0 + 2000));

    const a = await store.claim('worker-a', LEASE_MS);
    const b = await store.claim('worker-b', LEASE_MS);
    const c = await store.claim('worker-c', LEASE_MS);
    expect(a).toMatchObject({
      id: first.id,
      status: 'planning',
      attempts: 1,
      leaseOwner: 'worker-a',
    });
    expect(b?.id).toBe(other.id);
    // The second change of payments-api waits behind the first.
    expect(c).toBeUndefined();
    expect(await store.queuePosition(second)).toBe(1);

    await store.transition(first, 'worker-a', 'succeeded');
    const next = await store.claim('worker-c', LEASE_MS);
    expect(next?.id).toBe(second.id);
  });

  it('never hands two replicas the same change or two changes of one deployment', async () => {
    const store = await createStore();
    for (let i = 0; i < 4; i++) {
      await enqueue(store);
      await enqueue(store, OTHER);
    }
    const claims = await Promise.all(
      ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map(w => store.claim(w, LEASE_MS)),
    );
    const claimed = claims.filter(Boolean);
    expect(claimed.map(c => c!.name).sort()).toEqual([
      'payments-api',
      'payments-worker',
    ]);
  });

  it('refuses a second active change of one deployment in the database itself', async () => {
    const store = await createStore();
    const first = await enqueue(store);
    const second = await enqueue(store);
    expect((await store.claim('worker-a', LEASE_MS))?.id).toBe(first.id);
    // Bypassing the claim's checks: the partial unique index still refuses.
    const refused = await store
      .knex('deployment_records')
      .where({ id: second.id })
      .update({ status: 'applying' })
      .then(
        () => 'updated',
        (error: unknown) => String(error),
      );
    expect(refused).toMatch(/unique|duplicate/i);
    expect((await store.get(first.id))?.status).toBe('planning');
  });

  it('resumes a change whose lease expired, from its last step, on another worker', async () => {
    const store = await createStore();
    const queued = await enqueue(store);
    const claimed = await store.claim('worker-a', 1);
    await store.transition(claimed!, 'worker-a', 'verifying', {
      fields: { appliedAt: new Date() },
    });
    await new Promise(r => setTimeout(r, 20));

    const resumed = await store.claim('worker-b', LEASE_MS);
    expect(resumed).toMatchObject({
      id: queued.id,
      status: 'verifying',
      attempts: 2,
      leaseOwner: 'worker-b',
    });
    expect(resumed?.statusHistory.at(-1)?.reason).toBe(
      'resumed by worker-b (the lease of worker-a expired)',
    );
    // The worker that lost it can no longer write, nor renew its lease.
    await expect(
      store.transition(claimed!, 'worker-a', 'succeeded'),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.heartbeat(queued.id, 'worker-a', LEASE_MS)).toBe(false);
    expect(await store.heartbeat(queued.id, 'worker-b', LEASE_MS)).toBe(true);
  });

  it('gives a released change to the next worker at once', async () => {
    const store = await createStore();
    const queued = await enqueue(store);
    await store.claim('worker-a', LEASE_MS);
    expect(await store.claim('worker-b', LEASE_MS)).toBeUndefined();
    await store.release(queued.id, 'worker-a');
    expect((await store.claim('worker-b', LEASE_MS))?.id).toBe(queued.id);
  });

  it('ends the lease with a final status and records each step with its reason', async () => {
    const store = await createStore();
    await enqueue(store);
    const claimed = await store.claim('worker-a', LEASE_MS);
    await store.transition(claimed!, 'worker-a', 'applying');
    const ended = await store.transition(claimed!, 'worker-a', 'failed', {
      reason: 'Nothing was applied: ConfigMap/x was refused',
      fields: { error: 'Nothing was applied: ConfigMap/x was refused' },
    });
    expect(ended.statusHistory.map(s => s.status)).toEqual([
      'queued',
      'planning',
      'applying',
      'failed',
    ]);
    expect(ended.statusHistory.at(-1)?.reason).toBe(
      'Nothing was applied: ConfigMap/x was refused',
    );
    expect(ended.finishedAt).toBeDefined();
    expect(ended.leaseOwner).toBeUndefined();
  });

  it('cancels a queued change only, and a cancelled change blocks nothing', async () => {
    const store = await createStore();
    const first = await enqueue(store);
    const second = await enqueue(store);
    const third = await enqueue(store);
    await store.claim('worker-a', LEASE_MS);
    expect(await store.cancel(first.id, 'user:default/ada')).toBeUndefined();
    const cancelled = await store.cancel(second.id, 'user:default/ada');
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      error: 'Cancelled by user:default/ada before it ran',
    });
    expect(await store.queuePosition(third)).toBe(1);
  });
});
