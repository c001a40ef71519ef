import { defineConfig } from '@playwright/test';

// The browser part of the production sign-in test (scripts/oidc-test.sh):
// the production bundle and a real OIDC provider, in Debian's chromium.
export default defineConfig({
  testDir: '.',
  testMatch: 'signIn.test.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: '../../artifacts/oidc-results',
  use: {
    baseURL: process.env.PORTAL_URL ?? 'http://localhost:7507',
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
