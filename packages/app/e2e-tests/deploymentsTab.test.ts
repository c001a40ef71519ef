import { expect, test } from '@playwright/test';
import { overflowing } from './layout';
import { callAs, deployAs } from './portalApi';
import { openSignedIn } from './signIn';

// The Deployments tab at the widths people use (1400 and 1024 px): each
// environment at a glance, no card wider than the page, the history only
// on demand. Screenshots go to artifacts/e2e/deployments-tab-*.png.

function request(environment: string, tag: string) {
  return {
    application: 'component:default/orders-api',
    environment,
    namespace: `orders-api-${environment}`,
    image: { repository: 'ghcr.io/acme/orders-api', tag },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ENVIRONMENT', value: environment }],
  };
}

test('the Deployments tab fits 1400 and 1024 px, one compact row per deployment, history on demand', async ({
  page,
  request: api,
}) => {
  test.setTimeout(300_000);
  // linus is in team-orders, which owns orders-api.
  await deployAs(api, 'linus', request('development', '2.0.0'));
  const update = await callAs(
    api,
    'linus',
    'PUT',
    '/deployments/development/orders-api-development/orders-api?wait=120',
    { image: { tag: '2.0.1' } },
  );
  expect(update.status(), await update.text()).toBe(200);
  await deployAs(api, 'linus', request('test', '2.0.1'));

  for (const width of [1400, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await openSignedIn(
      page,
      api,
      '/catalog/default/component/orders-api/deployments',
    );
    const development = page.getByTestId('environment-development');
    await expect(development).toContainText('ghcr.io/acme/orders-api:2.0.1', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('environment-test')).toContainText(
      'ghcr.io/acme/orders-api:2.0.1',
    );
    // The history waits behind its button.
    const history = development.getByRole('button', {
      name: 'History (2 revisions)',
    });
    await expect(history).toHaveAttribute('aria-expanded', 'false');
    await expect(
      development.getByRole('columnheader', { name: 'By, when' }),
    ).toHaveCount(0);
    expect(await overflowing(page)).toEqual([]);
    const height = await page.evaluate(
      () => document.scrollingElement!.scrollHeight,
    );
    // Four environments, two deployed: well under the ~3,400 px one
    // application with expanded histories took.
    expect(height).toBeLessThan(2400);
    await page.screenshot({
      path: `artifacts/e2e/deployments-tab-${width}.png`,
      fullPage: true,
    });

    await history.click();
    await expect(history).toHaveAttribute('aria-expanded', 'true');
    await expect(
      development.getByRole('columnheader', { name: 'By, when' }),
    ).toBeVisible();
    await expect(
      development.getByRole('button', { name: 'Roll back to 1' }),
    ).toBeVisible();
    expect(await overflowing(page)).toEqual([]);
    await page.screenshot({
      path: `artifacts/e2e/deployments-tab-${width}-history.png`,
      fullPage: true,
    });
  }
});
