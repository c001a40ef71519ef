#!/usr/bin/env node
// The example services of the portal's catalog (examples/entities.yaml),
// implementing the health contract (docs/docs/health-contract.md) so the
// Service Health tab has something real to probe. Plain Node, no
// dependencies: one process, one port per application, one independent
// instance per environment under /<environment>/.
import http from 'node:http';
import { parseArgs } from 'node:util';

const ENVIRONMENTS = ['development', 'test', 'acceptance', 'production'];
const DEFAULT_PORTS = {
  'payments-api': 18081,
  'orders-api': 18082,
  storefront: 18083,
};

const HELP = `Usage: node examples/health-service/server.mjs [options]

Serves the health contract of the example applications, one port per
application, each environment as its own instance under /<environment>/:

  GET /<env>/health          200 {"status":"ok"}                   (liveness)
  GET /<env>/api/v2/health   200 {"status":"ok","environment":..,"timestamp":..}
  GET /<env>/api/v2/ready    200 {"status":"ready","database":"ok"}
                             503 {"status":"not ready","database":"down"}
  PUT /<env>/admin/readiness {"ready": false|true}   (from this machine only)

Environments: ${ENVIRONMENTS.join(', ')}.
Applications and ports: ${Object.entries(DEFAULT_PORTS)
  .map(([app, port]) => `${app}=${port}`)
  .join(', ')}.

Options:
  --not-ready <app>/<env>  start that instance not ready (repeatable)
  --host <address>         address to listen on (default 127.0.0.1)
  --exit-with-parent       stop when the process that started it ends
                           (how ./portal start ties it to the portal)
  -h, --help               this text

Environment variables:
  HEALTH_SERVICE_PORTS     ports per application, e.g.
                           payments-api=28081,orders-api=28082,storefront=28083
  HEALTH_SERVICE_HOST      as --host

Switch readiness, e.g. make payments-api in production fail its readiness:
  curl -X PUT -H 'content-type: application/json' -d '{"ready":false}' \\
    http://127.0.0.1:18081/production/admin/readiness
`;

function fail(message) {
  process.stderr.write(`health-service: ${message}\n`);
  process.exit(2);
}

function parsePorts(text) {
  const ports = { ...DEFAULT_PORTS };
  if (!text) return ports;
  for (const entry of text.split(',').filter(Boolean)) {
    const [app, value] = entry.split('=');
    if (!(app in DEFAULT_PORTS)) {
      fail(
        `HEALTH_SERVICE_PORTS: unknown application '${app}'; use ${Object.keys(
          DEFAULT_PORTS,
        ).join(', ')}`,
      );
    }
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      fail(
        `HEALTH_SERVICE_PORTS: '${entry}' needs a port number, e.g. ${app}=28081`,
      );
    }
    ports[app] = port;
  }
  return ports;
}

function isLoopback(address = '') {
  return (
    address === '::1' ||
    address.startsWith('127.') ||
    address.startsWith('::ffff:127.')
  );
}

function readBody(req, limit = 4096) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', chunk => {
      body += chunk;
      if (body.length > limit) {
        reject(new Error('body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** One application: an independent readiness per environment. */
function createApplication(name, notReady) {
  const ready = Object.fromEntries(
    ENVIRONMENTS.map(env => [env, !notReady.has(`${name}/${env}`)]),
  );

  return async function handle(req, res) {
    const send = (status, body) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, environment, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;

    if (url.pathname === '/' && req.method === 'GET') {
      send(200, { application: name, ready });
      return;
    }
    if (!ENVIRONMENTS.includes(environment)) {
      send(404, {
        error: `no environment '${environment}'; use /<environment>/… with one of ${ENVIRONMENTS.join(
          ', ',
        )}`,
      });
      return;
    }

    if (req.method === 'GET' && path === '/health') {
      send(200, { status: 'ok' });
    } else if (req.method === 'GET' && path === '/api/v2/health') {
      send(200, {
        status: 'ok',
        environment,
        timestamp: new Date().toISOString(),
      });
    } else if (req.method === 'GET' && path === '/api/v2/ready') {
      if (ready[environment]) {
        send(200, { status: 'ready', database: 'ok' });
      } else {
        send(503, { status: 'not ready', database: 'down' });
      }
    } else if (path === '/admin/readiness' && req.method === 'PUT') {
      if (!isLoopback(req.socket.remoteAddress)) {
        send(403, {
          error: 'readiness can only be switched from this machine',
        });
        return;
      }
      let value;
      try {
        value = JSON.parse(await readBody(req));
      } catch {
        value = undefined;
      }
      if (typeof value?.ready !== 'boolean') {
        send(400, {
          error: 'send a JSON body {"ready": true} or {"ready": false}',
        });
        return;
      }
      ready[environment] = value.ready;
      process.stdout.write(
        `health-service: ${name} in ${environment} is now ${
          value.ready ? 'ready' : 'not ready'
        }\n`,
      );
      send(200, { application: name, environment, ready: value.ready });
    } else if (path === '/admin/readiness') {
      res.setHeader('allow', 'PUT');
      send(405, { error: 'use PUT with {"ready": true|false}' });
    } else {
      send(404, {
        error: `no route ${req.method} ${path}; the contract is GET /health, /api/v2/health, /api/v2/ready`,
      });
    }
  };
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

async function main() {
  let options;
  try {
    options = parseArgs({
      options: {
        help: { type: 'boolean', short: 'h' },
        host: { type: 'string' },
        'not-ready': { type: 'string', multiple: true },
        'exit-with-parent': { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    fail(`${error.message}\n\n${HELP}`);
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  const host = options.host ?? process.env.HEALTH_SERVICE_HOST ?? '127.0.0.1';
  const ports = parsePorts(process.env.HEALTH_SERVICE_PORTS);
  const notReady = new Set(options['not-ready'] ?? []);
  for (const entry of notReady) {
    const [app, env] = entry.split('/');
    if (!(app in DEFAULT_PORTS) || !ENVIRONMENTS.includes(env)) {
      fail(
        `--not-ready '${entry}': expected <application>/<environment>, e.g. orders-api/acceptance`,
      );
    }
  }

  const servers = [];
  for (const [name, port] of Object.entries(ports)) {
    const handle = createApplication(name, notReady);
    const server = http.createServer((req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    try {
      const actual = await listen(server, port, host);
      servers.push(server);
      process.stdout.write(
        `health-service: ${name} on http://${host}:${actual}/<environment>/ (${ENVIRONMENTS.join(
          ', ',
        )})\n`,
      );
    } catch (error) {
      for (const s of servers) s.close();
      fail(
        `${name} cannot listen on ${host}:${port} (${
          error.code ?? error.message
        }); ` +
          `stop what uses it or choose other ports with HEALTH_SERVICE_PORTS`,
      );
    }
  }
  if (notReady.size > 0) {
    process.stdout.write(
      `health-service: not ready at start: ${[...notReady].join(', ')}\n`,
    );
  }

  const stop = () => {
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (options['exit-with-parent']) {
    // When the parent ends we are handed to another process (init or a
    // subreaper): our parent pid changes.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) {
        process.stdout.write('health-service: the portal stopped; stopping\n');
        stop();
        process.exit(0);
      }
    }, 1000).unref();
  }
}

main();
