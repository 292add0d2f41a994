import { describe, expect, it } from 'vitest';
import { createHistogram, recordMicros } from '../core/histogram.ts';
import { counterMetric, rateMetric, trendFromHistogram } from '../core/metrics.ts';
import type { Item, Metric, SuiteResult, TrendMetric, Verdict } from '../core/results.ts';
import { type MilestoneTargets, parseRules } from '../core/targets.ts';
import { parseThreshold } from '../core/threshold.ts';
import { evaluate, judge, outcome } from '../core/verdict.ts';

const t = (expression: string) => parseThreshold(expression, 'test');
function latencies(ms: number[]): TrendMetric {
  const h = createHistogram();
  for (const v of ms) recordMicros(h, v * 1000);
  return trendFromHistogram(h);
}
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i + 1));

describe('evaluate', () => {
  it('passes below the limit and fails at it (k6 "<" is strict)', () => {
    // 0.01..1 ms: below 2,048 µs the histogram is exact, so p95 is exactly 0.95 ms.
    const m = latencies(range(100, (i) => i / 100));
    expect(evaluate(m, 'd', t('p(95)<0.96'))).toMatchObject({ status: 'pass', value: 0.95, samples: 100 });
    expect(evaluate(m, 'd', t('p(95)<0.96')).margin).toBeCloseTo(0.01, 9);
    expect(evaluate(m, 'd', t('p(95)<0.95'))).toMatchObject({ status: 'fail', value: 0.95, margin: 0 });
    expect(evaluate(m, 'd', t('p(95)<=0.95'))).toMatchObject({ status: 'pass' });
  });

  it('reads larger latencies within the histogram precision (0.1 %)', () => {
    const m = latencies(range(100, (i) => i)); // 1..100 ms
    expect(evaluate(m, 'd', t('p(95)<200')).value).toBeCloseTo(95, 0);
  });

  it('computes any percentile from the histogram, and avg/med/min/max from the values', () => {
    const m = latencies(range(1000, (i) => i / 10)); // 0.1..100 ms
    expect(evaluate(m, 'd', t('p(97.5)<1000')).value).toBeCloseTo(97.5, 1);
    expect(evaluate(m, 'd', t('med<1000')).value).toBeCloseTo(50, 1);
    expect(evaluate(m, 'd', t('avg<1000')).value).toBeCloseTo(50.05, 1);
    expect(evaluate(m, 'd', t('min<1000')).value).toBeCloseTo(0.1, 2);
    expect(evaluate(m, 'd', t('max<1000')).value).toBeCloseTo(100, 0);
  });

  it('marks a pass on too few samples inconclusive, but keeps a fail a fail', () => {
    const few = latencies(range(20, () => 10));
    expect(evaluate(few, 'd', t('p(95)<100')).status).toBe('pass');
    expect(evaluate(few, 'd', t('p(99)<100'))).toMatchObject({
      status: 'inconclusive',
      reason: 'p(99) needs at least 100 samples to pass, has 20',
    });
    expect(evaluate(few, 'd', t('p(99)<5')).status).toBe('fail');
  });

  it('judges rates with enough samples to see one failure', () => {
    expect(evaluate(rateMetric(0, 200), 'f', t('rate<0.005')).status).toBe('pass');
    expect(evaluate(rateMetric(0, 199), 'f', t('rate<0.005')).status).toBe('inconclusive');
    expect(evaluate(rateMetric(1, 100), 'f', t('rate<0.005'))).toMatchObject({ status: 'fail', value: 0.01 });
    expect(evaluate(rateMetric(9999, 10_000), 'u', t('rate>=0.999')).status).toBe('pass');
    expect(evaluate(rateMetric(999, 999), 'u', t('rate>=0.999')).status).toBe('inconclusive');
  });

  it('reads counters by count and rate', () => {
    const c = counterMetric(300, 10);
    expect(evaluate(c, 'n', t('count>0'))).toMatchObject({ status: 'pass', value: 300 });
    expect(evaluate(c, 'n', t('rate>=30'))).toMatchObject({ status: 'pass', value: 30 });
  });

  it('treats a missing metric, no samples and NaN as not measured, never as a pass', () => {
    expect(evaluate(undefined, 'http_req_duration', t('p(95)<200'))).toMatchObject({
      status: 'error',
      reason: 'not measured: no http_req_duration in the result',
    });
    expect(evaluate(latencies([]), 'd', t('p(95)<200'))).toMatchObject({
      status: 'error',
      reason: /no samples/,
    });
    const nan: Metric = { type: 'gauge', unit: 'ms', count: 1, value: null };
    expect(evaluate(nan, 'g', t('value<1'))).toMatchObject({ status: 'error', reason: /not a number/ });
  });

  it('refuses an aggregation that does not fit the metric type', () => {
    expect(evaluate(rateMetric(0, 10), 'f', t('p(95)<1'))).toMatchObject({
      status: 'error',
      reason: 'p(95) does not apply to a rate metric (use rate)',
    });
    expect(evaluate(latencies([1]), 'd', t('rate<1')).reason).toMatch(/avg, min, max, med, p\(N\)/);
  });
});

const milestone: MilestoneTargets = {
  api: parseRules(
    { http_req_duration: ['p(95)<200'], http_req_failed: ['rate<0.005'] },
    'test',
    'milestone test',
  ),
  page: parseRules({ page_load: ['p(75)<1000'] }, 'test', 'milestone test'),
  uptime: [],
};
const item = (name: string, metrics: Record<string, Metric>, targets: Item['targets'] = 'api'): Item => ({
  name,
  kind: 'endpoint',
  targets,
  tags: {},
  metrics,
});
const suite = (items: Item[], extra: Partial<SuiteResult> = {}): SuiteResult => ({
  suite: 'health',
  status: 'measured',
  startedAt: '2026-01-01T00:00:00Z',
  durationMs: 1,
  items,
  notes: [],
  thresholds: [],
  ...extra,
});
const fast = () => ({
  http_req_duration: latencies(range(200, () => 1)),
  http_req_failed: rateMetric(0, 200),
});

describe('judge', () => {
  it("applies the milestone's group targets to each item", () => {
    const verdicts = judge([suite([item('/health', fast())])], milestone);
    expect(verdicts.map((v) => [v.item, v.metric, v.threshold, v.status])).toEqual([
      ['/health', 'http_req_duration', 'p(95)<200', 'pass'],
      ['/health', 'http_req_failed', 'rate<0.005', 'pass'],
    ]);
    expect(verdicts[0]).toMatchObject({
      limit: 200,
      value: 1,
      unit: 'ms',
      margin: 199,
      origin: 'milestone test',
    });
  });

  it('lets config overrides replace a metric rule for matching items, with tag filters', () => {
    const overrides = [
      {
        suite: 'health',
        item: '/health/*',
        rules: parseRules({ http_req_duration: ['p(95)<0.5'] }, 'cfg', 'config'),
      },
      { rules: parseRules({ 'checks{name:/health}': ['rate==1'] }, 'cfg', 'config') },
    ];
    const verdicts = judge(
      [suite([item('/health', { ...fast(), checks: rateMetric(200, 200) }), item('/health/ready', fast())])],
      milestone,
      overrides,
    );
    const find = (i: string, m: string) =>
      verdicts.find((v) => v.item === i && v.metric.startsWith(m)) as Verdict;
    expect(find('/health', 'http_req_duration').threshold).toBe('p(95)<200');
    expect(find('/health/ready', 'http_req_duration')).toMatchObject({
      threshold: 'p(95)<0.5',
      status: 'fail',
      origin: 'config',
    });
    expect(find('/health', 'checks').status).toBe('pass');
    expect(verdicts.some((v) => v.item === '/health/ready' && v.metric.startsWith('checks'))).toBe(false);
  });

  it('reports a suite that could not measure as an error verdict', () => {
    const verdicts = judge([suite([], { status: 'error', error: 'connect ECONNREFUSED' })], milestone);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ status: 'error', reason: /ECONNREFUSED/ });
  });

  it('an item missing a targeted metric is an error', () => {
    const verdicts = judge([suite([item('/page', {}, 'page')])], milestone);
    expect(verdicts[0]).toMatchObject({ metric: 'page_load', status: 'error' });
  });
});

describe('outcome', () => {
  const v = (status: Verdict['status']): Verdict => ({
    suite: 's',
    item: 'i',
    metric: 'm',
    threshold: 'p(95)<1',
    origin: 'o',
    status,
    value: 1,
    limit: 1,
    unit: 'ms',
    margin: 0,
    samples: 1,
    reason: status === 'error' ? 'not measured: x' : undefined,
  });
  it.each([
    [['pass', 'pass'], 0, /^PASS \(2 metrics\)$/],
    [['pass', 'fail', 'fail'], 1, /^FAIL \(2 metrics\)$/],
    [['pass', 'inconclusive'], 2, /^ERROR \(1 inconclusive/],
    [['fail', 'error'], 2, /^ERROR \(1 not measured.*also FAIL \(1 metric\)/],
    [[], 2, /nothing was judged/],
  ] as const)('%j → exit %d', (statuses, code, line) => {
    const o = outcome(statuses.map(v));
    expect(o.exitCode).toBe(code);
    expect(o.line).toMatch(line);
  });
});
