/**
 * Turns journey iterations into the common result schema (pure): per journey, its pass rate
 * and duration; per step, its duration; per page a step loaded, Navigation Timing and Web
 * Vitals as percentiles over the iterations (marked when they rest on too few samples, as
 * every trend is), and the Web Vitals "good" thresholds for the verdict.
 * Paired mode: each side's iterations aggregated alike, the reference's items named as the base's.
 */
import { rateMetric, trendFromValues } from '../core/metrics.ts';
import type { Side } from '../core/paired.ts';
import type { Item, Metric, SuiteResult, TrendMetric } from '../core/results.ts';
import type { PageSnapshot } from './collector.ts';
import type { IterationSamples } from './samples.ts';

export interface Iteration {
  project: string;
  journey: string;
  passed: boolean;
  durationMs: number;
  samples: IterationSamples;
  /** Playwright's error, when the journey failed outside a perf step. */
  error?: string;
  /** Traces and screenshots kept for a failed iteration. */
  evidence: string[];
  /** Paired mode: the deployment the iteration measured. */
  side?: Side;
  /** Paired mode: a first visit of its side, not measured. */
  warmUp?: boolean;
}

/** Web Vitals' "good" limits (web.dev), judged at the median of the iterations. */
export const VITALS_THRESHOLDS = { lcp: 'med<2500', cls: 'med<0.1', inp: 'med<200' } as const;

const numbers = (values: (number | null | undefined)[]) =>
  values.filter((v): v is number => typeof v === 'number' && v >= 0);

type PageField = Exclude<keyof PageSnapshot, 'url' | 'lcpFinal' | 'interactions' | 'inp' | 'cls'>;
const PAGE_METRICS: [string, PageField, TrendMetric['unit'], number][] = [
  ['page_load', 'load', 'ms', 1000],
  ['ttfb', 'ttfb', 'ms', 1000],
  ['dom_content_loaded', 'domContentLoaded', 'ms', 1000],
  ['fcp', 'fcp', 'ms', 1000],
  ['lcp', 'lcp', 'ms', 1000],
  ['transfer_bytes', 'transferBytes', 'bytes', 1],
  ['requests', 'requests', 'count', 1],
];

export interface Aggregate {
  items: Item[];
  notes: string[];
  thresholds: SuiteResult['thresholds'];
  /** Paired mode: the reference deployment's items, named as `items`, and its notes. */
  reference?: { items: Item[]; notes: string[] };
}

/** `on` names where the iterations ran in notes of failed ones (paired mode: the side and URL). */
export function aggregate(iterations: Iteration[], on?: string): Aggregate {
  const items: Item[] = [];
  const notes: string[] = [];
  const thresholds: SuiteResult['thresholds'] = [];
  const journeys = new Map<string, Iteration[]>();
  for (const it of iterations) {
    const key = `${it.project} ${it.journey}`;
    journeys.set(key, [...(journeys.get(key) ?? []), it]);
  }
  for (const [key, runs] of journeys) {
    const { project, journey } = runs[0] as Iteration;
    const tags = { project, journey };
    items.push({
      name: key,
      kind: 'journey',
      targets: 'none',
      tags,
      metrics: {
        checks: rateMetric(runs.filter((r) => r.passed).length, runs.length),
        journey_duration: trendFromValues(
          runs.map((r) => r.durationMs),
          'ms',
          1000,
        ),
      },
    });
    thresholds.push({ item: key, metrics: { checks: ['rate==1'] } });
    runs.forEach((r, i) => {
      if (!r.passed) {
        notes.push(
          `${key} iteration ${i + 1}${on ? ` on ${on}` : ''} failed: ${r.samples.failure ?? r.error ?? 'unknown'}${r.evidence.length ? ` (evidence: ${r.evidence.join(', ')})` : ''}`,
        );
      }
    });
    const stepNames = [...new Set(runs.flatMap((r) => r.samples.steps.map((s) => s.name)))];
    for (const step of stepNames) {
      const samples = runs.flatMap((r) => r.samples.steps.filter((s) => s.name === step));
      const pages = samples.map((s) => s.page).filter((p): p is PageSnapshot => p !== undefined);
      const metrics: Record<string, Metric> = {
        step_duration: trendFromValues(
          samples.map((s) => s.ms),
          'ms',
          1000,
        ),
      };
      const name = `${key} › ${step}`;
      if (pages.length) {
        for (const [metric, field, unit, scale] of PAGE_METRICS)
          metrics[metric] = trendFromValues(numbers(pages.map((p) => p[field])), unit, scale);
        // CLS and INP are final only when the page is left; the step's own sample carries them.
        metrics.cls = trendFromValues(numbers(samples.map((s) => s.cls ?? s.page?.cls)), 'score', 10_000);
        const inp = numbers(samples.map((s) => s.inp));
        if (inp.length) metrics.inp = trendFromValues(inp, 'ms', 1000);
        const vitals: Record<string, string[]> = {
          lcp: [VITALS_THRESHOLDS.lcp],
          cls: [VITALS_THRESHOLDS.cls],
        };
        if (inp.length) vitals.inp = [VITALS_THRESHOLDS.inp];
        thresholds.push({ item: name, metrics: vitals });
      }
      items.push({
        name,
        kind: pages.length ? 'page' : 'step',
        // The roadmap's page-load target judges every page a journey loads.
        targets: pages.length ? 'page' : 'none',
        tags: { ...tags, step, ...(pages[0] ? { url: pages[0].url } : {}) },
        metrics,
      });
    }
  }
  return { items, notes, thresholds };
}

/**
 * Paired mode: the base side's measured iterations (warm-ups left out) as `aggregate` gives
 * them, and the reference's under `reference` with the same item names, kinds and tags (a page's
 * `url` tag is the first iteration's, e.g. a pitch id that may differ between sides). A base item the reference never
 * reached (its journey failed before the step) has an empty twin there: not measured.
 * `labels` name each side in notes, e.g. "the reference http://…".
 */
export function aggregatePaired(iterations: Iteration[], labels: Record<Side, string>): Aggregate {
  const measured = iterations.filter((i) => !i.warmUp);
  const base = aggregate(
    measured.filter((i) => i.side !== 'reference'),
    labels.base,
  );
  const other = aggregate(
    measured.filter((i) => i.side === 'reference'),
    labels.reference,
  );
  // A failed warm-up counts for nothing, but is said: the measured visits will likely fail alike.
  for (const it of iterations.filter((i) => i.warmUp && !i.passed)) {
    const side = it.side === 'reference' ? other : base;
    side.notes.push(
      `${it.project} ${it.journey}: the warm-up visit on ${labels[it.side ?? 'base']} failed (not counted): ${it.samples.failure ?? it.error ?? 'no reason given'}`,
    );
  }
  const twins = new Map(other.items.map((i) => [i.name, i]));
  const items = base.items.map((twin): Item => {
    const item = twins.get(twin.name);
    twins.delete(twin.name);
    return { ...twin, tags: { ...twin.tags }, metrics: item?.metrics ?? {} };
  });
  // Steps only the reference reached: kept after the base's, though nothing compares with them.
  items.push(...twins.values());
  return { ...base, reference: { items, notes: other.notes } };
}
