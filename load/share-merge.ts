/**
 * Share files → one merged run, read and decoded on worker threads (one per core, each merging
 * its slice of the files), then the slices' partial merges added here. Histograms add exactly,
 * so the result is the same as merging every share in one thread (load/share-result.ts), only
 * sooner: decoding the shares' per-second histograms is most of a merge's time.
 */
import { availableParallelism } from 'node:os';
import { runTask } from '../core/ts-worker.ts';
import type { MergedSlice } from './share-merge-worker.ts';
import { checkShares, mergeShares, ShareMergeError } from './share-result.ts';

const mergeOnWorker = (files: string[]) =>
  runTask<MergedSlice>(
    new URL('./share-merge-worker.ts', import.meta.url),
    { files },
    (message) => new ShareMergeError(message),
  );

/** Reads, checks (every share of one run, once) and merges the files; errors name the files. */
export async function mergeShareFiles(files: readonly string[]) {
  if (!files.length) throw new ShareMergeError('no share files to merge');
  const slices = Math.max(1, Math.min(files.length, availableParallelism()));
  // Contiguous slices keep the files' order, so the headers come back in the order given.
  const size = Math.ceil(files.length / slices);
  const parts = await Promise.all(
    Array.from({ length: slices }, (_, i) => files.slice(i * size, (i + 1) * size))
      .filter((slice) => slice.length)
      .map(mergeOnWorker),
  );
  const headers = parts.flatMap((p) => p.headers).map((share, i) => ({ file: files[i] as string, share }));
  checkShares(headers);
  return { headers, ...mergeShares(parts.map((p) => p.part)) };
}
