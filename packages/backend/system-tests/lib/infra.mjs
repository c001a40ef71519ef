// Real infrastructure for the multi-replica system test: Redis (Debian's
// redis-server) as the backends' shared cache and haproxy (Debian's) as the
// load balancer in front of them. Both run as child processes on free
// loopback ports and are stopped by `stop()`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './harness.mjs';

function need(command, pkg) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${command} is missing: apt-get install -y ${pkg} (./portal test installs it)`,
    );
  }
}

async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 200));
  }
}

/** A throw-away Redis: `{ url, port, cli(...args), stop() }`. */
export async function startRedis() {
  need('redis-server', 'redis-server');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'systest-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const cli = (...args) =>
    execFileSync('redis-cli', ['-p', String(port), ...args])
      .toString()
      .trim();
  try {
    await until('redis', () => cli('ping') === 'PONG');
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * haproxy in front of `servers` (`{ name, port }`): round robin, health
 * checks on Backstage's readiness endpoint every 500 ms, a failed request
 * re-sent to the other server, and the answering server's name in the
 * `x-served-by` response header. Returns `{ url, stop() }`.
 */
export async function startLoadBalancer(servers) {
  need('haproxy', 'haproxy');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'systest-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 256',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 180s',
      '  timeout server 180s',
      '  retries 2',
      '  option redispatch',
      // A request that found its server gone (refused, reset, no answer) is
      // sent to the other one; requests are idempotent or carry their own
      // protection against running twice (the change engine's queue).
      '  retry-on conn-failure empty-response response-timeout',
      `frontend portal`,
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /.backstage/health/v1/readiness',
      '  http-response set-header x-served-by %s',
      ...servers.map(
        s =>
          `  server ${s.name} 127.0.0.1:${s.port} check inter 500ms fall 2 rise 2`,
      ),
      '',
    ].join('\n'),
  );
  execFileSync('haproxy', ['-c', '-f', config], { stdio: 'pipe' });
  const child = spawn('haproxy', ['-db', '-f', config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'haproxy',
      async () =>
        (await fetch(`${url}/.backstage/health/v1/readiness`)).status === 200,
    );
  } catch (e) {
    stop();
    throw e;
  }
  return { url, stop };
}
