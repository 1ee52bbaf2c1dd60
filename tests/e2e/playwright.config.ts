// Browser end-to-end tests: Debian's Chromium (never a downloaded browser)
// drives the release SPA served by the real `caremgr serve` on a freshly
// seeded database. Run through `make e2e` (or scripts/e2e.sh), which builds
// everything, seeds the database and sets the variables read below.
import { defineConfig, devices } from '@playwright/test';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with \`make e2e\` (or scripts/e2e.sh)`);
  }
  return value;
}

const port = process.env.E2E_PORT ?? '8097';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'specs',
  outputDir: 'artifacts',
  // The specs share one seeded database and one server: one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI === 'true' ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    ...devices['Desktop Chrome'],
    baseURL,
    headless: true,
    screenshot: 'on',
    trace: 'retain-on-failure',
    locale: 'en-US',
    timezoneId: 'America/Los_Angeles',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
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
  projects: [{ name: 'chromium' }],
  webServer: {
    command: `"${required('CAREMGR_BIN')}" serve`,
    url: `${baseURL}/api/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: required('E2E_DATABASE_URL'),
      BIND_ADDR: `127.0.0.1:${port}`,
      STATIC_DIR: required('STATIC_DIR'),
      // A fixed key for this throwaway test server only.
      JWT_SECRET: 'e2e-only-signing-key-4f9c2b7a81d64e03b5a9c1f07d2e8b6a3c5f9e1d7b20',
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      // Every browser test signs in from 127.0.0.1; the per-address limit
      // (30 a minute by default) is for the real world.
      LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    },
  },
});
