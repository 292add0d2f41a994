/**
 * Runs the embedded target as a child process, so a load generator and the system under test
 * do not share one event loop. The child exits when our stdin pipe closes, so it cannot
 * outlive this process even if this process is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onShutdown } from '../core/lifecycle.ts';
import type { FaultInput } from './faults.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface ChildTarget {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  faults?: FaultInput;
  adminToken?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export async function spawnTarget(options: SpawnOptions = {}): Promise<ChildTarget> {
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--exit-on-stdin-close'], {
    env: {
      ...process.env,
      ...options.env,
      // Without explicit knobs the child inherits TARGET_FAULTS / TARGET_ADMIN_TOKEN from our env.
      ...(options.faults ? { TARGET_FAULTS: JSON.stringify(options.faults) } : {}),
      ...(options.adminToken ? { TARGET_ADMIN_TOKEN: options.adminToken } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal signals the whole foreground group, and
    // the target must outlive what still talks to it (the monitor's last checks); we stop it
    // ourselves, in order. It still cannot outlive us: it exits when our stdin pipe closes.
    detached: true,
  });
  const stop = onShutdown(() => stopChild(child));
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the embedded target did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const match = line.match(/listening on (http:\/\/\S+)/);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `the embedded target exited with code ${code} before it was ready: ${stderr.join('').trim()}`,
          ),
        );
      });
    });
    await waitForReady(url, timeoutMs);
    return { url, pid: child.pid ?? -1, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `/health/ready` until it answers 200, or throws naming the URL and the last answer. */
export async function waitForReady(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(new URL('/health/ready', baseUrl), { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (error) {
      last =
        (error as Error).cause instanceof Error
          ? ((error as Error).cause as Error).message
          : (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${new URL('/health/ready', baseUrl)} was not ready within ${timeoutMs} ms (last: ${last})`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
