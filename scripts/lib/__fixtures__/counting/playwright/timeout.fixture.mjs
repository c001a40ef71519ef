import { test } from '@playwright/test';

test('hangs past its timeout', async () => {
  test.setTimeout(300);
  await new Promise(() => {});
});
