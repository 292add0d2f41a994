/**
 * A worker thread that reads one k6 runner's `--out json` file (load/k6/runners.ts runs one per
 * core): parsing is the import's cost, and the files are independent until they are added up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PerfError } from '../../core/errors.ts';
import { readK6Source } from './import.ts';
import type { NdjsonTransfer } from './ndjson.ts';

export type ReadReply = { ok: true; state: NdjsonTransfer } | { ok: false; message: string; known: boolean };

const { path } = workerData as { path: string };
let reply: ReadReply;
try {
  const source = await readK6Source(path);
  reply =
    source.kind === 'ndjson'
      ? { ok: true, state: source.state.toTransfer() }
      : { ok: false, message: `${path}: not --out json NDJSON any more`, known: true };
} catch (error) {
  reply = { ok: false, message: (error as Error).message, known: error instanceof PerfError };
}
parentPort?.postMessage(reply);
