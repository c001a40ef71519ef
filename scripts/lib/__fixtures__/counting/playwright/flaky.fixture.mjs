import { expect, test } from '@playwright/test';

// Fails on the first try and passes on the retry: "flaky", not green.
test('passes only on a retry', ({}, testInfo) => {
  expect(testInfo.retry).toBe(1);
});
