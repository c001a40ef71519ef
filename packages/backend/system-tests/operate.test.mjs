// Day-2 operations against the real backend: one kube-sim cluster, the
// example health service (examples/health-service, the payments-api
// instance on 127.0.0.1:18081 as examples/entities.yaml names it), the real
// scheduler running the health monitor and the drift check every second,
// the notifications backend and the Prometheus endpoint.
//
//   node --test packages/backend/system-tests/operate.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  callDeployments,
  freePort,
  outputTail,
  repoRoot,
  signInUsers,
  startBackend,
  startCluster,
  stopAll,
  waitFor,
  waitForEntity,
} from './lib/harness.mjs';

const APP = 'component:default/payments-api';
const NS = 'payments-api-development';
const KEY = `development/${NS}/payments-api`;
const SERVICE = 'http://127.0.0.1:18081/development';
const EVERY_SECOND = {
  frequency: { seconds: 1 },
  timeout: { seconds: 30 },
  initialDelay: { seconds: 0 },
};

let cluster;
let backend;
let service;
let ada;

function request(tag) {
  return {
    application: APP,
    environment: 'development',
    namespace: NS,
    image: { repository: 'ghcr.io/acme/payments-api', tag },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ENVIRONMENT', value: 'development' }],
  };
}

async function setReadiness(ready) {
  const res = await fetch(`${SERVICE}/admin/readiness`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ready }),
  });
  assert.equal(res.status, 200);
}

function kubectl(...args) {
  return execFileSync(
    'kubectl',
    ['--kubeconfig', cluster.kubeconfig, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).toString();
}

const deployments = () =>
  callDeployments(
    backend,
    ada,
    'GET',
    '/entities/component/default/payments-api/deployments',
  );
const development = async () =>
  (await deployments()).json.environments.find(
    e => e.environment === 'development',
  ).deployments[0];
const timeline = async () =>
  (
    await callDeployments(
      backend,
      ada,
      'GET',
      '/entities/component/default/payments-api/health/timeline?environment=development',
    )
  ).json.entries;

before(
  async () => {
    cluster = startCluster({
      name: `operate-${process.pid}`,
      environments: ['development'],
    });
    service = spawn(
      process.execPath,
      [
        join(repoRoot, 'examples/health-service/server.mjs'),
        '--exit-with-parent',
      ],
      {
        env: {
          ...process.env,
          HEALTH_SERVICE_PORTS: `payments-api=18081,orders-api=${await freePort()},storefront=${await freePort()}`,
        },
        stdio: 'ignore',
      },
    );
    backend = await startBackend(
      {
        env: {
          ...cluster.portalEnv,
          APP_CONFIG_backend_database_connection: '":memory:"',
          APP_CONFIG_deployments_health_monitor: JSON.stringify({
            schedule: EVERY_SECOND,
            debounceSeconds: 0,
          }),
          APP_CONFIG_deployments_drift: JSON.stringify({
            schedule: EVERY_SECOND,
          }),
          APP_CONFIG_deployments_rollout_verification: JSON.stringify({
            windowSeconds: 3,
            intervalSeconds: 0.5,
            failureThreshold: 2,
          }),
        },
      },
      240_000,
    );
    ({ ada } = await signInUsers(backend, ['ada'], 120_000));
    await waitForEntity(
      backend,
      ada,
      'component/default/payments-api',
      120_000,
    );
    await setReadiness(true);
    const first = await callDeployments(
      backend,
      ada,
      'POST',
      '/deployments?wait=120',
      request('1.0.0'),
    );
    assert.equal(first.json?.status, 'succeeded', first.text);
  },
  { timeout: 420_000 },
);

after(async () => {
  service?.kill();
  await stopAll({ backends: [backend], cluster });
});

test(
  'a verified release: the readiness contract held after the pods were Ready',
  { timeout: 60_000 },
  async () => {
    const record = await development();
    assert.match(
      record.record.statusHistory.at(-1).reason,
      /readiness contract held for the verification window/,
    );
  },
);

test(
  'a release whose readiness fails after its pods are Ready is rolled back by the verification',
  { timeout: 180_000 },
  async t => {
    await setReadiness(false);
    try {
      const res = await callDeployments(
        backend,
        ada,
        'PUT',
        `/deployments/${KEY}?wait=120`,
        { image: { tag: '1.0.1' } },
      );
      assert.equal(res.json?.status, 'rolled-back', res.text);
      assert.match(
        res.json.error,
        /is not healthy: its readiness contract failed 2 times in a row after the pods were Ready: GET http:\/\/127\.0\.0\.1:18081\/development\/api\/v2\/ready answered 503 \(database: down\)/,
      );
      assert.ok(res.json.recovery.detectSeconds >= 0);
      assert.ok(res.json.recovery.restoreSeconds >= 0);
      const live = JSON.parse(
        kubectl('-n', NS, 'get', 'deployment', 'payments-api', '-o', 'json'),
      );
      assert.equal(
        live.spec.template.spec.containers[0].image,
        'ghcr.io/acme/payments-api:1.0.0',
      );
    } catch (e) {
      t.diagnostic(outputTail(backend));
      throw e;
    } finally {
      await setReadiness(true);
    }
  },
);

test(
  'not ready: one timeline entry, one notification to the owners, the gauges say so',
  { timeout: 180_000 },
  async () => {
    await waitFor(
      backend,
      'a healthy observation',
      async () => (await timeline())?.[0]?.state === 'healthy',
      60_000,
    );
    const notifications = async () => {
      const res = await fetch(
        `${backend.url}/api/notifications/notifications?limit=100`,
        { headers: { authorization: `Bearer ${ada}` } },
      );
      const body = await res.json();
      return body.notifications.filter(
        n =>
          /: component:default\/payments-api in development$/.test(
            n.payload.title,
          ) && n.payload.title.startsWith('Unhealthy'),
      );
    };
    // The release rolled back before may have been seen (and announced) too.
    const announced = (await notifications()).length;

    await setReadiness(false);
    try {
      const entry = await waitFor(
        backend,
        'unhealthy in the timeline',
        async () => {
          const [latest] = await timeline();
          return latest?.state === 'unhealthy' ? latest : undefined;
        },
        60_000,
      );
      assert.equal(entry.previous, 'healthy');
      assert.match(entry.reason, /readiness down \(503\)/);
      await waitFor(
        backend,
        'the notification',
        async () => (await notifications()).length === announced + 1,
        60_000,
      );
      const metrics = await (await fetch(backend.metricsUrl)).text();
      assert.match(
        metrics,
        /deployments_service_ready\{[^}]*application="component:default\/payments-api"[^}]*environment="development"[^}]*\} 0/,
      );
      assert.match(
        metrics,
        /deployments_service_up\{[^}]*application="component:default\/payments-api"[^}]*environment="development"[^}]*\} 1/,
      );
      // Later runs see the same state: nothing new.
      await new Promise(r => setTimeout(r, 3000));
      assert.equal(
        (await notifications()).length,
        announced + 1,
        JSON.stringify({
          notifications: await notifications(),
          timeline: await timeline(),
        }),
      );
      assert.equal(
        (await timeline()).filter(
          e => e.state === 'unhealthy' && e.from >= entry.from,
        ).length,
        1,
      );
    } finally {
      await setReadiness(true);
    }
    await waitFor(
      backend,
      'the recovery in the timeline',
      async () => (await timeline())?.[0]?.state === 'healthy',
      60_000,
    );
  },
);

test(
  'a kubectl change is drift within a cycle, and re-apply clears it',
  { timeout: 180_000 },
  async () => {
    kubectl('-n', NS, 'scale', 'deployment', 'payments-api', '--replicas=4');
    const drifted = await waitFor(
      backend,
      'drift on the Deployments tab',
      async () => (await development()).drift,
      30_000,
    );
    const replicas = drifted.fields.find(f => f.path === 'spec.replicas');
    assert.equal(replicas.applied, '2');
    assert.equal(replicas.live, '4');
    assert.match(replicas.manager, /^kubectl/);
    const audit = await callDeployments(
      backend,
      ada,
      'GET',
      `/audit?entityRef=${encodeURIComponent(APP)}`,
    );
    assert.equal(
      audit.json.items.filter(e => e.action === 'drift.detect').length,
      1,
    );

    const reapplied = await callDeployments(
      backend,
      ada,
      'POST',
      `/deployments/${KEY}/rollback?wait=120`,
      { revision: drifted.revision },
    );
    assert.equal(reapplied.json?.status, 'succeeded', reapplied.text);
    assert.equal((await development()).drift, undefined);
    const live = JSON.parse(
      kubectl('-n', NS, 'get', 'deployment', 'payments-api', '-o', 'json'),
    );
    assert.equal(live.spec.replicas, 2);
  },
);

test(
  'the example alert rules name metrics the backend exports',
  { timeout: 60_000 },
  async () => {
    const rules = readFileSync(
      join(repoRoot, 'docs/docs/prometheus/deployments-alerts.yaml'),
      'utf8',
    );
    const names = [
      ...new Set(
        rules
          .split('\n')
          .filter(
            line => line.trim().startsWith('expr:') || /^\s+[(s]/.test(line),
          )
          .join('\n')
          .match(/\bdeployments_[a-z_]+\b/g),
      ),
    ];
    assert.ok(names.length >= 6, `metrics in the rules: ${names}`);
    const metrics = await (await fetch(backend.metricsUrl)).text();
    const exported = new Set(
      metrics
        .split('\n')
        .filter(line => line.startsWith('# TYPE '))
        .map(line => line.split(' ')[2]),
    );
    for (const name of names) {
      assert.ok(
        exported.has(name),
        `${name} is in the alert rules but not among the exported metrics: ${[
          ...exported,
        ]
          .filter(n => n.startsWith('deployments_'))
          .join(', ')}`,
      );
    }
  },
);
