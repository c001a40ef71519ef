import { expect, test } from '@playwright/test';
import { kubectlGet } from './cluster';
import { callAs, deployAs } from './portalApi';
import { openSignedIn } from './signIn';

// Production with four eyes, in the real app as two people: ada (team
// payments) promotes what passed acceptance, grace (same team) approves,
// and only then does it run in the production cluster. A second request is
// rejected and ada is told.
const APP = 'component:default/payments-api';
const DIGEST = `sha256:${'e2e0'.repeat(16)}`;
const RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

function request(environment: string, extra: Record<string, unknown> = {}) {
  return {
    application: APP,
    environment,
    namespace: `payments-api-${environment}`,
    image: { repository: 'ghcr.io/acme/payments-api', digest: DIGEST },
    replicas: 2,
    resources: RESOURCES,
    env: [{ name: 'ENVIRONMENT', value: environment }],
    ...extra,
  };
}

test('production: ada requests, grace approves, then it runs; a rejected request notifies ada', async ({
  browser,
  request: api,
}) => {
  test.setTimeout(300_000);
  // What passed acceptance is what production may get (OTAP).
  await deployAs(api, 'ada', request('acceptance'));

  // ada promotes acceptance to production from the Deployments tab.
  const ada = await (await browser.newContext()).newPage();
  await openSignedIn(
    ada,
    api,
    '/catalog/default/component/payments-api/deployments',
    'ada',
  );
  await ada.getByRole('button', { name: 'Promote to production' }).click();
  await expect(ada.getByText('Promote an application').first()).toBeVisible();
  await ada
    .getByLabel('Change reference')
    .fill('https://jira.acme.example/browse/OPS-42');
  await ada.getByRole('button', { name: 'Review' }).click();
  await ada.getByRole('button', { name: 'Create' }).click();

  // The task ends at once: nothing runs yet, the request waits for approval.
  const waiting = ada.getByTestId('text-output-box');
  await expect(waiting).toContainText('until someone other than you approves', {
    timeout: 120_000,
  });
  await ada.screenshot({
    path: 'artifacts/e2e/production-awaiting-approval.png',
    fullPage: true,
  });
  expect(
    kubectlGet('prod', 'payments-api-production', 'deployment/payments-api'),
  ).toBeUndefined();

  // ada may not approve her own request.
  await waiting
    .getByRole('link', { name: 'open the approval request' })
    .click();
  await expect(ada).toHaveURL(/\/deployments\/approvals\/[0-9a-f-]{36}$/);
  const approvalUrl = new URL(ada.url()).pathname;
  await expect(ada.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(ada.getByText(/four-eyes/i).first()).toBeVisible();

  // grace approves: it is applied, once, and runs in production.
  const grace = await (await browser.newContext()).newPage();
  await openSignedIn(grace, api, approvalUrl, 'grace');
  await grace.getByRole('button', { name: 'Approve' }).click();
  await grace
    .getByRole('dialog')
    .getByLabel('Comment (optional)')
    .fill('Looks good');
  await grace
    .getByRole('dialog')
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(grace.getByText(/Approved: the change is queued/)).toBeVisible();
  // The request follows its change until it ends: applied.
  await expect(grace.getByText('approved', { exact: true })).toBeVisible({
    timeout: 120_000,
  });
  await grace.screenshot({
    path: 'artifacts/e2e/production-approved.png',
    fullPage: true,
  });
  const running = kubectlGet(
    'prod',
    'payments-api-production',
    'deployment/payments-api',
  );
  expect(running.spec.template.spec.containers[0].image).toBe(
    `ghcr.io/acme/payments-api@${DIGEST}`,
  );
  expect(running.status.readyReplicas).toBe(running.spec.replicas);

  // A second request (scale production to 3) is rejected by grace ...
  const pending = await callAs(
    api,
    'ada',
    'PUT',
    '/deployments/production/payments-api-production/payments-api',
    { replicas: 3, changeReference: 'https://jira.acme.example/browse/OPS-43' },
  );
  expect(pending.status(), await pending.text()).toBe(202);
  const { approval } = await pending.json();
  await grace.goto(`/deployments/approvals/${approval.id}`);
  await grace.getByRole('button', { name: 'Reject' }).click();
  await grace
    .getByRole('dialog')
    .getByLabel('Comment (optional)')
    .fill('Not during the sale');
  await grace
    .getByRole('dialog')
    .getByRole('button', { name: 'Reject' })
    .click();
  await expect(grace.getByText('Rejected: nothing was applied.')).toBeVisible();
  expect(
    kubectlGet('prod', 'payments-api-production', 'deployment/payments-api')
      .spec.replicas,
  ).toBe(2);

  // ... and ada finds out in her notifications.
  await ada.goto('/notifications');
  await expect(
    ada.getByText(`Rejected: update ${APP} in production`).first(),
  ).toBeVisible({ timeout: 60_000 });
  await ada.screenshot({
    path: 'artifacts/e2e/production-rejected-notification.png',
    fullPage: true,
  });
});
