/** Builders that turn raw measurements into the result schema's metrics (pure). */
import { encodeHistogram, type Histogram, insufficientPercentiles, summarize } from './histogram.ts';
import type { CounterMetric, RateMetric, TrendMetric } from './results.ts';

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
