/** How numbers read in every report: units, rates as percentages, verdict words. */
import type { Comparison, Verdict } from '../results.ts';

export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (unit === 'ratio') return `${(value * 100).toFixed(value !== 0 && Math.abs(value) < 0.001 ? 3 : 2)} %`;
  if (unit === 'ms')
    return `${Number.isInteger(value) ? value : value.toFixed(Math.abs(value) < 10 ? 2 : 1)} ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** "p(95)<200" with its unit: "p(95) < 200 ms"; rates as percentages: "rate < 0.50 %". */
export function formatThreshold(v: Pick<Verdict, 'threshold' | 'unit' | 'limit'>): string {
  const match = /^\s*(\S+?)\s*(>=|<=|===|==|!=|>|<)\s*\S+\s*$/.exec(v.threshold);
  if (!match) return v.threshold;
  return `${match[1]} ${match[2]} ${formatValue(v.limit, v.unit || 'unitless')}`;
}

export const STATUS_WORD: Record<Verdict['status'], string> = {
  fail: 'FAIL',
  error: 'ERROR',
  inconclusive: 'INCONCLUSIVE',
  pass: 'pass',
};

const ORDER: Record<Verdict['status'], number> = { fail: 0, error: 1, inconclusive: 2, pass: 3 };

/** Failures first, then what could not be measured, then the rest, in their original order. */
export function failuresFirst(verdicts: readonly Verdict[]): Verdict[] {
  return verdicts
    .map((v, i) => ({ v, i }))
    .sort((a, b) => ORDER[a.v.status] - ORDER[b.v.status] || a.i - b.i)
    .map(({ v }) => v);
}

export const COMPARISON_WORD: Record<Comparison['status'], string> = {
  regression: 'REGRESSION',
  inconclusive: 'INCONCLUSIVE',
  improved: 'improved',
  pass: 'pass',
};

const COMPARISON_ORDER: Record<Comparison['status'], number> = {
  regression: 0,
  inconclusive: 1,
  improved: 2,
  pass: 3,
};

/** Regressions first, then inconclusive, improved, the rest; each in its original order. */
export function regressionsFirst(comparisons: readonly Comparison[]): Comparison[] {
  return comparisons
    .map((c, i) => ({ c, i }))
    .sort((a, b) => COMPARISON_ORDER[a.c.status] - COMPARISON_ORDER[b.c.status] || a.i - b.i)
    .map(({ c }) => c);
}

/** A difference with its sign: "+1.20 ms", "−3 %"; "—" when there is none. */
export const formatSigned = (value: number | null, unit: string) =>
  value === null || !Number.isFinite(value)
    ? '—'
    : `${value > 0 ? '+' : value < 0 ? '−' : '±'}${formatValue(Math.abs(value), unit)}`;

/** "+10.2 ms (+24.5 %)": Δ in the unit and relative to the baseline. */
export function formatDelta(c: Pick<Comparison, 'delta' | 'relative' | 'unit'>): string {
  if (c.delta === null) return '—';
  const relative =
    c.relative === null
      ? ''
      : ` (${c.relative > 0 ? '+' : c.relative < 0 ? '−' : '±'}${Math.abs(c.relative * 100).toFixed(1)} %)`;
  return `${formatSigned(c.delta, c.unit)}${relative}`;
}

/** The interval of Δ: "[+8.1 ms, +12.3 ms]"; an end the samples cannot bound is "…". */
export function formatInterval(c: Pick<Comparison, 'interval' | 'unit'>): string {
  if (!c.interval) return '—';
  const [low, high] = c.interval;
  return `[${low === null ? '…' : formatSigned(low, c.unit)}, ${high === null ? '…' : formatSigned(high, c.unit)}]`;
}

export function formatP(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '—';
  if (p < 0.0001) return p === 0 ? '< 1e-15' : p.toExponential(1);
  return p.toPrecision(2);
}

/** "http_req_duration p(95)" */
export const comparedMetric = (c: Pick<Comparison, 'metric' | 'stat'>) => `${c.metric} ${c.stat}`;
