/**
 * `npm run ensure-browser`: makes sure a Chrome/Chromium is there for Playwright and Lighthouse.
 * Found: prints which. Missing on Debian/Ubuntu as root: installs Debian's `chromium` package
 * (saying so). Elsewhere: one line on what to do, exit 2. Never downloads a browser build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BrowserNotFoundError, findBrowser, INSTALL_HINT } from '../core/browser.ts';

async function main(): Promise<number> {
  const found = findBrowser();
  if (found) {
    console.log(`browser: ${found.path} (from ${found.source})`);
    return 0;
  }
  const debian =
    process.platform === 'linux' && existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
  if (!debian || process.getuid?.() !== 0) {
    console.error(`No Chrome/Chromium found: ${INSTALL_HINT}`);
    return 2;
  }
  console.log("No Chrome/Chromium found: installing Debian's chromium package (apt-get install chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  const installed = findBrowser();
  if (!installed) {
    console.error(`apt-get installed chromium but no browser was found afterwards: ${INSTALL_HINT}`);
    return 2;
  }
  console.log(`browser: ${installed.path} (installed from Debian's packages)`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    error instanceof BrowserNotFoundError
      ? error.message
      : `ensure-browser failed: ${(error as Error).message}`,
  );
  process.exitCode = 2;
}
