import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeHistogram, mergeHistograms, percentile } from '../core/histogram.ts';
import { advance, INITIAL_STATE } from '../monitor/incidents.ts';
import { maintenanceAt } from '../monitor/maintenance.ts';
import { lastDay, renderStatus } from '../monitor/status.ts';
import { type Attempt, type Delivery, MonitorStore, SCHEMA_VERSION, StoreError } from '../monitor/store.ts';

const POLICY = {
  failureThreshold: 1,
  failingForMs: 0,
  successThreshold: 1,
  reminderEveryMs: 0,
  alertOnDegraded: false,
};
const MINUTE = 60_000;

function attempt(
  at: number,
  outcome: Attempt['outcome'],
  durationMs: number,
  extra: Partial<Attempt> = {},
): Attempt {
  return { check: 'api', runId: `api@${at}`, attempt: 1, startedAt: at, durationMs, outcome, ...extra };
}

describe('monitor store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monitor-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every attempt, the state, incidents and deliveries of a run together, across a reopen', () => {
    const file = join(dir, 'm.db');
    const store = MonitorStore.open(file);
    const { state, events } = advance(
      INITIAL_STATE,
      { outcome: 'fail', at: 1_000, message: 'HTTP 500' },
      POLICY,
      (t) => `api@${t}`,
    );
    const delivery: Delivery = {
      key: 'k1',
      incidentId: 'api@1000',
      check: 'api',
      channel: 'hook',
      event: 'trigger',
      payload: '{}',
      status: 'pending',
      attempts: 0,
      nextAt: 1_000,
      createdAt: 1_000,
    };
    store.recordRun(
      [
        attempt(1_000, 'fail', 12, { errorClass: 'http', httpStatus: 500 }),
        attempt(3_000, 'fail', 11, { attempt: 2, errorClass: 'http' }),
      ],
      state,
      events,
      [delivery],
    );
    store.close();
    const again = MonitorStore.open(file);
    expect(again.attempts('api').map((a) => [a.attempt, a.final])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(again.loadStates().get('api')?.incident?.id).toBe('api@1000');
    expect(again.incidents({ open: true }).map((i) => i.id)).toEqual(['api@1000']);
    expect(again.pendingDeliveries().map((d) => d.key)).toEqual(['k1']);
    again.saveDeliveries([{ ...delivery, status: 'sent', attempts: 1, sentAt: 2_000 }]);
    expect(again.pendingDeliveries()).toEqual([]);
    expect(again.deliveries()[0]).toMatchObject({ status: 'sent', sentAt: 2_000 });
    again.close();
  });

  it('rolls up per minute and per hour with HDR histograms that merge exactly; maintenance and offline are not counted', () => {
    const store = MonitorStore.open(join(dir, 'm.db'));
    const durations: number[] = [];
    for (let i = 0; i < 120; i++) {
      const d = 10 + (i % 40);
      durations.push(d);
      store.recordRun(
        [attempt(i * 1_000, i % 30 === 0 ? 'fail' : 'pass', d, { cache: i % 2 ? 'hit' : 'miss' })],
        undefined,
        [],
        [],
      );
    }
    store.recordRun([attempt(5_000, 'fail', 999, { maintenance: 'deploy' })], undefined, [], []);
    store.recordRun(
      [attempt(6_000, 'fail', 999, { offline: true, errorClass: 'network' })],
      undefined,
      [],
      [],
    );
    const minutes = store.rollups('minute', 0, 10 * MINUTE, 'api');
    expect(minutes.map((m) => m.start)).toEqual([0, MINUTE]);
    expect(minutes[0]).toMatchObject({
      runs: 62,
      passed: 58,
      failed: 2,
      excluded: 2,
      cacheLookups: 60,
      cacheHits: 30,
    });
    const [hour] = store.rollups('hour', 0, 3_600_000, 'api');
    expect(hour).toMatchObject({ runs: 122, passed: 116, failed: 4, excluded: 2 });
    const merged = mergeHistograms(minutes.map((m) => m.histogram));
    const sorted = [...durations].sort((a, b) => a - b);
    const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
    expect(percentile(merged, 95) / 1000).toBeCloseTo(p95, 0);
    expect(percentile(decodeHistogram((hour as { histogram: string }).histogram), 95)).toBe(
      percentile(merged, 95),
    );
    store.close();
  });

  it('rollups are folded from the stored runs: after a kill (no close, no roll-up) reopening catches up', () => {
    const file = join(dir, 'm.db');
    const store = MonitorStore.open(file);
    for (let i = 0; i < 3; i++) store.recordRun([attempt(i * 1_000, 'pass', 5)], undefined, [], []);
    expect(store.getMeta('rolled_through')).toBeUndefined();
    store.db.close();
    const again = MonitorStore.open(file);
    expect(again.getMeta('rolled_through')).toBe('3');
    expect(again.rollups('minute', 0, MINUTE)[0]).toMatchObject({ runs: 3, passed: 3 });
    again.recordRun([attempt(4_000, 'fail', 5)], undefined, [], []);
    expect(again.rollups('minute', 0, MINUTE)[0]).toMatchObject({ runs: 4, failed: 1 });
    again.close();
  });

  it('status: each check with its last 24 h (uptime without maintenance, P95, cache hits) and open incidents', () => {
    const store = MonitorStore.open(join(dir, 'm.db'));
    const now = 10 * 3_600_000;
    const { state, events } = advance(
      INITIAL_STATE,
      { outcome: 'fail', at: now - 5_000, message: 'HTTP 500' },
      POLICY,
      (t) => `api@${t}`,
    );
    for (let i = 0; i < 9; i++)
      store.recordRun(
        [attempt(now - 3_600_000 + i * 1_000, 'pass', 10 + i, { cache: i < 6 ? 'hit' : 'miss' })],
        undefined,
        [],
        [],
      );
    store.recordRun([attempt(now - 60_000, 'fail', 50, { maintenance: 'deploy' })], undefined, [], []);
    store.recordRun([attempt(now - 5_000, 'fail', 40, { httpStatus: 500 })], state, events, []);
    const day = store.rollups('hour', now - 86_400_000, now + 1);
    expect(lastDay(day)).toBe('24 h: uptime 90.00 % of 10 runs, P95 40 ms, cache hits 67 %');
    const text = renderStatus(store, now);
    expect(text).toMatch(/api\s+fail\s+1 failed in a row, last run 5 s ago/);
    expect(text).toMatch(/open incidents \(1\):\n {2}api@35995000 {2}failed/);
    store.close();
  });

  it('retention deletes old attempts and minute rollups, keeps hourly ones longer', () => {
    const store = MonitorStore.open(join(dir, 'm.db'));
    const day = 86_400_000;
    store.recordRun([attempt(0, 'pass', 5)], undefined, [], []);
    store.recordRun([attempt(20 * day, 'pass', 5)], undefined, [], []);
    store.prune(20 * day, 14, 400);
    expect(store.attempts('api').map((a) => a.startedAt)).toEqual([20 * day]);
    expect(store.rollups('minute', 0, 30 * day).length).toBe(1);
    expect(store.rollups('hour', 0, 30 * day).length).toBe(2);
    store.close();
  });

  it('refuses a corrupt file or a newer schema, naming the file and what to do', async () => {
    const corrupt = join(dir, 'corrupt.db');
    await writeFile(corrupt, 'this is not a database'.repeat(300));
    expect(() => MonitorStore.open(corrupt)).toThrow(StoreError);
    expect(() => MonitorStore.open(corrupt)).toThrow(/corrupt\.db cannot be used.*move it aside/);
    const newer = join(dir, 'newer.db');
    MonitorStore.open(newer).close();
    const db = new Database(newer);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION + 1));
    db.close();
    expect(() => MonitorStore.open(newer)).toThrow(/newer\.db was written by a newer pitchey-perf/);
  });
});

describe('maintenance windows', () => {
  it('one-off and recurring (cron in a timezone), for all checks or the ones named', () => {
    const windows = [
      { name: 'deploy', start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:30:00Z', checks: ['api-*'] },
      { name: 'nightly backup', cron: '0 2 * * *', durationMs: 30 * MINUTE, timezone: 'Europe/London' },
    ];
    expect(maintenanceAt(windows, 'api-trending', Date.parse('2026-12-01T10:10:00Z'))).toBe('deploy');
    expect(maintenanceAt(windows, 'health', Date.parse('2026-12-01T10:10:00Z'))).toBeUndefined();
    expect(maintenanceAt(windows, 'api-trending', Date.parse('2026-12-01T10:30:00Z'))).toBeUndefined();
    // 02:00 London is 02:00 UTC in winter and 01:00 UTC in summer.
    expect(maintenanceAt(windows, 'health', Date.parse('2026-12-01T02:10:00Z'))).toBe('nightly backup');
    expect(maintenanceAt(windows, 'health', Date.parse('2026-12-01T02:00:00Z'))).toBe('nightly backup');
    expect(maintenanceAt(windows, 'health', Date.parse('2026-12-01T02:31:00Z'))).toBeUndefined();
    expect(maintenanceAt(windows, 'health', Date.parse('2026-07-01T01:10:00Z'))).toBe('nightly backup');
    expect(maintenanceAt(windows, 'health', Date.parse('2026-07-01T02:10:00Z'))).toBeUndefined();
  });
});
