/**
 * Paired mode's confirmation round (pure), as Chromium's Pinpoint does when a first look is
 * neither clearly changed nor clearly unchanged: the journeys or pages whose first round leans
 * towards a regression are measured once more, both sides interleaved again, and judged on both
 * rounds together. A regression must hold in the combined samples, so the false-alarm rate stays
 * at alpha per comparison (the final test is an ordinary test on all samples; the first round only
 * decides whether to take more), while a real change seen dimly in the first round gets twice the
 * samples: the power a busy machine takes away comes back where it is needed, at no cost to runs
 * that are clear.
 */
import { type CompareOptions, compareItem, minimumEffect } from './compare.ts';
import { trendFromValues } from './metrics.ts';
import type { Comparison, Item, Metric } from './results.ts';

/**
 * A first round "leans towards a regression" when it is worse than the minimum effect and its
 * one-sided p is at most this (10 × the usual alpha of 0.01). With 8 a side that is most real
 * +25 % changes on a busy machine, and a few per cent of identical comparisons.
 */
export const CONFIRM_SCREEN_P = 0.1;

/** Each side's items of one suite, judged as paired mode judges them. */
export function comparePaired(
  suite: string,
  items: readonly Item[],
  reference: readonly Item[],
  options: CompareOptions,
): Comparison[] {
  const byName = new Map(reference.map((i) => [i.name, i]));
  return items.flatMap((item) => {
    const other = byName.get(item.name);
    return other
      ? compareItem(suite, item, { name: other.name, kind: other.kind, metrics: other.metrics }, options)
      : [];
  });
}

/** The comparisons that call for a confirmation round: regressions and near-regressions. */
export function leaningWorse(comparisons: readonly Comparison[], screenP = CONFIRM_SCREEN_P): Comparison[] {
  return comparisons.filter((c) => {
    if (c.status === 'regression') return true;
    if (c.status !== 'pass' || c.p === null || c.p > screenP) return false;
    if (c.delta === null || c.baseline === null) return false;
    const worse = c.better === 'lower' ? c.delta : -c.delta;
    return worse > minimumEffect(c.minEffect, c.baseline);
  });
}

/** Two rounds of one metric as one: samples pooled, counts added; what cannot be pooled, kept. */
export function mergeMetric(first: Metric, second: Metric): Metric {
  if (first.type === 'trend' && second.type === 'trend') {
    if (!first.samples || !second.samples) return first;
    const scale = first.histogram?.scale ?? 1000;
    return trendFromValues([...first.samples, ...second.samples], first.unit, scale);
  }
  if (first.type === 'rate' && second.type === 'rate') {
    const byClass = { ...first.byClass };
    for (const [k, v] of Object.entries(second.byClass ?? {})) byClass[k] = (byClass[k] ?? 0) + v;
    const count = first.count + second.count;
    const passes = first.passes + second.passes;
    return {
      ...first,
      count,
      passes,
      fails: count - passes,
      rate: count ? passes / count : null,
      ...(first.byClass || second.byClass ? { byClass } : {}),
    };
  }
  if (first.type === 'counter' && second.type === 'counter')
    return {
      ...first,
      count: first.count + second.count,
      total: first.total + second.total,
      ratePerSecond: null,
    };
  // Gauges (Lighthouse assertions' values) were judged on the first round: kept as they were.
  return first;
}

/** The first round's items with the confirmation round's samples added (same names). */
export function mergeItems(first: readonly Item[], second: readonly Item[]): Item[] {
  const byName = new Map(second.map((i) => [i.name, i]));
  return first.map((item) => {
    const more = byName.get(item.name);
    if (!more) return item;
    const metrics: Record<string, Metric> = { ...item.metrics };
    for (const [name, metric] of Object.entries(item.metrics)) {
      const other = more.metrics[name];
      if (other) metrics[name] = mergeMetric(metric, other);
    }
    return { ...item, metrics };
  });
}

/** One line for the run's notes: what leaned worse, and what is measured again. */
export function confirmationNote(leaning: readonly Comparison[], remeasured: string): string {
  const shown = leaning.slice(0, 3).map((c) => {
    const p = c.p === null ? '' : `, p = ${c.p.toPrecision(2)}`;
    const value = (v: number | null) => (v === null ? '?' : +v.toPrecision(3));
    return `${c.item} ${c.metric} ${value(c.baseline)} → ${value(c.current)}${p}`;
  });
  const more = leaning.length > 3 ? ` and ${leaning.length - 3} more` : '';
  return `confirmation round: ${shown.join('; ')}${more} leaned towards a regression in the first round; ${remeasured} measured again, both sides interleaved, and judged on both rounds together`;
}
