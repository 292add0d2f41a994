/**
 * Lighthouse runs: Chromium from chrome-launcher (the browser core/browser.ts finds),
 * Lighthouse's own flags and presets, the lhr and its HTML report back. The caller closes the
 * browser (also registered for Ctrl-C): chrome-launcher then removes its temporary profile.
 */
import * as chromeLauncher from 'chrome-launcher';
import type { Flags, Result as Lhr } from 'lighthouse';
import lighthouse, { desktopConfig } from 'lighthouse';
import { onShutdown } from '../core/lifecycle.ts';

export type Preset = 'mobile' | 'desktop';

export interface LighthouseRun {
  lhr: Lhr;
  html: string;
  ms: number;
}

/** Headless and quiet; chrome-launcher adds its own defaults (no extensions, no sync...). */
const CHROME_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

export interface Browser {
  port: number;
  close(): Promise<void>;
}

/**
 * One Chromium for a suite's runs: Lighthouse resets storage and cache before each run, so
 * reusing the browser does not bias the numbers and saves about half a second per run.
 */
export async function launchBrowser(chromePath: string): Promise<Browser> {
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: CHROME_FLAGS, logLevel: 'silent' });
  const close = onShutdown(() => chrome.kill());
  return { port: chrome.port, close };
}

/** What figuresOf reads, and the performance category's weighted metrics (its score). */
export const MEASURED_AUDITS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'total-blocking-time',
  'cumulative-layout-shift',
  'speed-index',
  'metrics',
  'network-requests',
  'total-byte-weight',
] as const;

/**
 * A quick run: only these audits (so only the artifacts they need are gathered) and quiet
 * windows of 250 ms instead of 1 s. Lighthouse's own filters, so the score is still the
 * weighted mean of the same five metrics.
 */
export interface QuickRun {
  onlyAudits: readonly string[];
}

export const QUIET_MS = 250;

export async function runLighthouse(
  url: string,
  preset: Preset,
  browser: Browser,
  quick?: QuickRun,
): Promise<LighthouseRun> {
  const started = performance.now();
  const flags: Flags = {
    port: browser.port,
    output: ['json', 'html'],
    logLevel: 'error',
    ...(quick
      ? {
          onlyAudits: [...new Set([...MEASURED_AUDITS, ...quick.onlyAudits])],
          pauseAfterFcpMs: QUIET_MS,
          pauseAfterLoadMs: QUIET_MS,
          networkQuietThresholdMs: QUIET_MS,
          cpuQuietThresholdMs: QUIET_MS,
        }
      : { onlyCategories: ['performance'] }),
    // About 1 s faster per run, and the numbers do not change (toolchain notes §4).
    disableFullPageScreenshot: true,
    // A page that never paints fails in 10 s instead of Lighthouse's 30 (NO_FCP).
    maxWaitForFcp: 10_000,
    maxWaitForLoad: 30_000,
  };
  const result = await lighthouse(url, flags, preset === 'desktop' ? desktopConfig : undefined);
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const reports = Array.isArray(result.report) ? result.report : [result.report];
  return { lhr: result.lhr, html: reports[1] ?? '', ms: performance.now() - started };
}
