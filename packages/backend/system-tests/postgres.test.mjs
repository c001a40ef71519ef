// The production configuration on a real PostgreSQL: starts the backend with
// app-config.yaml + app-config.production.yaml against the server `./portal
// test` started (POSTGRES_* in the environment) and checks readiness and the
// plugins' databases. Run through `./portal test`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const backendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise(done => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function waitForReadiness(url, backend, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no response';
  while (Date.now() < deadline) {
    if (backend.exitCode !== null) {
      throw new Error(
        `backend exited with ${backend.exitCode} before it was ready`,
      );
    }
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`backend not ready within ${timeoutMs}ms (last: ${last})`);
}

let backend;
let port;
let metricsPort;
let output = '';

before(async () => {
  for (const key of [
    'POSTGRES_HOST',
    'POSTGRES_PORT',
    'POSTGRES_USER',
    'POSTGRES_PASSWORD',
  ]) {
    assert.ok(
      process.env[key],
      `${key} is not set: run this through ./portal test, which starts PostgreSQL`,
    );
  }
  port = await freePort();
  metricsPort = await freePort();
  backend = spawn(
    'yarn',
    [
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.production.yaml',
    ],
    {
      cwd: backendDir,
      detached: true,
      env: {
        ...process.env,
        APP_CONFIG_backend_listen: JSON.stringify(`127.0.0.1:${port}`),
        APP_CONFIG_backend_baseUrl: `http://127.0.0.1:${port}`,
        APP_CONFIG_app_baseUrl: `http://127.0.0.1:${port}`,
        PROMETHEUS_PORT: String(metricsPort),
      },
    },
  );
  backend.stdout.on('data', d => (output += d));
  backend.stderr.on('data', d => (output += d));
});

after(async () => {
  if (backend && backend.exitCode === null) {
    process.kill(-backend.pid, 'SIGTERM');
    await Promise.race([
      once(backend, 'exit'),
      new Promise(r => setTimeout(r, 10_000)),
    ]);
    if (backend.exitCode === null) process.kill(-backend.pid, 'SIGKILL');
  }
});

test(
  'the backend becomes ready on PostgreSQL with the production config',
  { timeout: 240_000 },
  async t => {
    try {
      const res = await waitForReadiness(
        `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
        backend,
        210_000,
      );
      assert.equal(res.status, 200);
    } catch (e) {
      t.diagnostic(output.split('\n').slice(-40).join('\n'));
      throw e;
    }
  },
);

test('the plugins keep their data in PostgreSQL databases', async () => {
  const client = new Client({
    host: process.env.POSTGRES_HOST,
    port: Number(process.env.POSTGRES_PORT),
    user: process.env.POSTGRES_USER,
    password: process.env.POSTGRES_PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database');
    const names = rows.map(r => r.datname);
    assert.ok(
      names.includes('backstage_plugin_catalog'),
      `databases: ${names.join(', ')}`,
    );
    assert.ok(
      names.includes('backstage_plugin_scaffolder'),
      `databases: ${names.join(', ')}`,
    );
  } finally {
    await client.end();
  }
});

test('the deployments plugin answers on PostgreSQL and refuses anonymous calls', async () => {
  const health = await fetch(`http://127.0.0.1:${port}/api/deployments/health`);
  assert.equal(health.status, 200);
  const environments = await fetch(
    `http://127.0.0.1:${port}/api/deployments/environments`,
  );
  assert.equal(environments.status, 401);
});

test('the backend exposes metrics for Prometheus', async () => {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /# HELP|# no registered metrics/);
});
