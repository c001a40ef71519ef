import { mockServices } from '@backstage/backend-test-utils';
import { storeTestDatabases } from '../__testUtils__/databases';
import { AuditStore } from './AuditStore';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL too (fails without one, see storeTestDatabases).
const { ids, databases } = storeTestDatabases();

describe.each(ids)('audit store action filter on %s', databaseId => {
  it('lists only the events of one action, with the other filters', async () => {
    const knex = await databases.init(databaseId);
    const store = await AuditStore.create(mockServices.database({ knex }));
    const base = {
      actor: 'system',
      entityRef: 'component:default/payments-api',
      environment: 'production',
    } as const;
    await store.insert({ ...base, action: 'deploy', result: 'success' });
    await store.insert({
      ...base,
      action: 'notification.failed',
      result: 'failure',
      message: 'webhook a (slack) did not take the deployed announcement',
    });
    await store.insert({
      ...base,
      environment: 'development',
      action: 'notification.failed',
      result: 'failure',
      message: 'webhook b (json) did not take the deployed announcement',
    });
    const failed = await store.page({ action: 'notification.failed' });
    expect(failed.items.map(e => e.message)).toEqual([
      'webhook b (json) did not take the deployed announcement',
      'webhook a (slack) did not take the deployed announcement',
    ]);
    const inProduction = await store.page({
      action: 'notification.failed',
      environment: 'production',
      limit: 1,
    });
    expect(inProduction.items).toHaveLength(1);
    expect(inProduction.items[0].environment).toBe('production');
    expect(inProduction.nextCursor).toBeUndefined();
    expect((await store.page({ action: 'deploy' })).items).toHaveLength(1);
  });
});
