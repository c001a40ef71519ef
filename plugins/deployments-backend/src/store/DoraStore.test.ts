import { mockServices } from '@backstage/backend-test-utils';
import {
  DeploymentStatus,
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { smallResources } from '../__testUtils__/catalog';
import { storeTestDatabases } from '../__testUtils__/databases';
import { insightsWindow } from '../views/InsightsView';
import { DeploymentStore, NewRecord } from './DeploymentStore';
import { DoraStore } from './DoraStore';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL too (fails without one, see storeTestDatabases).
const { ids, databases } = storeTestDatabases();

const PAYMENTS = 'component:default/payments-api';
const ORDERS = 'component:default/orders-api';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const BUILT_A = '2026-06-20T10:00:00Z';

/** A time in June 2026 (UTC): day, hour, minute. */
const june = (day: number, hour: number, minute = 0) =>
  new Date(Date.UTC(2026, 5, day, hour, minute));
const seconds = (from: Date | string, to: Date) =>
  (to.getTime() - new Date(from).getTime()) / 1000;

// Seven days back from 30 June noon: 24 June 00:00 .. now, in days.
const NOW = june(30, 12);
const WINDOW = insightsWindow(7, NOW);

function change(options: {
  entityRef?: string;
  environment?: 'development' | 'production';
  action?: NewRecord['action'];
  digest: string;
  builtAt?: string;
}): NewRecord {
  const environment = options.environment ?? 'production';
  const entityRef = options.entityRef ?? PAYMENTS;
  const name = entityRef.split('/')[1];
  const parsed = parseDeploymentRequest({
    application: entityRef,
    environment,
    namespace: `${name}-${environment}`,
    image: { repository: `ghcr.io/acme/${name}`, digest: options.digest },
    resources: smallResources(),
    ...(options.builtAt ? { builtAt: options.builtAt } : {}),
    requester: 'user:default/ada',
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return {
    environment,
    namespace: `${name}-${environment}`,
    name,
    entityRef,
    action: options.action ?? 'deploy',
    request: parsed.request,
    manifests: renderManifests(parsed.request, {
      owner: 'group:default/team-payments',
    }),
    image: `ghcr.io/acme/${name}@${options.digest}`,
    digest: options.digest,
    requester: 'user:default/ada',
  };
}

describe.each(ids)('DoraStore on %s', databaseId => {
  async function seed() {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({ knex });
    const store = await DeploymentStore.create(database);
    const dora = await DoraStore.create(database);
    const run = async (
      record: NewRecord,
      from: Date,
      to: Date,
      status: DeploymentStatus,
      recovery?: { detected: Date; restored: Date },
    ) => {
      const created = await store.insert(record, from);
      await store.transition(created.id, status, { now: to });
      if (recovery) {
        await knex('deployment_records').where({ id: created.id }).update({
          failure_detected_at: recovery.detected,
          restored_at: recovery.restored,
        });
      }
    };
    const a = { digest: DIGEST_A, builtAt: BUILT_A };
    const b = { digest: DIGEST_B };
    // Before the window: not counted, but where build B was first seen.
    await run(
      change({ entityRef: ORDERS, ...b }),
      june(1, 9),
      june(1, 9, 1),
      'succeeded',
    );
    // payments-api in development: A (built 20 June), then B.
    await run(
      change({ environment: 'development', ...a }),
      june(25, 10),
      june(25, 10, 2),
      'succeeded',
    );
    await run(
      change({ environment: 'development', action: 'update', ...b }),
      june(27, 8),
      june(27, 8, 1),
      'succeeded',
    );
    await run(
      change({ environment: 'development', action: 'restart', ...b }),
      june(27, 9),
      june(27, 9, 1),
      'succeeded',
    );
    // payments-api in production.
    await run(change(a), june(26, 9), june(26, 9, 5), 'succeeded');
    await run(
      change({ action: 'update', ...b }),
      june(27, 10),
      june(27, 10, 3),
      'rolled-back',
      { detected: june(27, 10, 2), restored: june(27, 10, 4) },
    );
    await run(
      change({ action: 'update', ...b }),
      june(28, 10),
      june(28, 10, 1),
      'succeeded',
    );
    await run(
      change({ action: 'update', ...b }),
      june(29, 10),
      june(29, 10, 10),
      'failed',
    );
    await run(
      change({ action: 'update', ...b }),
      june(29, 11),
      june(29, 11, 2),
      'succeeded',
    );
    // Finished after the window's end: not counted.
    await run(
      change({ action: 'update', ...b }),
      june(30, 12, 5),
      june(30, 12, 6),
      'succeeded',
    );
    return dora;
  }

  it('counts deployments, failures, lead times and restores per application and environment in the window', async () => {
    const dora = await seed();
    const counts = (await dora.counts({}, WINDOW)).byEntity;
    const sorted = [...counts].sort((x, y) =>
      x.environment.localeCompare(y.environment),
    );
    expect(sorted).toEqual([
      {
        entityRef: PAYMENTS,
        environment: 'development',
        // the restart is no deployment
        deployments: 2,
        succeeded: 2,
        failed: 0,
        deploySeconds: 120 + 60,
        // A from its build time; B from its first request anywhere (orders' in
        // June does not count: builds are per application), here 27 June 08:00
        leadTimeSamples: 2,
        leadTimeSeconds:
          seconds(BUILT_A, june(25, 10, 2)) +
          seconds(june(27, 8), june(27, 8, 1)),
        restores: 0,
        restoreSeconds: 0,
      },
      {
        entityRef: PAYMENTS,
        environment: 'production',
        deployments: 5,
        succeeded: 3,
        failed: 2,
        deploySeconds: 300 + 60 + 120,
        // each build once: A on 26 June, B on 28 June (not again on 29 June)
        leadTimeSamples: 2,
        leadTimeSeconds:
          seconds(BUILT_A, june(26, 9, 5)) +
          seconds(june(27, 8), june(28, 10, 1)),
        // the rollback restored in 2 min from detection; the failure on 29
        // June was restored by the next success, 52 min after it ended
        restores: 2,
        restoreSeconds: 120 + 52 * 60,
      },
    ]);
  });

  it('places the changes in the steps of the series', async () => {
    const dora = await seed();
    const production = (await dora.counts({}, WINDOW)).byBucket
      .filter(c => c.environment === 'production')
      .sort((x, y) => x.bucket - y.bucket);
    // 24 June is step 0.
    expect(
      production.map(c => [
        c.bucket,
        c.deployments,
        c.failed,
        c.leadTimeSamples,
        c.restores,
        c.restoreSeconds,
      ]),
    ).toEqual([
      [2, 1, 0, 1, 0, 0],
      [3, 1, 1, 0, 1, 120],
      [4, 1, 0, 1, 0, 0],
      [5, 2, 1, 0, 1, 52 * 60],
    ]);
  });

  it('limits the figures to an environment, to some applications and to the window', async () => {
    const dora = await seed();
    const development = (
      await dora.counts({ environment: 'development' }, WINDOW)
    ).byEntity;
    expect(development.map(c => [c.environment, c.deployments])).toEqual([
      ['development', 2],
    ]);
    expect(
      (await dora.counts({ entityRefs: [ORDERS] }, WINDOW)).byEntity,
    ).toEqual([]);
    expect((await dora.counts({ entityRefs: [] }, WINDOW)).byBucket).toEqual(
      [],
    );
    // 90 days reach back to 1 June: orders' deploy counts, in weekly steps.
    const quarter = insightsWindow(90, NOW);
    const orders = (await dora.counts({ entityRefs: [ORDERS] }, quarter))
      .byBucket;
    expect(orders).toEqual([
      expect.objectContaining({
        environment: 'production',
        deployments: 1,
        bucket: Math.floor(seconds(quarter.from, june(1, 9, 1)) / (7 * 86_400)),
      }),
    ]);
  });

  it('finds the applications first requested in the window, looking back past it', async () => {
    const dora = await seed();
    // orders-api was first requested on 1 June: not a first deployment in
    // the week, but in the quarter.
    expect(await dora.firstDeployments({}, WINDOW.from)).toEqual([
      {
        entityRef: PAYMENTS,
        firstRequestedAt: june(25, 10).toISOString(),
        firstSucceededAt: june(25, 10, 2).toISOString(),
      },
    ]);
    expect(
      (await dora.firstDeployments({}, insightsWindow(90, NOW).from)).map(
        f => f.entityRef,
      ),
    ).toEqual([ORDERS, PAYMENTS]);
    expect(
      await dora.firstDeployments({ environment: 'production' }, WINDOW.from),
    ).toEqual([
      {
        entityRef: PAYMENTS,
        firstRequestedAt: june(26, 9).toISOString(),
        firstSucceededAt: june(26, 9, 5).toISOString(),
      },
    ]);
  });
});
