/**
 * Imports k6 results into the one result schema (core/results.ts), so a run made with k6 itself
 * is judged by the same targets as our own engines. Three inputs (shared notes k6.md §4):
 * - handleSummary() `data`: metrics keyed by `name` or `name{tag:value}`, each {type, contains,
 *   values, thresholds: {expr: {ok}}};
 * - the legacy `--summary-export` JSON: the same values flattened, Rate's `rate` renamed `value`,
 *   thresholds as {expr: boolean} where true means the threshold FAILED;
 * - `--out json` NDJSON (ndjson.ts): Metric lines, then Point lines, from which exact histograms
 *   are rebuilt; read line by line, so files of any size import.
 * Parsing is pure; only readK6Source / readK6Results touch the file system.
 */
import { z } from 'zod';
import { insufficientPercentiles } from '../../core/histogram.ts';
import { rateMetric } from '../../core/metrics.ts';
import type { CounterMetric, GaugeMetric, Metric, TrendMetric } from '../../core/results.ts';
import { forEachLine } from './lines.ts';
import {
  ItemSet,
  type K6Format,
  type K6Import,
  K6ImportError,
  type K6Threshold,
  type MetricType,
  Notes,
  splitMetricKey,
  type Unit,
  unitOf,
} from './model.ts';
import { importNdjson, NdjsonState, ndjsonImport } from './ndjson.ts';

export {
  type K6Format,
  type K6Import,
  K6ImportError,
  type K6Threshold,
  OVERALL_ITEM,
  splitMetricKey,
} from './model.ts';
export { importNdjson } from './ndjson.ts';

type TrendValues = TrendMetric['values'];

/** Same tags regardless of order, for finding a trend's sibling counter or rate. */
function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
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
  for (const t of k6Thresholds.filter((t) => t.ok === false))
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
// Dispatch and the file entry

/** True when the first non-empty line is an NDJSON Metric or Point envelope. */
function looksLikeNdjson(text: string): boolean {
  let first: string | undefined;
  for (let start = 0; start < text.length && first === undefined; ) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (line.trim() !== '') first = line;
    start = end < 0 ? text.length : end + 1;
  }
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

/** A summary is a few KB to a few MB; more than this in a file that is not NDJSON is neither. */
const SUMMARY_MAX_CHARS = 256 * 1024 * 1024;

/** A file read: NDJSON as its state (to merge with others, or to finish), a summary as imported. */
export type K6Source = { kind: 'ndjson'; state: NdjsonState } | { kind: 'summary'; result: K6Import };

/**
 * Reads a k6 result file, gunzipped when it is gzip (as `--out json=file.gz` writes it), line by
 * line: when the first non-empty line is a Metric or Point envelope, every line goes into one
 * NdjsonState as it is read (memory: the histograms, not the file); otherwise the lines are a
 * summary's JSON, small, parsed whole.
 */
export async function readK6Source(path: string): Promise<K6Source> {
  let state: NdjsonState | undefined;
  const summary: string[] = [];
  let chars = 0;
  let decided = false;
  await forEachLine(path, (line, number) => {
    if (state) {
      state.line(line, number);
      return;
    }
    if (!decided && line.trim() !== '') {
      decided = true;
      if (looksLikeNdjson(line)) {
        state = new NdjsonState(path);
        state.line(line, number);
        return;
      }
    }
    chars += line.length + 1;
    if (chars > SUMMARY_MAX_CHARS)
      throw new K6ImportError(
        `${path}: not k6 --out json NDJSON (line 1 is not a Metric or Point line) and too big for a k6 summary (over ${SUMMARY_MAX_CHARS / 1024 / 1024} MB)`,
      );
    summary.push(line);
  });
  if (state) return { kind: 'ndjson', state };
  return { kind: 'summary', result: parseK6Results(summary.join('\n'), path) };
}

/** Which kind of k6 output a file holds, from its first non-empty line only (cheap on any size). */
export async function sniffK6Source(path: string): Promise<K6Source['kind']> {
  let kind: K6Source['kind'] = 'summary';
  await forEachLine(path, (line) => {
    if (line.trim() === '') return undefined;
    if (looksLikeNdjson(line)) kind = 'ndjson';
    return false;
  });
  return kind;
}

/** Reads one k6 result file: any of the three outputs; NDJSON of any size, gzipped or not. */
export async function readK6Results(path: string): Promise<K6Import> {
  const source = await readK6Source(path);
  if (source.kind === 'summary') return source.result;
  const imported = ndjsonImport(
    source.state,
    `imported from ${path} (k6 --out json): histograms rebuilt from every point`,
  );
  const part = runnerPart(source.state);
  if (part) imported.notes.splice(1, 0, part);
  return imported;
}

/** A note when one file is one runner of several: judged alone, it is that runner's share only. */
function runnerPart(state: NdjsonState): string | undefined {
  const one = (tag: 'instance_id' | 'testrun_name' | 'runners') =>
    state.runner.values[tag].size === 1 ? [...state.runner.values[tag]][0] : undefined;
  const runners = Number(one('runners'));
  if (!(runners > 1)) return undefined;
  const of = one('testrun_name') === undefined ? '' : ` of ${one('testrun_name')}`;
  return `runner ${one('instance_id') ?? '?'} of ${runners}${of} alone: its share of the load only; give all ${runners} runner files to judge the whole run`;
}
