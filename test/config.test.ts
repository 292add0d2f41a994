import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, resolveProfile } from '../core/config.ts';

describe('config', () => {
  it('loads perf.config.ts with defaults filled in', async () => {
    const config = await loadConfig('perf.config.ts');
    expect(config).toMatchObject({
      profile: 'ci',
      milestone: 'strictest',
      reportsDir: 'reports',
      targetsFile: 'baselines/targets.json',
    });
    expect(config.suites.health.endpoints).toEqual(['/health', '/health/ready', '/health/detailed']);
  });

  it.each([
    [{ suitez: {} }, /cfg\.ts: unknown key "suitez": remove it or check its spelling/],
    [{ suites: { health: { timeoutMs: 'soon' } } }, /cfg\.ts: suites\.health\.timeoutMs: /],
    [{ baseUrl: 'ftp://x' }, /baseUrl/],
    [{ profiles: { smoke: { health: { requests: 0 } } } }, /profiles\.smoke\.health\.requests/],
    [{ profiles: { smoke: { thresholds: {} } } }, /unknown key "profiles\.smoke\.thresholds"/],
    [{ thresholds: [{ metrics: {}, suit: 'x' }] }, /unknown key "thresholds\.0\.suit"/],
  ])('refuses %j naming the key and the file', (value, message) => {
    expect(() => parseConfig(value, 'cfg.ts')).toThrow(ConfigError);
    expect(() => parseConfig(value, 'cfg.ts')).toThrow(message);
  });

  it('profiles change counts only, merged over the built-in ones', () => {
    const config = parseConfig(
      { profiles: { smoke: { health: { requests: 7 } }, weekend: { health: { requests: 9 } } } },
      'c',
    );
    expect(resolveProfile(config, 'smoke').health.requests).toBe(7);
    expect(resolveProfile(config, 'nightly').health.requests).toBeGreaterThan(
      resolveProfile(config, 'ci').health.requests,
    );
    expect(resolveProfile(config, 'weekend').health.requests).toBe(9);
    // The pull-request profile trades the settle and Lighthouse's audits for time, nothing else.
    expect(resolveProfile(config, 'pr').synthetic).toMatchObject({ iterations: 8, settleMs: 100 });
    expect(resolveProfile(config, 'pr').lighthouse).toMatchObject({ runs: 5, audits: 'measured' });
    expect(resolveProfile(config, 'ci').lighthouse.audits).toBeUndefined();
    expect(() => parseConfig({ profiles: { x: { lighthouse: { runs: 1, audits: 'some' } } } }, 'c')).toThrow(
      /profiles\.x\.lighthouse\.audits/,
    );
    expect(() => resolveProfile(config, 'turbo')).toThrow(
      /unknown profile "turbo": choose one of smoke, ci, nightly, pr, capacity, weekend/,
    );
  });

  it('says what to do about a missing file, a file without default export, or one that throws', async () => {
    await expect(loadConfig('nope.config.ts')).rejects.toThrow(/config file nope\.config\.ts not found/);
    const dir = mkdtempSync(join(tmpdir(), 'pitchey-config-'));
    writeFileSync(join(dir, 'a.config.ts'), 'export const x = 1;\n');
    await expect(loadConfig(join(dir, 'a.config.ts'))).rejects.toThrow(
      /has no default export: export default defineConfig/,
    );
    writeFileSync(join(dir, 'b.config.ts'), 'throw new Error("boom");\nexport default {};\n');
    await expect(loadConfig(join(dir, 'b.config.ts'))).rejects.toThrow(
      /b\.config\.ts could not be loaded: boom/,
    );
  });
});
