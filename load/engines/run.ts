/**
 * Runs one scenario on the engine its executor needs (open model for arrival rates, closed
 * model for VUs), in this thread or split across worker threads whose results merge exactly
 * (in paired mode, each side's results merge on their own).
 */
import { tsWorker } from '../../core/ts-worker.ts';
import { abortWatcher } from '../abort.ts';
import { type GeneratorStats, mergeGeneratorStats } from '../generator-watch.ts';
import { Recorder, type RecorderState } from '../recorder.ts';
import { OPEN_MODEL } from '../scenario.ts';
import { runClosedModel } from './closed.ts';
import { runOpenModel } from './open.ts';
import type { EngineResult, EngineRun } from './types.ts';

/** In this thread: abortOnFail watched here unless the caller brings its own onTick. */
export function runEngine(run: EngineRun): Promise<EngineResult> {
  const withWatcher = { ...run, onTick: run.onTick ?? abortWatcher(run.scenario) };
  return OPEN_MODEL.includes(run.scenario.executor) ? runOpenModel(withWatcher) : runClosedModel(withWatcher);
}

interface WorkerMessage {
  type: 'progress' | 'result';
  done?: number;
  total?: number;
  state?: RecorderState;
  elapsedMs?: number;
  stoppedBy?: string;
  /** Paired mode: the reference side's recorder state. */
  reference?: { state: RecorderState; elapsedMs: number };
  generator?: GeneratorStats;
}

/** Across `workers` threads; each watches abortOnFail on its share, and one stop stops all. */
export async function runAcrossWorkers(run: EngineRun, workers: number): Promise<EngineResult> {
  if (workers <= 1) return runEngine(run);
  const progress = new Array<{ done: number; total: number }>(workers).fill({ done: 0, total: 0 });
  const threads = Array.from({ length: workers }, (_, index) =>
    tsWorker(new URL('./worker.ts', import.meta.url), {
      workerData: {
        scenario: run.scenario,
        baseUrl: run.baseUrl.href,
        tokens: run.tokens,
        share: { index, of: workers },
        measureFromMs: run.measureFromMs,
        maxConnections: run.maxConnections,
        ...(run.reference
          ? { reference: { baseUrl: run.reference.baseUrl.href, tokens: run.reference.tokens } }
          : {}),
      },
    }),
  );
  const stopAll = () => {
    for (const t of threads) t.postMessage('stop');
  };
  run.signal.addEventListener('abort', stopAll);
  try {
    const results = await Promise.all(
      threads.map(
        (thread, index) =>
          new Promise<WorkerMessage>((resolve, reject) => {
            thread.on('message', (message: WorkerMessage) => {
              if (message.type === 'progress') {
                progress[index] = { done: message.done ?? 0, total: message.total ?? 0 };
                run.progress?.(
                  progress.reduce((n, p) => n + p.done, 0),
                  progress.reduce((n, p) => n + p.total, 0),
                );
              } else {
                if (message.stoppedBy) stopAll();
                resolve(message);
              }
            });
            thread.once('error', reject);
            thread.once(
              'exit',
              (code) => code !== 0 && reject(new Error(`load worker ${index} exited with code ${code}`)),
            );
          }),
      ),
    );
    const recorder = new Recorder();
    for (const r of results) if (r.state) recorder.merge(r.state);
    const result: EngineResult = {
      recorder,
      elapsedMs: Math.max(...results.map((r) => r.elapsedMs ?? 0)),
      stoppedBy: results.find((r) => r.stoppedBy)?.stoppedBy,
    };
    const generator = mergeGeneratorStats(results.flatMap((r) => (r.generator ? [r.generator] : [])));
    if (generator) result.generator = generator;
    if (run.reference) {
      // Each worker kept the ABBA rule on the global iteration index: both sides merge whole.
      const reference = new Recorder();
      for (const r of results) if (r.reference) reference.merge(r.reference.state);
      result.reference = {
        recorder: reference,
        elapsedMs: Math.max(...results.map((r) => r.reference?.elapsedMs ?? 0)),
      };
    }
    return result;
  } finally {
    run.signal.removeEventListener('abort', stopAll);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
