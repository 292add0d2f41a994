/** Worker threads that run a TypeScript module of this project (see ts-worker-entry.mjs). */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function tsWorker(module: URL, options: Omit<WorkerOptions, 'argv'> = {}): Worker {
  return new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { ...options, argv: [module.href] });
}
