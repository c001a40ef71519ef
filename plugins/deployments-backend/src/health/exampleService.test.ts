import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  caData,
  getTestCluster,
  repoRoot,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { readEnvironments } from '../service/readEnvironments';
import { DefaultHealthService } from './DefaultHealthService';

// The example service of `./portal start` (examples/health-service), run as
// the real script, probed through DefaultHealthService.
jest.setTimeout(60_000);

const script = resolve(repoRoot(), 'examples/health-service/server.mjs');
const APPS = ['payments-api', 'orders-api', 'storefront'];
const ENVIRONMENTS = ['development', 'test', 'acceptance', 'production'];
const cluster = getTestCluster();

let child: ChildProcess;
const ports: Record<string, number> = {};

/** Starts the script on free ports and learns them from its output. */
async function startExampleService() {
  child = spawn(process.execPath, [script, '--not-ready', 'orders-api/test'], {
    env: {
      ...process.env,
      HEALTH_SERVICE_HOST: '0.0.0.0',
      HEALTH_SERVICE_PORTS: APPS.map(app => `${app}=0`).join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((done, failed) => {
    child.stdout!.on('data', chunk => {
      output += chunk;
      for (const match of output.matchAll(
        /: ([a-z-]+) on http:\/\/[^:]+:(\d+)\//g,
      )) {
        ports[match[1]] = Number(match[2]);
      }
      if (APPS.every(app => ports[app])) done();
    });
    child.stderr!.on('data', chunk => {
      output += chunk;
    });
    child.on('exit', code =>
      failed(new Error(`the example service exited (${code}): ${output}`)),
    );
  });
}

function entity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': name,
        'deployments/health-url': `http://127.0.0.1:${ports[name]}/{{ environment }}`,
      },
    },
    spec: { type: 'service', owner: 'team-orders', lifecycle: 'production' },
  };
}

async function healthService() {
  const token = await seedPortalAccess(cluster, ENVIRONMENTS, {
    namespacePrefix: 'example-',
  });
  const config = new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'kube-sim',
              url: cluster.server,
              serviceAccountToken: token,
              caData: caData(cluster),
            },
          ],
        },
      ],
    },
    deployments: {
      health: { cacheSeconds: 0, allowedTargets: ['127.0.0.1'] },
      environments: Object.fromEntries(
        ENVIRONMENTS.map(name => [
          name,
          {
            cluster: 'kube-sim',
            namespacePattern: 'example-{{ application }}-{{ environment }}',
          },
        ]),
      ),
    },
  });
  return DefaultHealthService.create({
    config,
    logger: mockServices.logger.mock(),
    catalog: catalogServiceMock({ entities: APPS.map(entity) }),
    permissions: mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    }),
    clusters: ClusterClients.fromConfig(config),
    environments: readEnvironments(config),
  });
}

function setReadiness(
  app: string,
  environment: string,
  ready: boolean,
  host = '127.0.0.1',
) {
  return fetch(`http://${host}:${ports[app]}/${environment}/admin/readiness`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ready }),
  });
}

const credentials = mockCredentials.user('user:default/ada');
const ref = (name: string) => ({
  kind: 'component',
  namespace: 'default',
  name,
});

beforeAll(startExampleService);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise(done => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
});

describe('examples/health-service', () => {
  it('is what the example catalog points at', () => {
    const help = execFileSync(process.execPath, [script, '--help']).toString();
    const catalog = readFileSync(
      resolve(repoRoot(), 'examples/entities.yaml'),
      'utf8',
    );
    for (const app of APPS) {
      const port = new RegExp(`${app}=(\\d+)`).exec(help)?.[1];
      expect(port).toBeDefined();
      expect(catalog).toMatch(
        new RegExp(
          `name: ${app}\\n[\\s\\S]*?deployments/health-url: http://127\\.0\\.0\\.1:${port}/\\{\\{ environment \\}\\}`,
        ),
      );
    }
  });

  it('answers the health contract in every environment, as independent instances', async () => {
    const health = await (
      await healthService()
    ).getEntityHealth(ref('payments-api'), {
      credentials,
    });
    expect(health.state).toBe('healthy');
    for (const environment of ENVIRONMENTS) {
      const env = health.environments.find(e => e.environment === environment)!;
      expect(env).toMatchObject({
        state: 'healthy',
        target: `http://127.0.0.1:${ports['payments-api']}/${environment}`,
        probes: {
          liveness: { status: 'up', httpStatus: 200 },
          readiness: { status: 'up', database: 'ok' },
          info: { status: 'up', environment },
        },
      });
    }

    // Started with --not-ready orders-api/test: only that instance is off.
    const orders = await (
      await healthService()
    ).getEntityHealth(ref('orders-api'), {
      credentials,
    });
    expect(
      orders.environments.map(e => [e.environment, e.probes!.readiness.status]),
    ).toEqual([
      ['development', 'up'],
      ['test', 'down'],
      ['acceptance', 'up'],
      ['production', 'up'],
    ]);
  });

  it('switches readiness per application and environment', async () => {
    const service = await healthService();
    const res = await setReadiness('storefront', 'production', false);
    expect(res.status).toBe(200);

    const failing = await service.getEntityHealth(ref('storefront'), {
      credentials,
    });
    const production = failing.environments.find(
      e => e.environment === 'production',
    )!;
    expect(production.state).toBe('unhealthy');
    expect(production.probes!.readiness).toMatchObject({
      status: 'down',
      httpStatus: 503,
      database: 'down',
    });
    expect(production.probes!.liveness.status).toBe('up');
    expect(
      failing.environments
        .filter(e => e.state === 'healthy')
        .map(e => e.environment),
    ).toEqual(['development', 'test', 'acceptance']);
    expect(failing.state).toBe('unhealthy');

    expect((await setReadiness('storefront', 'production', true)).status).toBe(
      200,
    );
    const restored = await service.getEntityHealth(ref('storefront'), {
      credentials,
    });
    expect(restored.state).toBe('healthy');
  });

  it('refuses bad readiness switches', async () => {
    const bad = await fetch(
      `http://127.0.0.1:${ports['payments-api']}/production/admin/readiness`,
      { method: 'PUT', body: '{"ready":"no"}' },
    );
    expect(bad.status).toBe(400);
    expect((await setReadiness('payments-api', 'staging', false)).status).toBe(
      404,
    );

    const outside = Object.values(networkInterfaces())
      .flat()
      .find(i => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!outside) {
      throw new Error('this test needs a non-loopback IPv4 address');
    }
    const remote = await setReadiness(
      'payments-api',
      'production',
      false,
      outside,
    );
    expect(remote.status).toBe(403);
  });
});
