import { expect, test } from '@playwright/test';
import { callAs, deployAs } from './portalApi';
import { openSignedIn } from './signIn';
import { overflowing, seriousAccessibilityViolations } from './layout';

// The delivery insights in the browser: the DORA tiles against the ADR's
// targets and the recharts charts with the targets as dashed thresholds, on
// the dashboard (with the window switch) and on the application's overview
// page, from changes made through the real backend. Screenshots go to
// artifacts/e2e/insights-*.png.

const BUILT_AT = new Date(Date.now() - 2 * 3_600_000).toISOString();

function request(tag: string) {
  return {
    application: 'component:default/storefront',
    environment: 'test',
    namespace: 'storefront-test',
    image: { repository: 'ghcr.io/acme/storefront', tag },
    replicas: 1,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ENVIRONMENT', value: 'test' }],
    builtAt: BUILT_AT,
  };
}

test('the dashboard and the overview page chart the DORA figures with the targets as thresholds', async ({
  page,
  request: api,
}) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  // Two builds of storefront (team-orders: linus) in test, where no other
  // browser test deploys it or looks (serviceHealth.test.ts expects
  // payments-api not in test) and the example health service answers ready
  // (orders-api in acceptance is started not ready), each built two hours
  // before.
  await deployAs(api, 'linus', request('3.0.0'));
  await deployAs(api, 'linus', request('3.0.1'));
  const insights = await callAs(
    api,
    'linus',
    'GET',
    '/insights?window=7&entityRef=component:default/storefront&environment=test',
  );
  expect(insights.status()).toBe(200);
  const body = await insights.json();
  expect(body.overall).toMatchObject({ deployments: 2, leadTimeSamples: 2 });
  // From builtAt, two hours before, to running.
  expect(body.overall.meanLeadTimeSeconds).toBeGreaterThan(7_200);
  expect(body.overall.meanLeadTimeSeconds).toBeLessThan(7_200 + 600);

  await openSignedIn(page, api, '/deployments');
  const panel = page.getByTestId('delivery-insights');
  await expect(
    panel.getByTestId('insights-tile-Mean deploy time'),
  ).toContainText('target < 5 min');
  // Every chart is drawn as SVG, the trends with their dashed threshold.
  const frequency = panel.getByTestId('insights-chart-frequency');
  await expect(
    frequency.locator('.recharts-bar-rectangle').first(),
  ).toBeVisible();
  for (const [chart, threshold] of [
    ['insights-chart-failure-rate', 'target < 5 %'],
    ['insights-chart-deploy-time', 'target < 5 min'],
    ['insights-chart-restore', 'target < 10 min'],
  ]) {
    const figure = panel.getByTestId(chart);
    await expect(figure.locator('.recharts-reference-line')).toHaveCount(1);
    await expect(figure.getByText(threshold)).toBeVisible();
  }
  await expect(
    panel
      .getByTestId('insights-chart-deploy-time')
      .locator('.recharts-line-dots circle')
      .first(),
  ).toBeVisible();
  expect(await overflowing(page)).toEqual([]);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  await page.screenshot({
    path: 'artifacts/e2e/insights-dashboard.png',
    fullPage: true,
  });

  // Another window asks again and says so.
  const asked = page.waitForRequest(r =>
    r.url().includes('/insights?window=7'),
  );
  await panel.getByRole('button', { name: 'last 7 days' }).click();
  await asked;
  await expect(
    panel.getByRole('button', { name: 'last 7 days' }),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect(panel.getByText(/charts per day/)).toBeVisible();

  // The application's overview page has the same figures for it alone.
  await page.goto('/catalog/default/component/storefront');
  const card = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Delivery insights' });
  // Its furthest environment with changes is the headline: test when this
  // test runs alone, acceptance after everyPage.test.ts deployed it there.
  await expect(card.getByText(/Figures for (test|acceptance)/)).toBeVisible();
  await expect(
    card.getByTestId('insights-tile-Deployment frequency'),
  ).toContainText(/[1-9]\d* in 30 days/);
  await expect(
    card.getByTestId('insights-tile-Lead time for changes'),
  ).toContainText(/[1-9]\d* builds?/);
  await expect(
    card
      .getByTestId('insights-chart-frequency')
      .locator('.recharts-bar-rectangle')
      .first(),
  ).toBeVisible();
  await page.screenshot({
    path: 'artifacts/e2e/insights-entity-card.png',
    fullPage: true,
  });
});
