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
  /** How many loops had already ended (they should not have) when asked. */
  ended(): number;
  stop(): Promise<void>;
}

function startHog(limitMs: number, sameSession: boolean): { child: ChildProcess; stop: () => Promise<void> } {
  const child = spawn(
    process.execPath,
    ['-e', `const end = Date.now() + ${limitMs}; while (Date.now() < end) {}`],
    {
      stdio: 'ignore',
      detached: !sameSession,
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

/** Starts `count` busy loops that last at most `limitMs` (default 30 minutes), each in its own session unless told. */
export function startHogs(count: number, limitMs = 30 * 60_000, sameSession = false): Hogs {
  const hogs = Array.from({ length: count }, () => startHog(limitMs, sameSession));
  return {
    count,
    ended: () => hogs.filter((h) => h.child.exitCode !== null || h.child.signalCode !== null).length,
    stop: async () => void (await Promise.all(hogs.map((h) => h.stop()))),
  };
}
