import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  chooseTheme,
  overflowing,
  screenshotWhole,
  seriousAccessibilityViolations,
} from './layout';
import { callAs, deployAs } from './portalApi';
import { openSignedIn } from './signIn';

// Every page of the suite, as a new user opens it, in the light and the dark
// theme: no card wider than itself and no table that scrolls sideways at
// 1400 and 1024 px, no serious or critical axe-core finding, and a
// screenshot of each (artifacts/e2e/page-<page>-<theme>-<width>.png).
//
// storefront (team-orders: linus, margaret) is only deployed here, so the
// other browser tests neither see nor change what this one shows.
const APP = 'component:default/storefront';
const REPOSITORY = 'ghcr.io/acme/storefront';
const DIGEST = `sha256:${'aae6'.repeat(16)}`;

function request(environment: string, image: Record<string, string>) {
  return {
    application: APP,
    environment,
    namespace: `storefront-${environment}`,
    image: { repository: REPOSITORY, ...image },
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [{ name: 'ENVIRONMENT', value: environment }],
    changeReference:
      'https://jira.acme.example/browse/SHOP-1234-a-rather-long-change-reference-to-show-truncation',
  };
}

async function backendReady(api: APIRequestContext) {
  const backendUrl = process.env.E2E_BACKEND_URL ?? 'http://localhost:7007';
  // The frontend answers first; the backend may not listen yet, and the
  // catalog may not hold the example users yet (a fresh in-memory database).
  await expect
    .poll(
      () =>
        api
          .get(`${backendUrl}/api/auth/dev-users/refresh`, {
            headers: {
              'X-Requested-With': 'XMLHttpRequest',
              'x-portal-dev-user': 'linus',
            },
          })
          .then(
            r => r.status(),
            () => 0,
          ),
      { timeout: 180_000, intervals: [2_000] },
    )
    .toBe(200);
}

/**
 * storefront in development (a tag, then a digest: two revisions), in
 * acceptance, and a pending request to deploy it to production. Safe to run
 * again (a retried worker): the same deploy is a no-op, and a pending
 * production request is reused.
 */
async function prepare(api: APIRequestContext): Promise<string> {
  await backendReady(api);
  await deployAs(api, 'linus', request('development', { tag: '3.1.0' }));
  const update = await callAs(
    api,
    'linus',
    'PUT',
    '/deployments/development/storefront-development/storefront?wait=120',
    { image: { repository: REPOSITORY, digest: DIGEST } },
  );
  expect(update.status(), await update.text()).toBe(200);
  await deployAs(api, 'linus', request('acceptance', { digest: DIGEST }));

  const pending = await callAs(
    api,
    'linus',
    'GET',
    `/approvals?status=pending&entityRef=${encodeURIComponent(APP)}`,
  );
  expect(pending.status(), await pending.text()).toBe(200);
  const existing = (await pending.json()).items?.[0] ?? undefined;
  if (existing) return existing.id;
  const asked = await callAs(
    api,
    'linus',
    'POST',
    '/deployments',
    request('production', { digest: DIGEST }),
  );
  expect(asked.status(), await asked.text()).toBe(202);
  return (await asked.json()).approval.id;
}

type SuitePage = {
  name: string;
  user: string;
  path: (approvalId: string) => string;
  /** Waits until the page shows what it is about (and opens what is folded). */
  ready: (page: Page) => Promise<void>;
};

const PAGES: SuitePage[] = [
  {
    name: 'deployments-tab',
    // guest is in team-payments: storefront's actions are not allowed.
    user: 'guest',
    path: () => '/catalog/default/component/storefront/deployments',
    ready: async page => {
      const development = page.getByTestId('environment-development');
      await expect(development).toContainText(`${REPOSITORY}@sha256:aae6`, {
        timeout: 60_000,
      });
      // The disabled action says why, to keyboard and screen reader users too.
      const restart = development.getByRole('button', { name: 'Restart' });
      await expect(restart).toHaveAttribute('aria-disabled', 'true');
      await expect(restart).toHaveAccessibleDescription(
        'You are not allowed to restart deployments',
      );
      await development.getByRole('button', { name: /^History/ }).click();
      await expect(
        development.getByRole('columnheader', { name: 'Version' }),
      ).toBeVisible();
    },
  },
  {
    name: 'service-health',
    user: 'guest',
    path: () => '/catalog/default/component/storefront/service-health',
    ready: async page => {
      await expect(
        page.getByText('Changes of state the health monitor saw, newest first'),
      ).toBeVisible({ timeout: 60_000 });
    },
  },
  {
    name: 'dashboard',
    user: 'guest',
    path: () => '/deployments',
    ready: async page => {
      await expect(
        page.getByText(`${REPOSITORY}@sha256:aae6`).first(),
      ).toBeVisible({
        timeout: 60_000,
      });
    },
  },
  {
    name: 'approvals',
    user: 'margaret',
    path: () => '/deployments/approvals',
    ready: async page => {
      await expect(
        page.getByRole('columnheader', { name: 'Status' }),
      ).toBeVisible({ timeout: 60_000 });
      await expect(page.getByText('pending').first()).toBeVisible();
    },
  },
  {
    name: 'approval',
    user: 'margaret',
    path: id => `/deployments/approvals/${id}`,
    ready: async page => {
      await expect(page.getByRole('button', { name: 'Approve' })).toBeEnabled({
        timeout: 60_000,
      });
    },
  },
  {
    name: 'template-policy-preview',
    user: 'linus',
    path: () => '/create/templates/default/deploy-application',
    ready: async page => {
      await page.getByLabel('Application').click({ timeout: 60_000 });
      await page.getByRole('option', { name: /storefront/ }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Image repository').fill(REPOSITORY);
      await page.getByLabel('Image tag').fill('3.1.0');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(
        page.getByRole('alert').filter({ hasText: 'All policies pass' }),
      ).toBeVisible({ timeout: 30_000 });
    },
  },
];

/** What beforeAll prepared (a constant holder: the tests are made in a loop). */
const prepared = { approvalId: '' };

test.beforeAll(async ({ playwright }) => {
  test.setTimeout(300_000);
  const api = await playwright.request.newContext();
  prepared.approvalId = await prepare(api);
  await api.dispose();
});

for (const suitePage of PAGES) {
  test(`${suitePage.name}: fits 1400 and 1024 px, no serious axe findings, light and dark`, async ({
    browser,
    request: api,
  }) => {
    test.setTimeout(240_000);
    const problems: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 1400, height: 900 },
      });
      await chooseTheme(context, theme);
      const page = await context.newPage();
      await openSignedIn(
        page,
        api,
        suitePage.path(prepared.approvalId),
        suitePage.user,
      );
      await suitePage.ready(page);
      await expect(page.locator('body')).toHaveAttribute(
        'data-theme-mode',
        theme,
      );
      for (const width of [1400, 1024]) {
        await page.setViewportSize({ width, height: 900 });
        // Let the layout follow the new width.
        await page.waitForTimeout(300);
        for (const wide of await overflowing(page)) {
          problems.push(`${theme} ${width} px: ${wide}`);
        }
        // No hover effects (chart tooltips) in the picture.
        await page.mouse.move(0, 0);
        await screenshotWhole(
          page,
          `artifacts/e2e/page-${suitePage.name}-${theme}-${width}.png`,
        );
      }
      for (const finding of await seriousAccessibilityViolations(page)) {
        problems.push(`${theme} axe: ${finding}`);
      }
      await context.close();
    }
    expect(problems).toEqual([]);
  });
}
