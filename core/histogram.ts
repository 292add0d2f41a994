/**
 * Latency histograms: integer microseconds in an HdrHistogram (3 significant digits, so any
 * value is within 0.1 %), percentiles by nearest rank, and the V2 compressed base64 encoding
 * so histograms from runs, workers and machines merge exactly.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** The percentiles every latency metric reports (P99.9 as "p99.9"). */
export const STANDARD_PERCENTILES = [50, 90, 95, 99, 99.9] as const;

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  'p99.9': number;
  max: number;
}

export function createHistogram(): Histogram {
  return hdr.build({ numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, autoResize: true });
}

/** Records one latency; hdr-histogram-js ignores decimals, so round here rather than truncate. */
export function recordMicros(histogram: Histogram, micros: number): void {
  if (!Number.isFinite(micros) || micros < 0)
    throw new RangeError(`latency must be a finite, non-negative µs value, got ${micros}`);
  histogram.recordValue(Math.round(micros));
}

export function percentile(histogram: Histogram, p: number): number {
  if (histogram.totalCount === 0) return Number.NaN;
  return histogram.getValueAtPercentile(p);
}

/** All figures in the histogram's own unit (µs); NaN when it is empty. */
export function summarize(histogram: Histogram): LatencySummary {
  const empty = histogram.totalCount === 0;
  return {
    count: histogram.totalCount,
    min: empty ? Number.NaN : histogram.getValueAtPercentile(0),
    mean: empty ? Number.NaN : histogram.mean,
    p50: percentile(histogram, 50),
    p90: percentile(histogram, 90),
    p95: percentile(histogram, 95),
    p99: percentile(histogram, 99),
    'p99.9': percentile(histogram, 99.9),
    // The bucket's value, not the raw maxValue: the raw one is lost in encoding, and a report
    // must not change when a histogram is encoded, decoded or merged.
    max: percentile(histogram, 100),
  };
}

/**
 * The fewest samples that give a percentile meaning: p(q) needs at least 1 / (1 − q) samples,
 * so at least one sample lies above it (P95: 20, P99: 100, P99.9: 1000).
 */
export function minSamplesFor(p: number): number {
  if (p >= 100) return 1;
  return Math.ceil(1 / (1 - p / 100) - 1e-9);
}

/** Which standard percentiles rest on too few samples at this count, e.g. ["p99", "p99.9"]. */
export function insufficientPercentiles(count: number): string[] {
  return STANDARD_PERCENTILES.filter((p) => count < minSamplesFor(p)).map((p) => `p${p}`);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  try {
    return hdr.decodeFromCompressedBase64(encoded);
  } catch (error) {
    throw new Error(`not an HdrHistogram V2 compressed base64 string: ${(error as Error).message}`);
  }
}

/** The recorded values (each bucket's highest equivalent value, as percentiles report) and counts. */
export function histogramBins(histogram: Histogram): { value: number; count: number }[] {
  const bins: { value: number; count: number }[] = [];
  // Decoded and built histograms are JsHistogram subclasses, which expose the iterator.
  const iterator = (histogram as hdr.JsHistogram).recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    bins.push({ value: step.valueIteratedTo, count: step.countAtValueIteratedTo });
  }
  return bins;
}

/** Merges encoded histograms into one (exact: counts per bucket add). */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const merged = createHistogram();
  for (const item of encoded) merged.add(decodeHistogram(item));
  return merged;
}
