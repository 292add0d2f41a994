import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { resolveChecks } from '../monitor/checks.ts';
import { loadSlos } from '../monitor/slo-config.ts';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The README's monitor example, as a value (it is a JS object literal). */
function readmeExample(): unknown {
  const match = README.match(/```ts\nmonitor: (\{[\s\S]*?\n\})\n```/);
  if (!match) throw new Error('README has no ```ts monitor: { … } example');
  return new Function(`return (${match[1]});`)();
}

describe('monitor config', () => {
  it("the README's example is a valid config", () => {
    const config = parseConfig({ monitor: readmeExample() }, 'README.md');
    const checks = resolveChecks(config.monitor, new URL('https://pitchey.example'));
    expect(checks.map((c) => `${c.name}:${c.type}:${c.group}`)).toEqual([
      'api-trending:http:api',
      'health-ready:health:health',
      'journey-visitor:journey:journeys',
      'lighthouse-home:lighthouse:lighthouse',
    ]);
    expect(checks[0]).toMatchObject({
      degradedAfterMs: 500,
      schedule: { intervalMs: 60_000 },
      channels: ['ops', 'slack', 'pager'],
    });
    expect(checks[0]?.retry).toMatchObject({ strategy: 'exponential', maxAttempts: 2, baseBackoffMs: 2_000 });
    expect(checks[3]?.schedule).toEqual({ cron: '0 6 * * *', timezone: 'UTC', intervalMs: undefined });
  });

  it("the README's SLO example is valid and covers the checks it names", async () => {
    const match = README.match(/```ts\nslos: (\[[\s\S]*?\n\]),\n```/);
    if (!match) throw new Error('README has no ```ts slos: [ … ] example');
    const slos = new Function(`return (${match[1]});`)();
    const config = parseConfig({ monitor: { ...(readmeExample() as object), slos } }, 'README.md');
    const checks = resolveChecks(config.monitor, new URL('https://pitchey.example'));
    const loaded = await loadSlos(config, checks);
    expect(loaded.map((s) => [s.name, s.sli, s.objective, s.thresholdMs, s.checks, s.alert])).toEqual([
      ['api-availability', 'availability', 0.999, undefined, ['api-trending'], true],
      ['api-fast', 'latency', 0.95, 200, ['api-trending'], true],
      ['journeys', 'availability', 0.99, undefined, ['journey-visitor'], false],
    ]);
  });

  it('without checks, the Pitchey defaults on the base URL', () => {
    const config = parseConfig({}, 'perf.config.ts');
    const checks = resolveChecks(config.monitor, new URL('http://127.0.0.1:3000'));
    expect(checks.map((c) => [c.name, c.schedule.intervalMs ?? c.schedule.cron])).toEqual([
      ['health', 30_000],
      ['health-ready', 30_000],
      ['health-detailed', 30_000],
      ['api-trending', 60_000],
      ['api-pitches', 60_000],
      ['api-pitch', 60_000],
      ['journey-visitor', 300_000],
      ['journey-investor', 900_000],
      ['lighthouse-home', '0 6 * * *'],
    ]);
    expect(checks[3]?.target).toBe('http://127.0.0.1:3000/api/trending');
  });

  it('errors name the check and the field', () => {
    const bad = (monitor: unknown) => () => parseConfig({ monitor }, 'perf.config.ts');
    const check = { name: 'api', type: 'http', url: '/api', every: '30s' };
    expect(bad({ checks: [{ ...check, every: '30 seconds' }] })).toThrow(
      /monitor\.checks\.0\.every: a duration such as "30s"/,
    );
    expect(bad({ checks: [{ ...check, every: undefined }] })).toThrow(/check "api": set "every" or "cron"/);
    expect(bad({ checks: [check, check] })).toThrow(/monitor\.checks\.1\.name: "api" is used twice/);
    expect(bad({ checks: [{ ...check, cron: '61 * * * *', every: undefined }] })).toThrow(
      /monitor\.checks\.0\.cron: not a cron expression/,
    );
    expect(bad({ checks: [{ ...check, timezone: 'Mars/Olympus' }] })).toThrow(
      /monitor\.checks\.0\.timezone: an IANA timezone/,
    );
    expect(bad({ checks: [{ ...check, channels: ['pager'] }] })).toThrow(
      /check "api": no channel named "pager"/,
    );
    expect(bad({ checks: [{ ...check, name: 'API Trending' }] })).toThrow(
      /monitor\.checks\.0\.name: lower-case/,
    );
    expect(bad({ checks: [{ ...check, assertion: [] }] })).toThrow(
      /unknown key "monitor\.checks\.0\.assertion"/,
    );
    expect(
      bad({ maintenance: [{ name: 'm', start: '2026-12-01T10:00Z', end: '2026-12-01T09:00Z' }] }),
    ).toThrow(/window "m": end must come after start/);
    expect(bad({ channels: [{ name: 'w', type: 'webhook' }] })).toThrow(/channel "w": set url or urlEnv/);
  });
});
