/* eslint-disable no-console */
// Listing 1,000 deployment records from the store, and the dashboard's
// queries (latest, recent failures, delivery figures, first deployments) over
// 2,000 more records of 50 applications in four environments.
//   yarn bench:records   (SQLite; PostgreSQL too when POSTGRES_* are set)
// Target: p95 < 250 ms.
import knexFactory, { Knex } from 'knex';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { figuresByTeam } from '../src/views/deliveryFigures';
import { DeliveryStore } from '../src/store/DeliveryStore';
import { DeploymentStore } from '../src/store/DeploymentStore';

const parsed = parseDeploymentRequest({
  application: 'component:default/payments-api',
  environment: 'development',
  namespace: 'payments-api-development',
  image: { repository: 'ghcr.io/acme/payments-api', tag: '1.0.0' },
  replicas: 2,
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  },
  env: Array.from({ length: 10 }, (_, i) => ({
    name: `SETTING_${i}`,
    value: `value-${i}`,
  })),
  requester: 'user:default/ada',
});
if (!parsed.success) throw new Error('bad fixture');
const request = parsed.request;
const manifests = renderManifests(request, {
  owner: 'group:default/team-payments',
});

function p(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

async function bench(label: string, knex: Knex) {
  const database = {
    getClient: async () => knex,
    migrations: { skip: false },
  };
  const store = await DeploymentStore.create(database);
  const delivery = await DeliveryStore.create(database);
  // 1,000 deployments (one record each) and 1,000 records of one deployment.
  for (let i = 0; i < 1000; i++) {
    await store.insert({
      environment: 'development',
      namespace: 'payments-api-development',
      name: `app-${i}`,
      entityRef: 'component:default/payments-api',
      action: 'deploy',
      request,
      manifests,
      image: 'ghcr.io/acme/payments-api:1.0.0',
      requester: 'user:default/ada',
    });
    await store.insert({
      environment: 'development',
      namespace: 'payments-api-development',
      name: 'busy-app',
      entityRef: 'component:default/payments-api',
      action: 'deploy',
      request,
      manifests,
      image: 'ghcr.io/acme/payments-api:1.0.0',
      requester: 'user:default/ada',
    });
  }
  // The dashboard's history: 50 applications x 4 environments x 10 records,
  // one in four failing, a minute or two each.
  const environments = [
    'development',
    'test',
    'acceptance',
    'production',
  ] as const;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 2000; i++) {
    const app = i % 50;
    const environment = environments[Math.floor(i / 50) % 4];
    const requested = new Date(start + i * 600_000);
    const record = await store.insert(
      {
        environment,
        namespace: `team-app-${app}-${environment}`,
        name: `team-app-${app}`,
        entityRef: `component:default/team-app-${app}`,
        action: i % 7 === 0 ? 'rollback' : 'deploy',
        request,
        manifests,
        image: 'ghcr.io/acme/payments-api:1.0.0',
        requester: 'user:default/ada',
      },
      requested,
    );
    await store.transition(record.id, i % 4 === 0 ? 'failed' : 'succeeded', {
      now: new Date(requested.getTime() + 60_000 + (i % 60) * 1000),
    });
  }
  const teamOf = (entityRef: string) =>
    `group:default/team-${entityRef.length % 5}`;
  async function dashboard() {
    const scope = {};
    const [latest, failures, counts, firsts] = await Promise.all([
      store.listLatest({ ...scope, limit: 10_000 }),
      delivery.recentFailures(scope, 20),
      delivery.deliveryCounts(scope),
      delivery.firstDeployments(scope),
    ]);
    figuresByTeam(counts, teamOf, [
      'development',
      'test',
      'acceptance',
      'production',
    ]);
    return [...latest, ...failures, ...firsts];
  }

  for (const [name, run] of [
    [
      'list latest of 1,000 deployments',
      () =>
        store.listLatest({
          environment: 'development',
          namespace: 'payments-api-development',
          limit: 1001,
        }),
    ],
    [
      'history of 1,000 records',
      () =>
        store.history(
          {
            environment: 'development',
            namespace: 'payments-api-development',
            name: 'busy-app',
          },
          1000,
        ),
    ],
    ['dashboard over 4,000 records', dashboard],
  ] as const) {
    const samples: number[] = [];
    let count = 0;
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      count = (await run()).length;
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(10)} ${name.padEnd(34)} ${count} records  p50 ${p(
        samples,
        0.5,
      ).toFixed(1)} ms  p95 ${p(samples, 0.95).toFixed(
        1,
      )} ms (target < 250 ms)`,
    );
  }
  await knex.destroy();
}

async function main() {
  await bench(
    'sqlite',
    knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    }),
  );
  if (process.env.POSTGRES_HOST) {
    const database = `bench_${process.pid}`;
    const admin = knexFactory({
      client: 'pg',
      connection: {
        host: process.env.POSTGRES_HOST,
        port: Number(process.env.POSTGRES_PORT),
        user: process.env.POSTGRES_USER,
        password: process.env.POSTGRES_PASSWORD,
        database: 'postgres',
      },
    });
    await admin.raw(`CREATE DATABASE ${database}`);
    try {
      await bench(
        'postgres',
        knexFactory({
          client: 'pg',
          connection: {
            host: process.env.POSTGRES_HOST,
            port: Number(process.env.POSTGRES_PORT),
            user: process.env.POSTGRES_USER,
            password: process.env.POSTGRES_PASSWORD,
            database,
          },
        }),
      );
    } finally {
      await admin.raw(`DROP DATABASE ${database}`);
      await admin.destroy();
    }
  } else {
    console.log(
      'postgres   (set POSTGRES_HOST/PORT/USER/PASSWORD to measure PostgreSQL too)',
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
