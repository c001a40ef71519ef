import { expect, test } from '@playwright/test';
import { openSignedIn } from './signIn';

test('the deploy template offers the environments through the EnvironmentPicker field', async ({
  page,
  request,
}) => {
  await openSignedIn(
    page,
    request,
    '/create/templates/default/deploy-application',
  );

  await expect(page.getByText('Deploy an application').first()).toBeVisible({
    timeout: 60_000,
  });
  await page.getByRole('button', { name: /Environment/ }).click();
  const options = page.getByRole('listbox').getByRole('option');
  await expect(options).toHaveText([
    'development',
    'test',
    'acceptance',
    'production (approval required)',
  ]);
  await page.screenshot({ path: 'artifacts/e2e/deploy-template.png' });
});
