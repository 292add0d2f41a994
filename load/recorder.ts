/**
 * Collects one scenario's measurements: per request name, latency from the intended send time
 * (coordinated-omission safe) and from the actual send, errors by class, checks and bytes; per
 * second, requests, errors and P95 for plots. Its state travels between worker threads as
 * plain JSON with encoded histograms, so merging is exact.
 */
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentile,
  recordMicros,
} from '../core/histogram.ts';
import { counterMetric, rateMetric, trendFromHistogram } from '../core/metrics.ts';
import type { Item, Metric, TargetGroup } from '../core/results.ts';

export type ErrorClass = 'network' | 'timeout' | '4xx' | '5xx';

export interface Outcome {
  name: string;
  /** ms from the scenario start at which the request was meant to go (open model) or went. */
  intendedMs: number;
  sentMs: number;
  doneMs: number;
  status?: number;
  error?: ErrorClass;
  expected: boolean;
  /** undefined when the checks passed; the reason otherwise. */
  checkFailure?: string;
  bytes: number;
}

interface NameStats {
  corrected: Histogram;
  uncorrected: Histogram;
  requests: number;
  failures: Record<ErrorClass, number>;
  unexpected: number;
  checksPassed: number;
  bytes: number;
}

/**
 * One second of the series. Only the newest few seconds keep a live histogram (answers finish
 * a little out of order); older ones are kept encoded (a few hundred bytes instead of tens of
 * kilobytes), so memory does not grow with the length of a run.
 */
interface SecondStats {
  requests: number;
  errors: number;
  encoded?: string;
}

export interface RecorderState {
  names: Record<
    string,
    Omit<NameStats, 'corrected' | 'uncorrected'> & { corrected: string; uncorrected: string }
  >;
  /** Per second; `histogram` is empty when the second holds no timed request. */
  seconds: { requests: number; errors: number; histogram: string }[];
  dropped: number;
  /** Distinct check failures and how often each happened. */
  checkNotes: Record<string, number>;
  warmup: number;
}

const MAX_NOTES = 5;
const LIVE_SECONDS = 3;

export class Recorder {
  private names = new Map<string, NameStats>();
  private seconds: SecondStats[] = [];
  /** Live histograms of the newest seconds, by index; encoded into their SecondStats when old. */
  private live = new Map<number, Histogram>();
  private spare: Histogram[] = [];
  dropped = 0;
  /** Distinct check failures with their counts; the first MAX_NOTES kinds are kept. */
  private notes = new Map<string, number>();
  /** Outcomes intended before this (ms) are warm-up: counted here, not measured. */
  measureFromMs = 0;
  warmup = 0;

  private note(text: string, count = 1): void {
    const seen = this.notes.get(text);
    if (seen !== undefined) this.notes.set(text, seen + count);
    else if (this.notes.size < MAX_NOTES) this.notes.set(text, count);
  }

  /** One line per distinct check failure, with its count when it happened more than once. */
  get checkNotes(): string[] {
    return [...this.notes].map(([text, count]) =>
      count > 1 ? `${text} (×${count.toLocaleString('en-US')})` : text,
    );
  }

  private statsFor(name: string): NameStats {
    let stats = this.names.get(name);
    if (!stats) {
      stats = {
        corrected: createHistogram(),
        uncorrected: createHistogram(),
        requests: 0,
        failures: { network: 0, timeout: 0, '4xx': 0, '5xx': 0 },
        unexpected: 0,
        checksPassed: 0,
        bytes: 0,
      };
      this.names.set(name, stats);
    }
    return stats;
  }

  private second(ms: number): SecondStats {
    const index = Math.max(0, Math.floor(ms / 1000));
    while (this.seconds.length <= index) this.seconds.push({ requests: 0, errors: 0 });
    return this.seconds[index] as SecondStats;
  }

  /** The live histogram of second `index`; a second older than the live window is revived. */
  private secondHistogram(index: number): Histogram {
    let histogram = this.live.get(index);
    if (histogram) return histogram;
    histogram = this.spare.pop() ?? createHistogram();
    const stats = this.seconds[index] as SecondStats;
    if (stats.encoded) histogram.add(decodeHistogram(stats.encoded));
    stats.encoded = undefined;
    this.live.set(index, histogram);
    // Keep the newest LIVE_SECONDS live; encode the rest and reuse their histograms.
    const newest = Math.max(...this.live.keys());
    for (const [i, h] of this.live) if (i <= newest - LIVE_SECONDS) this.encodeSecond(i, h);
    return histogram;
  }

  private encodeSecond(index: number, histogram: Histogram): void {
    const stats = this.seconds[index] as SecondStats;
    if (histogram.totalCount) stats.encoded = encodeHistogram(histogram);
    histogram.reset();
    this.live.delete(index);
    this.spare.push(histogram);
  }

  private flushLive(): void {
    for (const [i, h] of this.live) this.encodeSecond(i, h);
  }

  record(o: Outcome): void {
    if (o.intendedMs < this.measureFromMs) {
      // Not measured, but it was carried: the per-second throughput counts it when it ends.
      this.warmup++;
      this.second(o.doneMs).requests++;
      return;
    }
    const stats = this.statsFor(o.name);
    stats.requests++;
    stats.bytes += o.bytes;
    const failed = o.error !== undefined || !o.expected;
    // Connection errors end in no time at all: timing them would flatter the percentiles.
    if (o.error !== 'network') {
      recordMicros(stats.corrected, (o.doneMs - o.intendedMs) * 1000);
      recordMicros(stats.uncorrected, (o.doneMs - o.sentMs) * 1000);
    }
    if (o.error) stats.failures[o.error]++;
    else if (!o.expected && o.status !== undefined) {
      if (o.status >= 500) stats.failures['5xx']++;
      else if (o.status >= 400) stats.failures['4xx']++;
      else stats.unexpected++;
    }
    if (!o.error && !o.checkFailure) stats.checksPassed++;
    if (o.checkFailure) this.note(`${o.name}: ${o.checkFailure}`);
    const second = this.second(o.doneMs);
    second.requests++;
    if (failed) second.errors++;
    if (o.error !== 'network') {
      recordMicros(
        this.secondHistogram(Math.max(0, Math.floor(o.doneMs / 1000))),
        (o.doneMs - o.intendedMs) * 1000,
      );
    }
  }

  /** Live view for abortOnFail: the scenario's metrics so far (same shape as the final ones). */
  liveMetrics(elapsedSeconds: number): Record<string, Metric> {
    return scenarioMetrics([...this.names.values()], this.dropped, elapsedSeconds);
  }

  liveNameMetrics(name: string, elapsedSeconds: number): Record<string, Metric> | undefined {
    const stats = this.names.get(name);
    return stats && nameMetrics(stats, elapsedSeconds);
  }

  /** The request names recorded so far, in the order first seen. */
  get requestNames(): string[] {
    return [...this.names.keys()];
  }

  /**
   * Makes sure each name has an entry (with no requests when none was recorded), so that the
   * two sides of a paired run give items of the same names.
   */
  declare(names: Iterable<string>): void {
    for (const name of names) this.statsFor(name);
  }

  get requestCount(): number {
    let n = 0;
    for (const s of this.names.values()) n += s.requests;
    return n;
  }

  toState(): RecorderState {
    const names: RecorderState['names'] = {};
    for (const [name, s] of this.names) {
      names[name] = {
        ...s,
        corrected: encodeHistogram(s.corrected),
        uncorrected: encodeHistogram(s.uncorrected),
      };
    }
    this.flushLive();
    return {
      names,
      seconds: this.seconds.map((s) => ({
        requests: s.requests,
        errors: s.errors,
        histogram: s.encoded ?? '',
      })),
      dropped: this.dropped,
      checkNotes: Object.fromEntries(this.notes),
      warmup: this.warmup,
    };
  }

  /** Adds another recorder's state (a worker's): counts add, histograms merge exactly. */
  merge(state: RecorderState): void {
    for (const [name, s] of Object.entries(state.names)) {
      const stats = this.statsFor(name);
      stats.corrected.add(decodeHistogram(s.corrected));
      stats.uncorrected.add(decodeHistogram(s.uncorrected));
      stats.requests += s.requests;
      stats.unexpected += s.unexpected;
      stats.checksPassed += s.checksPassed;
      stats.bytes += s.bytes;
      for (const k of Object.keys(stats.failures) as ErrorClass[]) stats.failures[k] += s.failures[k];
    }
    state.seconds.forEach((s, i) => {
      const second = this.second(i * 1000);
      second.requests += s.requests;
      second.errors += s.errors;
      if (s.histogram) this.secondHistogram(i).add(decodeHistogram(s.histogram));
    });
    this.flushLive();
    this.dropped += state.dropped;
    for (const [note, count] of Object.entries(state.checkNotes)) this.note(note, count);
    this.warmup += state.warmup;
  }

  /** One item for the scenario as a whole and one per request name. */
  toItems(
    scenario: string,
    elapsedSeconds: number,
    openModel: boolean,
    targets: TargetGroup = 'api',
  ): Item[] {
    const all = [...this.names.values()];
    this.flushLive();
    const series = this.seconds.map((s, t) => ({
      t,
      requests: s.requests,
      errors: s.errors,
      p95: s.encoded ? percentile(decodeHistogram(s.encoded), 95) / 1000 : null,
    }));
    const scenarioItem: Item = {
      name: scenario,
      kind: 'scenario',
      targets,
      tags: { scenario },
      metrics: scenarioMetrics(all, this.dropped, elapsedSeconds, openModel),
      series,
    };
    const requestItems: Item[] = [...this.names].map(([name, stats]) => ({
      name: `${scenario} ${name}`,
      kind: 'request',
      // Judged by the scenario's per-name thresholds (k6 tag filters), not by the roadmap:
      // a name with 3 % of the traffic rarely has the samples a P99 or a 0.5 % rate needs.
      targets: 'none',
      tags: { scenario, name },
      metrics: nameMetrics(stats, elapsedSeconds, openModel),
    }));
    return [scenarioItem, ...requestItems];
  }
}

function failedCount(s: NameStats): number {
  return s.failures.network + s.failures.timeout + s.failures['4xx'] + s.failures['5xx'] + s.unexpected;
}

function nameMetrics(s: NameStats, seconds: number, openModel = true): Record<string, Metric> {
  const metrics: Record<string, Metric> = {
    http_req_duration: trendFromHistogram(s.corrected),
    http_req_failed: rateMetric(failedCount(s), s.requests, { ...s.failures, unexpected: s.unexpected }),
    checks: rateMetric(s.checksPassed, s.requests),
    http_reqs: counterMetric(s.requests, seconds),
    data_received: counterMetric(s.bytes, seconds, 'bytes'),
  };
  // In the closed model a request is sent when it is meant to be: the two figures are one.
  if (openModel) metrics.http_req_duration_uncorrected = trendFromHistogram(s.uncorrected);
  return metrics;
}

function scenarioMetrics(
  all: NameStats[],
  dropped: number,
  seconds: number,
  openModel = true,
): Record<string, Metric> {
  const corrected = createHistogram();
  const uncorrected = createHistogram();
  const sum: NameStats = {
    corrected,
    uncorrected,
    requests: 0,
    failures: { network: 0, timeout: 0, '4xx': 0, '5xx': 0 },
    unexpected: 0,
    checksPassed: 0,
    bytes: 0,
  };
  for (const s of all) {
    corrected.add(s.corrected);
    uncorrected.add(s.uncorrected);
    sum.requests += s.requests;
    sum.unexpected += s.unexpected;
    sum.checksPassed += s.checksPassed;
    sum.bytes += s.bytes;
    for (const k of Object.keys(sum.failures) as ErrorClass[]) sum.failures[k] += s.failures[k];
  }
  return {
    ...nameMetrics(sum, seconds, openModel),
    iterations: counterMetric(sum.requests, seconds),
    dropped_iterations: counterMetric(dropped, seconds),
  };
}
