/**
 * Lighthouse figures (pure): what each run measured, the representative run of several, and
 * the spread of the machine's benchmarkIndex that says whether the runs can be trusted.
 */
import type { Result as Lhr } from 'lighthouse';
import { trendFromValues } from '../core/metrics.ts';
import type { Metric } from '../core/results.ts';

export interface RunFigures {
  score: number | null;
  fcp: number | null;
  lcp: number | null;
  tbt: number | null;
  cls: number | null;
  speedIndex: number | null;
  totalBytes: number | null;
  requests: number | null;
  /** Load without throttling, as observed in the lab: the roadmap's "page load" here. */
  observedLoad: number | null;
  benchmarkIndex: number | null;
}

const numeric = (lhr: Lhr, id: string): number | null => {
  const value = lhr.audits[id]?.numericValue;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

export function figuresOf(lhr: Lhr): RunFigures {
  const items = (id: string) =>
    (lhr.audits[id]?.details as { items?: Record<string, unknown>[] } | undefined)?.items;
  const observed = items('metrics')?.[0]?.observedLoad;
  const score = lhr.categories.performance?.score;
  return {
    score: typeof score === 'number' ? score : null,
    fcp: numeric(lhr, 'first-contentful-paint'),
    lcp: numeric(lhr, 'largest-contentful-paint'),
    tbt: numeric(lhr, 'total-blocking-time'),
    cls: numeric(lhr, 'cumulative-layout-shift'),
    speedIndex: numeric(lhr, 'speed-index'),
    totalBytes: numeric(lhr, 'total-byte-weight'),
    requests: items('network-requests')?.length ?? null,
    observedLoad: typeof observed === 'number' ? observed : null,
    benchmarkIndex: lhr.environment?.benchmarkIndex ?? null,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The run nearest the medians of FCP and LCP (sum of squared relative distances), as Lighthouse
 * CI picks its representative run from FCP and TTI; TTI left Lighthouse's score, LCP is in it.
 */
export function representativeRun(runs: RunFigures[]): number {
  const keys = ['fcp', 'lcp'] as const;
  const medians = keys.map((k) => median(runs.map((r) => r[k] ?? Number.NaN).filter(Number.isFinite)));
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  runs.forEach((run, i) => {
    const distance = keys.reduce((sum, k, j) => {
      const m = medians[j] as number;
      const v = run[k];
      return sum + (v === null || !m ? 1 : ((v - m) / m) ** 2);
    }, 0);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}

/** The spread of benchmarkIndex over the runs, (max − min) / median; above 0.2 the machine was not steady. */
export function benchmarkSpread(runs: RunFigures[]): number | null {
  const values = runs.map((r) => r.benchmarkIndex).filter((v): v is number => v !== null);
  if (values.length < 2) return null;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** The runs as metrics of the result schema: each a trend over the runs, judged at its median. */
export function metricsOf(runs: RunFigures[]): Record<string, Metric> {
  const pick = (k: keyof RunFigures) => runs.map((r) => r[k]);
  return {
    page_load: trendFromValues(pick('observedLoad'), 'ms', 1000),
    lh_score: trendFromValues(pick('score'), 'score', 1000),
    fcp: trendFromValues(pick('fcp'), 'ms', 1000),
    lcp: trendFromValues(pick('lcp'), 'ms', 1000),
    tbt: trendFromValues(pick('tbt'), 'ms', 1000),
    cls: trendFromValues(pick('cls'), 'score', 10_000),
    speed_index: trendFromValues(pick('speedIndex'), 'ms', 1000),
    total_bytes: trendFromValues(pick('totalBytes'), 'bytes', 1),
    requests: trendFromValues(pick('requests'), 'count', 1),
    // The machine's speed during each run, kept so a slow run can be told from a slow page.
    benchmark_index: trendFromValues(pick('benchmarkIndex'), 'count', 1),
  };
}
