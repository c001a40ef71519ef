import { expect, test } from '@playwright/test';

// In the adopted app (made by create-app, the suite installed from its
// READMEs): the entity page of payments-api has the suite's two tabs, and
// they show what check.mjs deployed to development.
test('the Deployments and Service Health tabs render in the adopted app', async ({
  page,
}) => {
  await page.goto('/catalog/default/component/payments-api/deployments');
  // create-app's sign-in page: enter as guest (ada, team-payments, by config).
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ state: 'visible', timeout: 120_000 });
  await enter.click();

  const tabs = page.getByRole('navigation', { name: 'Content navigation' });
  await expect(tabs.getByText('Deployments')).toBeVisible();
  await expect(tabs.getByText('Service Health')).toBeVisible();
  // The development section with the deployment check.mjs made.
  await expect(
    page.getByText('payments-api-development').first(),
  ).toBeVisible();
  await expect(
    page.getByText('ghcr.io/acme/payments-api:1.4.2').first(),
  ).toBeVisible();
  await page.screenshot({
    path: 'artifacts/adoption/deployments-tab.png',
    fullPage: true,
  });

  await tabs.getByText('Service Health').click();
  await expect(page).toHaveURL(/\/service-health$/);
  await expect(page.getByText('development').first()).toBeVisible();
  await page.screenshot({
    path: 'artifacts/adoption/service-health-tab.png',
    fullPage: true,
  });
});
