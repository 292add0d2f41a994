/**
 * The load generator watching itself: a target can only be blamed for what the generator
 * managed to send on time. Per thread, how late each iteration left against its schedule when
 * a connection was free (late because of the generator, not the target), into an HDR
 * histogram; and how busy the thread's event loop was (shown, not deciding). Merged across
 * worker threads; judged by generatorBound (pure).
 * A generator that cannot keep up falls further behind with every send: its typical lateness
 * grows. One on a busy machine is late now and then by a scheduler's slice (~10–30 ms here with
 * two busy loops beside it) and keeps the rate; latency counts from the intended time either way.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  createHistogram,
  encodeHistogram,
  mergeHistograms,
  percentile,
  recordMicros,
} from '../core/histogram.ts';

export interface GeneratorStats {
  threads: number;
  /** Iterations released while a connection was free. */
  sends: number;
  /** How late they left, µs, encoded HDR. */
  lateness: string;
  /**
   * The busiest thread's event-loop utilisation over the run, 0–1: shown, not deciding — the
   * engine finishes each wait on setImmediate for timing precision, so a thread sending more than
   * ~500 req/s reads near 1 while keeping its schedule.
   */
  busiest: number;
  /** The worst thread's 99th-percentile event-loop delay, ms (shown). */
  loopDelayP99Ms: number;
}

/** The generator is the limit when the median send is this late, or the 95th this late. */
export const LATE_MEDIAN_MS = 5;
export const LATE_P95_MS = 50;

export interface GeneratorWatch {
  dispatched(lateMs: number): void;
  stop(): GeneratorStats;
}

export function watchGenerator(): GeneratorWatch {
  const start = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const lateness = createHistogram();
  let sends = 0;
  return {
    dispatched(lateMs) {
      sends++;
      recordMicros(lateness, Math.max(0, lateMs) * 1000);
    },
    stop: () => {
      delay.disable();
      return {
        threads: 1,
        sends,
        lateness: encodeHistogram(lateness),
        busiest: performance.eventLoopUtilization(start).utilization,
        loopDelayP99Ms: delay.count ? delay.percentile(99) / 1e6 : 0,
      };
    },
  };
}

export function mergeGeneratorStats(all: readonly GeneratorStats[]): GeneratorStats | undefined {
  if (!all.length) return undefined;
  return {
    threads: all.reduce((n, s) => n + s.threads, 0),
    sends: all.reduce((n, s) => n + s.sends, 0),
    lateness: encodeHistogram(mergeHistograms(all.map((s) => s.lateness))),
    busiest: Math.max(...all.map((s) => s.busiest)),
    loopDelayP99Ms: Math.max(...all.map((s) => s.loopDelayP99Ms)),
  };
}

/** Why the generator, not the target, limited the run at `rate` req/s; undefined when it kept up. */
export function generatorBound(stats: GeneratorStats | undefined, rate: number): string | undefined {
  if (!stats?.sends) return undefined;
  const histogram = mergeHistograms([stats.lateness]);
  const p50 = percentile(histogram, 50) / 1000;
  const p95 = percentile(histogram, 95) / 1000;
  if (p50 <= LATE_MEDIAN_MS && p95 <= LATE_P95_MS) return undefined;
  const ms = (v: number) => (v >= 10 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  return (
    `generator-bound at ${Math.round(rate).toLocaleString('en-US')} req/s: sends left late against the schedule, median ${ms(p50)} ms, P95 ${ms(p95)} ms ` +
    `(up to ${ms(histogram.maxValue / 1000)} ms; busiest of ${stats.threads} thread${stats.threads > 1 ? 's' : ''} ${(stats.busiest * 100).toFixed(0)} % busy, event-loop delay P99 ${ms(stats.loopDelayP99Ms)} ms) — add workers (suites.load.workers) or run distributed; the target was not judged`
  );
}
