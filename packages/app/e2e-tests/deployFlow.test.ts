import { expect, test } from '@playwright/test';
import { kubectlGet } from './cluster';
import { openSignedIn } from './signIn';

// The whole self-service flow in the real app against a real cluster: the
// policy preview blocks a plaintext secret, a secret reference passes, Create
// deploys, and the task ends with the service Ready in the cluster.
test('deploy-application: a plaintext secret is blocked, a secret reference deploys to Ready', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  await openSignedIn(
    page,
    request,
    '/create/templates/default/deploy-application',
  );

  // 1. Application and environment
  await page.getByLabel('Application').click({ timeout: 60_000 });
  await page.getByRole('option', { name: /payments-api/ }).click();
  await expect(page.getByRole('button', { name: /Environment/ })).toHaveText(
    /development/,
  );
  await page.getByRole('button', { name: 'Next' }).click();

  // 2. What to run
  await page.getByLabel('Image repository').fill('ghcr.io/acme/payments-api');
  await page.getByLabel('Image tag').fill('1.4.2');
  await page.getByRole('button', { name: 'Next' }).click();

  // 3. Configuration: a secret typed in as a plain value
  await page.getByRole('button', { name: 'Add Item' }).first().click();
  await page.getByLabel('Name').fill('SECRET_KEY');
  await page.getByLabel('Value').fill('kX9mP2vL7qR4wZ8nB3tY6');
  await page.getByRole('button', { name: 'Next' }).click();

  // 4. Policy check: the preview names the policy and the variable ...
  const finding = page
    .getByRole('alert')
    .filter({ hasText: 'plaintext-secrets' });
  await expect(finding).toBeVisible();
  await expect(finding).toContainText('SECRET_KEY');
  await expect(finding).toContainText('Why, and how to fix it');
  await page.screenshot({
    path: 'artifacts/e2e/deploy-policy-blocked.png',
    fullPage: true,
  });
  // ... and the form does not get to Create.
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(
    page.getByText('Fix the policy errors shown above before you continue', {
      exact: true,
    }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);

  // Back to the configuration: the value becomes a reference to a Secret.
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: 'Remove' }).first().click();
  await expect(page.getByLabel('Value')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add Item' }).nth(1).click();
  await page.getByLabel('Variable').fill('SECRET_KEY');
  await page.getByLabel('Secret name').fill('payments-api-secrets');
  await page.getByLabel('Key in the secret').fill('secret-key');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(
    page.getByRole('alert').filter({ hasText: 'plaintext-secrets' }),
  ).toHaveCount(0);
  await expect(
    page.getByRole('alert').filter({ hasText: 'All policies pass' }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();

  // 5. Review, then Create.
  const create = page.getByRole('button', { name: 'Create' });
  await expect(create).toBeEnabled();
  await page.screenshot({
    path: 'artifacts/e2e/deploy-review.png',
    fullPage: true,
  });
  const clickedAt = Date.now();
  await create.click();

  // The template's output text (the task log says it too).
  await expect(
    page
      .getByTestId('text-output-box')
      .getByText(/Revision \d+ is Ready in development/),
  ).toBeVisible({ timeout: 180_000 });
  const seconds = (Date.now() - clickedAt) / 1000;
  // A figure for the session note, not an assertion (timings belong in benchmarks).
  test.info().annotations.push({
    type: 'create-to-ready',
    description: `${seconds.toFixed(1)} s`,
  });
  // eslint-disable-next-line no-console
  console.log(`deploy-application: Create -> Ready in ${seconds.toFixed(1)} s`);
  // The task links to the application's Deployments and Service Health tabs.
  for (const tab of ['deployments', 'service-health']) {
    await expect(
      page
        .locator(`a[href$="/catalog/default/component/payments-api/${tab}"]`)
        .first(),
    ).toBeVisible();
  }
  await page.screenshot({
    path: 'artifacts/e2e/deploy-task-finished.png',
    fullPage: true,
  });

  // What the cluster runs: the image, the reference (never a value), Ready.
  const deployment = kubectlGet(
    'nonprod',
    'payments-api-development',
    'deployment/payments-api',
  );
  expect(deployment).toBeDefined();
  const container = deployment.spec.template.spec.containers[0];
  expect(container.image).toBe('ghcr.io/acme/payments-api:1.4.2');
  expect(container.env).toContainEqual({
    name: 'SECRET_KEY',
    valueFrom: {
      secretKeyRef: { name: 'payments-api-secrets', key: 'secret-key' },
    },
  });
  expect(deployment.status.readyReplicas).toBe(deployment.spec.replicas);
});
