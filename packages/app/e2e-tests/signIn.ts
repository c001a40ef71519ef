import { APIRequestContext, expect, Page } from '@playwright/test';

/**
 * Waits until the backend is ready, opens `path` and signs in when the
 * sign-in page shows (an existing session skips it): as guest by default,
 * or as an example user through the development sign-in.
 */
export async function openSignedIn(
  page: Page,
  request: APIRequestContext,
  path: string,
  user: string = 'guest',
) {
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

  await page.goto(path);
  const enter = page.getByRole('button', {
    name: user === 'guest' ? 'Enter' : `Sign in as ${user}`,
  });
  const signInShown = await enter
    .waitFor({ state: 'visible', timeout: 60_000 })
    .then(
      () => true,
      () => false,
    );
  if (signInShown) {
    await enter.click();
  }
}
