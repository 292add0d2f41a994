/** Builders that turn raw measurements into the result schema's metrics (pure). */
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  insufficientPercentiles,
  percentile,
  recordMicros,
  summarize,
} from './histogram.ts';
import type { CounterMetric, Metric, RateMetric, TrendMetric } from './results.ts';

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** A trend from a histogram recorded in `scale` units per metric unit (ms from µs: 1000). */
export function trendFromHistogram(
  histogram: Histogram,
  unit: TrendMetric['unit'] = 'ms',
  scale = 1000,
): TrendMetric {
  const s = summarize(histogram);
  const v = (n: number) => finite(n / scale);
  return {
    type: 'trend',
    unit,
    count: s.count,
    values: {
      min: v(s.min),
      mean: v(s.mean),
      med: v(s.p50),
      p90: v(s.p90),
      p95: v(s.p95),
      p99: v(s.p99),
      'p99.9': v(s['p99.9']),
      max: v(s.max),
    },
    insufficient: insufficientPercentiles(s.count),
    histogram: { encoding: 'HdrHistogram-V2-compressed-base64', scale, data: encodeHistogram(histogram) },
  };
}

/**
 * A trend over per-iteration values (journeys, Lighthouse runs): percentiles from a histogram
 * as every trend, plus the values themselves for the regression test. Negative or missing
 * values (not measured in that iteration) are left out.
 */
export function trendFromValues(
  values: readonly (number | null | undefined)[],
  unit: TrendMetric['unit'],
  scale: number,
): TrendMetric {
  const kept = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  const histogram = createHistogram();
  for (const v of kept) recordMicros(histogram, v * scale);
  return { ...trendFromHistogram(histogram, unit, scale), samples: kept };
}

/** A k6-style rate: `passes` samples were true out of `count` (failures for http_req_failed). */
export function rateMetric(passes: number, count: number, byClass?: Record<string, number>): RateMetric {
  return {
    type: 'rate',
    unit: 'ratio',
    count,
    passes,
    fails: count - passes,
    rate: count > 0 ? passes / count : null,
    ...(byClass ? { byClass } : {}),
  };
}

export function counterMetric(
  total: number,
  seconds: number,
  unit: CounterMetric['unit'] = 'count',
): CounterMetric {
  return { type: 'counter', unit, count: total, total, ratePerSecond: seconds > 0 ? total / seconds : null };
}

/** The headline statistics of an item, for trend lines and baseline changes. */
export const KEY_STATS: Record<string, string[]> = {
  http_req_duration: ['p(95)', 'med'],
  http_req_failed: ['rate'],
  page_load: ['med'],
  lcp: ['med'],
  lh_score: ['med'],
  journey_duration: ['med'],
  step_duration: ['med'],
  checks: ['rate'],
};

/** A statistic ("med", "p(95)", "rate") of a metric, or null when it has none. */
export function statValue(metric: Metric, stat: string): number | null {
  if (metric.type === 'rate') return stat === 'rate' ? metric.rate : null;
  if (metric.type !== 'trend' || metric.count === 0) return null;
  if (stat === 'med') return metric.values.med;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat)?.[1];
  if (p === undefined) return null;
  if (metric.histogram)
    return percentile(decodeHistogram(metric.histogram.data), Number(p)) / metric.histogram.scale;
  return (metric.values as Record<string, number | null>)[`p${p}`] ?? null;
}
