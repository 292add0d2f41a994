import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  insufficientPercentiles,
  mergeHistograms,
  minSamplesFor,
  percentile,
  recordMicros,
  summarize,
} from '../core/histogram.ts';

function histogramOf(values: number[]) {
  const h = createHistogram();
  for (const v of values) recordMicros(h, v);
  return h;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('histogram', () => {
  it('gives exact nearest-rank percentiles of 1..1000 µs', () => {
    const s = summarize(histogramOf(range(1, 1000)));
    expect(s).toEqual({
      count: 1000,
      min: 1,
      mean: 500.5,
      p50: 500,
      p90: 900,
      p95: 950,
      p99: 990,
      'p99.9': 999,
      max: 1000,
    });
  });

  it('stays within 0.1 % for large values', () => {
    const values = range(1, 10_000).map((v) => v * 1000); // 1 ms .. 10 s in µs
    const h = histogramOf(values);
    for (const [p, exact] of [
      [50, 5_000_000],
      [95, 9_500_000],
      [99, 9_900_000],
    ] as const) {
      expect(Math.abs(percentile(h, p) - exact) / exact).toBeLessThanOrEqual(0.001);
    }
  });

  it('rounds fractional microseconds instead of truncating, and refuses bad values', () => {
    expect(summarize(histogramOf([1.6, 1.6, 1.6])).p50).toBe(2);
    expect(() => recordMicros(createHistogram(), -1)).toThrow(/non-negative/);
    expect(() => recordMicros(createHistogram(), Number.NaN)).toThrow(/finite/);
  });

  it('reports NaN, not zero, for an empty histogram', () => {
    const s = summarize(createHistogram());
    expect(s.count).toBe(0);
    expect(s.p95).toBeNaN();
    expect(s.max).toBeNaN();
  });

  it('encodes as HdrHistogram V2 compressed base64 and decodes to the same percentiles', () => {
    const h = histogramOf(range(1, 5000).map((v) => v * 7));
    const encoded = encodeHistogram(h);
    expect(encoded.startsWith('HISTF')).toBe(true);
    expect(summarize(decodeHistogram(encoded))).toEqual(summarize(h));
    expect(() => decodeHistogram('not-a-histogram')).toThrow(/HdrHistogram V2/);
  });

  it('merges exactly: the merge of parts equals the histogram of the whole', () => {
    const a = range(1, 600);
    const b = range(601, 1000);
    const merged = mergeHistograms([encodeHistogram(histogramOf(a)), encodeHistogram(histogramOf(b))]);
    expect(summarize(merged)).toEqual(summarize(histogramOf([...a, ...b])));
  });

  it('knows how many samples a percentile needs', () => {
    expect([50, 90, 95, 99, 99.9].map(minSamplesFor)).toEqual([2, 10, 20, 100, 1000]);
    expect(insufficientPercentiles(20)).toEqual(['p99', 'p99.9']);
    expect(insufficientPercentiles(1000)).toEqual([]);
  });
});
