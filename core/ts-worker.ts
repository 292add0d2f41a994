/** Worker threads that run a TypeScript module of this project (see ts-worker-entry.mjs). */
import { parentPort, Worker, type WorkerOptions } from 'node:worker_threads';
import { PerfError } from './errors.ts';

export function tsWorker(module: URL, options: Omit<WorkerOptions, 'argv'> = {}): Worker {
  return new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { ...options, argv: [module.href] });
}

/** A task worker's one message: its result, or its error (`known`: a PerfError, the user's to fix). */
type TaskReply<T> = { ok: true; result: T } | { ok: false; message: string; known: boolean };

/** In a task worker: does the work and sends its result, or its error, to the parent. */
export async function replyToParent<T>(work: () => Promise<T>): Promise<void> {
  let reply: TaskReply<T>;
  try {
    reply = { ok: true, result: await work() };
  } catch (error) {
    reply = { ok: false, message: (error as Error).message, known: error instanceof PerfError };
  }
  parentPort?.postMessage(reply);
}

/**
 * Runs a task worker (a module that calls replyToParent) to its one reply. A known error comes
 * back as `asKnown(message)`; anything else, or a worker that dies, as an Error. `started` sees
 * the worker, for a caller that may have to stop it early; it is terminated once it has replied.
 */
export function runTask<T>(
  module: URL,
  workerData: unknown,
  asKnown: (message: string) => Error,
  started?: (worker: Worker) => void,
): Promise<T> {
  const worker = tsWorker(module, { workerData });
  started?.(worker);
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (reply: TaskReply<T>) => {
      if (reply.ok) resolve(reply.result);
      else reject(reply.known ? asKnown(reply.message) : new Error(reply.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker ${module.pathname} stopped (exit ${code})`)));
  }).finally(() => void worker.terminate());
}
