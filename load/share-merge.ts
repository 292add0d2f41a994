/**
 * Share files → one merged run, read and decoded on worker threads (one per core, each merging
 * its slice of the files), then the slices' partial merges added here. Histograms add exactly,
 * so the result is the same as merging every share in one thread (load/share-result.ts), only
 * sooner: decoding the shares' per-second histograms is most of a merge's time.
 */
import { availableParallelism } from 'node:os';
import { tsWorker } from '../core/ts-worker.ts';
import type { PartReply } from './share-merge-worker.ts';
import {
  checkShares,
  mergeShares,
  type ShareHeader,
  ShareMergeError,
  type SharePart,
} from './share-result.ts';

function mergeOnWorker(files: string[]): Promise<{ headers: ShareHeader[]; part: SharePart }> {
  const worker = tsWorker(new URL('./share-merge-worker.ts', import.meta.url), { workerData: { files } });
  return new Promise<{ headers: ShareHeader[]; part: SharePart }>((resolve, reject) => {
    worker.once('message', (reply: PartReply) => {
      if (reply.ok) resolve(reply);
      else reject(reply.known ? new ShareMergeError(reply.message) : new Error(reply.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a share reader stopped (exit ${code})`)));
  }).finally(() => void worker.terminate());
}

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
