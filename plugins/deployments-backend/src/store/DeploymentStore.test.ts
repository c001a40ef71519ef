import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@internal/backstage-plugin-deployments-common';
import { DeploymentStore, NewRecord } from './DeploymentStore';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL from the server `./portal test` starts (its
// connection string is in BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING).
// Without one this fails instead of silently testing SQLite only.
function postgresId(): TestDatabaseId {
  const key = Object.keys(process.env).find(k =>
    /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(k),
  );
  if (!key) {
    throw new Error(
      'No PostgreSQL for the store tests: run them through ./portal test, or set BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING',
    );
  }
  return `POSTGRES_${key.match(/POSTGRES(\d+)/)![1]}` as TestDatabaseId;
}

const ids: TestDatabaseId[] = ['SQLITE_3', postgresId()];
const databases = TestDatabases.create({ ids, disableDocker: true });

function newRecord(overrides: Partial<NewRecord> = {}): NewRecord {
  const parsed = parseDeploymentRequest({
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: 'payments-api-development',
    image: {
      repository: 'ghcr.io/acme/payments-api',
      digest: `sha256:${'a'.repeat(64)}`,
    },
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
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

    await store.transition(first.id, 'rolling-out');
    const done = await store.transition(first.id, 'succeeded');
    expect(done.statusHistory.map(s => s.status)).toEqual([
      'applying',
      'rolling-out',
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

  it('stores secret references, never secret values', async () => {
    const store = await createStore();
    const record = await store.insert(newRecord());
    const text =
      JSON.stringify(await store.get(record.id)) +
      JSON.stringify(await store.manifests(record.id));
    expect(text).toContain('"secretKeyRef"');
    expect(text).not.toMatch(/"SECRET_KEY"\s*:\s*"/);
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
