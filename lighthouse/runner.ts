/**
 * One Lighthouse run: a fresh Chromium from chrome-launcher (the browser core/browser.ts
 * finds), Lighthouse's own flags and presets, the lhr and its HTML report back. Chromium and
 * its temporary profile are gone when this returns, whatever happened.
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

export async function runLighthouse(url: string, preset: Preset, chromePath: string): Promise<LighthouseRun> {
  const started = performance.now();
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: CHROME_FLAGS, logLevel: 'silent' });
  const stop = onShutdown(() => chrome.kill());
  try {
    const flags: Flags = {
      port: chrome.port,
      output: ['json', 'html'],
      logLevel: 'error',
      onlyCategories: ['performance'],
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
  } finally {
    await stop();
  }
}
