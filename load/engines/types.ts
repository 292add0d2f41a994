/** What every load engine is given and gives back. */
import type { GeneratorStats } from '../generator-watch.ts';
import type { Recorder } from '../recorder.ts';
import type { Scenario } from '../scenario.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  // Timers fire late by up to a millisecond, which a send from the intended time would count
  // as latency: wake a millisecond early and finish the last stretch on setImmediate (which
  // lets I/O run between turns).
  sleep: (ms) => new Promise((resolve) => (ms >= 2 ? setTimeout(resolve, ms - 1) : setImmediate(resolve))),
};

export interface EngineRun {
  baseUrl: URL;
  scenario: Scenario;
  /** Session tokens of the scenario's user pool, used in turn by requests with `auth`. */
  tokens: string[];
  signal: AbortSignal;
  /** This engine's share when several workers split a scenario: iterations i ≡ index (mod of). */
  share?: { index: number; of: number };
  /** Called about once a second; returns a reason to stop early (abortOnFail), or undefined. */
  onTick?(recorder: Recorder, elapsedMs: number): string | undefined;
  progress?(done: number, total: number): void;
  /** Called as each request goes out, with ms since the start (tests and benchmarks). */
  onSend?(sentMs: number): void;
  seed?: number;
  /** Iterations intended before this (ms from the start) are warm-up: sent, not recorded. */
  measureFromMs?: number;
  /** Open model: at most this many connections per thread (iterations beyond wait, timed from their intended start). */
  maxConnections?: number;
  /**
   * Paired mode: the reference deployment and its user pool's tokens. The engine then
   * measures it interleaved with baseUrl (open model: every other iteration of the schedule
   * in ABBA order; closed model: ABBA slices) and returns its measurements under `reference`.
   */
  reference?: { baseUrl: URL; tokens: string[] };
}

export interface EngineResult {
  recorder: Recorder;
  elapsedMs: number;
  /** Why the run stopped early, when it did. */
  stoppedBy?: string;
  /**
   * Paired mode: the reference deployment's recorder, and the time it was measured (the whole
   * run in the open model; its own slices in the closed model, where `elapsedMs` is then the
   * base's own slices too).
   */
  reference?: { recorder: Recorder; elapsedMs: number };
  /** Open model: how well the generator kept its schedule (generator-watch.ts). */
  generator?: GeneratorStats;
}
