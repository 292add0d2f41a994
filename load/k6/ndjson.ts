/**
 * k6 `--out json` NDJSON → items with exact histograms (shared notes k6.md §4.6): Metric lines
 * declare a metric (type, contains, thresholds), Point lines carry one sample each. Every Point
 * of a trend goes into an HDR histogram, per `name` tag and overall, so percentiles are ours
 * (nearest rank, within 0.1 %) and merge exactly with other files: histograms add.
 * Pure: lines in, state out. Reading files (streamed, gunzipped) is in import.ts.
 */
import { z } from 'zod';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  recordMicros,
} from '../../core/histogram.ts';
import { rateMetric, trendFromHistogram } from '../../core/metrics.ts';
import type { Metric } from '../../core/results.ts';
import {
  ItemSet,
  type K6Import,
  K6ImportError,
  type K6Threshold,
  type MetricType,
  Notes,
  uniqueThresholds,
  unitOf,
} from './model.ts';

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
  /** Where it was declared first, "file:line", for errors. */
  at: string;
  /** Set when a value cannot go into a histogram (negative); the metric is then left out. */
  unrecordable?: string;
}

/** The tags k6-operator adds to a runner's points (instance_id, testrun_name) and our TestRun's. */
/** An accumulator as plain data: a histogram crosses a thread boundary encoded. */
type PlainAccumulator = Exclude<Accumulator, { type: 'trend' }> | { type: 'trend'; encoded: string };

/** An NdjsonState as plain data, to be sent from the worker thread that read the file. */
export interface NdjsonTransfer {
  source: string;
  declared: [string, Declared][];
  groups: [string, [string, PlainAccumulator][]][];
  thresholds: K6Threshold[];
  runnerValues: Record<RunnerTag, string[]>;
  runnerMissing: Record<RunnerTag, number>;
  points: number;
  firstMs: number;
  lastMs: number;
}

export const RUNNER_TAGS = ['instance_id', 'testrun_name', 'run_id', 'runners'] as const;
export type RunnerTag = (typeof RUNNER_TAGS)[number];

/** The values of the runner tags seen in one file, and how many points lacked each. */
export class RunnerTags {
  readonly values: Record<RunnerTag, Set<string>> = {
    instance_id: new Set(),
    testrun_name: new Set(),
    run_id: new Set(),
    runners: new Set(),
  };
  readonly missing: Record<RunnerTag, number> = { instance_id: 0, testrun_name: 0, run_id: 0, runners: 0 };
  // Every point of a runner carries the same values: remembering the last skips the set.
  private readonly last: Record<RunnerTag, unknown> = {
    instance_id: undefined,
    testrun_name: undefined,
    run_id: undefined,
    runners: undefined,
  };

  see(tags: Record<string, unknown> | null | undefined): void {
    for (const tag of RUNNER_TAGS) {
      const v = tags?.[tag];
      if (typeof v !== 'string') this.missing[tag]++;
      else if (v !== this.last[tag]) {
        this.last[tag] = v;
        this.values[tag].add(v);
      }
    }
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

/** Another file's accumulator added into this one; the types were checked to agree. */
function absorbAccumulator(into: Accumulator, from: Accumulator): void {
  if (into.type === 'trend' && from.type === 'trend') into.histogram.add(from.histogram);
  else if (into.type === 'rate' && from.type === 'rate') {
    into.trues += from.trues;
    into.count += from.count;
  } else if (into.type === 'counter' && from.type === 'counter') {
    into.total += from.total;
    into.count += from.count;
  } else if (into.type === 'gauge' && from.type === 'gauge') {
    // Runners are parts of one test: their gauges (vus, vus_max) add up to the whole test's.
    into.last += from.last;
    into.count += from.count;
  }
}

function lineError(source: string, line: number, what: string): K6ImportError {
  return new K6ImportError(`${source}:${line}: ${what}`);
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message}`;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

interface PointJson {
  metric: string;
  data: { time?: string; value?: unknown; tags?: Record<string, unknown> | null };
}

/**
 * The Point schema's check, by hand: zod's safeParse costs three quarters of the JSON.parse
 * before it again (measured on k6-like lines), on tens of millions of lines. Only a line that fails is handed to zod, so the messages are
 * zod's own, the same as those of every other line kind.
 */
function checkPoint(json: Record<string, unknown>, source: string, line: number): PointJson {
  const data = json.data;
  const ok =
    typeof json.metric === 'string' &&
    json.metric !== '' &&
    isObject(data) &&
    (data.time === undefined || typeof data.time === 'string') &&
    (data.tags === undefined || data.tags === null || isObject(data.tags));
  if (!ok) {
    const parsed = pointLineSchema.safeParse(json);
    if (!parsed.success) throw lineError(source, line, `not a k6 Point line: ${issueText(parsed.error)}`);
  }
  return json as unknown as PointJson;
}

/** Running state of one NDJSON file: declared metrics, one accumulator per (name tag, metric). */
export class NdjsonState {
  readonly declared = new Map<string, Declared>();
  /** '' = overall; otherwise the value of the `name` tag. */
  readonly groups = new Map<string, Map<string, Accumulator>>([['', new Map()]]);
  readonly thresholds: K6Threshold[] = [];
  readonly runner = new RunnerTags();
  points = 0;
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;
  private readonly overall = this.groups.get('') as Map<string, Accumulator>;
  // A request's points share one time: parse each time text once.
  private timeText = '';
  private timeMs = Number.NaN;

  constructor(readonly source: string) {}

  /** One line of the file (numbered from 1, for errors); blank lines are skipped. */
  line(raw: string, line: number): void {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw lineError(this.source, line, `not JSON: ${(error as Error).message}`);
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (type === 'Point') this.point(checkPoint(json as Record<string, unknown>, this.source, line), line);
    else if (type === 'Metric') this.metric(json, line);
    else
      throw lineError(
        this.source,
        line,
        `"type" is ${JSON.stringify(type)}; k6 --out json lines are "Metric" or "Point"`,
      );
  }

  private metric(json: unknown, line: number): void {
    const parsed = metricLineSchema.safeParse(json);
    if (!parsed.success)
      throw lineError(this.source, line, `not a k6 Metric line: ${issueText(parsed.error)}`);
    const { metric, data } = parsed.data;
    const known = this.declared.get(metric);
    if (known && known.type !== data.type)
      throw lineError(
        this.source,
        line,
        `metric ${metric} declared again as ${data.type}, was ${known.type}`,
      );
    if (!known)
      this.declared.set(metric, { type: data.type, contains: data.contains, at: `${this.source}:${line}` });
    for (const expression of data.thresholds ?? []) this.thresholds.push({ metric, expression });
  }

  private point({ metric, data }: PointJson, line: number): void {
    const declared = this.declared.get(metric);
    if (!declared) throw lineError(this.source, line, `Point of ${metric} comes before its Metric line`);
    const v = data.value;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw lineError(this.source, line, `value of ${metric} is ${JSON.stringify(v)}, not a number`);
    this.points++;
    this.runner.see(data.tags);
    if (declared.type === 'trend' && v < 0) {
      declared.unrecordable ??= `${this.source} line ${line} has ${v}`;
      return;
    }
    if (data.time !== undefined) {
      if (data.time !== this.timeText) {
        this.timeText = data.time;
        this.timeMs = Date.parse(data.time);
      }
      if (Number.isFinite(this.timeMs)) {
        if (this.timeMs < this.firstMs) this.firstMs = this.timeMs;
        if (this.timeMs > this.lastMs) this.lastMs = this.timeMs;
      }
    }
    add(this.overall, metric, declared.type, v);
    const name = data.tags?.name;
    if (typeof name === 'string' && name !== '') {
      let group = this.groups.get(name);
      if (!group) {
        group = new Map();
        this.groups.set(name, group);
      }
      add(group, metric, declared.type, v);
    }
  }

  /** This state as plain data (histograms encoded), for postMessage. */
  toTransfer(): NdjsonTransfer {
    const plain = (acc: Accumulator): PlainAccumulator =>
      acc.type === 'trend' ? { type: 'trend', encoded: encodeHistogram(acc.histogram) } : { ...acc };
    return {
      source: this.source,
      declared: [...this.declared],
      groups: [...this.groups].map(([name, accs]) => [name, [...accs].map(([m, acc]) => [m, plain(acc)])]),
      thresholds: this.thresholds,
      runnerValues: Object.fromEntries(RUNNER_TAGS.map((t) => [t, [...this.runner.values[t]]])) as Record<
        RunnerTag,
        string[]
      >,
      runnerMissing: { ...this.runner.missing },
      points: this.points,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
    };
  }

  /** The state a worker sent, rebuilt (the inverse of toTransfer). */
  static fromTransfer(t: NdjsonTransfer): NdjsonState {
    const state = new NdjsonState(t.source);
    for (const [metric, declared] of t.declared) state.declared.set(metric, declared);
    for (const [name, accs] of t.groups) {
      const group = state.groups.get(name) ?? new Map<string, Accumulator>();
      state.groups.set(name, group);
      for (const [metric, acc] of accs)
        group.set(
          metric,
          acc.type === 'trend' ? { type: 'trend', histogram: decodeHistogram(acc.encoded) } : acc,
        );
    }
    state.thresholds.push(...t.thresholds);
    for (const tag of RUNNER_TAGS) {
      for (const v of t.runnerValues[tag]) state.runner.values[tag].add(v);
      state.runner.missing[tag] = t.runnerMissing[tag];
    }
    state.points = t.points;
    state.firstMs = t.firstMs;
    state.lastMs = t.lastMs;
    return state;
  }

  /**
   * Another file's points added to these, as if one file held them all: histograms, rates and
   * counters add exactly; gauges add their last values (each runner's VUs make the test's).
   */
  absorb(other: NdjsonState): void {
    for (const [metric, theirs] of other.declared) {
      const ours = this.declared.get(metric);
      if (ours && ours.type !== theirs.type)
        throw new K6ImportError(
          `${theirs.at}: metric ${metric} is a ${theirs.type} here but a ${ours.type} in ${ours.at}: these files are not runners of one script`,
        );
      if (!ours) this.declared.set(metric, { ...theirs });
      else if (theirs.unrecordable) ours.unrecordable ??= theirs.unrecordable;
    }
    for (const [name, accumulators] of other.groups) {
      let group = this.groups.get(name);
      if (!group) {
        group = new Map();
        this.groups.set(name, group);
      }
      for (const [metric, acc] of accumulators) {
        const ours = group.get(metric);
        if (ours) absorbAccumulator(ours, acc);
        else {
          const fresh = newAccumulator(acc.type);
          absorbAccumulator(fresh, acc);
          group.set(metric, fresh);
        }
      }
    }
    this.thresholds.push(...other.thresholds);
    this.points += other.points;
    this.firstMs = Math.min(this.firstMs, other.firstMs);
    this.lastMs = Math.max(this.lastMs, other.lastMs);
  }
}

function add(group: Map<string, Accumulator>, metric: string, type: MetricType, v: number): void {
  let acc = group.get(metric);
  if (!acc) {
    acc = newAccumulator(type);
    group.set(metric, acc);
  }
  accumulate(acc, v);
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

/** The import of a finished state; `headline` is the first note (where the points came from). */
export function ndjsonImport(state: NdjsonState, headline: string): K6Import {
  if (state.declared.size === 0) throw new K6ImportError(`${state.source}: no k6 Metric or Point lines`);
  // k6 divides counters by the test run's duration; the NDJSON has only point times, so the
  // span from the first to the last point stands in for it (a little short: it starts at the
  // first sample, not at the start of the test).
  const seconds = (state.lastMs - state.firstMs) / 1000;
  const notes = new Notes();
  notes.add(headline);
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
  const k6Thresholds = uniqueThresholds(state.thresholds);
  if (k6Thresholds.length)
    notes.add(
      `k6 thresholds declared in the NDJSON, judged here on these figures (--out json records no outcomes): ${k6Thresholds.map((t) => `${t.metric} "${t.expression}"`).join(', ')}`,
    );
  return { format: 'ndjson', items: items.list(), notes: notes.list(), k6Thresholds };
}

/**
 * `--out json` NDJSON held in memory → items with exact histograms. Rates count non-zero points
 * as true; counters sum; gauges keep the last value. Files of any size: readK6Results streams.
 */
export function importNdjson(text: string, source: string): K6Import {
  const state = new NdjsonState(source);
  let line = 0;
  for (const raw of text.split('\n')) state.line(raw, ++line);
  return ndjsonImport(state, `imported from ${source} (k6 --out json): histograms rebuilt from every point`);
}
