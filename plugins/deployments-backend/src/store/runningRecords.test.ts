import { mockServices } from '@backstage/backend-test-utils';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { storeTestDatabases } from '../__testUtils__/databases';
import { smallResources } from '../__testUtils__/catalog';
import { DeploymentStore, NewRecord } from './DeploymentStore';

jest.setTimeout(60_000);

// What runs now of every deployment, as the cost estimate prices it per
// team: SQLite and PostgreSQL.
const { ids, databases } = storeTestDatabases();

function newRecord(
  application: string,
  environment: string,
  overrides: Partial<NewRecord> & { replicas?: number } = {},
): NewRecord {
  const { replicas = 1, ...rest } = overrides;
  const parsed = parseDeploymentRequest({
    application: `component:default/${application}`,
    environment,
    namespace: `${application}-${environment}`,
    image: { repository: `ghcr.io/acme/${application}`, tag: '1.0.0' },
    replicas,
    resources: smallResources(),
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error('bad fixture');
  return {
    environment,
    namespace: `${application}-${environment}`,
    name: application,
    entityRef: `component:default/${application}`,
    action: 'deploy',
    request: parsed.request,
    manifests: renderManifests(parsed.request, {
      owner: 'group:default/team-payments',
    }),
    image: `ghcr.io/acme/${application}:1.0.0`,
    requester: 'user:default/ada',
    ...rest,
  };
}

describe.each(ids)('DeploymentStore.runningRecords on %s', databaseId => {
  it('gives the running revision of each deployment in scope, without deleted ones or changes that never applied', async () => {
    const knex = await databases.init(databaseId);
    const store = await DeploymentStore.create(mockServices.database({ knex }));
    const done = async (
      record: NewRecord,
      status: 'succeeded' | 'failed' = 'succeeded',
    ) => {
      const inserted = await store.insert(record, new Date(), 'applying');
      return store.transition(inserted.id, status);
    };
    // payments-api: 2 replicas run; a later change was refused before its apply
    // and one is still queued.
    await done(newRecord('payments-api', 'development', { replicas: 2 }));
    await done(
      newRecord('payments-api', 'development', { replicas: 5 }),
      'failed',
    );
    await store.insert(
      newRecord('payments-api', 'development', { replicas: 9 }),
    );
    // orders-api: ran, then deleted.
    await done(newRecord('orders-api', 'development'));
    await done(newRecord('orders-api', 'development', { action: 'delete' }));
    // storefront in development and production.
    await done(newRecord('storefront', 'development', { replicas: 3 }));
    await done(newRecord('storefront', 'production', { replicas: 4 }));

    const development = await store.runningRecords({
      environment: 'development',
    });
    expect(
      development.map(r => [r.name, r.revision, r.request.replicas]).sort(),
    ).toEqual([
      ['payments-api', 1, 2],
      ['storefront', 1, 3],
    ]);

    const all = await store.runningRecords();
    expect(all.map(r => `${r.environment}/${r.name}`).sort()).toEqual([
      'development/payments-api',
      'development/storefront',
      'production/storefront',
    ]);

    const storefront = await store.runningRecords({
      entityRefs: ['component:default/storefront'],
    });
    expect(storefront.map(r => r.environment).sort()).toEqual([
      'development',
      'production',
    ]);
  });
});
