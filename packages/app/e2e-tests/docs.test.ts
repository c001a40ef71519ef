import { expect, test } from '@playwright/test';
import { openSignedIn } from './signIn';

test("the suite's documentation opens in TechDocs with the policies reference", async ({
  page,
  request,
}) => {
  await openSignedIn(
    page,
    request,
    '/docs/default/component/deployments-portal',
  );

  // The first visit builds the site with mkdocs (local TechDocs generator).
  await page
    .getByRole('link', { name: 'Policies reference' })
    .first()
    .click({ timeout: 120_000 });
  await expect(
    page.getByRole('heading', { name: 'Policies reference' }),
  ).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'namespace-ownership' }),
  ).toBeVisible();
  await page.screenshot({ path: 'artifacts/e2e/docs-policies.png' });
});
