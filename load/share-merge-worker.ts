/**
 * A worker thread that reads some share files and merges them (load/share-merge.ts runs one per
 * core): decoding the shares' histograms is the merge's cost, and partial merges add up exactly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PerfError } from '../core/errors.ts';
import { mergeShares, readShare, type ShareHeader, type SharePart, shareHeader } from './share-result.ts';

export type PartReply =
  | { ok: true; headers: ShareHeader[]; part: SharePart }
  | { ok: false; message: string; known: boolean };

const { files } = workerData as { files: string[] };
let reply: PartReply;
try {
  const shares = await Promise.all(files.map((file) => readShare(file)));
  const merged = mergeShares(shares);
  reply = {
    ok: true,
    headers: shares.map(shareHeader),
    part: {
      recorder: merged.recorder.toState(),
      elapsedMs: merged.elapsedMs,
      ...(merged.stoppedBy ? { stoppedBy: merged.stoppedBy } : {}),
      ...(merged.generator ? { generator: merged.generator } : {}),
    },
  };
} catch (error) {
  reply = { ok: false, message: (error as Error).message, known: error instanceof PerfError };
}
parentPort?.postMessage(reply);
