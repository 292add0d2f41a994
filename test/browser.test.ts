import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrowserNotFoundError, findBrowser, requireBrowser } from '../core/browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'pitchey-browser-'));
function fakeBinary(name: string, executable = true): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}
const none = { systemInstallations: () => [], playwrightPath: () => undefined };

describe('findBrowser', () => {
  it('takes CHROME_PATH first', async () => {
    const chrome = fakeBinary('chrome-env');
    const found = findBrowser({
      ...none,
      env: { CHROME_PATH: chrome },
      systemInstallations: () => [fakeBinary('sys')],
    });
    expect(found).toEqual({ path: chrome, source: 'CHROME_PATH' });
  });

  it('refuses a CHROME_PATH that is not an executable, naming it', async () => {
    const lookup = { ...none, env: { CHROME_PATH: fakeBinary('not-exec', false) } };
    expect(() => findBrowser(lookup)).toThrow(BrowserNotFoundError);
    expect(() => findBrowser(lookup)).toThrow(/CHROME_PATH=.*not-exec/);
  });

  it("then the system's installations, skipping ones that are gone", async () => {
    const sys = fakeBinary('chromium');
    const found = findBrowser({
      ...none,
      env: {},
      systemInstallations: () => [join(dir, 'gone'), sys],
    });
    expect(found).toEqual({ path: sys, source: 'system' });
  });

  it("then Playwright's own browser", async () => {
    const pw = fakeBinary('pw-chrome');
    const found = findBrowser({
      env: {},
      systemInstallations: () => [],
      playwrightPath: () => pw,
    });
    expect(found).toEqual({ path: pw, source: 'playwright' });
  });

  it('reports none, and requireBrowser says what to do', async () => {
    const lookup = {
      env: {},
      systemInstallations: () => [],
      playwrightPath: () => join(dir, 'missing'),
    };
    expect(findBrowser(lookup)).toBeUndefined();
    expect(() => requireBrowser(lookup)).toThrow(/No Chrome\/Chromium found: install Chromium.*CHROME_PATH/);
  });
});
