import { expect, Page, test } from '@playwright/test';

// The production bundle signs people in only through the organisation's
// OpenID Connect provider (scripts/oidc/server.mjs here): the real
// authorization-code flow in a popup, by email against the catalog.

async function signInAs(page: Page, login: string) {
  await page.goto('/');
  const signIn = page.getByRole('button', { name: 'Sign In' });
  await expect(signIn).toBeVisible();
  const popupOpened = page.waitForEvent('popup');
  await signIn.click();
  const popup = await popupOpened;
  // The provider's own login form, on its own origin.
  await expect(popup).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
  await popup.locator('input[name="login"]').fill(login);
  await popup.locator('input[name="password"]').fill('any password');
  await popup.locator('button[type="submit"]').click();
  await popup.waitForEvent('close');
}

test('production offers only the company sign-in, and a catalog user gets in through the OIDC provider', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByText('Company sign-in')).toBeVisible();
  // No guest and no development picker of example users in production.
  await expect(page.getByText(/guest/i)).toHaveCount(0);
  await expect(page.getByRole('button', { name: /ada|grace/i })).toHaveCount(0);

  await signInAs(page, 'ada');
  await expect(page.getByRole('button', { name: 'Sign In' })).toHaveCount(0);
  // Signed in as the catalog user whose email the provider asserted: the
  // session's Backstage token names ada and her team.
  const session = await page.evaluate(async () => {
    const res = await fetch(
      '/api/auth/oidc/refresh?optional&scope=openid%20profile%20email&env=production',
      { headers: { 'x-requested-with': 'XMLHttpRequest' } },
    );
    return { status: res.status, body: await res.json() };
  });
  expect(session.status).toBe(200);
  const token: string = session.body.backstageIdentity?.token ?? '';
  const claims = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}',
  );
  expect(claims.sub).toBe('user:default/ada');
  expect(
    session.body.backstageIdentity?.identity?.ownershipEntityRefs,
  ).toContain('group:default/team-payments');
  expect(session.body.profile?.email).toBe('ada@acme.example');
  await page.screenshot({ path: 'artifacts/oidc/signed-in.png' });
});

test('someone the catalog does not know is refused', async ({ page }) => {
  await signInAs(page, 'mallory');
  await expect(
    page
      .getByText(/Failed to sign-in|unable to resolve user identity/i)
      .first(),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign In' })).toBeVisible();
  await page.screenshot({ path: 'artifacts/oidc/refused.png' });
});
