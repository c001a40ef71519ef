import { CacheService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import {
  caData,
  getTestCluster,
  kubeConfigFor,
  seedPortalAccess,
  // eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
} from '@internal/kube-sim';
import { EntityHealth } from '@deployments-portal/backstage-plugin-deployments-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { readEnvironments } from '../service/readEnvironments';
import { DefaultHealthService } from './DefaultHealthService';
import { Resolver } from './TargetGuard';
import {
  closedPort,
  ContractServer,
  startBlackHole,
  startContractServer,
} from './__testUtils__/servers';
import { serviceAccountCluster } from '../__testUtils__/kube';

// Health checks against real HTTP servers and the real API server (kube-sim),
// read with the portal's namespace-scoped service account.
jest.setTimeout(120_000);

const PREFIX = 'health-';
const PATTERN = `${PREFIX}{{ application }}-{{ environment }}`;
const ENVIRONMENTS = ['development', 'test', 'acceptance', 'production'];
const REF = { kind: 'component', namespace: 'default', name: 'payments-api' };
const credentials = mockCredentials.user('user:default/ada');

function component(name: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': name, ...annotations },
    },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  } as Entity;
}

const cluster = getTestCluster();
let portalToken: string;

type EnvironmentSetup = {
  cluster?: string;
  health?: Record<string, unknown>;
};

function createService(options: {
  environments: Record<string, EnvironmentSetup>;
  health?: Record<string, unknown>;
  backend?: Record<string, unknown>;
  extraClusters?: Array<Record<string, unknown>>;
  entities?: Entity[];
  token?: string;
  resolve?: Resolver;
  allow?: () => boolean;
  cache?: CacheService;
}) {
  const config = new ConfigReader(
    JSON.parse(
      JSON.stringify({
        backend: options.backend ?? {
          baseUrl: 'http://localhost:7007',
          listen: { port: 7007 },
        },
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                serviceAccountCluster({
                  name: 'kube-sim',
                  url: cluster.server,
                  token: options.token ?? portalToken,
                  ca: caData(cluster),
                }),
                ...(options.extraClusters ?? []),
              ],
            },
          ],
        },
        deployments: {
          // The test services listen on loopback, which a platform has to
          // allow explicitly (as app-config.yaml does for the examples).
          health: { allowedTargets: ['127.0.0.1'], ...options.health },
          environments: Object.fromEntries(
            Object.entries(options.environments).map(([name, setup]) => [
              name,
              {
                cluster: setup.cluster ?? 'kube-sim',
                namespacePattern: PATTERN,
                health: setup.health,
              },
            ]),
          ),
        },
      }),
    ),
  );
  return DefaultHealthService.create({
    config,
    logger: mockServices.logger.mock(),
    catalog: catalogServiceMock({
      entities: options.entities ?? [component('payments-api')],
    }),
    permissions: mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({
          result:
            options.allow?.() === false
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    }),
    clusters: ClusterClients.fromConfig(config),
    environments: readEnvironments(config),
    resolve: options.resolve,
    cache: options.cache,
  });
}

function env(health: EntityHealth, name: string) {
  const found = health.environments.find(e => e.environment === name);
  if (!found) throw new Error(`no environment ${name} in the result`);
  return found;
}

const servers: Array<{ close(): Promise<void> }> = [];
async function contractServer(
  ...args: Parameters<typeof startContractServer>
): Promise<ContractServer> {
  const server = await startContractServer(...args);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  portalToken = await seedPortalAccess(cluster, ENVIRONMENTS, {
    namespacePrefix: PREFIX,
  });
});

afterAll(async () => {
  await Promise.all(servers.map(s => s.close()));
});

describe('DefaultHealthService probes', () => {
  it('probes the contract in every environment: healthy, not ready, too slow and refused', async () => {
    const healthy = await contractServer({ environment: 'development' });
    const notReady = await contractServer({
      environment: 'test',
      ready: false,
    });
    const slow = await contractServer({
      environment: 'acceptance',
      delayMs: 5000,
    });
    const closed = await closedPort();
    const service = createService({
      health: { timeoutMs: 1000 },
      environments: {
        production: { health: { urlPattern: `http://127.0.0.1:${closed}` } },
        development: { health: { urlPattern: healthy.url } },
        test: { health: { urlPattern: `${notReady.url}/` } },
        acceptance: { health: { urlPattern: slow.url } },
      },
    });

    const result = await service.getEntityHealth(REF, { credentials });

    expect(result.entityRef).toBe('component:default/payments-api');
    expect(result.environments.map(e => e.environment)).toEqual(ENVIRONMENTS);

    const development = env(result, 'development');
    expect(development).toMatchObject({
      cluster: 'kube-sim',
      namespace: 'health-payments-api-development',
      state: 'healthy',
      target: `${healthy.url}/`,
      pods: [],
      events: [],
      probes: {
        liveness: {
          status: 'up',
          httpStatus: 200,
          url: `${healthy.url}/health`,
        },
        readiness: { status: 'up', httpStatus: 200, database: 'ok' },
        info: {
          status: 'up',
          environment: 'development',
          url: `${healthy.url}/api/v2/health`,
        },
      },
    });
    expect(development.kubernetesError).toBeUndefined();
    expect(Date.parse(development.probes!.info.timestamp!)).not.toBeNaN();

    const test = env(result, 'test');
    expect(test.state).toBe('unhealthy');
    expect(test.probes!.liveness.status).toBe('up');
    expect(test.probes!.readiness).toMatchObject({
      status: 'down',
      httpStatus: 503,
      database: 'down',
      error: 'not ready (503), database: down',
    });

    const acceptance = env(result, 'acceptance');
    for (const probe of Object.values(acceptance.probes!)) {
      expect(probe).toMatchObject({
        status: 'unreachable',
        error: 'no answer within 1000 ms',
      });
    }
    // Nothing answers and nothing is deployed there.
    expect(acceptance.state).toBe('not-deployed');

    const production = env(result, 'production');
    expect(production.probes!.liveness).toMatchObject({
      status: 'unreachable',
      error: 'connection refused (nothing listens on that port)',
    });
    // The worst environment: test, whose readiness is down.
    expect(result.state).toBe('unhealthy');
    // Only the parsed fields of a body ever leave the backend.
    expect(JSON.stringify(result)).not.toContain('never-shown');
  });

  it('uses the entity annotation before the configured pattern and never echoes credentials', async () => {
    const server = await contractServer({ environment: 'development' });
    const service = createService({
      environments: {
        development: { health: { urlPattern: 'http://127.0.0.1:1' } },
      },
      entities: [
        component('payments-api', {
          'deployments/health-url': `http://probe:s3cr3t@127.0.0.1:${server.port}/{{ environment }}`,
        }),
      ],
    });
    const result = await service.getEntityHealth(REF, { credentials });
    const development = env(result, 'development');
    expect(development.target).toBe(
      `http://127.0.0.1:${server.port}/development`,
    );
    expect(development.probes!.liveness).toMatchObject({
      status: 'up',
      url: `http://127.0.0.1:${server.port}/development/health`,
    });
    expect(server.requests).toEqual(
      expect.arrayContaining([
        '/development/health',
        '/development/api/v2/health',
        '/development/api/v2/ready',
      ]),
    );
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('reports a service that claims another environment, and does not follow redirects', async () => {
    const confused = await contractServer({ environment: 'production' });
    const redirecting = await contractServer({
      environment: 'test',
      livenessStatus: 302,
    });
    const service = createService({
      environments: {
        development: { health: { urlPattern: confused.url } },
        test: { health: { urlPattern: redirecting.url } },
      },
    });
    const result = await service.getEntityHealth(REF, { credentials });
    expect(env(result, 'development').probes!.info).toMatchObject({
      status: 'down',
      environment: 'production',
      error: expect.stringContaining(
        "reports environment 'production', expected 'development'",
      ),
    });
    expect(env(result, 'development').state).toBe('degraded');
    expect(env(result, 'test').probes!.liveness).toMatchObject({
      status: 'down',
      httpStatus: 302,
      error: expect.stringContaining('redirects are not followed'),
    });
    expect(env(result, 'test').state).toBe('unhealthy');
  });

  it('says where to configure a target when there is none', async () => {
    const service = createService({ environments: { development: {} } });
    const development = env(
      await service.getEntityHealth(REF, { credentials }),
      'development',
    );
    expect(development.probes).toBeUndefined();
    expect(development.probeError).toContain(
      'add the deployments/health-url annotation',
    );
    expect(development.state).toBe('not-deployed');
  });

  it('keeps at most `concurrency` probes in flight', async () => {
    const server = await contractServer({ environment: 'any', delayMs: 100 });
    const service = createService({
      health: { concurrency: 2, timeoutMs: 5000 },
      environments: Object.fromEntries(
        ENVIRONMENTS.map(name => [
          name,
          { health: { urlPattern: server.url } },
        ]),
      ),
    });
    const result = await service.getEntityHealth(REF, { credentials });
    expect(server.requests).toHaveLength(12);
    expect(server.maxInFlight()).toBe(2);
    expect(
      result.environments.every(e => e.probes!.liveness.status === 'up'),
    ).toBe(true);
  });
});

describe('DefaultHealthService target guard', () => {
  it('refuses the portal own backend without sending anything, unless allowed', async () => {
    const server = await contractServer({ environment: 'development' });
    const setup = {
      backend: {
        baseUrl: 'http://localhost:7007',
        listen: { port: server.port },
      },
      environments: { development: { health: { urlPattern: server.url } } },
    };
    const refused = env(
      await createService(setup).getEntityHealth(REF, { credentials }),
      'development',
    );
    expect(refused.probes).toBeUndefined();
    expect(refused.target).toBe(`${server.url}/`);
    expect(refused.probeError).toBe(
      `Not probed: 127.0.0.1:${server.port} is the portal's own backend; to probe it anyway, add '127.0.0.1:${server.port}' to deployments.health.allowedTargets`,
    );
    expect(server.requests).toEqual([]);

    const allowed = env(
      await createService({
        ...setup,
        health: { allowedTargets: [`127.0.0.1:${server.port}`] },
      }).getEntityHealth(REF, { credentials }),
      'development',
    );
    expect(allowed.probeError).toBeUndefined();
    expect(allowed.probes!.liveness.status).toBe('up');
    expect(server.requests).toHaveLength(3);
  });

  it('refuses metadata and link-local targets, also behind a host name', async () => {
    const service = createService({
      environments: {
        development: {
          health: { urlPattern: 'http://169.254.169.254/latest' },
        },
        test: { health: { urlPattern: 'http://metadata.google.internal/' } },
        acceptance: {
          health: { urlPattern: 'http://sneaky.example.test:8080' },
        },
        production: { health: { urlPattern: 'http://[fe80::1]:8080' } },
      },
      resolve: async host =>
        host === 'sneaky.example.test'
          ? [{ address: '169.254.10.10', family: 4 }]
          : [],
    });
    const result = await service.getEntityHealth(REF, { credentials });
    expect(env(result, 'development').probeError).toContain(
      '169.254.169.254 is a link-local address (cloud metadata services live there)',
    );
    expect(env(result, 'test').probeError).toContain(
      'metadata.google.internal is a cloud metadata service',
    );
    expect(env(result, 'acceptance').probeError).toContain(
      'sneaky.example.test (169.254.10.10) is a link-local address',
    );
    expect(env(result, 'production').probeError).toContain(
      'fe80::1 is a link-local address',
    );
    for (const e of result.environments) {
      expect(e.probes).toBeUndefined();
    }
  });
});

describe('DefaultHealthService probe targets (SSRF)', () => {
  it('refuses loopback on every port and private addresses unless allowed, sending nothing', async () => {
    const server = await contractServer({ environment: 'development' });
    const service = createService({
      health: { allowedTargets: [] },
      environments: {
        development: { health: { urlPattern: server.url } },
        test: { health: { urlPattern: 'http://10.0.0.8:8080' } },
        acceptance: { health: { urlPattern: 'http://100.64.1.1' } },
        production: { health: { urlPattern: 'http://0.0.0.0:8080' } },
      },
    });
    const result = await service.getEntityHealth(REF, { credentials });
    expect(env(result, 'development').probeError).toBe(
      `Not probed: 127.0.0.1 is a loopback address (this host); to probe it anyway, add '127.0.0.1:${server.port}' to deployments.health.allowedTargets`,
    );
    expect(env(result, 'test').probeError).toContain(
      '10.0.0.8 is a private address',
    );
    expect(env(result, 'acceptance').probeError).toContain(
      '100.64.1.1 is a carrier-grade NAT address',
    );
    expect(env(result, 'production').probeError).toContain(
      '0.0.0.0 is the unspecified address',
    );
    expect(server.requests).toEqual([]);

    const allowed = createService({
      health: { allowedTargets: [`127.0.0.1:${server.port}`] },
      environments: { development: { health: { urlPattern: server.url } } },
    });
    const development = env(
      await allowed.getEntityHealth(REF, { credentials }),
      'development',
    );
    expect(development.probes!.liveness.status).toBe('up');
  });

  it('remembers an unreachable target per target, so one entity cannot blank another on the same host', async () => {
    // One server: /slow never answers, /fast answers the contract.
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/slow')) return;
      const path = (req.url ?? '').replace(/^\/fast/, '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          path === '/api/v2/health'
            ? {
                environment: 'development',
                timestamp: new Date().toISOString(),
              }
            : { status: 'ok', database: 'ok' },
        ),
      );
    });
    server.on('connection', socket => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    servers.push({
      close: () =>
        new Promise<void>(resolve => {
          sockets.forEach(socket => socket.destroy());
          server.close(() => resolve());
        }),
    });
    const service = createService({
      health: { timeoutMs: 300, cacheSeconds: 0 },
      environments: { development: {} },
      entities: [
        component('slow-api', {
          'deployments/health-url': `http://127.0.0.1:${port}/slow`,
        }),
        component('payments-api', {
          'deployments/health-url': `http://127.0.0.1:${port}/fast`,
        }),
      ],
    });
    const slow = env(
      await service.getEntityHealth(
        { ...REF, name: 'slow-api' },
        { credentials },
      ),
      'development',
    );
    expect(slow.probes!.liveness.status).not.toBe('up');
    const fast = env(
      await service.getEntityHealth(REF, { credentials }),
      'development',
    );
    expect(fast.probes!.liveness).toMatchObject({ status: 'up' });
    expect(fast.probes!.readiness).toMatchObject({ status: 'up' });
  });

  it('refuses a kubernetes-id that is not a Kubernetes name before it reaches a URL or a selector', async () => {
    const server = await contractServer({ environment: 'development' });
    const service = createService({
      environments: { development: { health: { urlPattern: server.url } } },
      entities: [
        component('payments-api', {
          'backstage.io/kubernetes-id': '../../../api/v1/secrets?x=',
        }),
      ],
    });
    const development = env(
      await service.getEntityHealth(REF, { credentials }),
      'development',
    );
    expect(development.probeError).toContain(
      'The annotation backstage.io/kubernetes-id is "../../../api/v1/secrets?x=", which is not a valid Kubernetes name',
    );
    expect(development.kubernetesError).toBe(development.probeError);
    expect(development.pods).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});

describe('DefaultHealthService cache', () => {
  it('answers from the cache, refreshes on request and shares concurrent checks', async () => {
    const server = await contractServer({
      environment: 'development',
      delayMs: 50,
    });
    const service = createService({
      health: { cacheSeconds: 60 },
      environments: { development: { health: { urlPattern: server.url } } },
    });

    const [a, b, c, d] = await Promise.all([
      service.getEntityHealth(REF, { credentials }),
      service.getEntityHealth(REF, { credentials }),
      service.getEntityHealth(REF, { credentials, refresh: true }),
      service.getEntityHealth(REF, { credentials, refresh: true }),
    ]);
    // One check for the two plain calls, one for the two refreshes.
    expect(server.requests).toHaveLength(6);
    expect(b).toBe(a);
    expect(d).toBe(c);

    const cached = await service.getEntityHealth(REF, { credentials });
    expect([a, c]).toContainEqual(cached);
    expect(server.requests).toHaveLength(6);

    server.set({ ready: false });
    const refreshed = await service.getEntityHealth(REF, {
      credentials,
      refresh: true,
    });
    expect(server.requests).toHaveLength(9);
    expect(env(refreshed, 'development').probes!.readiness.status).toBe('down');
    expect(await service.getEntityHealth(REF, { credentials })).toEqual(
      refreshed,
    );
  });

  it('shares results and unreachable targets between replicas through the cache service', async () => {
    const server = await contractServer({ environment: 'development' });
    // One store, as backend.cache on Redis gives every replica.
    const shared = CacheManager.fromConfig(new ConfigReader({})).forPlugin(
      'deployments',
    );
    const replica = () =>
      createService({
        cache: shared,
        health: { cacheSeconds: 60, timeoutMs: 500 },
        environments: { development: { health: { urlPattern: server.url } } },
      });
    const [one, two] = [replica(), replica()];

    const first = await one.getEntityHealth(REF, { credentials });
    expect(server.requests).toHaveLength(3);
    expect(await two.getEntityHealth(REF, { credentials })).toEqual(first);
    expect(server.requests).toHaveLength(3);

    // A service that does not answer: one replica waits out its budget, the
    // others (no result cache here) know at once without asking it again.
    server.set({ delayMs: 5000 });
    const uncached = () =>
      createService({
        cache: shared,
        health: { cacheSeconds: 0, timeoutMs: 500 },
        environments: { development: { health: { urlPattern: server.url } } },
      });
    const waited = await uncached().getEntityHealth(REF, { credentials });
    expect(env(waited, 'development').probes!.liveness.status).toBe(
      'unreachable',
    );
    const asked = server.requests.length;
    const known = await uncached().getEntityHealth(REF, { credentials });
    expect(env(known, 'development').probes!.liveness).toMatchObject({
      status: 'unreachable',
      error: expect.stringContaining('remembered from'),
    });
    expect(server.requests).toHaveLength(asked);
  });

  it('checks again every time with cacheSeconds 0', async () => {
    const server = await contractServer({ environment: 'development' });
    const service = createService({
      health: { cacheSeconds: 0 },
      environments: { development: { health: { urlPattern: server.url } } },
    });
    await service.getEntityHealth(REF, { credentials });
    await service.getEntityHealth(REF, { credentials });
    expect(server.requests).toHaveLength(6);
  });

  it('checks permission and the catalog on every call, cached or not', async () => {
    const server = await contractServer({ environment: 'development' });
    let allowed = true;
    const service = createService({
      health: { cacheSeconds: 60 },
      environments: { development: { health: { urlPattern: server.url } } },
      allow: () => allowed,
    });
    await service.getEntityHealth(REF, { credentials });
    allowed = false;
    await expect(
      service.getEntityHealth(REF, { credentials }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'You are not allowed to read deployments (deployments.deployment.read)',
    });
    allowed = true;
    await expect(
      service.getEntityHealth(
        { kind: 'component', namespace: 'default', name: 'nope' },
        { credentials },
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('DefaultHealthService with dead clusters', () => {
  it('shows a hanging and a refusing cluster as unreachable with the budget that ran out; the others stay healthy (timings: yarn bench:health)', async () => {
    const blackHole = await startBlackHole();
    servers.push(blackHole);
    const hungService = await startBlackHole();
    servers.push(hungService);
    const refusedPort = await closedPort();
    const development = await contractServer({ environment: 'development' });
    const test = await contractServer({ environment: 'test' });
    const production = await contractServer({ environment: 'production' });
    const service = createService({
      health: { timeoutMs: 1500, cacheSeconds: 0 },
      extraClusters: [
        {
          name: 'hanging',
          url: `https://127.0.0.1:${blackHole.port}`,
          serviceAccountToken: 'token',
          skipTLSVerify: true,
        },
        {
          name: 'refusing',
          url: `https://127.0.0.1:${refusedPort}`,
          serviceAccountToken: 'token',
          skipTLSVerify: true,
        },
      ],
      environments: {
        development: { health: { urlPattern: development.url } },
        test: { cluster: 'hanging', health: { urlPattern: test.url } },
        acceptance: {
          cluster: 'refusing',
          health: { urlPattern: `http://127.0.0.1:${hungService.port}` },
        },
        production: { health: { urlPattern: production.url } },
      },
    });

    const result = await service.getEntityHealth(REF, { credentials });

    const hanging = env(result, 'test');
    expect(hanging.kubernetesError).toBe(
      'unreachable: cluster hanging did not answer within 1500 ms',
    );
    expect(hanging.probes!.liveness.status).toBe('up');
    expect(hanging.state).toBe('degraded');
    expect(blackHole.connections()).toBeGreaterThan(0);

    const refusing = env(result, 'acceptance');
    expect(refusing.kubernetesError).toMatch(
      /^unreachable: Cluster refusing is unreachable \(ECONNREFUSED\)/,
    );
    expect(refusing.probes!.readiness).toMatchObject({
      status: 'unreachable',
      error: 'no answer within 1500 ms',
    });
    expect(refusing.state).toBe('unreachable');

    for (const name of ['development', 'production']) {
      const alive = env(result, name);
      expect(alive.state).toBe('healthy');
      expect(alive.kubernetesError).toBeUndefined();
    }
    expect(result.state).toBe('degraded');

    // The next check trusts what it found for a while: nothing is contacted
    // again and the result says so ...
    const clusterConnections = blackHole.connections();
    const serviceConnections = hungService.connections();
    const again = await service.getEntityHealth(REF, { credentials });
    expect(env(again, 'test').kubernetesError).toMatch(
      /^unreachable: cluster hanging did not answer within 1500 ms \(remembered from .*; checked again after 30 s or with refresh\)$/,
    );
    expect(env(again, 'acceptance').probes!.liveness.error).toContain(
      'no answer within 1500 ms (remembered from',
    );
    expect(env(again, 'test').state).toBe('degraded');
    expect(env(again, 'acceptance').state).toBe('unreachable');
    expect(blackHole.connections()).toBe(clusterConnections);
    expect(hungService.connections()).toBe(serviceConnections);

    // ... until a refresh tries again.
    const refreshed = await service.getEntityHealth(REF, {
      credentials,
      refresh: true,
    });
    expect(env(refreshed, 'test').kubernetesError).toBe(
      'unreachable: cluster hanging did not answer within 1500 ms',
    );
    expect(blackHole.connections()).toBeGreaterThan(clusterConnections);
    expect(hungService.connections()).toBeGreaterThan(serviceConnections);
  });
});

describe('DefaultHealthService reads the cluster', () => {
  const admin = kubeConfigFor(cluster);
  const NS = 'health-payments-api-development';

  async function waitForReadyPods(count: number) {
    const core = admin.makeApiClient(CoreV1Api);
    for (let i = 0; i < 240; i++) {
      const pods = await core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'backstage.io/kubernetes-id=payments-api',
      });
      const ready = pods.items.filter(p =>
        p.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        ),
      );
      // The Deployment's status follows its pods a moment later.
      const deployment = await admin
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: 'payments-api', namespace: NS });
      if (
        ready.length === count &&
        deployment.status?.readyReplicas === count
      ) {
        return pods.items;
      }
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`payments-api did not become ready in ${NS}`);
  }

  it('shows the pods, the Deployment and recent warnings with suggested fixes', async () => {
    const labels = { 'backstage.io/kubernetes-id': 'payments-api' };
    await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: 'payments-api', labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'payments-api' } },
          template: {
            metadata: { labels: { app: 'payments-api', ...labels } },
            spec: {
              containers: [
                { name: 'app', image: 'ghcr.io/acme/payments-api:1.0.0' },
              ],
            },
          },
        },
      },
    });
    const pods = await waitForReadyPods(2);
    const core = admin.makeApiClient(CoreV1Api);
    const now = new Date();
    const event = (name: string, object: string, reason: string, at: Date) =>
      core.createNamespacedEvent({
        namespace: NS,
        body: {
          metadata: { name, namespace: NS },
          involvedObject: { kind: 'Pod', name: object, namespace: NS },
          reason,
          message: `${reason} for ${object}`,
          type: 'Warning',
          count: 3,
          firstTimestamp: at,
          lastTimestamp: at,
          source: { component: 'kubelet' },
        },
      });
    await event('pull.1', pods[0].metadata!.name!, 'ErrImagePull', now);
    await event('other-app.1', 'orders-api-7c9d-abcde', 'BackOff', now);
    await event(
      'old.1',
      pods[1].metadata!.name!,
      'FailedMount',
      new Date(now.getTime() - 3 * 60 * 60 * 1000),
    );

    const server = await contractServer({ environment: 'development' });
    const service = createService({
      environments: { development: { health: { urlPattern: server.url } } },
    });
    const development = env(
      await service.getEntityHealth(REF, { credentials }),
      'development',
    );

    expect(development.kubernetesError).toBeUndefined();
    expect(development.pods).toHaveLength(2);
    expect(development.pods.map(p => p.name).sort()).toEqual(
      pods.map(p => p.metadata!.name!).sort(),
    );
    for (const pod of development.pods) {
      expect(pod).toMatchObject({ phase: 'Running', ready: true, restarts: 0 });
    }
    expect(development.live).toMatchObject({
      exists: true,
      replicas: 2,
      readyReplicas: 2,
      image: 'ghcr.io/acme/payments-api:1.0.0',
    });
    expect(development.events).toEqual([
      {
        object: `Pod/${pods[0].metadata!.name}`,
        reason: 'ErrImagePull',
        message: `ErrImagePull for ${pods[0].metadata!.name}`,
        count: 3,
        lastSeen: expect.any(String),
        suggestedFix: expect.stringContaining('The image cannot be pulled'),
      },
    ]);
    expect(development.state).toBe('degraded');
  });

  it('probes through the API server service proxy', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find(i => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!address) {
      throw new Error(
        'this test needs a non-loopback IPv4 address (the API server refuses to proxy to loopback)',
      );
    }
    const server = await contractServer(
      { environment: 'test' },
      { host: '0.0.0.0' },
    );
    const namespace = 'health-payments-api-test';
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'payments-api' },
        spec: { ports: [{ name: 'http', port: 80, targetPort: server.port }] },
      },
    });
    // The API server proxies only to an address of a Pod the Endpoints name:
    // a Pod on a node nobody runs, whose IP is this machine's.
    const pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'payments-api-outside' },
        spec: {
          nodeName: 'outside-the-cluster',
          containers: [
            { name: 'app', image: 'ghcr.io/acme/payments-api:1.0.0' },
          ],
        },
      },
    });
    await core.replaceNamespacedPodStatus({
      name: pod.metadata!.name!,
      namespace,
      body: {
        ...pod,
        status: { phase: 'Running', podIP: address, podIPs: [{ ip: address }] },
      },
    });
    await core.createNamespacedEndpoints({
      namespace,
      body: {
        metadata: { name: 'payments-api' },
        subsets: [
          {
            addresses: [
              {
                ip: address,
                targetRef: {
                  kind: 'Pod',
                  name: pod.metadata!.name!,
                  namespace,
                },
              },
            ],
            ports: [{ name: 'http', port: server.port }],
          },
        ],
      },
    });
    const setup = {
      environments: { test: { health: { via: 'service-proxy' } } },
    };

    const viaAdmin = env(
      await createService({
        ...setup,
        token: cluster.adminToken,
      }).getEntityHealth(REF, { credentials }),
      'test',
    );
    const proxy = `${cluster.server.replace(
      /\/$/,
      '',
    )}/api/v1/namespaces/${namespace}/services/payments-api:http/proxy`;
    expect(viaAdmin.target).toBe(proxy);
    expect(viaAdmin.probes).toMatchObject({
      liveness: { status: 'up', url: `${proxy}/health` },
      readiness: { status: 'up', database: 'ok' },
      info: { status: 'up', environment: 'test' },
    });
    expect(server.requests).toEqual(
      expect.arrayContaining(['/health', '/api/v2/health', '/api/v2/ready']),
    );

    // The seeded portal account may proxy in the application's namespaces.
    const viaPortal = env(
      await createService(setup).getEntityHealth(REF, { credentials }),
      'test',
    );
    expect(viaPortal.probes!.liveness).toMatchObject({ status: 'up' });

    // An account without that right: the reason says what to grant.
    const viaNobody = env(
      await createService({
        ...setup,
        token: cluster.nobodyToken,
      }).getEntityHealth(REF, { credentials }),
      'test',
    );
    expect(viaNobody.probes!.liveness).toMatchObject({
      status: 'unreachable',
      httpStatus: 403,
      error: expect.stringContaining("needs 'get' on services/proxy"),
    });
  });
});
