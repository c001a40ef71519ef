// The production configuration on a real PostgreSQL: starts the backend with
// app-config.yaml + app-config.production.yaml against the server `./portal
// test` started (POSTGRES_*) and checks readiness and the plugins' databases.
// Run through `./portal test`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  freePort,
  launchBackend,
  listDatabases,
  outputTail,
  requirePostgresEnv,
  stopBackend,
  waitForReadiness,
} from './lib/harness.mjs';

let backend;

before(async () => {
  requirePostgresEnv();
  const port = await freePort();
  // `yarn start` as an operator would run it; the database comes from
  // POSTGRES_* through app-config.production.yaml.
  backend = await launchBackend({
    port,
    configs: ['app-config.yaml', 'app-config.production.yaml'],
    env: { APP_CONFIG_app_baseUrl: `http://127.0.0.1:${port}` },
    throughCli: true,
  });
});

after(() => stopBackend(backend));

test(
  'the backend becomes ready on PostgreSQL with the production config',
  { timeout: 240_000 },
  async t => {
    try {
      const res = await waitForReadiness(backend, 210_000);
      assert.equal(res.status, 200);
    } catch (e) {
      t.diagnostic(outputTail(backend));
      throw e;
    }
  },
);

test('the plugins keep their data in PostgreSQL databases', async () => {
  const names = await listDatabases();
  assert.ok(
    names.includes('backstage_plugin_catalog'),
    `databases: ${names.join(', ')}`,
  );
  assert.ok(
    names.includes('backstage_plugin_scaffolder'),
    `databases: ${names.join(', ')}`,
  );
});

test('the deployments plugin answers on PostgreSQL and refuses anonymous calls', async () => {
  const health = await fetch(`${backend.url}/api/deployments/health`);
  assert.equal(health.status, 200);
  const environments = await fetch(
    `${backend.url}/api/deployments/environments`,
  );
  assert.equal(environments.status, 401);
});

test('the backend exposes metrics for Prometheus', async () => {
  const res = await fetch(backend.metricsUrl);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /# HELP|# no registered metrics/);
});
