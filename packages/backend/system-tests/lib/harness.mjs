// What the backend system tests share: a local kube-sim cluster seeded for
// the portal, the backend as a real process (its own process group, so that
// stopping it also stops what it started), the dev-users sign-in, calls to the
// deployments API and the PostgreSQL server of `./portal test` (POSTGRES_*).
// Each *.test.mjs next to this folder keeps only its scenario and assertions.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

/** packages/backend: the working directory of the backend process. */
export const backendDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../..',
);
/** The root of the repository (app-config*.yaml, examples/, .tools/). */
export const repoRoot = resolve(backendDir, '../..');

const kubeSim = join(repoRoot, '.tools/kube-sim/bin/kube-sim');
const POLL_INTERVAL_MS = 1000;

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise(done => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function sleep(ms) {
  return new Promise(r => setTimeout(r, ms));
}

// --- kube-sim -----------------------------------------------------------------

/**
 * Starts one kube-sim cluster with the launcher and seeds it as
 * scripts/lib/clusters.sh does (tools/kube-sim/seed/portal-access.js): a
 * namespace per example application and environment, and the portal's service
 * account. Both portal clusters of app-config.yaml (local-nonprod and
 * local-prod) point at this one cluster through `cluster.portalEnv`.
 *
 * @param {{ name: string, environments: string[] }} options
 * @returns the cluster: `{ name, stateDir, kubeconfig, portalEnv }`; stop it
 *   with `stopCluster`.
 */
export function startCluster({ name, environments }) {
  const stateDir = mkdtempSync(join(tmpdir(), `${name}-kube-sim-`));
  const dir = join(stateDir, name);
  const cluster = { name, stateDir, kubeconfig: join(dir, 'kubeconfig') };
  try {
    execFileSync(
      kubeSim,
      ['up', '--name', name, '--port', '0', '--state-dir', stateDir],
      { stdio: 'pipe' },
    );
    const seed = execFileSync(process.execPath, [
      join(repoRoot, 'tools/kube-sim/seed/portal-access.js'),
      join(repoRoot, 'examples/entities.yaml'),
      ...environments,
    ]);
    execFileSync(
      'kubectl',
      ['--kubeconfig', cluster.kubeconfig, 'apply', '-f', '-'],
      { input: seed, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const token = requestPortalToken(cluster);
    const { server } = JSON.parse(
      readFileSync(join(dir, 'cluster.json'), 'utf8'),
    );
    const ca = readFileSync(join(dir, 'pki/ca.crt')).toString('base64');
    cluster.portalEnv = {
      KUBE_SIM_NONPROD_URL: server,
      KUBE_SIM_NONPROD_TOKEN: token,
      KUBE_SIM_NONPROD_CA_DATA: ca,
      KUBE_SIM_PROD_URL: server,
      KUBE_SIM_PROD_TOKEN: token,
      KUBE_SIM_PROD_CA_DATA: ca,
    };
    return cluster;
  } catch (e) {
    try {
      stopCluster(cluster);
    } catch {
      // the error that matters is the one of starting it
    }
    throw e;
  }
}

/**
 * A short-lived token of the portal's service account from the TokenRequest
 * API (`kubectl create token`), as scripts/lib/clusters.sh gets it.
 */
function requestPortalToken(cluster) {
  return execFileSync(
    'kubectl',
    [
      '--kubeconfig',
      cluster.kubeconfig,
      '-n',
      'backstage-system',
      'create',
      'token',
      'backstage-portal',
      '--duration=4h',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
    .toString()
    .trim();
}

/** Stops a cluster of `startCluster` and removes its state; safe to repeat. */
export function stopCluster(cluster) {
  if (!cluster) return;
  try {
    execFileSync(
      kubeSim,
      ['down', '--name', cluster.name, '--state-dir', cluster.stateDir],
      { stdio: 'ignore' },
    );
  } finally {
    rmSync(cluster.stateDir, { recursive: true, force: true });
  }
}

/** `kubectl <args> -o json` against the cluster, parsed. */
export function kubectlJson(cluster, ...args) {
  return JSON.parse(
    execFileSync(
      'kubectl',
      ['--kubeconfig', cluster.kubeconfig, ...args, '-o', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString(),
  );
}

// --- the backend process ------------------------------------------------------

/**
 * Spawns packages/backend on 127.0.0.1 (a free port unless `port` is given,
 * metrics on another free port) without waiting for it.
 *
 * By default it runs src/index.ts with node and the CLI's transform, as
 * `backstage-cli package start` does but without its file watcher: edits to
 * the repository while a test runs must not restart the backend (and lose an
 * in-memory database). `throughCli: true` runs `yarn start` instead.
 *
 * @param {object} options
 * @param {string} [options.name] for messages
 * @param {number} [options.port]
 * @param {string[]} [options.configs] config files relative to the repository
 * @param {Record<string, string>} [options.env] more environment variables
 * @param {boolean} [options.throughCli]
 * @returns the backend: `{ name, port, url, metricsUrl, process, output }`;
 *   `output` collects stdout and stderr.
 */
export async function launchBackend({
  name = 'backend',
  port,
  configs = ['app-config.yaml'],
  env = {},
  throughCli = false,
} = {}) {
  const listenPort = port ?? (await freePort());
  const metricsPort = await freePort();
  const backend = {
    name,
    port: listenPort,
    url: `http://127.0.0.1:${listenPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    output: '',
  };
  const configArgs = configs.flatMap(c => ['--config', `../../${c}`]);
  const [command, args] = throughCli
    ? ['yarn', ['start', ...configArgs]]
    : [
        process.execPath,
        [
          '--enable-source-maps',
          '--require',
          require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
            paths: [backendDir],
          }),
          'src/index.ts',
          ...configArgs,
        ],
      ];
  backend.process = spawn(command, args, {
    cwd: backendDir,
    detached: true,
    env: {
      ...process.env,
      ...(throughCli ? {} : { NODE_ENV: 'development' }),
      APP_CONFIG_backend_listen: JSON.stringify(`127.0.0.1:${listenPort}`),
      APP_CONFIG_backend_baseUrl: backend.url,
      PROMETHEUS_PORT: String(metricsPort),
      ...env,
    },
  });
  backend.process.stdout.on('data', d => (backend.output += d));
  backend.process.stderr.on('data', d => (backend.output += d));
  return backend;
}

/**
 * `launchBackend`, then waits until it is ready. If it does not become ready
 * it is stopped again and the error carries the end of its output.
 */
export async function startBackend(options, timeoutMs) {
  const backend = await launchBackend(options);
  try {
    await waitForReadiness(backend, timeoutMs);
  } catch (e) {
    await stopBackend(backend);
    throw e;
  }
  return backend;
}

/**
 * Stops the backend's whole process group: SIGTERM, SIGKILL after 15 s.
 * Does nothing if it is not running.
 */
export async function stopBackend(backend) {
  const child = backend?.process;
  if (!child || hasExited(child)) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (!hasExited(child)) {
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }
}

function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * For `after` hooks: stops every backend that was started, then the cluster.
 * Either may be missing (a `before` that failed half-way).
 */
export async function stopAll({ backends = [], cluster }) {
  for (const backend of backends) {
    await stopBackend(backend);
  }
  stopCluster(cluster);
}

/** The last `lines` lines the backend wrote. */
export function outputTail(backend, lines = 40) {
  return backend.output.split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` every second until it returns something truthy (and returns
 * that). Fails early if the backend exits, and after `timeoutMs` with the last
 * reason and the end of the backend's output.
 */
export async function waitFor(backend, what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (hasExited(backend.process)) {
      throw new Error(
        `backend ${backend.name} exited with ${
          backend.process.exitCode ?? backend.process.signalCode
        } while waiting for ${what}\n${outputTail(backend)}`,
      );
    }
    try {
      const result = await check();
      if (result) return result;
      last = 'not yet';
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(
    `backend ${
      backend.name
    }: ${what} not within ${timeoutMs} ms (last: ${last})\n${outputTail(
      backend,
    )}`,
  );
}

/** Waits for HTTP 200 from the readiness endpoint; returns that response. */
export function waitForReadiness(backend, timeoutMs) {
  return waitFor(
    backend,
    'readiness',
    async () => {
      const res = await fetch(`${backend.url}/.backstage/health/v1/readiness`);
      return res.status === 200 && res;
    },
    timeoutMs,
  );
}

// --- sign-in and the deployments API ------------------------------------------

/**
 * Signs in as an example user of examples/org.yaml through the dev-users
 * provider; returns the `backstageIdentity` (`token`, `identity`).
 */
export async function signIn(backend, user) {
  const res = await fetch(`${backend.url}/api/auth/dev-users/refresh`, {
    headers: {
      'x-portal-dev-user': user,
      'x-requested-with': 'XMLHttpRequest',
    },
  });
  if (res.status !== 200) {
    throw new Error(
      `sign-in as ${user}: HTTP ${res.status} ${await res.text()}`,
    );
  }
  return (await res.json()).backstageIdentity;
}

/**
 * Tokens for `users`, each signed in as soon as it can be: a user can only
 * sign in once the example org is in the catalog.
 *
 * @returns {Promise<Record<string, string>>} user -> Backstage token
 */
export async function signInUsers(backend, users, timeoutMs) {
  const tokens = {};
  for (const user of users) {
    const identity = await waitFor(
      backend,
      `sign-in as ${user}`,
      () => signIn(backend, user),
      timeoutMs,
    );
    tokens[user] = identity.token;
  }
  return tokens;
}

/**
 * Calls the deployments plugin (`/api/deployments<path>`), with the token if
 * there is one; never throws on an HTTP status.
 *
 * @returns {Promise<{ status: number, json: any, text: string }>} `json` is
 *   undefined if the body is not JSON.
 */
export async function callDeployments(backend, token, method, path, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${backend.url}/api/deployments${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/**
 * Waits until the deployments plugin knows a catalog entity (its deployments
 * answer 200), e.g. `component/default/payments-api`.
 */
export function waitForEntity(backend, token, entityPath, timeoutMs) {
  return waitFor(
    backend,
    `${entityPath} in the catalog`,
    async () =>
      (
        await callDeployments(
          backend,
          token,
          'GET',
          `/entities/${entityPath}/deployments`,
        )
      ).status === 200,
    timeoutMs,
  );
}

// --- PostgreSQL -----------------------------------------------------------------

/** Fails unless POSTGRES_* name the server (`./portal test` exports them). */
export function requirePostgresEnv() {
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
}

/** The connection to the PostgreSQL server of POSTGRES_*, as knex/pg take it. */
export function postgresConnection() {
  return {
    host: process.env.POSTGRES_HOST,
    port: Number(process.env.POSTGRES_PORT),
    user: process.env.POSTGRES_USER,
    password: process.env.POSTGRES_PASSWORD,
  };
}

/** Runs `fn` with a pg client connected to the `postgres` database. */
export async function withPostgres(fn) {
  const client = new Client({ ...postgresConnection(), database: 'postgres' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs `fn` with a pg client connected to database `name` (e.g. a plugin's). */
export async function withDatabase(name, fn) {
  const client = new Client({ ...postgresConnection(), database: name });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The names of the databases on the server, optionally only those with `prefix`. */
export function listDatabases(prefix = '') {
  return withPostgres(async client => {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    return rows.map(r => r.datname);
  });
}

/** Drops every database whose name starts with `prefix`. */
export async function dropDatabases(prefix) {
  assert.ok(prefix, 'dropDatabases needs a prefix');
  const names = await listDatabases(prefix);
  await withPostgres(async client => {
    for (const name of names) {
      await client.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    }
  });
}
