/** The start barrier of distributed shares: everyone starts together, a missing share is named. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { joinBarrier, serveBarrier } from '../load/barrier.ts';
import { runScript, withTarget } from './helpers.ts';

describe('start barrier', () => {
  it('releases every share at once, only when the last one arrives', async () => {
    const server = await serveBarrier({ parties: 3, leadMs: 200, timeoutMs: 10_000 });
    const arrivals: number[] = [];
    const join = async (share: number, after: number) => {
      await sleep(after);
      arrivals.push(Date.now());
      const startAt = await joinBarrier({ url: server.url, share, of: 3, timeoutMs: 10_000 });
      return { startAt, answeredAt: Date.now() };
    };
    const starts = await Promise.all([join(0, 0), join(1, 150), join(2, 400)]);
    await server.released;
    const lastArrival = Math.max(...arrivals);
    for (const { startAt, answeredAt } of starts) {
      // Nobody was answered before the last share came; all start within a few ms of each other.
      expect(answeredAt).toBeGreaterThanOrEqual(lastArrival);
      expect(startAt - answeredAt).toBeGreaterThan(150);
    }
    const spread = Math.max(...starts.map((s) => s.startAt)) - Math.min(...starts.map((s) => s.startAt));
    expect(spread).toBeLessThan(50);
  });

  it('lets shares come before the barrier is served (they retry until it answers)', async () => {
    const { createServer } = await import('node:net');
    // Find a free port, then start the barrier on it only after the share has begun asking.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const early = joinBarrier({ url: `http://127.0.0.1:${port}`, share: 1, of: 2, timeoutMs: 10_000 });
    await sleep(700);
    const server = await serveBarrier({ parties: 2, port, leadMs: 50, timeoutMs: 10_000 });
    const own = joinBarrier({ url: server.url, share: 0, of: 2, timeoutMs: 10_000 });
    const [a, b] = await Promise.all([early, own]);
    expect(Math.abs(a - b)).toBeLessThan(50);
  });

  it('names the missing shares when time runs out, and refuses other splits and late comers', async () => {
    const server = await serveBarrier({ parties: 3, leadMs: 50, timeoutMs: 600 });
    const waiting = [0, 2].map((share) => joinBarrier({ url: server.url, share, of: 3, timeoutMs: 5_000 }));
    await expect(joinBarrier({ url: server.url, share: 1, of: 4, timeoutMs: 5_000 })).rejects.toThrow(
      /one of 4, this barrier waits for 3: give every share the same SHARES/,
    );
    for (const w of waiting) await expect(w).rejects.toThrow(/2 of 3 shares arrived, missing share 1/);
    await expect(server.released).rejects.toThrow(/missing share 1/);

    const done = await serveBarrier({ parties: 1, leadMs: 10, timeoutMs: 5_000 });
    await joinBarrier({ url: done.url, share: 0, of: 1 });
    // Released and closed: a second comer finds nobody and gives up at its own bound.
    await expect(joinBarrier({ url: done.url, share: 0, of: 1, timeoutMs: 800 })).rejects.toThrow(
      /no start after 1 s .*is share 0 running/,
    );
  });

  it('keeps one place per share: a share whose wait dropped can ask again', async () => {
    const server = await serveBarrier({ parties: 2, leadMs: 10, timeoutMs: 5_000 });
    const first = new AbortController();
    const dropped = joinBarrier({ url: server.url, share: 0, of: 2, signal: first.signal });
    await sleep(100);
    first.abort();
    await expect(dropped).rejects.toThrow();
    const again = joinBarrier({ url: server.url, share: 0, of: 2, timeoutMs: 5_000 });
    // Share 0 asked twice, share 1 not yet: the barrier must still be waiting.
    const early = await Promise.race([again.then(() => 'released'), sleep(300).then(() => 'waiting')]);
    expect(early).toBe('waiting');
    const other = joinBarrier({ url: server.url, share: 1, of: 2, timeoutMs: 5_000 });
    await expect(Promise.all([again, other])).resolves.toHaveLength(2);
  });

  it('a share stopped while it waits at the barrier exits 130, says so and sends nothing', async () => {
    const target = await withTarget();
    const out = mkdtempSync(join(tmpdir(), 'barrier-stop-'));
    try {
      const run = await runScript(
        fileURLToPath(new URL('../scripts/load-share.ts', import.meta.url)),
        ['--profile', 'smoke', '--out-dir', out],
        {
          // Nobody serves this barrier: the share waits until it is stopped.
          BARRIER_URL: 'http://127.0.0.1:9',
          SHARES: '2',
          JOB_COMPLETION_INDEX: '1',
          RUN_ID: 'stopped',
          SCENARIO: 'average-load',
          BASE_URL: target.url,
        },
        (stdout, kill) => {
          if (stdout.includes('waiting at the start barrier')) kill();
        },
      );
      expect(run.code, run.stdout + run.stderr).toBe(130);
      expect(run.stderr).toContain('share 1 of 2: stopped before the start, nothing sent');
      expect(run.stderr).not.toMatch(/a bug in pitchey-perf/);
      expect(existsSync(join(out, 'share-1.json'))).toBe(false);
    } finally {
      await target.close();
    }
  }, 60_000);

  it('a share that cannot write its result stops before it sends any load, naming the path', async () => {
    const target = await withTarget();
    const file = join(mkdtempSync(join(tmpdir(), 'barrier-out-')), 'a-file');
    writeFileSync(file, 'not a folder');
    try {
      const run = await runScript(
        fileURLToPath(new URL('../scripts/load-share.ts', import.meta.url)),
        ['--profile', 'smoke', '--out-dir', join(file, 'shares')],
        {
          // Nobody serves this barrier: had the share gone on, it would wait there, then time out.
          BARRIER_URL: 'http://127.0.0.1:9',
          BARRIER_TIMEOUT: '3',
          SHARES: '1',
          JOB_COMPLETION_INDEX: '0',
          RUN_ID: 'unwritable',
          SCENARIO: 'average-load',
          BASE_URL: target.url,
        },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cannot write the share to ${join(file, 'shares', 'share-0.json')}`);
      expect(run.stderr).toContain('(--out, --out-dir or OUT_DIR)');
      expect(run.stdout).not.toContain('waiting at the start barrier');
    } finally {
      await target.close();
    }
  }, 60_000);
});
