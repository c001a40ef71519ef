import { expect, test } from '@playwright/test';

test("the suite's documentation opens in TechDocs with the policies reference", async ({
  page,
  request,
}) => {
  const backendUrl = process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';
  await expect
    .poll(
      async () =>
        (
          await request.get(`${backendUrl}/.backstage/health/v1/readiness`)
        ).status(),
      { timeout: 180_000, intervals: [2_000] },
    )
    .toBe(200);

  await page.goto('/docs/default/component/deployments-portal');
  const enter = page.getByRole('button', { name: 'Enter' });
  const signInShown = await enter
    .waitFor({ state: 'visible', timeout: 30_000 })
    .then(
      () => true,
      () => false,
    );
  if (signInShown) {
    await enter.click();
  }

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
