/**
 * Busy-loop processes beside a measurement: a stand-in for a slower machine or a noisy
 * neighbour (shared notes, measurement §8: two of them on these two cores slow journeys by
 * 20–30 %). Each runs in a session of its own, as a neighbour from elsewhere would (with the
 * kernel's autogroup scheduling a loop in our session competes only with our session), and is
 * bounded three ways: it exits by itself after `limitMs`, a timer kills it then, and stop() or
 * Ctrl-C kills it at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { onShutdown } from '../core/lifecycle.ts';

export interface Hogs {
  count: number;
  stop(): Promise<void>;
}

function startHog(limitMs: number): { child: ChildProcess; stop: () => Promise<void> } {
  const child = spawn(
    process.execPath,
    ['-e', `const end = Date.now() + ${limitMs}; while (Date.now() < end) {}`],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, limitMs);
  timer.unref();
  const stop = onShutdown(async () => {
    clearTimeout(timer);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    kill();
    await exited;
  });
  return { child, stop };
}

/** Starts `count` busy loops that last at most `limitMs` (default 30 minutes). */
export function startHogs(count: number, limitMs = 30 * 60_000): Hogs {
  const hogs = Array.from({ length: count }, () => startHog(limitMs));
  return { count, stop: async () => void (await Promise.all(hogs.map((h) => h.stop()))) };
}
