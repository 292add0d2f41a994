/**
 * A worker thread's side of a split scenario: it runs its share of the iterations with the
 * scenario's engine and posts back its recorder state (encoded histograms). A "stop" message
 * from the parent ends it early, as Ctrl-C or another worker's abortOnFail does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../scenario.ts';
import { runEngine } from './run.ts';

interface WorkerInput {
  scenario: Scenario;
  baseUrl: string;
  tokens: string[];
  share: { index: number; of: number };
  reference?: { baseUrl: string; tokens: string[] };
  measureFromMs?: number;
  maxConnections?: number;
}

const input = workerData as WorkerInput;
const stop = new AbortController();
parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') stop.abort();
});

const result = await runEngine({
  scenario: input.scenario,
  baseUrl: new URL(input.baseUrl),
  tokens: input.tokens,
  share: input.share,
  ...(input.reference
    ? { reference: { baseUrl: new URL(input.reference.baseUrl), tokens: input.reference.tokens } }
    : {}),
  signal: stop.signal,
  ...(input.measureFromMs !== undefined ? { measureFromMs: input.measureFromMs } : {}),
  ...(input.maxConnections !== undefined ? { maxConnections: input.maxConnections } : {}),
  progress: (done, total) => parentPort?.postMessage({ type: 'progress', done, total }),
});
parentPort?.postMessage({
  type: 'result',
  state: result.recorder.toState(),
  elapsedMs: result.elapsedMs,
  stoppedBy: result.stoppedBy,
  generator: result.generator,
  ...(result.reference
    ? { reference: { state: result.reference.recorder.toState(), elapsedMs: result.reference.elapsedMs } }
    : {}),
});
