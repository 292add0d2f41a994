/**
 * The monitor's HTTP face runs on a thread of its own. Drawing the status page for 100 checks
 * takes ~0.7 s of synchronous SQLite and histogram work; on the monitor's own event loop that
 * would stretch the measured duration of every probe in flight. The thread reads the database
 * through its own read-only connection (the window figures as of the monitor's last roll-up,
 * each minute; states and latest runs as they are), and is told of every run for the /metrics
 * counters.
 */
import { tsWorker } from '../core/ts-worker.ts';
import type { Attempt } from './store.ts';

export interface ServerThreadData {
  /** The config file, loaded again in the thread (the same checks and SLOs as the monitor's). */
  configFile: string;
  database: string;
  baseUrl: string;
  host: string;
  port: number;
}

/** Main → thread. */
export type ToServerThread = { type: 'run'; check: string; attempts: readonly Attempt[] } | { type: 'close' };
/** Thread → main. */
export type FromServerThread =
  | { type: 'listening'; url: string }
  | { type: 'error'; code?: string | undefined; message: string };

export interface ServerThread {
  url: URL;
  observeRun(record: { check: { name: string }; attempts: readonly Attempt[] }): void;
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 5_000;

/** Starts the thread; rejects with the listen error (its `code`, e.g. EADDRINUSE) as the thread saw it. */
export async function startServerThread(
  data: ServerThreadData,
  log: (line: string) => void = console.error,
): Promise<ServerThread> {
  const worker = tsWorker(new URL('./server-worker.ts', import.meta.url), { workerData: data });
  const first = await new Promise<FromServerThread>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the status page thread exited (code ${code}) before listening`)),
    );
  }).finally(() => worker.removeAllListeners());
  if (first.type !== 'listening') {
    await worker.terminate();
    throw Object.assign(new Error(first.message), { code: first.code });
  }
  let exited = false;
  const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => log(`status page thread failed: ${error.stack ?? error.message}`));
  worker.once('exit', () => {
    exited = true;
  });
  const post = (message: ToServerThread) => {
    if (!exited) worker.postMessage(message);
  };
  return {
    url: new URL(first.url),
    observeRun: (record) => post({ type: 'run', check: record.check.name, attempts: record.attempts }),
    close: async () => {
      post({ type: 'close' });
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS);
      });
      if ((await Promise.race([gone, bounded])) === 'late') await worker.terminate();
      clearTimeout(timer);
    },
  };
}
