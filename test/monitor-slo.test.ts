/**
 * SLOs: the arithmetic on constructed counts with exact expected values, window sums over the
 * day/hour/minute rollups, the latency SLI against the raw samples, defaults from the targets
 * file, and a simulated outage through the monitor: 2 % of a 30-day budget in an hour pages
 * once and resolves once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import type { SloConfig } from '../monitor/config.ts';
import { Monitor } from '../monitor/monitor.ts';
import type { AttemptResult } from '../monitor/probe-http.ts';
import {
  advanceSloAlert,
  budgetRemaining,
  burnRate,
  type CheckCounts,
  defaultSlos,
  firingRules,
  formatObjective,
  type Slo,
  sliOf,
  sloAlertKey,
  sloCounts,
  windowStatus,
} from '../monitor/slo.ts';
import { slosFromConfig } from '../monitor/slo-config.ts';
import { evaluateSlos, readWindowCounts } from '../monitor/slo-status.ts';
import { type Attempt, MonitorStore, windowPieces } from '../monitor/store.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A Monday 00:00 UTC, so the day, hour and minute edges are where the tests say. */
const T0 = Date.UTC(2026, 10, 2);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monitor-slo-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(
  check: string,
  at: number,
  outcome: Attempt['outcome'],
  durationMs = 100,
  extra: Partial<Attempt> = {},
) {
  const attempt: Attempt = {
    check,
    runId: `${check}@${at}`,
    attempt: 1,
    startedAt: at,
    durationMs,
    outcome,
    ...extra,
  };
  return attempt;
}

const slo = (over: Partial<Slo> = {}): Slo => ({
  name: 'api-availability',
  sli: 'availability',
  objective: 0.999,
  checks: ['a', 'b'],
  scope: { group: 'api' },
  alert: true,
  origin: 'test',
  ...over,
});

describe('SLO arithmetic', () => {
  it('SLI, burn rate and budget left on exact counts', () => {
    // 10 bad of 1,000 at 99.9 %: the error rate 1 % is 10× the 0.1 % allowed.
    const counts = { total: 1000, good: 990 };
    expect(sliOf(counts)).toBe(0.99);
    expect(burnRate(counts, 0.999)).toBeCloseTo(10, 10);
    expect(budgetRemaining(counts, 0.999)).toBeCloseTo(-9, 10);
    // 1 bad of 2,000 at 99.9 %: half the budget spent.
    expect(budgetRemaining({ total: 2000, good: 1999 }, 0.999)).toBeCloseTo(0.5, 10);
    expect(burnRate({ total: 2000, good: 1999 }, 0.999)).toBeCloseTo(0.5, 10);
    // No events: no SLI, no burn.
    expect(sliOf({ total: 0, good: 0 })).toBeUndefined();
    expect(burnRate({ total: 0, good: 0 }, 0.999)).toBe(0);
    expect(windowStatus('30d', { total: 1000, good: 999 }, 0.999).met).toBe(true);
    expect(windowStatus('30d', { total: 1000, good: 998 }, 0.999).met).toBe(false);
    expect(windowStatus('30d', { total: 0, good: 0 }, 0.999).met).toBeUndefined();
    expect(formatObjective(0.999)).toBe('99.9 %');
    expect(formatObjective(0.9999)).toBe('99.99 %');
    expect(formatObjective(0.95)).toBe('95 %');
  });

  it('sums an SLO over its checks: runs for availability, answers within the threshold for latency', () => {
    const perCheck = new Map<string, CheckCounts>([
      ['a', { total: 10, good: 9, answered: 9, within: { 200: 8 } }],
      ['b', { total: 5, good: 5, answered: 5, within: { 200: 2 } }],
      ['c', { total: 100, good: 0, answered: 0, within: {} }],
    ]);
    expect(sloCounts(slo(), perCheck)).toEqual({ total: 15, good: 14 });
    expect(sloCounts(slo({ sli: 'latency', thresholdMs: 200, objective: 0.95 }), perCheck)).toEqual({
      total: 14,
      good: 10,
    });
  });

  it('fires a rule only when its long and short windows both burn at its rate', () => {
    const none = { '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0, '3d': 0 };
    expect(firingRules(none)).toEqual([]);
    expect(firingRules({ ...none, '1h': 14.4, '5m': 14.4 }).map((r) => `${r.severity} ${r.long}`)).toEqual([
      'page 1h',
    ]);
    expect(firingRules({ ...none, '1h': 14.4, '5m': 14.3 })).toEqual([]);
    expect(firingRules({ ...none, '1h': 100, '5m': 0 })).toEqual([]);
    expect(firingRules({ ...none, '6h': 6, '30m': 7 }).map((r) => r.long)).toEqual(['6h']);
    expect(firingRules({ ...none, '1d': 3, '2h': 3, '3d': 1, '6h': 1 }).map((r) => r.long)).toEqual([
      '1d',
      '3d',
    ]);
    // Exactly 2 % of a 30-day budget in an hour is 14.4 only up to rounding: it still fires.
    const burn = burnRate({ total: 3000, good: 3000 - 0.02 * 0.001 * 30 * 24 * 3000 }, 0.999);
    expect(firingRules({ ...none, '1h': burn, '5m': 20 })).toHaveLength(1);
  });

  it('an alert: one trigger while it fires, one resolve when it stops', () => {
    const key = sloAlertKey('api-availability', 'page');
    const rule = firingRules({ '1h': 20, '5m': 20 })[0];
    let state = {};
    const events: string[] = [];
    for (const [at, firing] of [
      [1, undefined],
      [2, rule],
      [3, rule],
      [4, rule],
      [5, undefined],
      [6, undefined],
    ] as const) {
      const next = advanceSloAlert(state, key, 'page', firing, at, () => 'burning');
      state = next.state;
      events.push(...next.events.map((e) => `${e.type}@${e.at} ${e.incident.id}`));
    }
    expect(events).toEqual([
      'trigger@2 slo:api-availability:page@2',
      'resolve@5 slo:api-availability:page@2',
    ]);
  });
});

describe('SLO windows over the rollups', () => {
  it('splits a window into whole days, whole hours and minutes, disjoint and covering it', () => {
    const from = T0 + 22 * HOUR + 17 * MINUTE;
    const to = T0 + 3 * DAY + 2 * HOUR + 5 * MINUTE + 30_000;
    expect(windowPieces(from, to, 0)).toEqual([
      { period: 'minute', from: T0 + 22 * HOUR + 17 * MINUTE, to: T0 + 23 * HOUR },
      { period: 'hour', from: T0 + 23 * HOUR, to: T0 + DAY },
      { period: 'day', from: T0 + DAY, to: T0 + 3 * DAY },
      { period: 'hour', from: T0 + 3 * DAY, to: T0 + 3 * DAY + 2 * HOUR },
      { period: 'minute', from: T0 + 3 * DAY + 2 * HOUR, to },
    ]);
    // Minutes already pruned: that edge is summed to the hour.
    expect(windowPieces(from, to, T0 + DAY)[0]).toEqual({
      period: 'hour',
      from: T0 + 22 * HOUR,
      to: T0 + 23 * HOUR,
    });
  });

  it('counts each window exactly: maintenance and offline runs out, latency from the runs', () => {
    const store = MonitorStore.open(join(dir, 'm.db'), { latencyThresholdsMs: [200] });
    const now = T0 + 10 * DAY + 30 * MINUTE;
    // Every 10 minutes for 10 days; one in 50 fails, one in 4 is slower than 200 ms.
    let i = 0;
    const expected = { total: 0, good: 0, within: 0, total1h: 0, good1h: 0 };
    for (let at = T0 + 5 * MINUTE; at < now; at += 10 * MINUTE, i++) {
      const fail = i % 50 === 7;
      const slow = i % 4 === 1;
      const duration = slow ? 250 : 120;
      const excluded = i % 97 === 3;
      const extra: Partial<Attempt> = excluded ? (i % 2 ? { maintenance: 'deploy' } : { offline: true }) : {};
      store.recordRun([run('a', at, fail ? 'fail' : 'pass', duration, extra)], undefined, [], []);
      const inWeek = at >= now + 1 - 7 * DAY;
      if (!excluded && inWeek) {
        expected.total++;
        if (!fail) expected.good++;
        if (!slow) expected.within++;
      }
      if (!excluded && at >= now + 1 - HOUR) {
        expected.total1h++;
        if (!fail) expected.good1h++;
      }
    }
    const counts = readWindowCounts(store, now, ['7d', '1h']);
    const week = counts.get('7d')?.get('a');
    expect(week).toEqual({
      total: expected.total,
      good: expected.good,
      answered: expected.total,
      within: { 200: expected.within },
    });
    expect(counts.get('1h')?.get('a')).toMatchObject({ total: expected.total1h, good: expected.good1h });
    const [availability, latency] = evaluateSlos(
      [
        slo({ checks: ['a'] }),
        slo({ name: 'lat', sli: 'latency', thresholdMs: 200, objective: 0.75, checks: ['a'] }),
      ],
      counts,
    );
    expect(availability?.windows['7d']?.sli).toBe(expected.good / expected.total);
    expect(latency?.windows['7d']?.sli).toBe(expected.within / expected.total);
    store.close();
  });

  it('the latency SLI from the rollups equals the one from the raw samples; from histograms alone, all but the threshold’s own bucket', () => {
    const file = join(dir, 'm.db');
    // Made before any latency SLO existed: the rollups have only their histograms.
    const before = MonitorStore.open(file);
    const samples: number[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 3000; i++) {
      // Log-normal around 150 ms, plus a few exactly at and around the threshold.
      const ms =
        i % 500 === 0
          ? ([200, 199.95, 200.05, 199.9, 200.2, 150][(i / 500) % 6] as number)
          : Math.exp(
              Math.log(150) +
                0.4 * Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random()),
            );
      samples.push(ms);
      before.recordRun([run('a', T0 + i * 20_000, 'pass', ms)], undefined, [], []);
    }
    const raw = samples.filter((ms) => ms <= 200).length;
    before.rollUp();
    before.close();
    // The SLO arrives: older rollups are counted from their histograms (3 significant digits:
    // the bucket holding 200 ms is 199.936–200.063 ms, its answers count as outside).
    const after = MonitorStore.open(file, { latencyThresholdsMs: [200] });
    const inBucket = samples.filter((ms) => Math.round(ms * 1000) >= 199_936 && ms <= 200).length;
    expect(inBucket).toBeGreaterThan(0);
    const fromHistograms = after.windowCounts(T0, T0 + DAY).get('a')?.within[200];
    expect(fromHistograms).toBe(raw - inBucket);
    // New runs are counted from the runs themselves: exact.
    const more: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const ms = 180 + (i % 41);
      more.push(ms);
      after.recordRun([run('a', T0 + DAY + i * 20_000, 'pass', ms)], undefined, [], []);
    }
    expect(after.windowCounts(T0 + DAY, T0 + 2 * DAY).get('a')?.within[200]).toBe(
      more.filter((ms) => ms <= 200).length,
    );
    // And the whole: the day, hour and minute rollups agree with each other.
    const whole = after.windowCounts(T0, T0 + 2 * DAY).get('a');
    expect(whole?.within[200]).toBe(raw - inBucket + more.filter((ms) => ms <= 200).length);
    expect(whole?.answered).toBe(4000);
    after.close();
  });
});

describe('SLOs by default and from the config', () => {
  const checks = [
    { name: 'health', group: 'health', type: 'health' },
    { name: 'health-ready', group: 'health', type: 'health' },
    { name: 'api-trending', group: 'api', type: 'http' },
    { name: 'api-pitch', group: 'api', type: 'http' },
    { name: 'journey-visitor', group: 'journeys', type: 'journey' },
  ];

  it('the month-1 milestone: 99.9 % uptime per group and check, the API latency percentiles and error rate', async () => {
    const targets = milestoneTargets(await loadTargets('baselines/targets.json'), 'month-1');
    const slos = defaultSlos(targets, 'month-1', checks);
    const summary = slos.map(
      (s) =>
        `${s.name} ${s.sli} ${s.objective}${s.thresholdMs ? ` ${s.thresholdMs}ms` : ''} [${s.checks.join(',')}]${s.alert ? ' alert' : ''}`,
    );
    expect(summary).toEqual([
      'health-availability availability 0.999 [health,health-ready] alert',
      'api-availability availability 0.999 [api-trending,api-pitch] alert',
      'journeys-availability availability 0.999 [journey-visitor]',
      'health-check-availability availability 0.999 [health]',
      'health-ready-availability availability 0.999 [health-ready]',
      'api-trending-availability availability 0.999 [api-trending]',
      'api-pitch-availability availability 0.999 [api-pitch]',
      'journey-visitor-availability availability 0.999 [journey-visitor]',
      'api-latency-p50 latency 0.5 100ms [api-trending,api-pitch] alert',
      'api-latency-p95 latency 0.95 300ms [api-trending,api-pitch] alert',
      'api-latency-p99 latency 0.99 500ms [api-trending,api-pitch] alert',
      'api-errors availability 0.995 [api-trending,api-pitch]',
    ]);
    expect(slos[0]?.origin).toBe('milestone month-1: uptime rate>=0.999');
  });

  it('the config’s SLOs resolve groups and globs, and one that covers nothing is an error naming it', () => {
    const config = parseConfig(
      {
        monitor: {
          slos: [
            { name: 'api-fast', sli: 'latency', objective: 0.95, threshold: '200ms', checks: ['api-*'] },
            { name: 'health-up', objective: 0.9999, group: 'health', alert: false },
          ],
        },
      },
      'test config',
    );
    const slos = slosFromConfig(config.monitor.slos ?? [], checks);
    expect(slos.map((s) => [s.name, s.thresholdMs, s.checks])).toEqual([
      ['api-fast', 200, ['api-trending', 'api-pitch']],
      ['health-up', undefined, ['health', 'health-ready']],
    ]);
    expect(() =>
      slosFromConfig([{ ...(config.monitor.slos?.[0] as SloConfig), checks: ['nope-*'] }], checks),
    ).toThrow(/monitor\.slos\[0\] \("api-fast"\): no check matches checks \["nope-\*"\]/);
    expect(() =>
      parseConfig({ monitor: { slos: [{ name: 'x', sli: 'latency', objective: 0.9 }] } }, 'perf.config.ts'),
    ).toThrow(/a latency SLO needs a threshold/);
    expect(() =>
      parseConfig({ monitor: { slos: [{ name: 'x', objective: 99.9 }] } }, 'perf.config.ts'),
    ).toThrow(/objective/);
  });
});

describe('burn-rate alerts in the monitor', () => {
  /** Four API checks every 30 s on a clock the test moves; check "a" fails while `world.outage`. */
  const world = { clock: T0, outage: false };
  const sloMonitor = () => {
    const config = parseConfig(
      {
        monitor: {
          checks: ['a', 'b', 'c', 'd'].map((name) => ({
            name,
            type: 'http',
            url: `/${name}`,
            every: '30s',
            group: 'api',
          })),
          retry: { strategy: 'none' },
          // The checks' own incidents stay quiet: only the SLO alert is under test.
          incidents: { failureThreshold: 100 },
          slos: [{ name: 'api-availability', objective: 0.999, group: 'api' }],
          channels: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/hook' }],
        },
      },
      'test config',
    );
    return new Monitor({
      config,
      baseUrl: new URL('http://127.0.0.1:9/'),
      database: join(dir, 'monitor.db'),
      log: () => {},
      now: () => world.clock,
      slos: slosFromConfig(
        config.monitor.slos ?? [],
        [...'abcd'].map((name) => ({ name, group: 'api', type: 'http' })),
      ),
      probe: async (check): Promise<AttemptResult> =>
        world.outage && check.name === 'a'
          ? { outcome: 'fail', durationMs: 5, httpStatus: 500, errorClass: 'http', message: 'HTTP 500' }
          : { outcome: 'pass', durationMs: 20, httpStatus: 200 },
    });
  };
  const stepOf =
    (monitor: Monitor, onFail: () => void = () => {}) =>
    async () => {
      for (const check of monitor.checks) {
        const record = await monitor.runCheck(check, performance.now());
        if (record.attempts.at(-1)?.outcome === 'fail') onFail();
      }
      world.clock += 30_000;
      return monitor.evaluateSlos();
    };
  beforeEach(() => {
    world.clock = T0;
    world.outage = false;
  });

  it('an outage burning 2 % of a 30-day budget within an hour pages once and resolves once', async () => {
    const monitor = sloMonitor();
    // 4 checks every 30 s: 11,520 runs a day; 2 % of a 99.9 % 30-day budget is 6.9 bad runs.
    const budgetShare = (bad: number) => bad / (0.001 * 4 * 2 * 60 * 24 * 30);
    const log: string[] = [];
    let failed = 0;
    const evaluate = stepOf(monitor, () => failed++);
    const step = async () => {
      for (const status of await evaluate())
        for (const rule of status.firing)
          log.push(`${Math.round((world.clock - T0) / MINUTE)} min ${rule.severity}`);
    };
    // A day and a half of passing runs, so every alert window is full.
    while (world.clock < T0 + 36 * HOUR) await step();
    world.outage = true;
    while (failed < 7) await step();
    world.outage = false;
    expect(budgetShare(failed)).toBeGreaterThanOrEqual(0.02);
    expect(budgetShare(failed)).toBeLessThan(0.021);
    while (world.clock < T0 + 40 * HOUR) await step();
    const key = sloAlertKey('api-availability', 'page');
    const incidents = monitor.store.incidents({ check: key });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.resolvedAt).toBeDefined();
    // Resolved once the 5-minute window holds no failure (or the hour no longer burns 14.4×).
    expect((incidents[0]?.resolvedAt as number) - (incidents[0]?.openedAt as number)).toBeLessThanOrEqual(
      6 * MINUTE,
    );
    expect(monitor.store.deliveries({ check: key }).map((d) => d.event)).toEqual(['trigger', 'resolve']);
    // No ticket: a day's window holds 7 bad of ~11,500 (0.6×), three days' even less.
    expect(monitor.store.incidents({ check: sloAlertKey('api-availability', 'ticket') })).toEqual([]);
    expect(log.every((l) => l.endsWith('page'))).toBe(true);
    expect(JSON.parse(monitor.store.deliveries({ check: key })[0]?.payload as string).summary).toMatch(
      /ERROR BUDGET BURNING slo:api-availability:page: SLO api-availability \(99\.9 % of group api runs pass\) burns its error budget 1\d\.\d× over 1h/,
    );
    await monitor.stop();
  }, 120_000);

  it('killed while paging: the page stays open across the restart, resolves once after it, and never triggers twice', async () => {
    const first = sloMonitor();
    const step = stepOf(first);
    // Two hours: the page's windows (1 h, 5 min) are full.
    while (world.clock < T0 + 2 * HOUR) await step();
    world.outage = true;
    const key = sloAlertKey('api-availability', 'page');
    while (!first.store.incidents({ check: key, open: true }).length) await step();
    // kill -9: no stop(), nothing flushed beyond what each run committed; the outage goes on.
    first.store.close();
    world.clock += 2 * MINUTE;
    const second = sloMonitor();
    const again = stepOf(second);
    await again();
    expect(second.store.incidents({ check: key })).toHaveLength(1);
    world.outage = false;
    // The clock jumps two hours ahead (a suspended VM): the windows are then clean.
    world.clock += 2 * HOUR;
    for (let i = 0; i < 20; i++) await again();
    const incidents = second.store.incidents({ check: key });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.resolvedAt).toBeDefined();
    expect(second.store.deliveries({ check: key }).map((d) => d.event)).toEqual(['trigger', 'resolve']);
    await second.stop();
  }, 120_000);
});
