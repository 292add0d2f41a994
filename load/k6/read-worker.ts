/**
 * A worker thread that reads one k6 runner's `--out json` file (load/k6/runners.ts runs one per
 * core): parsing is the import's cost, and the files are independent until they are added up.
 */
import { workerData } from 'node:worker_threads';
import { replyToParent } from '../../core/ts-worker.ts';
import { readK6Source } from './import.ts';
import { K6ImportError } from './model.ts';
import type { NdjsonTransfer } from './ndjson.ts';

const { path } = workerData as { path: string };
await replyToParent<NdjsonTransfer>(async () => {
  const source = await readK6Source(path);
  if (source.kind !== 'ndjson') throw new K6ImportError(`${path}: not --out json NDJSON any more`);
  return source.state.toTransfer();
});
