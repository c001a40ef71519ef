import { expect, Page, test } from '@playwright/test';
import { openSignedIn } from './signIn';

// The live cost estimate of the deploy form against the real backend and its
// demo prices (app-config.yaml: development 0.02 per CPU-hour and 0.0025 per
// GiB-hour of the requests; production 0.04 and 0.005 with a budget of
// €500 a month per team): it follows replicas, size and autoscaling as they
// are edited, and the cost-budget policy blocks a change over the budget.

async function toPolicyCheck(
  page: Page,
  from: 'what-to-run' | 'configuration',
) {
  if (from === 'what-to-run') {
    await page.getByRole('button', { name: 'Next' }).click();
  }
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Policy check').first()).toBeVisible();
}

async function back(page: Page, steps: number) {
  for (let i = 0; i < steps; i++) {
    await page.getByRole('button', { name: 'Back' }).click();
  }
}

async function pickSize(page: Page, size: RegExp) {
  await page.getByRole('button', { name: /^Size/ }).click();
  await page.getByRole('option', { name: size }).click();
}

test('deploy-application: the monthly cost estimate follows replicas, size and autoscaling, and a change over the budget is blocked', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await openSignedIn(
    page,
    request,
    '/create/templates/default/deploy-application',
  );

  // 1. payments-api in development
  await page.getByLabel('Application').click({ timeout: 60_000 });
  await page.getByRole('option', { name: /payments-api/ }).click();
  await expect(page.getByRole('button', { name: /Environment/ })).toHaveText(
    /development/,
  );
  await page.getByRole('button', { name: 'Next' }).click();

  // 2. Two replicas of size S (100m and 128Mi requested):
  // 730 × (0.1 × 0.02 + 0.125 × 0.0025) = €1.688125 a replica.
  await page.getByLabel('Image repository').fill('ghcr.io/acme/payments-api');
  await page.getByLabel('Image tag').fill('1.4.2');
  await toPolicyCheck(page, 'what-to-run');
  const estimate = page.getByTestId('cost-estimate');
  await expect(estimate).toHaveText(
    'Estimated cost: €3.38/month — €1.69 per replica a month, priced on requests',
  );
  await expect(
    page.getByRole('alert').filter({ hasText: 'All policies pass' }),
  ).toBeVisible();

  // Four replicas of size L (500m and 512Mi): 4 × 8.2125 = €32.85.
  await back(page, 2);
  await page.getByLabel('Replicas').fill('4');
  await pickSize(page, /^L:/);
  await toPolicyCheck(page, 'what-to-run');
  await expect(estimate).toHaveText(
    'Estimated cost: €32.85/month — €8.21 per replica a month, priced on requests',
  );

  // Autoscaling from 2 to 6 replicas: a range.
  await back(page, 1);
  await page.getByLabel('Autoscaling').check();
  await toPolicyCheck(page, 'configuration');
  await expect(estimate).toHaveText(
    'Estimated cost: €16.43–€49.28/month (2–6 replicas) — €8.21 per replica a month, priced on requests',
  );
  await page.screenshot({
    path: 'artifacts/e2e/deploy-cost-estimate.png',
    fullPage: true,
  });

  // Production: 20 replicas of 1 CPU and 2Gi requested are
  // 20 × 730 × (0.04 + 2 × 0.005) = €730 a month, over the €500 budget.
  await back(page, 3);
  await page.getByRole('button', { name: /Environment/ }).click();
  await page.getByRole('option', { name: /^production/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Replicas').fill('20');
  await pickSize(page, /^Custom/);
  await page.getByLabel('CPU request').fill('1');
  await page.getByLabel('Memory request').fill('2Gi');
  await page.getByLabel('CPU limit').fill('1');
  await page.getByLabel('Memory limit').fill('2Gi');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Autoscaling').uncheck();
  await toPolicyCheck(page, 'configuration');
  await expect(estimate).toHaveText(
    'Estimated cost: €730.00/month — €36.50 per replica a month, priced on requests',
  );
  const budget = page.getByRole('alert').filter({ hasText: 'cost-budget' });
  await expect(budget).toContainText(
    'estimated €730.00/month exceeds the production budget of €500.00/month for team team-payments',
  );
  await expect(budget).toContainText(
    'ask the platform team to raise deployments.environments.production.cost.budget',
  );
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(
    page.getByText('Fix the policy errors shown above before you continue', {
      exact: true,
    }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);
});
