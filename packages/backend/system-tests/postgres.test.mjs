// The production configuration on a real PostgreSQL: starts the backend with
// app-config.yaml + app-config.production.yaml against the server `./portal
// test` started (POSTGRES_*) and checks readiness and the plugins' databases.
// Run through `./portal test`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  freePort,
  launchBackend,
  repoRoot,
  listDatabases,
  outputTail,
  requirePostgresEnv,
  stopBackend,
  waitForReadiness,
} from './lib/harness.mjs';

let backend;
let oidc;

before(async () => {
  requirePostgresEnv();
  const port = await freePort();
  // The production config signs in through OIDC: a real provider answers
  // its discovery (scripts/oidc/server.mjs).
  const oidcPort = await freePort();
  oidc = spawn(
    process.execPath,
    [
      join(repoRoot, 'scripts/oidc/server.mjs'),
      String(oidcPort),
      `http://127.0.0.1:${port}/api/auth/oidc/handler/frame`,
      'systest',
      'not-a-secret',
    ],
    { stdio: 'ignore' },
  );
  // `yarn start` as an operator would run it; the database comes from
  // POSTGRES_* through app-config.production.yaml.
  backend = await launchBackend({
    port,
    configs: ['app-config.yaml', 'app-config.production.yaml'],
    env: {
      APP_CONFIG_app_baseUrl: `http://127.0.0.1:${port}`,
      OIDC_METADATA_URL: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      OIDC_CLIENT_ID: 'systest',
      OIDC_CLIENT_SECRET: 'not-a-secret',
      AUTH_SESSION_SECRET: 'systest-session-secret-of-32-characters',
      // The production config removes the local environments; a site
      // configures its own.
      APP_CONFIG_deployments_environments: JSON.stringify({
        development: { cluster: 'local-nonprod' },
        production: {
          cluster: 'local-prod',
          policies: { 'image-source': { allowedRegistries: ['ghcr.io/acme'] } },
        },
      }),
    },
    throughCli: true,
  });
});

after(async () => {
  await stopBackend(backend);
  oidc?.kill();
});

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
