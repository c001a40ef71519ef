/* eslint-disable no-console */
// The delivery insights (DORA figures, GET /insights) and GET /dashboard
// over 100,000 change records: 500 applications of 20 teams in four
// environments over the last year (BENCH_DAYS, 365), about one in eight
// failing or rolled back, 40 builds per application.
//   yarn bench:insights   (SQLite; PostgreSQL too when POSTGRES_* are set)
//   BENCH_DAYS=120 yarn bench:insights   (the same records in four months)
// Target (issue #19): p95 < 150 ms on PostgreSQL.
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import {
  parseDeploymentRequest,
  renderManifests,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ApplicationCatalog } from '../src/catalog/ApplicationCatalog';
import { Authorizer } from '../src/permissions/Authorizer';
import { DeliveryStore } from '../src/store/DeliveryStore';
import { DeploymentStore } from '../src/store/DeploymentStore';
import { DoraStore } from '../src/store/DoraStore';
import { DashboardView } from '../src/views/DashboardView';
import { DEFAULT_DELIVERY_TARGETS } from '../src/views/doraFigures';
import { InsightsView } from '../src/views/InsightsView';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
const {
  backfillArrivals,
} = require('../migrations/20261203000000_delivery_insights.js');

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const APPLICATIONS = 500;
const TEAMS = 20;
const ENVIRONMENTS = ['development', 'test', 'acceptance', 'production'];
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const DAY = 86_400_000;

const parsed = parseDeploymentRequest({
  application: 'component:default/app-0',
  environment: 'development',
  namespace: 'app-0-development',
  image: { repository: 'ghcr.io/acme/app-0', tag: '1.0.0' },
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  },
  requester: 'user:default/ada',
});
if (!parsed.success) throw new Error('bad fixture');
const request = parsed.request;

function p(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** A deterministic pseudo-random sequence (the same history every run). */
function random(start: number) {
  let state = start;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function seed(knex: Knex) {
  const database = {
    getClient: async () => knex,
    migrations: { skip: false },
  };
  const store = await DeploymentStore.create(database);
  const [{ count }] = await knex('deployment_records').count({ count: '*' });
  if (Number(count) >= RECORDS) return database; // a kept database
  // One real row as the template of the others (every column as the store
  // writes it), then bulk inserts.
  const first = await store.insert({
    environment: 'development',
    namespace: 'app-0-development',
    name: 'app-0',
    entityRef: 'component:default/app-0',
    action: 'deploy',
    request,
    manifests: renderManifests(request, { owner: 'group:default/team-0' }),
    image: 'ghcr.io/acme/app-0:1.0.0',
    requester: 'user:default/ada',
  });
  const template = await knex('deployment_records')
    .where({ id: first.id })
    .first();
  await knex('deployment_records').delete();
  await knex('deployment_heads').delete();
  const next = random(42);
  const now = Date.now();
  const revisions = new Map<string, number>();
  let batch: Array<Record<string, unknown>> = [];
  const started = performance.now();
  for (let i = 0; i < RECORDS; i++) {
    const app = Math.floor(next() * APPLICATIONS);
    const environment = ENVIRONMENTS[Math.floor(next() * 4)];
    const key = `${app}/${environment}`;
    const revision = (revisions.get(key) ?? 0) + 1;
    revisions.set(key, revision);
    const created = now - DAYS * DAY + Math.floor(next() * DAYS * DAY);
    const duration = 30_000 + Math.floor(next() * 400_000);
    const roll = next();
    let status = 'succeeded';
    if (roll < 0.08) status = 'failed';
    else if (roll < 0.125) status = 'rolled-back';
    const build = Math.floor(next() * 40);
    const digest = `sha256:${String(build).padStart(4, '0')}${'a'.repeat(60)}`;
    batch.push({
      ...template,
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      entity_ref: `component:default/app-${app}`,
      environment,
      namespace: `app-${app}-${environment}`,
      name: `app-${app}`,
      revision,
      action: next() < 0.1 ? 'rollback' : 'update',
      status,
      image: `ghcr.io/acme/app-${app}@${digest}`,
      digest,
      created_at: new Date(created),
      finished_at: new Date(created + duration),
      built_at: next() < 0.5 ? new Date(created - 3_600_000) : null,
      restored_at:
        status === 'rolled-back' ? new Date(created + duration + 60_000) : null,
      failure_detected_at:
        status === 'rolled-back' ? new Date(created + duration) : null,
      idempotency_key: null,
    });
    if (batch.length === 500) {
      await knex.batchInsert('deployment_records', batch, 500);
      batch = [];
    }
  }
  if (batch.length) await knex.batchInsert('deployment_records', batch, 500);
  // What the stores write beside each record, from the bulk-inserted ones:
  // each deployment's last revision, each build's first arrival.
  await knex.raw(
    `INSERT INTO deployment_heads (environment, namespace, name, last_revision)
     SELECT environment, namespace, name, MAX(revision)
     FROM deployment_records GROUP BY environment, namespace, name`,
  );
  await backfillArrivals(knex);
  if (/pg/.test(String(knex.client.config.client))) {
    // As autovacuum leaves a table that has settled.
    await knex.raw('VACUUM ANALYZE deployment_records');
    await knex.raw('VACUUM ANALYZE deployment_arrivals');
    await knex.raw('VACUUM ANALYZE deployment_heads');
  }
  console.log(
    `  seeded ${RECORDS.toLocaleString('en')} records in ${(
      (performance.now() - started) /
      1000
    ).toFixed(1)} s`,
  );
  return database;
}

async function bench(label: string, knex: Knex) {
  const database = await seed(knex);
  const records = await DeploymentStore.create(database);
  const delivery = await DeliveryStore.create(database);
  const dora = await DoraStore.create(database);
  const teamOf = (ref: string) =>
    `group:default/team-${Number(ref.split('-').pop()) % TEAMS}`;
  // The catalog and the permission check are other services (HTTP calls in
  // a real backend); the bench measures this plugin's database work.
  const catalog = {
    teamsOf: async (refs: string[]) =>
      new Map(refs.map(ref => [ref, teamOf(ref)])),
  } as unknown as ApplicationCatalog;
  const authorizer = {
    authorize: async () => {},
  } as unknown as Authorizer;
  const view = InsightsView.create({
    records,
    dora,
    catalog,
    authorizer,
    environments: ENVIRONMENTS,
    targets: DEFAULT_DELIVERY_TARGETS,
  });
  const dashboard = DashboardView.create({
    records,
    delivery,
    dora,
    catalog,
    authorizer,
    environments: ENVIRONMENTS,
  });
  // Only passed on to the (stubbed) catalog and permission check.
  const credentials = {} as BackstageCredentials;
  const now = new Date();
  const window30 = {
    from: new Date(now.getTime() - 30 * DAY),
    until: now,
    bucketSeconds: 86_400,
  };
  const detail: Array<[string, () => Promise<unknown>]> = process.env
    .BENCH_DETAIL
    ? [
        ['  entity refs', () => records.entityRefs({})],
        [
          '  first deployments, 30 d',
          () => dora.firstDeployments({}, window30.from),
        ],
        ['  counts, 30 d', () => dora.counts({}, window30)],
      ]
    : [];
  const runs: Array<[string, () => Promise<unknown>]> = [
    ...detail,
    ['insights, 30 days', () => view.insights({ windowDays: 30 }, credentials)],
    ['insights, 90 days', () => view.insights({ windowDays: 90 }, credentials)],
    [
      'insights, one team, 30 days',
      () =>
        view.insights(
          { windowDays: 30, team: 'group:default/team-7' },
          credentials,
        ),
    ],
    [
      'insights, one application (entity card)',
      () =>
        view.insights(
          { windowDays: 30, entityRef: 'component:default/app-17' },
          credentials,
        ),
    ],
    [
      'GET /dashboard?window=30 (the page)',
      () => dashboard.dashboard({ windowDays: 30 }, credentials),
    ],
    [
      "  running revisions (the dashboard's cost per team)",
      () => records.runningRecords({}),
    ],
    [
      'GET /dashboard (all-time figures)',
      () => dashboard.dashboard({}, credentials),
    ],
  ];
  for (const [name, run] of runs) {
    await run(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await run();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(9)} ${name.padEnd(52)} p50 ${p(samples, 0.5).toFixed(
        1,
      )} ms  p95 ${p(samples, 0.95).toFixed(1)} ms (target < 150 ms)`,
    );
  }
  await knex.destroy();
}

async function main() {
  console.log(
    `Delivery insights over ${RECORDS.toLocaleString(
      'en',
    )} records in ${DAYS} days, ${SAMPLES} samples each`,
  );
  if (process.env.BENCH_DATABASES !== 'postgres')
    await bench(
      'sqlite',
      knexFactory({
        client: 'better-sqlite3',
        connection: ':memory:',
        useNullAsDefault: true,
      }),
    );
  if (!process.env.POSTGRES_HOST) {
    console.log(
      'postgres  (set POSTGRES_HOST/PORT/USER/PASSWORD to measure PostgreSQL too)',
    );
    return;
  }
  const connection = {
    host: process.env.POSTGRES_HOST,
    port: Number(process.env.POSTGRES_PORT),
    user: process.env.POSTGRES_USER,
    password: process.env.POSTGRES_PASSWORD,
  };
  // BENCH_KEEP_DATABASE=<name> seeds it once and keeps it (to EXPLAIN).
  const kept = process.env.BENCH_KEEP_DATABASE;
  const database = kept ?? `bench_insights_${process.pid}`;
  const admin = knexFactory({
    client: 'pg',
    connection: { ...connection, database: 'postgres' },
  });
  const exists = await admin('pg_database')
    .where({ datname: database })
    .first();
  if (!exists) await admin.raw(`CREATE DATABASE ${database}`);
  try {
    await bench(
      'postgres',
      knexFactory({ client: 'pg', connection: { ...connection, database } }),
    );
  } finally {
    if (!kept) await admin.raw(`DROP DATABASE ${database}`);
    await admin.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
