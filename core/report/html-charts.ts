/**
 * The charts' specs: what html-client.js draws with uPlot, from the JSON the page embeds.
 */
import { decodeHistogram, percentile } from '../histogram.ts';
import type { Histogram as EncodedHistogram, Item, Metric, TrendMetric } from '../results.ts';
import { escapeHtml } from './html-page.ts';

/** Points per decade of 1/(1 − p) on the percentile chart: smooth enough, a few KB per chart. */
const POINTS_PER_DECADE = 20;

export const COLORS = {
  current: '#1565c0',
  baseline: '#8d8d8d',
  errors: '#c62828',
  p95: '#ef6c00',
  lines: [
    '#1565c0',
    '#ef6c00',
    '#2e7d32',
    '#6a1b9a',
    '#00838f',
    '#ad1457',
    '#5d4037',
    '#455a64',
    '#9e9d24',
    '#c62828',
  ],
};

/** Four significant digits: what a chart can show, and a tenth of the page's size. */
const sig = (value: number) => Number(value.toPrecision(4));

export interface PercentilePoint {
  /** log10(1 / (1 − p)): 0 at the minimum, 1 at P90, 2 at P99, 3 at P99.9. */
  x: number;
  /** The percentile, 0–100. */
  p: number;
  /** The latency there, in the metric's unit. */
  value: number;
}

/**
 * The HDR-style percentile distribution of a histogram: evenly spaced in log10(1 / (1 − p)), up to
 * the highest percentile the sample count supports (p needs 1 / (1 − p) samples, so
 * x ≤ log10(count)), where the tail is drawn from samples rather than from one value.
 */
export function percentileCurve(encoded: EncodedHistogram): PercentilePoint[] {
  const histogram = decodeHistogram(encoded.data);
  const count = histogram.totalCount;
  if (count === 0) return [];
  const top = Math.log10(count);
  const xs: number[] = [];
  for (let k = 0; k / POINTS_PER_DECADE < top - 1e-9; k++) xs.push(k / POINTS_PER_DECADE);
  xs.push(top);
  return xs.map((x) => {
    const p = 100 * (1 - 10 ** -x);
    return {
      x: Number(x.toFixed(4)),
      p: Number(p.toFixed(4)),
      value: sig(percentile(histogram, p) / encoded.scale),
    };
  });
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** The right-hand axis (the per-second chart's milliseconds). */
  right?: boolean;
  dash?: boolean;
  /** Curve charts: measured points, not a line. */
  points?: boolean;
}

export interface ChartSpec {
  id: string;
  kind: 'percentiles' | 'seconds' | 'bars' | 'trend' | 'curve';
  title: string;
  /** Axis labels: left, and right when a series uses it. */
  units: { left: string; right?: string };
  x: number[];
  /** Curve charts: what x is. */
  xLabel?: string;
  /** Category names for bars and trend (x is their index). */
  labels?: string[];
  /** Trend: indexes of the runs that did not pass. */
  marks?: number[];
  /** Trend: change points, each at the index of the first run of its new level. */
  changes?: ChangeMark[];
  series: ChartSeries[];
}

/** A change point on a trend chart: a dashed line in its series' colour, and what it says. */
export interface ChangeMark {
  x: number;
  color: string;
  /** "load average-load http_req_duration p(95): 40 ms → 57 ms (+42.5 %)" */
  label: string;
}

export class Charts {
  readonly specs: ChartSpec[] = [];
  /** Registers a chart and returns the element it is drawn into. */
  add(spec: Omit<ChartSpec, 'id'>): string {
    const id = `chart-${this.specs.length}`;
    this.specs.push({ id, ...spec });
    return `<div class="chart" id="${id}" role="img" aria-label="${escapeHtml(spec.title)}"></div>`;
  }
}

/**
 * Current and baseline curves on one x grid (uPlot wants aligned data), null where one has no
 * point. `side` labels the dashed curve: "baseline", or "reference" in a paired run.
 */
export function percentileSpec(
  title: string,
  unit: string,
  current: TrendMetric,
  baseline?: Metric,
  side = 'baseline',
) {
  const curves: { label: string; color: string; dash?: boolean; points: PercentilePoint[] }[] = [];
  if (current.histogram)
    curves.push({ label: 'current', color: COLORS.current, points: percentileCurve(current.histogram) });
  if (baseline?.type === 'trend' && baseline.histogram)
    curves.push({
      label: side,
      color: COLORS.baseline,
      dash: true,
      points: percentileCurve(baseline.histogram),
    });
  const xs = [...new Set(curves.flatMap((c) => c.points.map((p) => p.x)))].sort((a, b) => a - b);
  const series = curves.map((c) => {
    const byX = new Map(c.points.map((p) => [p.x, p.value]));
    return { label: c.label, color: c.color, dash: c.dash, values: xs.map((x) => byX.get(x) ?? null) };
  });
  return { kind: 'percentiles' as const, title, units: { left: unit }, x: xs, series };
}

export function secondsSpec(title: string, series: NonNullable<Item['series']>) {
  return {
    kind: 'seconds' as const,
    title,
    units: { left: 'per second', right: 'ms' },
    x: series.map((s) => s.t),
    series: [
      { label: 'requests/s', color: COLORS.current, values: series.map((s) => s.requests) },
      { label: 'errors/s', color: COLORS.errors, values: series.map((s) => s.errors) },
      { label: 'P95 ms', color: COLORS.p95, right: true, values: series.map((s) => s.p95) },
    ],
  };
}
