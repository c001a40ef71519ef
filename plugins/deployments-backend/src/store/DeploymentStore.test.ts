import { mockServices } from '@backstage/backend-test-utils';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { storeTestDatabases } from '../__testUtils__/databases';
import { DeliveryStore } from './DeliveryStore';
import { DeploymentStore, NewRecord } from './DeploymentStore';
import { smallResources } from '../__testUtils__/catalog';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL too (fails without one, see storeTestDatabases).
const { ids, databases } = storeTestDatabases();

function newRecord(overrides: Partial<NewRecord> = {}): NewRecord {
  const parsed = parseDeploymentRequest({
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: 'payments-api-development',
    image: {
      repository: 'ghcr.io/acme/payments-api',
      digest: `sha256:${'a'.repeat(64)}`,
    },
    resources: smallResources(),
    env: [
      { name: 'SECRET_KEY', secretKeyRef: { name: 'payments-api', key: 'k' } },
    ],
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
    image: `ghcr.io/acme/payments-api@sha256:${'a'.repeat(64)}`,
    digest: `sha256:${'a'.repeat(64)}`,
    requester: 'user:default/ada',
    ...overrides,
  };
}

describe.each(ids)('DeploymentStore on %s', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    return DeploymentStore.create(mockServices.database({ knex }));
  }

  it('numbers revisions per deployment and keeps the status history', async () => {
    const store = await createStore();
    const first = await store.insert(newRecord());
    const second = await store.insert(newRecord());
    const other = await store.insert(newRecord({ name: 'payments-worker' }));
    expect([first.revision, second.revision, other.revision]).toEqual([
      1, 2, 1,
    ]);

    await store.transition(first.id, 'verifying');
    const done = await store.transition(first.id, 'succeeded');
    expect(done.statusHistory.map(s => s.status)).toEqual([
      'queued',
      'verifying',
      'succeeded',
    ]);
    expect(done.finishedAt).toBeDefined();

    const failed = await store.transition(second.id, 'failed', {
      error: 'Cluster unreachable',
    });
    expect(failed.error).toBe('Cluster unreachable');
    expect((await store.get(second.id))?.error).toBe('Cluster unreachable');
  });

  it('gives two concurrent inserts different revisions', async () => {
    const store = await createStore();
    const records = await Promise.all(
      [1, 2, 3, 4].map(() => store.insert(newRecord())),
    );
    expect(records.map(r => r.revision).sort()).toEqual([1, 2, 3, 4]);
  });

  it('finds the last good revision, history, manifests and deployed digests', async () => {
    const store = await createStore();
    const one = await store.insert(newRecord());
    await store.transition(one.id, 'succeeded');
    const two = await store.insert(
      newRecord({ digest: `sha256:${'b'.repeat(64)}` }),
    );
    await store.transition(two.id, 'rolled-back');
    const key = {
      environment: 'development' as const,
      namespace: 'payments-api-development',
      name: 'payments-api',
    };

    expect((await store.lastGood(key))?.revision).toBe(1);
    expect((await store.latest(key))?.revision).toBe(2);
    expect((await store.history(key)).map(r => r.revision)).toEqual([2, 1]);
    expect((await store.manifests(one.id)).map(m => m.kind)).toContain(
      'Deployment',
    );
    expect(
      await store.deployedDigests('component:default/payments-api'),
    ).toEqual({
      development: [`sha256:${'a'.repeat(64)}`],
    });
    expect(
      (await store.listLatest({ environment: 'development' })).map(
        r => r.revision,
      ),
    ).toEqual([2]);
  });

  it('counts a change that failed after its apply as what runs, one rolled back or refused before it not', async () => {
    const knex = await databases.init(databaseId);
    const store = await DeploymentStore.create(mockServices.database({ knex }));
    const key = {
      environment: 'development' as const,
      namespace: 'payments-api-development',
      name: 'payments-api',
    };
    const good = await store.insert(newRecord(), new Date(), 'verifying');
    await store.transition(good.id, 'succeeded');
    const refused = await store.insert(newRecord(), new Date(), 'applying');
    await store.transition(refused.id, 'failed');
    expect((await store.running(key))?.revision).toBe(good.revision);
    const unverified = await store.insert(newRecord(), new Date(), 'verifying');
    await knex('deployment_records')
      .where({ id: unverified.id })
      .update({ applied_at: new Date() });
    await store.transition(unverified.id, 'failed');
    expect((await store.running(key))?.revision).toBe(unverified.revision);
    const removed = await store.insert(
      newRecord({ action: 'delete' }),
      new Date(),
      'applying',
    );
    await store.transition(removed.id, 'succeeded');
    expect(await store.running(key)).toBeUndefined();
  });

  it('stores a secret as its reference (Secret name and key), never as a value', async () => {
    const store = await createStore();
    const record = await store.insert(newRecord());
    const stored = await store.get(record.id);
    expect(stored?.request.env).toEqual([
      { name: 'SECRET_KEY', secretKeyRef: { name: 'payments-api', key: 'k' } },
    ]);
    const manifests = await store.manifests(record.id);
    expect(manifests.map(m => m.kind)).not.toContain('Secret');
    const configMap = manifests.find(m => m.kind === 'ConfigMap') as any;
    expect(configMap.data).not.toHaveProperty('SECRET_KEY');
    const deployment = manifests.find(m => m.kind === 'Deployment') as any;
    expect(deployment.spec.template.spec.containers[0].env).toEqual([
      {
        name: 'SECRET_KEY',
        valueFrom: { secretKeyRef: { name: 'payments-api', key: 'k' } },
      },
    ]);
  });

  describe('dashboard queries over a hand-built history', () => {
    const T0 = Date.parse('2026-11-01T08:00:00.000Z');
    const at = (seconds: number) => new Date(T0 + seconds * 1000);
    const PAYMENTS = 'component:default/payments-api';
    const ORDERS = 'component:default/orders-api';

    /** One record: requested at `from`, ended with `status` at `to` (seconds after T0). */
    async function record(
      store: DeploymentStore,
      overrides: Partial<NewRecord>,
      from: number,
      end?: { status: 'succeeded' | 'failed' | 'rolled-back'; to: number },
    ) {
      const created = await store.insert(newRecord(overrides), at(from));
      return end
        ? store.transition(created.id, end.status, { now: at(end.to) })
        : created;
    }

    async function seedHistory() {
      const knex = await databases.init(databaseId);
      const store = await DeploymentStore.create(
        mockServices.database({ knex }),
      );
      const delivery = await DeliveryStore.create(
        mockServices.database({ knex }),
      );
      const dev = { environment: 'development' as const };
      const test = {
        environment: 'test' as const,
        namespace: 'payments-api-test',
      };
      const worker = { ...dev, name: 'payments-worker' };
      const orders = {
        ...dev,
        entityRef: ORDERS,
        namespace: 'orders-api-development',
        name: 'orders-api',
      };
      // payments-api in development
      await record(store, {}, 0, { status: 'succeeded', to: 60 });
      await record(store, { action: 'update' }, 1000, {
        status: 'failed',
        to: 1100,
      });
      await record(store, { action: 'update' }, 1200, {
        status: 'rolled-back',
        to: 1500,
      });
      await record(store, { action: 'update' }, 2000, {
        status: 'succeeded',
        to: 2120,
      });
      await record(store, { action: 'restart' }, 3000, {
        status: 'succeeded',
        to: 3010,
      });
      await record(store, {}, 4000, { status: 'failed', to: 4030 });
      await record(store, {}, 5000); // still queued
      // payments-worker (same application) in development
      await record(store, worker, 500, { status: 'succeeded', to: 540 });
      await record(store, { ...worker, action: 'rollback' }, 6000, {
        status: 'failed',
        to: 6050,
      });
      await record(store, { ...worker, action: 'rollback' }, 6100, {
        status: 'succeeded',
        to: 6160,
      });
      // payments-api in test
      await record(store, test, 10000, { status: 'failed', to: 10010 });
      await record(store, test, 10100, { status: 'succeeded', to: 10400 });
      // orders-api: one failed deployment, then deleted
      await record(store, orders, 100, { status: 'failed', to: 160 });
      await record(store, { ...orders, action: 'delete' }, 200, {
        status: 'succeeded',
        to: 210,
      });
      return { store, delivery };
    }

    it('counts deployments, successes, deploy time and recoveries per application and environment', async () => {
      const { delivery } = await seedHistory();
      const counts = await delivery.deliveryCounts({});
      const sorted = [...counts].sort((a, b) =>
        `${a.entityRef} ${a.environment}`.localeCompare(
          `${b.entityRef} ${b.environment}`,
        ),
      );
      expect(sorted).toEqual([
        {
          entityRef: ORDERS,
          environment: 'development',
          deployments: 1,
          succeeded: 0,
          failed: 1,
          deploySeconds: 0,
          recoveries: 0,
          recoverySeconds: 0,
        },
        {
          entityRef: PAYMENTS,
          environment: 'development',
          // 5 of payments-api (not the restart, not the unfinished one) + 3 of the worker
          deployments: 8,
          succeeded: 4,
          failed: 4,
          // 60 + 120 (payments-api) + 40 + 60 (worker)
          deploySeconds: 280,
          // payments-api: first failure at 1100 .. success at 2120 = 1020;
          // worker: 6050 .. 6160 = 110; the failure at 4030 is not recovered yet
          recoveries: 2,
          recoverySeconds: 1130,
        },
        {
          entityRef: PAYMENTS,
          environment: 'test',
          deployments: 2,
          succeeded: 1,
          failed: 1,
          deploySeconds: 300,
          recoveries: 1,
          recoverySeconds: 390,
        },
      ]);
    });

    it('limits the counts to an environment or to some applications', async () => {
      const { delivery } = await seedHistory();
      expect(await delivery.deliveryCounts({ environment: 'test' })).toEqual([
        expect.objectContaining({
          entityRef: PAYMENTS,
          deployments: 2,
          recoverySeconds: 390,
        }),
      ]);
      expect(await delivery.deliveryCounts({ entityRefs: [ORDERS] })).toEqual([
        expect.objectContaining({ entityRef: ORDERS, deployments: 1 }),
      ]);
      expect(await delivery.deliveryCounts({ entityRefs: [] })).toEqual([]);
    });

    it('finds when each application was first requested and first succeeded', async () => {
      const { delivery } = await seedHistory();
      expect(await delivery.firstDeployments({})).toEqual([
        // the delete succeeded, but a delete is no deployment
        { entityRef: ORDERS, firstRequestedAt: at(100).toISOString() },
        {
          entityRef: PAYMENTS,
          firstRequestedAt: at(0).toISOString(),
          firstSucceededAt: at(60).toISOString(),
        },
      ]);
      expect(await delivery.firstDeployments({ environment: 'test' })).toEqual([
        {
          entityRef: PAYMENTS,
          firstRequestedAt: at(10000).toISOString(),
          firstSucceededAt: at(10400).toISOString(),
        },
      ]);
    });

    it('lists recent failures newest first, the applications and the latest records in scope', async () => {
      const { store, delivery } = await seedHistory();
      const failures = await delivery.recentFailures({}, 4);
      expect(failures.map(f => [f.name, f.environment, f.finishedAt])).toEqual([
        ['payments-api', 'test', at(10010).toISOString()],
        ['payments-worker', 'development', at(6050).toISOString()],
        ['payments-api', 'development', at(4030).toISOString()],
        ['payments-api', 'development', at(1500).toISOString()],
      ]);
      expect(
        (await delivery.recentFailures({ entityRefs: [ORDERS] })).map(
          f => f.status,
        ),
      ).toEqual(['failed']);

      expect(await store.entityRefs()).toEqual([ORDERS, PAYMENTS]);
      expect(await store.entityRefs({ environment: 'test' })).toEqual([
        PAYMENTS,
      ]);
      const latest = await store.listLatest({ entityRefs: [PAYMENTS] });
      expect(
        latest.map(r => `${r.environment}/${r.name}#${r.revision}`).sort(),
      ).toEqual([
        'development/payments-api#7',
        'development/payments-worker#3',
        'test/payments-api#2',
      ]);
    });
  });

  it('survives a restart: a new store on the same database sees the history', async () => {
    const knex = await databases.init(databaseId);
    const first = await DeploymentStore.create(mockServices.database({ knex }));
    await first.insert(newRecord());
    const second = await DeploymentStore.create(
      mockServices.database({ knex }),
    );
    expect(
      await second.history({
        environment: 'development',
        namespace: 'payments-api-development',
        name: 'payments-api',
      }),
    ).toHaveLength(1);
  });
});
