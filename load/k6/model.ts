/**
 * What every k6 import shares: its result type, its error, metric keys, and the two builders of
 * a result (items by `name` tag, notes gathered by reason). Pure, no I/O.
 */
import { PerfError } from '../../core/errors.ts';
import type { Item, Metric, TrendMetric } from '../../core/results.ts';

export class K6ImportError extends PerfError {}

/** One k6 threshold: its outcome when k6 recorded one, so a caller can show it beside our verdicts. */
export interface K6Threshold {
  /** The metric key as k6 wrote it, e.g. "http_req_duration{name:login}". */
  metric: string;
  expression: string;
  /** k6's own outcome; undefined when k6 did not record one (--out json, or a --scenario's). */
  ok?: boolean | undefined;
}

export type K6Format = 'handleSummary' | 'summary-export' | 'ndjson';

export interface K6Import {
  format: K6Format;
  items: Item[];
  notes: string[];
  k6Thresholds: K6Threshold[];
}

/** The overall item's name: every metric without a `name` tag lands there. */
export const OVERALL_ITEM = 'k6';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
export type Unit = TrendMetric['unit'];

export function unitOf(contains: string | undefined): Unit {
  if (contains === 'time') return 'ms';
  if (contains === 'data') return 'bytes';
  return 'unitless';
}

/** Splits "http_req_duration{name:login,method:GET}" into its name and tags (k6's own rule:
 * tags separated by commas, each split at its first colon, so "group:::checkout" keeps "::"). */
export function splitMetricKey(key: string): { base: string; tags: Record<string, string> } {
  const open = key.indexOf('{');
  if (open < 1 || !key.endsWith('}')) return { base: key, tags: {} };
  const tags: Record<string, string> = {};
  for (const pair of key.slice(open + 1, -1).split(',')) {
    const colon = pair.indexOf(':');
    if (colon < 1) return { base: key, tags: {} };
    tags[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return { base: key.slice(0, open), tags };
}

function joinMetricKey(base: string, tags: Record<string, string>): string {
  const pairs = Object.entries(tags).map(([k, v]) => `${k}:${v}`);
  return pairs.length > 0 ? `${base}{${pairs.join(',')}}` : base;
}

/**
 * Items in the order they were first met, the overall one first. The `name` tag picks the item
 * (k6 URL grouping); any other tags stay in the metric key, so item "login" holds
 * "http_req_duration" and "http_req_duration{expected_response:true}" side by side.
 */
export class ItemSet {
  private readonly items = new Map<string, Item>([
    ['', { name: OVERALL_ITEM, kind: 'scenario', targets: 'api', tags: {}, metrics: {} }],
  ]);

  put(base: string, tags: Record<string, string>, metric: Metric): void {
    const { name, ...rest } = tags;
    const item = this.item(name);
    item.metrics[joinMetricKey(base, rest)] = metric;
  }

  private item(name: string | undefined): Item {
    const id = name === undefined ? '' : `request:${name}`;
    let item = this.items.get(id);
    if (!item && name !== undefined) {
      // As with our own engines, a request name is judged by the thresholds that name it
      // (k6 tag filters), the whole run by the roadmap's targets.
      item = { name, kind: 'request', targets: 'none', tags: { name }, metrics: {} };
      this.items.set(id, item);
    }
    return item as Item;
  }

  /** Items that hold at least one metric (the overall one may be empty when all are tagged). */
  list(): Item[] {
    return [...this.items.values()].filter((item) => Object.keys(item.metrics).length > 0);
  }
}

/** Notes that share a reason are gathered into one line: "counts from http_reqs: a, b, c". */
export class Notes {
  private readonly grouped = new Map<string, string[]>();
  private readonly lines: string[] = [];

  add(line: string): void {
    this.lines.push(line);
  }

  addTo(reason: string, what: string): void {
    const list = this.grouped.get(reason) ?? [];
    list.push(what);
    this.grouped.set(reason, list);
  }

  list(): string[] {
    return [...this.lines, ...[...this.grouped].map(([reason, what]) => `${reason}: ${what.join(', ')}`)];
  }
}

/** The same thresholds once each (runners declare the same ones), in the order first met. */
export function uniqueThresholds(thresholds: readonly K6Threshold[]): K6Threshold[] {
  const seen = new Map<string, K6Threshold>();
  for (const t of thresholds) {
    const key = `${t.metric}\u0000${t.expression}`;
    if (!seen.has(key)) seen.set(key, t);
  }
  return [...seen.values()];
}
