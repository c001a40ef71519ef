import { expect, test } from '@playwright/test';
import { openSignedIn } from './signIn';

test('the catalog lists the example services after guest sign-in', async ({
  page,
  request,
}) => {
  await openSignedIn(page, request, '/');

  // Guest is in team-payments: the catalog opens on "Owned"; show everything
  // (the user picker's "All", not the table title that reads "All" too).
  await page.getByTestId('user-picker-all').click();
  for (const service of ['payments-api', 'orders-api', 'storefront']) {
    await expect(page.getByRole('link', { name: service })).toBeVisible({
      timeout: 90_000,
    });
  }

  await page.screenshot({ path: 'artifacts/e2e/catalog.png', fullPage: true });
});
