import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';

// Browser tests run against a portal started on its own ports (so a portal
// you already run on :3000/:7007 is not disturbed) with an in-memory SQLite
// and its own two kube-sim clusters (scripts/e2e-portal.sh).
const appPort = Number(process.env.E2E_APP_PORT ?? 3100);
const backendPort = Number(process.env.E2E_BACKEND_PORT ?? 7107);

const appUrl = `http://localhost:${appPort}`;
const backendUrl = `http://localhost:${backendPort}`;
// Read by the tests (the config is loaded in every worker too).
process.env.E2E_BACKEND_URL = backendUrl;
// Where the test clusters keep their state: the tests read their admin
// kubeconfigs from here to check what the portal did.
process.env.E2E_KUBE_SIM_STATE ??= resolve(__dirname, '.portal/e2e-kube-sim');

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'artifacts/playwright-results',

  webServer: {
    // The portal's own log goes to a file; the test output stays readable.
    command:
      'mkdir -p artifacts/logs && exec bash scripts/e2e-portal.sh > artifacts/logs/e2e-portal.log 2>&1',
    url: appUrl,
    // SIGTERM to the process group lets the script stop its clusters.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    // Reusing whatever answers there would test the wrong thing.
    reuseExistingServer: false,
    // Cold: two clusters (~20 s) and the first frontend build (~2 min).
    timeout: 420_000,
    env: {
      APP_CONFIG_app_baseUrl: appUrl,
      APP_CONFIG_backend_baseUrl: backendUrl,
      APP_CONFIG_backend_listen_port: String(backendPort),
      APP_CONFIG_backend_cors_origin: appUrl,
      APP_CONFIG_backend_database_connection: JSON.stringify(':memory:'),
      BROWSER: 'none',
      // No Prometheus listener: :9464 may belong to a portal you run.
      PROMETHEUS_PORT: '0',
    },
  },

  use: {
    baseURL: appUrl,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's chromium (installed by ./portal test); never a downloaded browser.
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
