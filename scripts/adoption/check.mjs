#!/usr/bin/env node
// The adoption test's checks against the adopted app's backend: the suite's
// routes answer, and a deploy to development succeeds on the kube-sim cluster.
//
//   node scripts/adoption/check.mjs http://localhost:7207
//
// Exits non-zero with the first check that failed and what the backend said.

const base = process.argv[2];
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = line => console.log(`adoption: ${line} (${seconds()})`);

async function call(method, path, { token, body } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-requested-with': 'XMLHttpRequest',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text: text.slice(0, 2000) };
}

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const result = await probe();
      if (result.ok) return result.value;
      last = result.why;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs / 1000} s (${last})`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

function expect(condition, message, answer) {
  if (!condition) {
    throw new Error(`${message}: ${answer.status} ${answer.text}`);
  }
}

try {
  await until('the backend starts', 300_000, async () => {
    const res = await call('GET', '/api/deployments/health');
    return { ok: res.status === 200, why: `health ${res.status}` };
  });
  say('the deployments backend answers /health');

  const session = await call('GET', '/api/auth/guest/refresh');
  expect(session.status === 200, 'guest sign-in', session);
  const token = session.json.backstageIdentity.token;

  const environments = await call('GET', '/api/deployments/environments', {
    token,
  });
  expect(
    environments.status === 200 &&
      environments.json.items.some(e => e.name === 'development'),
    'GET /environments lists development',
    environments,
  );
  say('GET /api/deployments/environments lists development on cluster nonprod');

  await until('payments-api is in the catalog', 120_000, async () => {
    const res = await call(
      'GET',
      '/api/catalog/entities/by-name/component/default/payments-api',
      { token },
    );
    return { ok: res.status === 200, why: `catalog ${res.status}` };
  });
  say('the catalog has payments-api');

  const deploy = await call('POST', '/api/deployments/deployments?wait=120', {
    token,
    body: {
      application: 'component:default/payments-api',
      environment: 'development',
      namespace: 'payments-api-development',
      image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
      replicas: 1,
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
      },
      env: [{ name: 'ENVIRONMENT', value: 'development' }],
    },
  });
  expect(
    deploy.status === 200 && deploy.json.status === 'succeeded',
    'deploy payments-api to development',
    deploy,
  );
  say(
    `deployed payments-api to development: revision ${deploy.json.revision}, ${deploy.json.status}`,
  );

  const tab = await call(
    'GET',
    '/api/deployments/entities/component/default/payments-api/deployments',
    { token },
  );
  const development = tab.json?.environments?.find(
    e => e.environment === 'development',
  );
  expect(
    development?.deployments?.some(d => d.record?.name === 'payments-api'),
    'the Deployments tab data shows the deployment',
    tab,
  );
  say('the Deployments tab data shows payments-api in development');
} catch (error) {
  console.error(`adoption: FAILED after ${seconds()}: ${error.message}`);
  process.exit(1);
}
