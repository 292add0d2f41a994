/**
 * A worker thread that reads some share files and merges them (load/share-merge.ts runs one per
 * core): decoding the shares' histograms is the merge's cost, and partial merges add up exactly.
 */
import { workerData } from 'node:worker_threads';
import { replyToParent } from '../core/ts-worker.ts';
import { mergeShares, readShare, type ShareHeader, type SharePart, shareHeader } from './share-result.ts';

export interface MergedSlice {
  headers: ShareHeader[];
  part: SharePart;
}

const { files } = workerData as { files: string[] };
await replyToParent<MergedSlice>(async () => {
  const shares = await Promise.all(files.map((file) => readShare(file)));
  const merged = mergeShares(shares);
  return {
    headers: shares.map(shareHeader),
    part: {
      recorder: merged.recorder.toState(),
      elapsedMs: merged.elapsedMs,
      ...(merged.stoppedBy ? { stoppedBy: merged.stoppedBy } : {}),
      ...(merged.generator ? { generator: merged.generator } : {}),
    },
  };
});
