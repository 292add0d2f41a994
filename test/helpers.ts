/** Shared helpers for the vitest suites: a running embedded target and timed requests. */
import { type FaultInput, parseFaults } from '../target/faults.ts';
import { type RunningTarget, startTarget } from '../target/server.ts';

export async function withTarget(faults: FaultInput = {}, adminToken?: string): Promise<RunningTarget> {
  return startTarget({ faults: parseFaults(faults, 'test'), adminToken });
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Sends `count` GETs, `concurrency` at a time; returns each one's status and wall time in ms. */
export async function timedGets(
  url: string,
  count: number,
  concurrency = 10,
): Promise<{ status: number; ms: number }[]> {
  const results: { status: number; ms: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const start = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      results.push({ status: res.status, ms: performance.now() - start });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Whether a process id is still running (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
