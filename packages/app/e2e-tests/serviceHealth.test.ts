import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployAsGuest } from './portalApi';
import { openSignedIn } from './signIn';

// The example service (examples/health-service, started with the e2e
// portal) answers the health contract for payments-api on :18081, one
// instance per environment; its readiness can be switched per environment.
const EXAMPLE_SERVICE = 'http://127.0.0.1:18081';

async function setReadiness(environment: string, ready: boolean) {
  const response = await fetch(
    `${EXAMPLE_SERVICE}/${environment}/admin/readiness`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ready }),
    },
  );
  expect(response.status).toBe(200);
}

/** Freezes (SIGSTOP) or thaws the API server of one of the e2e clusters. */
function freezeApiServer(cluster: 'nonprod' | 'prod', frozen: boolean) {
  const state = process.env.E2E_KUBE_SIM_STATE!;
  const { pids } = JSON.parse(
    readFileSync(join(state, cluster, 'cluster.json'), 'utf8'),
  );
  const pid = pids['kube-apiserver'];
  expect(pid, `kube-apiserver pid in ${JSON.stringify(pids)}`).toBeDefined();
  process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
}

function environmentRow(page: Page, environment: string) {
  return page
    .getByRole('table')
    .first()
    .getByRole('row', { name: new RegExp(`^${environment} `) });
}

async function refresh(page: Page) {
  const answered = page.waitForResponse(
    r => r.url().includes('/health?refresh=true') && r.status() === 200,
  );
  await page.getByRole('button', { name: 'Refresh' }).click();
  await answered;
}

/** payments-api 1.4.2 in development (the same request twice is a no-op). */
function deployPaymentsApi(request: APIRequestContext) {
  return deployAsGuest(request, {
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: 'payments-api-development',
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ENVIRONMENT', value: 'development' }],
  });
}

test.afterEach(async () => {
  // Whatever happened, leave the cluster and the service as they were.
  freezeApiServer('prod', false);
  await setReadiness('development', true);
});

test('Service Health: green after a deploy, red when readiness fails, a dead cluster unreachable while the rest renders', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await deployPaymentsApi(request);

  await openSignedIn(
    page,
    request,
    '/catalog/default/component/payments-api/service-health',
  );
  const development = environmentRow(page, 'development');
  await expect(development).toContainText('Healthy', { timeout: 60_000 });
  await expect(development).toContainText('database: ok');
  await expect(development).toContainText('environment: development');
  await expect(development).toContainText('2/2');
  await page.screenshot({
    path: 'artifacts/e2e/health-green.png',
    fullPage: true,
  });

  // Readiness fails (database down): red after one refresh.
  await setReadiness('development', false);
  await refresh(page);
  await expect(development).toContainText('Unhealthy');
  await expect(development).toContainText('database: down');
  await expect(environmentRow(page, 'test')).toContainText('Healthy');
  await page.screenshot({
    path: 'artifacts/e2e/health-readiness-failing.png',
    fullPage: true,
  });

  // The production cluster stops answering: its environment says so, with
  // the reason, and every other environment still renders.
  freezeApiServer('prod', true);
  await refresh(page);
  const production = page.getByTestId('health-production');
  await expect(production.getByText(/unreachable/i).first()).toBeVisible();
  await expect(environmentRow(page, 'production')).toBeVisible();
  await expect(development).toContainText('Unhealthy');
  await expect(environmentRow(page, 'acceptance')).toContainText('Healthy');
  await page.screenshot({
    path: 'artifacts/e2e/health-dead-cluster.png',
    fullPage: true,
  });
});

test('the Deployments tab shows what runs per environment and the overview has the health card', async ({
  page,
  request,
}) => {
  await deployPaymentsApi(request);
  await openSignedIn(
    page,
    request,
    '/catalog/default/component/payments-api/deployments',
  );
  const development = page.getByTestId('environment-development');
  await expect(development).toContainText('ghcr.io/acme/payments-api:1.4.2', {
    timeout: 60_000,
  });
  await expect(development).toContainText('2/2 ready');
  await expect(
    page.getByRole('button', { name: 'Deploy to production' }),
  ).toBeVisible();
  await expect(page.getByTestId('environment-test')).toContainText(
    'Not deployed to test yet',
  );
  await page.screenshot({
    path: 'artifacts/e2e/deployments-tab.png',
    fullPage: true,
  });

  await page.goto('/catalog/default/component/payments-api');
  await expect(page.getByText('Service Health').first()).toBeVisible();
  await page.screenshot({ path: 'artifacts/e2e/overview-health-card.png' });
});
