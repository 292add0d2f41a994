/**
 * What the report's sections look up by suite and item: what it was compared with (the baseline
 * or the reference), the comparisons, the verdicts; and the statistics of a metric.
 */
import type { BaselineFile, BaselineItem } from '../baselines.ts';
import type { Comparison, Metric, RunResult, SuiteResult, Verdict } from '../results.ts';
import { median } from '../stats.ts';

/** The statistic a metric is summed up by where no comparison names one. */
export function defaultStat(metric: Metric): string {
  if (metric.type === 'trend') return 'med';
  if (metric.type === 'rate') return 'rate';
  if (metric.type === 'gauge') return 'value';
  return 'total';
}

/** A statistic of a metric: "med", "p(95)", "rate", "value", "total", "mean", "max"… */
export function statOf(metric: Metric | undefined, stat: string): number | null {
  if (!metric) return null;
  if (metric.type === 'rate') return metric.rate;
  if (metric.type === 'gauge') return metric.value;
  if (metric.type === 'counter') return metric.total;
  if (metric.count === 0) return null;
  // Per-iteration samples give the true median, as the regression test reads it.
  if (stat === 'med' && metric.samples?.length) return median(metric.samples);
  const values = metric.values as Record<string, number | null>;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat)?.[1];
  if (p === '50') return values.med ?? null;
  return (p === undefined ? values[stat] : values[`p${p}`]) ?? null;
}

const key = (suite: string, item: string) => `${suite}\0${item}`;

/** What a run was compared with as a whole: its baselines, or the reference of a paired run. */
export type Side = 'baseline' | 'reference';

/** What this run's items were compared with: an item's metrics by name. */
export type ComparedItem = Pick<BaselineItem, 'metrics'>;

function baselineIndex(baselines: readonly BaselineFile[]): Map<string, ComparedItem> {
  const index = new Map<string, ComparedItem>();
  for (const file of baselines) for (const item of file.items) index.set(key(file.suite, item.name), item);
  return index;
}

function referenceIndex(suites: readonly SuiteResult[]): Map<string, ComparedItem> {
  const index = new Map<string, ComparedItem>();
  for (const suite of suites) for (const item of suite.items) index.set(key(suite.suite, item.name), item);
  return index;
}

/**
 * What the page needs to find by suite and item: what it was compared with, the comparisons, the
 * verdicts. A paired run (--compare-url) is compared with the reference deployment measured
 * interleaved in the same run, so its charts draw the reference's items, not the baseline files.
 */
export class Lookup {
  private readonly result: RunResult;
  private readonly before: Map<string, ComparedItem>;
  /** The word for what the run was compared with: "baseline", or "reference" in a paired run. */
  readonly side: Side;
  constructor(result: RunResult, baselines: readonly BaselineFile[]) {
    this.result = result;
    this.side = result.reference ? 'reference' : 'baseline';
    this.before = result.reference ? referenceIndex(result.reference.suites) : baselineIndex(baselines);
  }
  /** The baseline's item, or the reference's in a paired run. */
  compared(suite: string, item: string): ComparedItem | undefined {
    return this.before.get(key(suite, item));
  }
  comparisons(suite: string, items: readonly string[]): Comparison[] {
    return this.result.comparisons.filter((c) => c.suite === suite && items.includes(c.item));
  }
  verdicts(suite: string, items: readonly string[]): Verdict[] {
    return this.result.verdicts.filter((v) => v.suite === suite && items.includes(v.item));
  }
}
