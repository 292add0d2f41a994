/**
 * The load generator watching itself: a target can only be blamed for what the generator
 * managed to send on time. Per thread: how late iterations left against their schedule when
 * a connection was free (late because of the generator, not the target: what decides), and how
 * busy the thread's event loop was (shown). Merged across worker threads; judged by
 * generatorBound (pure).
 */
import { performance } from 'node:perf_hooks';

export interface GeneratorStats {
  threads: number;
  /** Iterations released while a connection was free. */
  sends: number;
  /** Of those, the ones that left more than LATE_MS after their intended time. */
  lateSends: number;
  maxLateMs: number;
  /**
   * The busiest thread's event-loop utilisation over the run, 0–1: reported, not deciding — the
   * engine finishes each wait on setImmediate for timing precision, so a thread sending more than
   * ~500 req/s reads near 1 while keeping its schedule perfectly.
   */
  busiest: number;
}

/** A send this late is the generator's own delay: timers are good to ~1 ms here. */
export const LATE_MS = 10;
/** More late sends than this share and the generator is the limit. */
export const LATE_SHARE = 0.01;

export interface GeneratorWatch {
  dispatched(lateMs: number): void;
  stop(): GeneratorStats;
}

export function watchGenerator(): GeneratorWatch {
  const start = performance.eventLoopUtilization();
  let sends = 0;
  let lateSends = 0;
  let maxLateMs = 0;
  return {
    dispatched(lateMs) {
      sends++;
      if (lateMs > LATE_MS) lateSends++;
      if (lateMs > maxLateMs) maxLateMs = lateMs;
    },
    stop: () => ({
      threads: 1,
      sends,
      lateSends,
      maxLateMs,
      busiest: performance.eventLoopUtilization(start).utilization,
    }),
  };
}

export function mergeGeneratorStats(all: readonly GeneratorStats[]): GeneratorStats | undefined {
  if (!all.length) return undefined;
  return {
    threads: all.reduce((n, s) => n + s.threads, 0),
    sends: all.reduce((n, s) => n + s.sends, 0),
    lateSends: all.reduce((n, s) => n + s.lateSends, 0),
    maxLateMs: Math.max(...all.map((s) => s.maxLateMs)),
    busiest: Math.max(...all.map((s) => s.busiest)),
  };
}

/** Why the generator, not the target, limited the run at `rate` req/s; undefined when it kept up. */
export function generatorBound(stats: GeneratorStats | undefined, rate: number): string | undefined {
  if (!stats) return undefined;
  const share = stats.sends ? stats.lateSends / stats.sends : 0;
  if (share <= LATE_SHARE) return undefined;
  return (
    `generator-bound at ${Math.round(rate).toLocaleString('en-US')} req/s: ${(share * 100).toFixed(1)} % of sends left over ${LATE_MS} ms late ` +
    `(up to ${Math.round(stats.maxLateMs)} ms; busiest of ${stats.threads} thread${stats.threads > 1 ? 's' : ''} ${(stats.busiest * 100).toFixed(0)} % busy) — add workers (suites.load.workers) or run distributed; the target was not judged`
  );
}
