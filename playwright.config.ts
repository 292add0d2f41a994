/**
 * The synthetic journeys (synthetic/*.spec.ts). Run by the gate's synthetic suite, or alone:
 * `npx playwright test` (the embedded target is started when PERF_BASE_URL is not set).
 * The browser is found as everywhere in pitchey-perf (CHROME_PATH, the system's, Playwright's):
 * never downloaded. Paired mode (PERF_COMPARE_URL, set by the synthetic suite beside
 * PERF_BASE_URL): the perf fixture (synthetic/fixtures.ts) points the reference's repeat-each
 * copies at it, so `baseURL` here is the base side's.
 */
import { defineConfig, devices } from '@playwright/test';
import { requireBrowser } from './core/browser.ts';

const reportDir = process.env.PERF_SYNTHETIC_DIR || 'reports/synthetic';
const embeddedPort = 4799;
const baseURL = process.env.PERF_BASE_URL || `http://127.0.0.1:${embeddedPort}`;
const executablePath = requireBrowser().path;

export default defineConfig({
  testDir: 'synthetic',
  testMatch: '*.spec.ts',
  outputDir: `${reportDir}/test-results`,
  // One at a time: on two cores a second browser skews the timings it measures.
  workers: Number(process.env.PERF_SYNTHETIC_WORKERS || 1),
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  reporter: [
    ['list'],
    ['json', { outputFile: `${reportDir}/results.json` }],
    ['junit', { outputFile: `${reportDir}/junit.xml` }],
    ['html', { outputFolder: `${reportDir}/html`, open: 'never' }],
    [
      './synthetic/reporter.ts',
      { outputFile: process.env.PERF_SYNTHETIC_RESULT || `${reportDir}/items.json` },
    ],
  ],
  use: {
    baseURL,
    // Traces are recorded by the perf fixture, which leaves secret steps out.
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions: { executablePath } } },
    { name: 'mobile', use: { ...devices['Pixel 7'], launchOptions: { executablePath } } },
  ],
  webServer: process.env.PERF_BASE_URL
    ? undefined
    : {
        command: `npm run -s target -- --port ${embeddedPort}`,
        url: `${baseURL}/health/ready`,
        reuseExistingServer: false,
      },
});
