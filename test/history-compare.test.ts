/**
 * The nightly gate's history on recorded nights (plain data): machines that differ by ±15 % from
 * night to night raise no alarm; a sustained +25 % step is a regression on its first night and
 * becomes a change point there.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../core/history.ts';
import { comparableEntries, findChangePoints, judgeWithHistory } from '../core/history-compare.ts';
import { DEFAULT_HISTORY_OPTIONS } from '../core/history-verdict.ts';
import { seededRandom } from '../core/random.ts';
import type { Comparison, RunMeta } from '../core/results.ts';

const KEY = 'load average-load http_req_duration p(95)';
const BASE_SPEED = 4.6; // it/ms, the baseline's machine
const BASE_P95 = 40; // ms on the baseline's machine

interface Night {
  id: string;
  startedAt: string;
  speed: number;
  p95: number;
}

/** Nights on machines ±15 % apart; P95 ∝ 1/speed, 2 % noise; from `stepFrom` on, +25 %. */
function nights(seed: number, count: number, stepFrom = Number.POSITIVE_INFINITY): Night[] {
  const random = seededRandom(seed);
  const normal = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return Array.from({ length: count }, (_, i) => {
    const speed = BASE_SPEED * (0.85 + 0.3 * random());
    const p95 = BASE_P95 * (BASE_SPEED / speed) * (1 + 0.02 * normal()) * (i >= stepFrom ? 1.25 : 1);
    return { id: `night-${i}`, startedAt: new Date(Date.UTC(2026, 10, 1 + i, 2)).toISOString(), speed, p95 };
  });
}

const entryOf = (n: Night): HistoryEntry => ({
  id: n.id,
  startedAt: n.startedAt,
  profile: 'nightly',
  milestone: 'strictest',
  baseUrl: 'http://127.0.0.1:40001',
  status: 'pass',
  exitCode: 0,
  regressions: 0,
  metrics: { [KEY]: n.p95 },
  calibration: { nodeCpu: n.speed },
});

const metaOf = (n: Night): RunMeta => ({
  id: n.id,
  startedAt: n.startedAt,
  finishedAt: n.startedAt,
  durationMs: 1,
  profile: 'nightly',
  milestone: 'strictest',
  baseUrl: 'http://127.0.0.1:40777',
  embeddedTarget: true,
  git: {},
  machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 1, nodeVersion: 'v20', platform: 'linux' },
});

/**
 * What the baseline comparison says on a night, as core/compare.ts would: another machine
 * (beyond ±10 %) is inconclusive; on the same machine, worse by more than 10 % is a regression
 * (the within-run test is certain with thousands of requests).
 */
function againstBaseline(n: Night): Comparison {
  const same = Math.abs(n.speed / BASE_SPEED - 1) <= 0.1;
  const worse = n.p95 - BASE_P95 > 0.1 * BASE_P95;
  return {
    suite: 'load',
    item: 'average-load',
    metric: 'http_req_duration',
    stat: 'p(95)',
    unit: 'ms',
    better: 'lower',
    status: same ? (worse ? 'regression' : 'pass') : 'inconclusive',
    method: 'quantile',
    baseline: BASE_P95,
    current: n.p95,
    delta: n.p95 - BASE_P95,
    relative: n.p95 / BASE_P95 - 1,
    interval: null,
    p: same ? 0.001 : null,
    alpha: 0.01,
    minEffect: { relative: 0.1, absolute: 5 },
    samples: { baseline: 6000, current: 6000 },
    against: 'baseline',
    machine: same ? 'same' : 'other',
    ...(same ? {} : { reason: 'this machine is 12 % slower than the baseline’s' }),
  };
}

/** The nightly gate on night i, with the nights before it as history. */
function judgeNight(all: Night[], i: number): Comparison {
  const night = all[i] as Night;
  const [judged] = judgeWithHistory([againstBaseline(night)], metaOf(night), {
    entries: all.slice(0, i).map(entryOf),
    options: DEFAULT_HISTORY_OPTIONS,
    figures: { nodeCpu: night.speed },
  });
  return judged as Comparison;
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('the nightly gate against history', () => {
  it('raises no alarm in 20 nights whose machines differ by ±15 %, on 20 recorded histories', () => {
    let alarms = 0;
    let baselineAlarms = 0;
    for (const seed of SEEDS) {
      const all = nights(seed, 25);
      for (let i = 5; i < 25; i++) {
        if (againstBaseline(all[i] as Night).status === 'regression') baselineAlarms++;
        if (judgeNight(all, i).status === 'regression') alarms++;
      }
    }
    // The baseline alone would have failed the gate on some of these nights: the history is what saves them.
    expect(baselineAlarms).toBeGreaterThan(0);
    expect(alarms).toBeLessThanOrEqual(1);
  });

  it('flags a sustained +25 % step on its first night, on the same machine and on another', () => {
    let flagged = 0;
    for (const seed of SEEDS) {
      const all = nights(seed, 26, 20);
      const first = judgeNight(all, 20);
      if (first.status === 'regression') flagged++;
      expect(first.history?.status).toBe('outside');
      expect(first.history?.runs).toBe(20);
    }
    expect(flagged).toBeGreaterThanOrEqual(19);
  });

  it('places the change point at the first night of the step once the new level holds, and not for one noisy night', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const all = nights(seed, 26, 20);
      const last = all[25] as Night;
      const points = findChangePoints([againstBaseline(last)], metaOf(last), {
        entries: all.slice(0, 25).map(entryOf),
        options: DEFAULT_HISTORY_OPTIONS,
        figures: { nodeCpu: last.speed },
      });
      expect(points).toHaveLength(1);
      expect(points[0]).toMatchObject({ key: KEY, runId: 'night-20' });
      expect(points[0]?.relative).toBeGreaterThan(0.15);

      const noisy = nights(seed, 26);
      (noisy[20] as Night).p95 *= 1.4;
      const quiet = findChangePoints([againstBaseline(noisy[25] as Night)], metaOf(noisy[25] as Night), {
        entries: noisy.slice(0, 25).map(entryOf),
        options: DEFAULT_HISTORY_OPTIONS,
        figures: { nodeCpu: (noisy[25] as Night).speed },
      });
      expect(quiet).toEqual([]);
    }
  });

  it('says so when the history is too short, and keeps the baseline verdict', () => {
    const all = nights(3, 4, 3);
    const night = all[3] as Night;
    const comparison = { ...againstBaseline(night), status: 'regression' as const, machine: 'same' as const };
    const [judged] = judgeWithHistory([comparison], metaOf(night), {
      entries: all.slice(0, 3).map(entryOf),
      options: DEFAULT_HISTORY_OPTIONS,
      figures: { nodeCpu: night.speed },
    });
    expect(judged?.status).toBe('regression');
    expect(judged?.history?.status).toBe('insufficient');
    expect(judged?.reason).toMatch(/^history: only 3 earlier runs/);
  });

  it('uses only comparable runs: same profile and target, not paired, not drifting, not errors', () => {
    const base = entryOf(nights(1, 1)[0] as Night);
    const meta = metaOf(nights(1, 2)[1] as Night);
    const entries: HistoryEntry[] = [
      base,
      { ...base, id: 'ci', profile: 'ci' },
      { ...base, id: 'remote', baseUrl: 'https://staging.example' },
      { ...base, id: 'paired', compareUrl: 'http://127.0.0.1:4000' },
      { ...base, id: 'drift', drift: true },
      { ...base, id: 'error', status: 'error' },
    ];
    expect(comparableEntries(entries, meta).map((e) => e.id)).toEqual(['night-0']);
  });
});
