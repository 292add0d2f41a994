/** Shared helpers for the vitest suites: a running embedded target, timed requests, verdicts. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleResult } from '../core/pipeline.ts';
import type { RunResult } from '../core/results.ts';
import type { SuiteOutput } from '../core/suite.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
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

/** Judges one suite's output as the gate would (strictest milestone, no config overrides). */
export async function judgeOutput(suite: string, output: SuiteOutput, baseUrl: string): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const milestone = milestoneTargets(await loadTargets('baselines/targets.json'), 'strictest');
  const meta = {
    id: 'test',
    startedAt,
    finishedAt: startedAt,
    durationMs: 1,
    profile: 'test',
    milestone: 'strictest',
    baseUrl,
    embeddedTarget: true,
    git: {},
    machine: { cpuModel: 'test', cores: 1, memoryBytes: 1, nodeVersion: process.version, platform: 'test' },
  };
  const result = {
    suite,
    status: 'measured' as const,
    startedAt,
    durationMs: 1,
    items: output.items,
    notes: output.notes,
    thresholds: output.thresholds ?? [],
  };
  return assembleResult(meta, [result], milestone, []);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs one of the project's scripts as a user would, with a clean environment. */
export function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onStdout?: (text: string, kill: () => void) => void,
): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, BASE_URL: '', TARGET_FAULTS: '', GITHUB_STEP_SUMMARY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout, () => child.kill('SIGINT'));
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started })),
  );
}

/**
 * Writes `dir`/perf.config.ts for load-only runs: profile smoke with average-load at `rate` req/s
 * for `duration`, milestone month-1, reports and baselines inside `dir`. Returns its path.
 */
export async function writeLoadConfig(dir: string, rate: number, duration: string): Promise<string> {
  const config = join(dir, 'perf.config.ts');
  const shape = {
    scenarios: ['average-load'],
    rate,
    duration,
    smokeIterations: 10,
    soakDuration: '1m',
    breakpointRate: rate,
  };
  await writeFile(
    config,
    `export default ${JSON.stringify({
      reportsDir: join(dir, 'reports'),
      targetsFile: join(ROOT, 'baselines/targets.json'),
      milestone: 'month-1',
      baselines: { dir: join(dir, 'baselines') },
      profiles: { smoke: { load: shape } },
      suites: { health: { enabled: false }, synthetic: { enabled: false }, lighthouse: { enabled: false } },
    })};\n`,
  );
  return config;
}
