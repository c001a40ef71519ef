import { defineConfig } from '@playwright/test';

// The browser part of the adoption test (scripts/adoption-test.sh): the
// adopted app's frontend, started by the script, in Debian's chromium.
export default defineConfig({
  testDir: '.',
  testMatch: 'tabs.test.ts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: '../../artifacts/adoption-results',
  use: {
    baseURL: process.env.ADOPTION_APP_URL ?? 'http://localhost:3207',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.PORTAL_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
