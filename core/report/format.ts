/** How numbers read in every report: units, rates as percentages, verdict words. */
import type { Verdict } from '../results.ts';

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
