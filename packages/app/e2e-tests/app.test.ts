import { expect, test } from '@playwright/test';

test('the catalog lists the example services after guest sign-in', async ({
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

  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  // The sign-in page offers guest access; an already signed-in session skips it.
  const signInShown = await enter
    .waitFor({ state: 'visible', timeout: 60_000 })
    .then(
      () => true,
      () => false,
    );
  if (signInShown) {
    await enter.click();
  }

  // Guest is in team-payments: the catalog opens on "Owned"; show everything.
  await page.getByText('All', { exact: true }).click();
  for (const service of ['payments-api', 'orders-api', 'storefront']) {
    await expect(page.getByRole('link', { name: service })).toBeVisible({
      timeout: 90_000,
    });
  }

  await page.screenshot({ path: 'artifacts/e2e/catalog.png', fullPage: true });
});
