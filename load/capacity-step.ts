/**
 * One step of the capacity check: the scenario's request mix at a constant arrival rate for
 * warm-up + plateau, on the open engine (across `workers` threads), measured over the plateau
 * only, into one merged HDR histogram. The generator's own health decides whether the step
 * says anything about the target.
 */

import type { StepMeasure } from '../core/capacity.ts';
import { formatDuration } from '../core/duration.ts';
import { encodeHistogram, mergeHistograms, percentile } from '../core/histogram.ts';
import { runAcrossWorkers } from './engines/run.ts';
import { generatorBound } from './generator-watch.ts';
import { parseScenario, type Scenario } from './scenario.ts';

export interface StepRun {
  baseUrl: URL;
  /** Its requests and user pool are sent; its executor and rate are the step's. */
  template: Scenario;
  rate: number;
  warmupMs: number;
  plateauMs: number;
  tokens: string[];
  signal: AbortSignal;
  workers: number;
  maxConnections: number;
}

export interface StepResult extends StepMeasure {
  /** The plateau's latency (from the intended start), encoded HDR in µs. */
  histogram: string;
}

/** Requests slower than this are failures: a step that slow has collapsed anyway. */
const STEP_TIMEOUT = '10s';

export function stepScenario(template: Scenario, rate: number, durationMs: number): Scenario {
  return parseScenario({
    name: `${template.name}-at-${String(rate).replace('.', '-')}`,
    executor: 'constant-arrival-rate',
    rate,
    timeUnit: '1s',
    duration: formatDuration(durationMs),
    // Room for a backlog of a second at the rate; connections still open only as needed.
    preAllocatedVUs: Math.max(10, Math.ceil(rate / 10)),
    maxVUs: Math.max(50, Math.ceil(rate)),
    gracefulStop: '5s',
    timeout: STEP_TIMEOUT,
    requests: template.requests,
    users: template.users,
  });
}

export async function runStep(run: StepRun): Promise<StepResult> {
  const scenario = stepScenario(run.template, run.rate, run.warmupMs + run.plateauMs);
  const result = await runAcrossWorkers(
    {
      baseUrl: run.baseUrl,
      scenario,
      tokens: run.tokens,
      signal: run.signal,
      measureFromMs: run.warmupMs,
      maxConnections: run.maxConnections,
      // A capacity step is judged on its plateau afterwards, never stopped by a threshold.
      onTick: () => undefined,
    },
    run.workers,
  );
  const state = result.recorder.toState();
  const names = Object.values(state.names);
  const merged = mergeHistograms(names.map((n) => n.corrected));
  const requests = names.reduce((n, s) => n + s.requests, 0);
  const failed = names.reduce(
    (n, s) => n + s.unexpected + Object.values(s.failures).reduce((a, b) => a + b, 0),
    0,
  );
  const ms = (p: number) => (merged.totalCount ? percentile(merged, p) / 1000 : Number.NaN);
  // Throughput: what completed within the plateau's whole seconds, whenever it was sent.
  const from = Math.ceil(run.warmupMs / 1000);
  const to = Math.floor((run.warmupMs + run.plateauMs) / 1000);
  const completed = state.seconds.slice(from, to).reduce((n, s) => n + s.requests, 0);
  return {
    offeredRps: run.rate,
    achievedRps: to > from ? completed / (to - from) : requests / (run.plateauMs / 1000),
    requests,
    failed,
    dropped: state.dropped,
    p50Ms: ms(50),
    p95Ms: ms(95),
    p99Ms: ms(99),
    meanMs: merged.totalCount ? merged.mean / 1000 : Number.NaN,
    generatorBound: generatorBound(result.generator, run.rate),
    histogram: encodeHistogram(merged),
  };
}
