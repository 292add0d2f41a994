/**
 * Finds a Chrome/Chromium to drive: CHROME_PATH, then the system's installations (as
 * chrome-launcher lists them), then Playwright's own download. Never downloads one.
 */
import { Launcher } from 'chrome-launcher';
import { chromium } from 'playwright-core';
import { PerfError } from './errors.ts';
import { isExecutable } from './files.ts';

export type BrowserSource = 'CHROME_PATH' | 'system' | 'playwright';

export interface FoundBrowser {
  path: string;
  source: BrowserSource;
}

export class BrowserNotFoundError extends PerfError {}

export const INSTALL_HINT =
  'install Chromium (Debian/Ubuntu as root: npm run ensure-browser, or apt-get install chromium; macOS: brew install --cask google-chrome) or set CHROME_PATH to a Chrome/Chromium binary';

export interface BrowserLookup {
  env?: NodeJS.ProcessEnv;
  systemInstallations?: () => string[];
  playwrightPath?: () => string | undefined;
}

/** chrome-launcher throws (asking for CHROME_PATH) when it finds nothing: that is "none" here. */
function systemInstallations(): string[] {
  try {
    return Launcher.getInstallations();
  } catch {
    return [];
  }
}

function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/**
 * Returns the browser to use, or undefined when none is installed. A bad CHROME_PATH throws.
 * Synchronous, so playwright.config.ts can call it.
 */
export function findBrowser(lookup: BrowserLookup = {}): FoundBrowser | undefined {
  const env = lookup.env ?? process.env;
  const chromePath = env.CHROME_PATH;
  if (chromePath) {
    if (isExecutable(chromePath)) return { path: chromePath, source: 'CHROME_PATH' };
    throw new BrowserNotFoundError(
      `CHROME_PATH=${chromePath} is not an executable file: point it at Chrome/Chromium or unset it`,
    );
  }
  const system = (lookup.systemInstallations ?? systemInstallations)().find(isExecutable);
  if (system) return { path: system, source: 'system' };
  const playwright = (lookup.playwrightPath ?? playwrightChromium)();
  if (playwright && isExecutable(playwright)) return { path: playwright, source: 'playwright' };
  return undefined;
}

/** Like findBrowser, but a missing browser is an error that says what to do. */
export function requireBrowser(lookup: BrowserLookup = {}): FoundBrowser {
  const found = findBrowser(lookup);
  if (!found) throw new BrowserNotFoundError(`No Chrome/Chromium found: ${INSTALL_HINT}`);
  return found;
}
