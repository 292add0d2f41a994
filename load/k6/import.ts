/**
 * Imports k6 results into the one result schema (core/results.ts), so a run made with k6 itself
 * is judged by the same targets as our own engines. Three inputs (shared notes k6.md §4):
 * - handleSummary() `data`: metrics keyed by `name` or `name{tag:value}`, each {type, contains,
 *   values, thresholds: {expr: {ok}}};
 * - the legacy `--summary-export` JSON: the same values flattened, Rate's `rate` renamed `value`,
 *   thresholds as {expr: boolean} where true means the threshold FAILED;
 * - `--out json` NDJSON: Metric lines, then Point lines, from which exact histograms are rebuilt.
 * Parsing is pure; only readK6Results touches the file system.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { PerfError } from '../../core/errors.ts';
import {
  createHistogram,
  type Histogram,
  insufficientPercentiles,
  recordMicros,
} from '../../core/histogram.ts';
import { rateMetric, trendFromHistogram } from '../../core/metrics.ts';
import type { CounterMetric, GaugeMetric, Item, Metric, TrendMetric } from '../../core/results.ts';

export class K6ImportError extends PerfError {}

/** One of k6's own threshold outcomes, kept so a caller can show them beside our verdicts. */
export interface K6Threshold {
  /** The metric key as k6 wrote it, e.g. "http_req_duration{name:login}". */
  metric: string;
  expression: string;
  ok: boolean;
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

type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
type TrendValues = TrendMetric['values'];
type Unit = TrendMetric['unit'];

// ---------------------------------------------------------------------------------------------
// Metric keys and items

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

/** Same tags regardless of order, for finding a trend's sibling counter or rate. */
function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * Items in the order they were first met, the overall one first. The `name` tag picks the item
 * (k6 URL grouping); any other tags stay in the metric key, so item "login" holds
 * "http_req_duration" and "http_req_duration{expected_response:true}" side by side.
 */
class ItemSet {
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
class Notes {
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

function unitOf(contains: string | undefined): Unit {
  if (contains === 'time') return 'ms';
  if (contains === 'data') return 'bytes';
  return 'unitless';
}

// ---------------------------------------------------------------------------------------------
// Summaries (handleSummary data and the legacy export share everything after parsing)

/** One metric of a summary, whichever of the two shapes it came from. */
interface SummaryEntry {
  key: string;
  base: string;
  tags: Record<string, string>;
  type: MetricType;
  contains: string | undefined;
  values: Record<string, number | null>;
}

const TREND_STATS: Record<string, keyof TrendValues> = { avg: 'mean', min: 'min', med: 'med', max: 'max' };
const PERCENTILE_SLOTS = new Map<number, keyof TrendValues>([
  [50, 'med'],
  [90, 'p90'],
  [95, 'p95'],
  [99, 'p99'],
  [99.9, 'p99.9'],
]);

/** The schema slot of a k6 trend statistic ("avg", "p(95)", "p(99.90)"), if it has one. */
function slotOf(stat: string): keyof TrendValues | undefined {
  const named = TREND_STATS[stat];
  if (named) return named;
  const match = /^p\(\s*([0-9.]+)\s*\)$/.exec(stat);
  return match ? PERCENTILE_SLOTS.get(Number(match[1])) : undefined;
}

const value = (entry: SummaryEntry | undefined, stat: string): number | undefined =>
  entry?.values[stat] ?? undefined;

/**
 * How many samples a summary trend rests on. Summaries hold statistics, not samples, and k6 only
 * reports `count` when summaryTrendStats asks for it. 0 would read as "not measured", and a guess
 * from the whole test would let a percentile of a small sub-metric pass on samples it never had,
 * so the count comes, in this order, from:
 * 1. the trend's own `count`, when k6 reported it (exact);
 * 2. the counter or rate k6 emits once per sample of that trend, with the same tags: every HTTP
 *    request adds one sample to each http_req_* trend, to http_reqs and to http_req_failed
 *    (whose "false" samples are exactly the expected_response:true ones); grpc_reqs likewise;
 *    iterations for iteration_duration (a lower bound: setup/teardown may add a few durations);
 * 3. otherwise 1: k6 reported statistics, so at least one sample existed. It is the honest lower
 *    bound: avg/min/max/med can be judged, every percentile is marked insufficient and so can
 *    only be "inconclusive", never a pass it has not earned.
 */
function trendCount(entry: SummaryEntry, all: SummaryEntry[]): { count: number; from: string | undefined } {
  const own = value(entry, 'count');
  if (own !== undefined && Number.isInteger(own) && own >= 0) return { count: own, from: 'k6 count' };
  const find = (base: string, tags: Record<string, string>) =>
    all.find((e) => e.base === base && sameTags(e.tags, tags));
  const { expected_response: expected, ...otherTags } = entry.tags;
  const candidates: [SummaryEntry | undefined, string, number | undefined][] = [];
  if (entry.base.startsWith('http_req_') && expected !== undefined) {
    const failed = find('http_req_failed', otherTags);
    const stat = expected === 'true' ? 'fails' : 'passes';
    candidates.push([failed, stat, value(failed, stat)]);
  } else if (entry.base.startsWith('http_req_')) {
    const reqs = find('http_reqs', entry.tags);
    const failed = find('http_req_failed', entry.tags);
    const passes = value(failed, 'passes');
    const fails = value(failed, 'fails');
    candidates.push([reqs, 'count', value(reqs, 'count')]);
    candidates.push([
      failed,
      'passes+fails',
      passes !== undefined && fails !== undefined ? passes + fails : undefined,
    ]);
  } else if (entry.base === 'grpc_req_duration') {
    const reqs = find('grpc_reqs', entry.tags);
    candidates.push([reqs, 'count', value(reqs, 'count')]);
  } else if (entry.base === 'iteration_duration') {
    const iterations = find('iterations', entry.tags);
    candidates.push([iterations, 'count', value(iterations, 'count')]);
  }
  for (const [sibling, stat, count] of candidates) {
    if (sibling && count !== undefined && Number.isInteger(count) && count > 0)
      return { count, from: `${sibling.key} ${stat}` };
  }
  const reported = Object.values(entry.values).some((v) => v !== null);
  return { count: reported ? 1 : 0, from: undefined };
}

function trendFromSummary(entry: SummaryEntry, all: SummaryEntry[], notes: Notes): TrendMetric {
  const values: TrendValues = {
    min: null,
    mean: null,
    med: null,
    p90: null,
    p95: null,
    p99: null,
    'p99.9': null,
    max: null,
  };
  for (const [stat, v] of Object.entries(entry.values)) {
    if (stat === 'count') continue;
    const slot = slotOf(stat);
    if (slot) values[slot] = v;
    else notes.addTo('k6 statistics the result schema has no slot for (left out)', `${entry.key} ${stat}`);
  }
  const { count, from } = trendCount(entry, all);
  if (from === undefined)
    notes.addTo(
      'sample count unknown, set to 1, the least it can be (percentiles marked insufficient)',
      entry.key,
    );
  else if (from !== 'k6 count') notes.addTo(`sample count taken from ${from}`, entry.key);
  // No histogram: a summary carries k6's statistics only, so there is nothing exact to merge.
  return {
    type: 'trend',
    unit: trendUnit(entry),
    count,
    values,
    insufficient: insufficientPercentiles(count),
  };
}

/** k6's built-in time trends, for the legacy export, which drops `contains`. */
const TIME_TRENDS =
  /^(http_req_|grpc_req_duration$|ws_connecting$|ws_ping$|ws_session_duration$|browser_)|_duration$/;

function trendUnit(entry: SummaryEntry): Unit {
  if (entry.contains !== undefined) return unitOf(entry.contains);
  return TIME_TRENDS.test(entry.base) ? 'ms' : 'unitless';
}

function rateFromSummary(entry: SummaryEntry, source: string): Metric {
  const passes = value(entry, 'passes');
  const fails = value(entry, 'fails');
  const whole = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 0;
  if (!whole(passes) || !whole(fails))
    throw new K6ImportError(`${source}: rate metric ${entry.key} has no whole passes/fails counts`);
  return rateMetric(passes, passes + fails);
}

/**
 * A summary gives a counter's total, not how many samples added to it. k6's built-in counters
 * add 1 per event (http_reqs, iterations, dropped_iterations) or a byte count, so `count` = total
 * as counterMetric does for our own engines; a fractional custom total rounds up (≥ 1 sample).
 */
function counterFromSummary(entry: SummaryEntry, source: string): CounterMetric {
  const total = value(entry, 'count');
  if (total === undefined || total < 0)
    throw new K6ImportError(`${source}: counter metric ${entry.key} has no non-negative count`);
  return {
    type: 'counter',
    unit: entry.contains === 'data' || /^data_(sent|received)$/.test(entry.base) ? 'bytes' : 'count',
    count: Math.ceil(total),
    total,
    // k6's own per-second rate over the test run: the legacy export has no duration to redo it.
    ratePerSecond: value(entry, 'rate') ?? null,
  };
}

/** A gauge keeps only its last value, which is the one sample a threshold on it reads. */
function gaugeFromSummary(entry: SummaryEntry): GaugeMetric {
  const last = value(entry, 'value') ?? null;
  return { type: 'gauge', unit: unitOf(entry.contains), count: last === null ? 0 : 1, value: last };
}

function metricFromSummary(entry: SummaryEntry, all: SummaryEntry[], source: string, notes: Notes): Metric {
  switch (entry.type) {
    case 'trend':
      return trendFromSummary(entry, all, notes);
    case 'rate':
      return rateFromSummary(entry, source);
    case 'counter':
      return counterFromSummary(entry, source);
    case 'gauge':
      return gaugeFromSummary(entry);
  }
}

function importEntries(
  format: K6Format,
  entries: SummaryEntry[],
  k6Thresholds: K6Threshold[],
  source: string,
): K6Import {
  if (entries.length === 0) throw new K6ImportError(`${source}: the k6 ${format} holds no metrics`);
  const notes = new Notes();
  notes.add(`imported from ${source} (k6 ${format}): statistics only, no histograms`);
  const items = new ItemSet();
  for (const entry of entries)
    items.put(entry.base, entry.tags, metricFromSummary(entry, entries, source, notes));
  for (const t of k6Thresholds.filter((t) => !t.ok))
    notes.add(`k6 threshold crossed: ${t.metric} "${t.expression}"`);
  return { format, items: items.list(), notes: notes.list(), k6Thresholds };
}

function schemaError(source: string, what: string, error: z.ZodError): K6ImportError {
  const issue = error.issues[0];
  const where = issue?.path.map(String).join('.') || '(root)';
  return new K6ImportError(`${source}: not ${what}: ${where}: ${issue?.message}`);
}

const handleSummarySchema = z.object({
  metrics: z.record(
    z.string(),
    z.object({
      type: z.enum(['counter', 'gauge', 'rate', 'trend']),
      contains: z.string().optional(),
      // null: JSON.stringify writes k6's NaN (e.g. a trend with no samples) as null.
      values: z.record(z.string(), z.number().nullable()),
      thresholds: z.record(z.string(), z.object({ ok: z.boolean() })).optional(),
    }),
  ),
});

/** handleSummary(data) → items: one overall item, one per `name` tag, k6's threshold outcomes. */
export function importHandleSummary(data: unknown, source: string): K6Import {
  const parsed = handleSummarySchema.safeParse(data);
  if (!parsed.success) throw schemaError(source, 'k6 handleSummary data', parsed.error);
  const entries: SummaryEntry[] = [];
  const thresholds: K6Threshold[] = [];
  for (const [key, metric] of Object.entries(parsed.data.metrics)) {
    entries.push({
      key,
      ...splitMetricKey(key),
      type: metric.type,
      contains: metric.contains,
      values: metric.values,
    });
    for (const [expression, { ok }] of Object.entries(metric.thresholds ?? {}))
      thresholds.push({ metric: key, expression, ok });
  }
  return importEntries('handleSummary', entries, thresholds, source);
}

const legacySchema = z.object({
  metrics: z.record(
    z.string(),
    z.object({ thresholds: z.record(z.string(), z.boolean()).optional() }).catchall(z.number().nullable()),
  ),
});

const TREND_STAT = /^(avg|min|med|max|count|p\(\s*[0-9.]+\s*\))$/;

/** The legacy export drops `type`, so it is read from the keys each type always has. */
function legacyType(values: Record<string, number | null>): MetricType | undefined {
  const keys = Object.keys(values);
  if ('passes' in values && 'fails' in values) return 'rate';
  if ('value' in values) return 'gauge';
  if (keys.length === 2 && 'count' in values && 'rate' in values) return 'counter';
  if (keys.length > 0 && keys.every((k) => TREND_STAT.test(k))) return 'trend';
  return undefined;
}

/** The legacy `--summary-export` JSON: flattened values, and thresholds {expr: failed}. */
export function importSummaryExport(data: unknown, source: string): K6Import {
  const parsed = legacySchema.safeParse(data);
  if (!parsed.success) throw schemaError(source, 'a k6 --summary-export', parsed.error);
  const entries: SummaryEntry[] = [];
  const thresholds: K6Threshold[] = [];
  for (const [key, metric] of Object.entries(parsed.data.metrics)) {
    const { thresholds: exported, ...flat } = metric;
    const values = flat as Record<string, number | null>;
    const type = legacyType(values);
    if (!type) {
      throw new K6ImportError(
        `${source}: metrics.${key} is not a k6 counter, gauge, rate or trend (keys: ${Object.keys(values).join(', ') || 'none'})`,
      );
    }
    // The export renames Rate's `rate` to `value`; nothing needs renaming back, because a rate
    // is rebuilt from passes/fails (rateMetric), which both shapes carry.
    entries.push({ key, ...splitMetricKey(key), type, contains: undefined, values });
    // true means the threshold FAILED: the export writes !ok.
    for (const [expression, failed] of Object.entries(exported ?? {}))
      thresholds.push({ metric: key, expression, ok: !failed });
  }
  return importEntries('summary-export', entries, thresholds, source);
}

// ---------------------------------------------------------------------------------------------
// --out json NDJSON: exact histograms from every Point

const metricLineSchema = z.object({
  type: z.literal('Metric'),
  metric: z.string().min(1),
  data: z.object({
    type: z.enum(['counter', 'gauge', 'rate', 'trend']),
    contains: z.string().optional(),
    thresholds: z.array(z.string()).nullable().optional(),
  }),
});

const pointLineSchema = z.object({
  type: z.literal('Point'),
  metric: z.string().min(1),
  data: z.object({
    time: z.string().optional(),
    value: z.unknown(),
    tags: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});

type Accumulator =
  | { type: 'trend'; histogram: Histogram }
  | { type: 'rate'; trues: number; count: number }
  | { type: 'counter'; total: number; count: number }
  | { type: 'gauge'; last: number; count: number };

interface Declared {
  type: MetricType;
  contains: string | undefined;
  /** Set when a value cannot go into a histogram (negative); the metric is then left out. */
  unrecordable?: string;
}

/** Running state of an NDJSON import: declared metrics, one accumulator per (group, metric). */
class NdjsonState {
  readonly declared = new Map<string, Declared>();
  /** '' = overall; otherwise the value of the `name` tag. */
  readonly groups = new Map<string, Map<string, Accumulator>>([['', new Map()]]);
  readonly thresholds: string[] = [];
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;

  add(group: string, metric: string, declared: Declared, v: number): void {
    let accumulators = this.groups.get(group);
    if (!accumulators) {
      accumulators = new Map();
      this.groups.set(group, accumulators);
    }
    let acc = accumulators.get(metric);
    if (!acc) {
      acc = newAccumulator(declared.type);
      accumulators.set(metric, acc);
    }
    accumulate(acc, v);
  }
}

function newAccumulator(type: MetricType): Accumulator {
  switch (type) {
    case 'trend':
      return { type, histogram: createHistogram() };
    case 'rate':
      return { type, trues: 0, count: 0 };
    case 'counter':
      return { type, total: 0, count: 0 };
    case 'gauge':
      return { type, last: 0, count: 0 };
  }
}

function accumulate(acc: Accumulator, v: number): void {
  switch (acc.type) {
    case 'trend':
      // ms (or bytes, or plain numbers) × 1000 as integers: µs for time metrics, as our engines do.
      recordMicros(acc.histogram, v * 1000);
      return;
    case 'rate':
      // k6's RateSink counts any non-zero value as true.
      if (v !== 0) acc.trues++;
      acc.count++;
      return;
    case 'counter':
      acc.total += v;
      acc.count++;
      return;
    case 'gauge':
      acc.last = v;
      acc.count++;
  }
}

function lineError(source: string, line: number, what: string): K6ImportError {
  return new K6ImportError(`${source}:${line}: ${what}`);
}

function parseLine(text: string, source: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw lineError(source, line, `not JSON: ${(error as Error).message}`);
  }
}

function readMetricLine(json: unknown, state: NdjsonState, source: string, line: number): void {
  const parsed = metricLineSchema.safeParse(json);
  if (!parsed.success) throw lineError(source, line, `not a k6 Metric line: ${issueText(parsed.error)}`);
  const { metric, data } = parsed.data;
  const known = state.declared.get(metric);
  if (known && known.type !== data.type)
    throw lineError(source, line, `metric ${metric} declared again as ${data.type}, was ${known.type}`);
  if (!known) state.declared.set(metric, { type: data.type, contains: data.contains });
  for (const expression of data.thresholds ?? []) state.thresholds.push(`${metric} "${expression}"`);
}

function readPointLine(json: unknown, state: NdjsonState, source: string, line: number): void {
  const parsed = pointLineSchema.safeParse(json);
  if (!parsed.success) throw lineError(source, line, `not a k6 Point line: ${issueText(parsed.error)}`);
  const { metric, data } = parsed.data;
  const declared = state.declared.get(metric);
  if (!declared) throw lineError(source, line, `Point of ${metric} comes before its Metric line`);
  const v = data.value;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw lineError(source, line, `value of ${metric} is ${JSON.stringify(v)}, not a number`);
  if (declared.type === 'trend' && v < 0) {
    declared.unrecordable ??= `line ${line} has ${v}`;
    return;
  }
  const time = data.time === undefined ? Number.NaN : Date.parse(data.time);
  if (Number.isFinite(time)) {
    state.firstMs = Math.min(state.firstMs, time);
    state.lastMs = Math.max(state.lastMs, time);
  }
  state.add('', metric, declared, v);
  const name = data.tags?.name;
  if (typeof name === 'string' && name !== '') state.add(name, metric, declared, v);
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message}`;
}

function metricFromAccumulator(acc: Accumulator, declared: Declared, seconds: number): Metric {
  const unit = unitOf(declared.contains);
  switch (acc.type) {
    case 'trend':
      return trendFromHistogram(acc.histogram, unit, 1000);
    case 'rate':
      return rateMetric(acc.trues, acc.count);
    case 'counter':
      return {
        type: 'counter',
        unit: declared.contains === 'data' ? 'bytes' : 'count',
        count: acc.count,
        total: acc.total,
        ratePerSecond: seconds > 0 ? acc.total / seconds : null,
      };
    case 'gauge':
      return { type: 'gauge', unit, count: acc.count, value: acc.last };
  }
}

/**
 * `--out json` NDJSON → items with exact histograms, rebuilt from every Point of every trend,
 * per `name` tag and overall, so percentiles are ours (nearest rank, within 0.1 %) and merge
 * with other runs. Rates count non-zero points as true; counters sum; gauges keep the last value.
 */
export function importNdjson(text: string, source: string): K6Import {
  const state = new NdjsonState();
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const line = index + 1;
    const json = parseLine(raw, source, line);
    const type = (json as { type?: unknown } | null)?.type;
    if (type === 'Metric') readMetricLine(json, state, source, line);
    else if (type === 'Point') readPointLine(json, state, source, line);
    else
      throw lineError(
        source,
        line,
        `"type" is ${JSON.stringify(type)}; k6 --out json lines are "Metric" or "Point"`,
      );
  }
  if (state.declared.size === 0) throw new K6ImportError(`${source}: no k6 Metric or Point lines`);
  return ndjsonResult(state, source);
}

function ndjsonResult(state: NdjsonState, source: string): K6Import {
  // k6 divides counters by the test run's duration; the NDJSON has only point times, so the
  // span from the first to the last point stands in for it (a little short: it starts at the
  // first sample, not at the start of the test).
  const seconds = (state.lastMs - state.firstMs) / 1000;
  const notes = new Notes();
  notes.add(`imported from ${source} (k6 --out json): histograms rebuilt from every point`);
  const items = new ItemSet();
  for (const [group, accumulators] of state.groups) {
    for (const [metric, acc] of accumulators) {
      const declared = state.declared.get(metric) as Declared;
      if (declared.unrecordable) continue;
      items.put(metric, group === '' ? {} : { name: group }, metricFromAccumulator(acc, declared, seconds));
    }
  }
  for (const [metric, declared] of state.declared) {
    if (declared.unrecordable)
      notes.add(`${metric} left out: a histogram cannot hold negative values (${declared.unrecordable})`);
  }
  for (const t of state.thresholds)
    notes.addTo('k6 thresholds declared, but --out json does not record their outcomes', t);
  return { format: 'ndjson', items: items.list(), notes: notes.list(), k6Thresholds: [] };
}

// ---------------------------------------------------------------------------------------------
// Dispatch and the file entry

/** True when the first non-empty line is an NDJSON Metric or Point envelope. */
function looksLikeNdjson(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return false;
  try {
    const type = (JSON.parse(first) as { type?: unknown } | null)?.type;
    return type === 'Metric' || type === 'Point';
  } catch {
    return false;
  }
}

/** handleSummary data: `metrics` entries carry `type` and `values`; the legacy export flattens them. */
function looksLikeHandleSummary(data: unknown): boolean {
  const metrics = (data as { metrics?: unknown } | null)?.metrics;
  if (typeof metrics !== 'object' || metrics === null) return false;
  const entries = Object.values(metrics);
  return (
    entries.length > 0 &&
    entries.every((e) => typeof e === 'object' && e !== null && 'type' in e && 'values' in e)
  );
}

/** Any of the three k6 outputs, told apart by content; `source` names it in errors. */
export function parseK6Results(text: string, source: string): K6Import {
  if (looksLikeNdjson(text)) return importNdjson(text, source);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new K6ImportError(
      `${source} is neither JSON (handleSummary data, --summary-export) nor k6 --out json NDJSON: ${(error as Error).message}`,
    );
  }
  if (typeof (data as { metrics?: unknown } | null)?.metrics !== 'object') {
    throw new K6ImportError(
      `${source}: not a k6 result: no "metrics" object (expected handleSummary data, a --summary-export or --out json NDJSON)`,
    );
  }
  return looksLikeHandleSummary(data) ? importHandleSummary(data, source) : importSummaryExport(data, source);
}

/** Reads a k6 result file (NDJSON may be gzipped, as `--out json=file.gz` writes it). */
export async function readK6Results(path: string): Promise<K6Import> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new K6ImportError(`cannot read the k6 results ${path}: ${(error as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new K6ImportError(`${path}: broken gzip: ${(error as Error).message}`);
    }
  }
  return parseK6Results(bytes.toString('utf8'), path);
}
