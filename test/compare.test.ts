import { describe, expect, it } from 'vitest';
import type { BaselineFile } from '../core/baselines.ts';
import { betterOf, type CompareOptions, compareItem, compareRun, effectFor } from '../core/compare.ts';
import { createHistogram, recordMicros } from '../core/histogram.ts';
import { rateMetric, trendFromHistogram, trendFromValues } from '../core/metrics.ts';
import { assembleResult } from '../core/pipeline.ts';
import type { Item, Metric, RunMeta, SuiteResult, TrendMetric, Verdict } from '../core/results.ts';
import { outcome } from '../core/verdict.ts';

const OPTIONS: CompareOptions = { alpha: 0.01, percentiles: [50, 95, 99], minEffect: {}, sameMachine: true };
const MACHINE: RunMeta['machine'] = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryBytes: 1e9,
  nodeVersion: 'v20',
  platform: 'linux',
};

/** Latencies around `ms` with a spread of ±10 %: the same shape each time, seeded. */
function latencies(count: number, ms: number, seed = 1): TrendMetric {
  const h = createHistogram();
  let a = seed;
  for (let i = 0; i < count; i++) {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    recordMicros(h, ms * 1000 * (0.9 + 0.2 * (a / 2 ** 31)));
  }
  return trendFromHistogram(h);
}

const item = (name: string, metrics: Record<string, Metric>, tags: Record<string, string> = {}): Item => ({
  name,
  kind: 'scenario',
  targets: 'api',
  tags,
  metrics,
});

function baselineOf(suite: string, group: string, items: Item[], machine = MACHINE): BaselineFile {
  return {
    schemaVersion: 1,
    suite,
    group,
    takenAt: '2026-11-20T00:00:00.000Z',
    runId: 'base',
    profile: 'ci',
    baseUrl: 'http://127.0.0.1:1',
    embeddedTarget: true,
    git: { commit: 'abc' },
    machine,
    items: items.map((i) => ({ name: i.name, kind: i.kind, metrics: i.metrics })),
  };
}

const PASS: Verdict = {
  suite: 'load',
  item: 'x',
  metric: 'm',
  threshold: 'p(95)<1',
  origin: 't',
  status: 'pass',
  value: 0,
  limit: 1,
  unit: 'ms',
  margin: 1,
  samples: 100,
};

const suite = (name: string, items: Item[]): SuiteResult => ({
  suite: name,
  status: 'measured',
  startedAt: '',
  durationMs: 0,
  items,
  notes: [],
  thresholds: [],
});

describe('latency histograms', () => {
  it('flags +25 % on a 40 ms endpoint at every percentile, with Δ, interval and p', () => {
    const before = item('pitches', { http_req_duration: latencies(3000, 40, 1) });
    const after = item('pitches', { http_req_duration: latencies(3000, 50, 2) });
    const result = compareItem('load', after, baselineOf('load', 'x', [before]).items[0] as never, OPTIONS);
    expect(result.map((c) => [c.stat, c.status])).toEqual([
      ['med', 'regression'],
      ['p(95)', 'regression'],
      ['p(99)', 'regression'],
    ]);
    const p95 = result[1];
    expect(p95?.method).toBe('quantile');
    expect(p95?.delta).toBeCloseTo(p95 ? (p95.current as number) - (p95.baseline as number) : 0, 9);
    expect(p95?.relative).toBeGreaterThan(0.2);
    expect(p95?.p).toBeLessThan(1e-6);
    const [low, high] = p95?.interval ?? [null, null];
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThanOrEqual(p95?.delta as number);
  });

  it('passes the same build measured twice, and calls −25 % an improvement', () => {
    const before = item('pitches', { http_req_duration: latencies(3000, 40, 1) });
    const same = item('pitches', { http_req_duration: latencies(3000, 40, 7) });
    const faster = item('pitches', { http_req_duration: latencies(3000, 30, 7) });
    const base = baselineOf('load', 'x', [before]).items[0] as never;
    expect(compareItem('load', same, base, OPTIONS).map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    expect(compareItem('load', faster, base, OPTIONS).map((c) => c.status)).toEqual([
      'improved',
      'improved',
      'improved',
    ]);
  });

  it('does not fail a significant change below the absolute floor (1 ms → 1.5 ms: +50 % but < 5 ms)', () => {
    const base = baselineOf('load', 'x', [item('me', { http_req_duration: latencies(5000, 1, 1) })]).items[0];
    const [med] = compareItem(
      'load',
      item('me', { http_req_duration: latencies(5000, 1.5, 2) }),
      base as never,
      OPTIONS,
    );
    expect(med).toMatchObject({ status: 'pass' });
    expect(med?.reason).toMatch(/within the minimum effect/);
    // With the floor lowered for this metric, the same change is a regression.
    const strict = { ...OPTIONS, minEffect: { http_req_duration: { absolute: 0.1 } } };
    expect(
      compareItem(
        'load',
        item('me', { http_req_duration: latencies(5000, 1.5, 2) }),
        base as never,
        strict,
      )[0],
    ).toMatchObject({ status: 'regression' });
  });

  it('is inconclusive, not a pass, on too few samples', () => {
    const base = baselineOf('load', 'x', [item('a', { http_req_duration: latencies(13, 40, 1) })]).items[0];
    const result = compareItem(
      'load',
      item('a', { http_req_duration: latencies(13, 80, 2) }),
      base as never,
      OPTIONS,
    );
    expect(result.map((c) => c.status)).toEqual(['regression', 'inconclusive', 'inconclusive']);
    expect(result[1]?.reason).toMatch(/too few samples \(13 baseline, 13 current\)/);
  });
});

describe('per-iteration samples', () => {
  const pageLoad = (values: number[]) => ({ page_load: trendFromValues(values, 'ms', 1000) });

  it('uses Mann-Whitney on journeys and Lighthouse runs: a 25 % slower page is a regression', () => {
    const before = [100, 104, 98, 101, 99, 103, 97, 102, 100, 105];
    const after = before.map((v) => v * 1.25);
    const base = baselineOf('synthetic', 'j', [item('p', pageLoad(before))]).items[0];
    const [c] = compareItem('synthetic', item('p', pageLoad(after)), base as never, OPTIONS);
    expect(c).toMatchObject({ method: 'mann-whitney', stat: 'med', status: 'regression', baseline: 100.5 });
    expect(c?.p).toBeLessThan(0.001);
    expect(c?.interval?.[0]).toBeGreaterThan(0);
  });

  it('flags only when confidently worse by more than the minimum effect: a +12 % shift of a noisy page is not', () => {
    const before = [100, 104, 98, 101, 99, 103, 97, 102, 100, 105];
    const base = baselineOf('synthetic', 'j', [item('p', pageLoad(before))]).items[0];
    const [c] = compareItem(
      'synthetic',
      item('p', pageLoad(before.map((v) => v * 1.12))),
      base as never,
      OPTIONS,
    );
    expect(c?.relative).toBeGreaterThan(0.1);
    expect(c).toMatchObject({ status: 'pass' });
    expect(c?.reason).toMatch(/worse by more than the minimum effect, but not significantly/);
    const [faster] = compareItem(
      'synthetic',
      item('p', pageLoad(before.map((v) => v * 0.88))),
      base as never,
      OPTIONS,
    );
    expect(faster?.reason).toMatch(/better by more than the minimum effect, but not significantly/);
  });

  it('handles zero variance: constant request counts equal pass, a step up is a regression', () => {
    const counts = (n: number) => ({ requests: trendFromValues(Array(10).fill(n), 'count', 1) });
    const base = baselineOf('lighthouse', 'p', [item('home mobile', counts(12))]).items[0];
    expect(
      compareItem('lighthouse', item('home mobile', counts(12)), base as never, OPTIONS)[0],
    ).toMatchObject({
      status: 'pass',
      p: 1,
    });
    expect(
      compareItem('lighthouse', item('home mobile', counts(14)), base as never, OPTIONS)[0],
    ).toMatchObject({
      status: 'regression',
    });
  });

  it('knows higher is better for scores: a lower Lighthouse score is the regression', () => {
    expect(betterOf('lh_score')).toBe('higher');
    expect(betterOf('checks')).toBe('higher');
    expect(betterOf('cls')).toBe('lower');
    const score = (v: number) => ({
      lh_score: trendFromValues(
        Array.from({ length: 6 }, (_, i) => v + i / 1000),
        'score',
        1000,
      ),
    });
    const base = baselineOf('lighthouse', 'p', [item('home mobile', score(0.95))]).items[0];
    expect(
      compareItem('lighthouse', item('home mobile', score(0.7)), base as never, OPTIONS)[0]?.status,
    ).toBe('regression');
    expect(
      compareItem('lighthouse', item('home mobile', score(0.99)), base as never, OPTIONS)[0]?.status,
    ).toBe('pass');
  });

  it('is inconclusive with 3 runs a side (the smallest p, 1/20, is above alpha)', () => {
    const base = baselineOf('lighthouse', 'p', [item('home mobile', pageLoad([100, 101, 102]))]).items[0];
    expect(
      compareItem('lighthouse', item('home mobile', pageLoad([300, 301, 302])), base as never, OPTIONS)[0],
    ).toMatchObject({ status: 'inconclusive', p: null });
  });
});

describe('rates', () => {
  it("flags more errors with Fisher's test; a rise from 0 to 2 of 3,000 stays within the floor", () => {
    const base = baselineOf('load', 'x', [item('a', { http_req_failed: rateMetric(0, 3000) })]).items[0];
    expect(
      compareItem('load', item('a', { http_req_failed: rateMetric(30, 3000) }), base as never, OPTIONS)[0],
    ).toMatchObject({ status: 'regression', stat: 'rate', method: 'proportion' });
    expect(
      compareItem('load', item('a', { http_req_failed: rateMetric(2, 3000) }), base as never, OPTIONS)[0],
    ).toMatchObject({ status: 'pass' });
    expect(effectFor('http_req_failed', 'ratio', OPTIONS)).toEqual({ relative: 0.1, absolute: 0.001 });
  });
});

describe('a run against its baselines', () => {
  const scenario = (ms: number, seed: number) =>
    item(
      'average-load pitches',
      { http_req_duration: latencies(3000, ms, seed) },
      { scenario: 'average-load' },
    );

  it('finds the baseline by group, lists groups without one, and fails the outcome on a regression', () => {
    const baselines = [baselineOf('load', 'average-load', [scenario(40, 1)])];
    const run = compareRun(
      [
        suite('load', [
          scenario(50, 2),
          item('spike', { http_req_duration: latencies(100, 5) }, { scenario: 'spike' }),
        ]),
      ],
      baselines,
      OPTIONS,
      { machine: MACHINE },
    );
    expect(run.missing).toEqual(['load spike']);
    expect(run.used).toEqual(baselines);
    expect(run.comparisons.filter((c) => c.status === 'regression')).toHaveLength(3);
    expect(outcome([], run.comparisons)).toMatchObject({ exitCode: 1 });
    expect(outcome([PASS], run.comparisons)).toEqual({
      status: 'fail',
      exitCode: 1,
      line: 'FAIL (3 metrics: 3 regressions)',
    });
    expect(outcome([PASS], [])).toMatchObject({ exitCode: 0 });
  });

  it('makes comparisons with a baseline from another machine inconclusive, unless told otherwise', () => {
    const other = { ...MACHINE, cpuModel: 'Other CPU', cores: 8 };
    const baselines = [baselineOf('load', 'average-load', [scenario(40, 1)], other)];
    const run = compareRun([suite('load', [scenario(50, 2)])], baselines, OPTIONS, {
      machine: MACHINE,
    });
    expect(run.comparisons.every((c) => c.status === 'inconclusive')).toBe(true);
    expect(run.comparisons[0]?.reason).toMatch(/8 × Other CPU, this run on 2 × Test CPU/);
    const anyway = compareRun(
      [suite('load', [scenario(50, 2)])],
      baselines,
      { ...OPTIONS, sameMachine: false },
      { machine: MACHINE },
    );
    expect(anyway.comparisons.every((c) => c.status === 'regression')).toBe(true);
    // Inconclusive comparisons warn by default and fail only when configured.
    expect(outcome([PASS], run.comparisons).exitCode).toBe(0);
    expect(outcome([PASS], run.comparisons, 'fail').exitCode).toBe(1);
  });
});

describe('a machine that changed during the run', () => {
  const figure = (value: number) => ({ value, spread: 0.01, repeats: 5 });
  const calibrationAt = (cpu: number) => ({
    takenAt: '2026-11-30T00:00:00.000Z',
    nodeCpu: figure(cpu),
    nodeCpuAll: figure(2 * cpu),
    browserCpu: null,
    timerJitterMs: figure(0.2),
    rttMs: null,
  });
  const meta: RunMeta = {
    id: 'run',
    startedAt: '2026-11-30T00:00:00.000Z',
    finishedAt: '2026-11-30T00:01:00.000Z',
    durationMs: 60_000,
    profile: 'ci',
    milestone: 'strictest',
    baseUrl: 'http://127.0.0.1:4000',
    embeddedTarget: true,
    git: {},
    machine: MACHINE,
    // 30 % slower at the end than at the start: a noisy neighbour arrived.
    calibration: { start: calibrationAt(5000), end: calibrationAt(3500) },
  };
  const scenario = (ms: number) =>
    item('average-load', { http_req_duration: latencies(3000, ms) }, { scenario: 'average-load' });
  const calibration = { tolerance: 0.1, figures: ['nodeCpu' as const, 'nodeCpuAll' as const] };
  const milestone = { api: [], page: [], uptime: [], none: [] } as never;

  it('makes a regression against a baseline inconclusive, saying why', () => {
    const baseline = {
      ...baselineOf('load', 'average-load', [scenario(40)]),
      calibration: meta.calibration,
    } as BaselineFile;
    const result = assembleResult(
      meta,
      [suite('load', [scenario(50)])],
      milestone,
      [],
      { dir: 'b', loaded: [{ file: 'b.json', baseline }], options: OPTIONS, inconclusive: 'warn' },
      { calibration },
    );
    expect(result.machine?.drift).toMatch(/the machine changed during this run/);
    expect(result.comparisons.some((c) => c.status === 'regression')).toBe(false);
    expect(result.comparisons.some((c) => c.reason?.includes('changed during this run'))).toBe(true);
  });

  it('still judges a paired run: both sides lived through the same change', () => {
    const result = assembleResult(meta, [suite('load', [scenario(50)])], milestone, [], undefined, {
      calibration,
      reference: { baseUrl: 'http://127.0.0.1:4001', suites: [suite('load', [scenario(40)])] },
    });
    expect(result.comparisons.some((c) => c.status === 'regression' && c.against === 'reference')).toBe(true);
  });
});
