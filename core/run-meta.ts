/** What a run records about where it ran: git commit, machine, node (I/O at the edge). */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, platform, release, totalmem } from 'node:os';
import type { RunMeta } from './results.ts';

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
  } catch {
    return undefined;
  }
}

export function gitInfo(): RunMeta['git'] {
  const commit = git(['rev-parse', 'HEAD']);
  if (!commit) return {};
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    commit,
    branch: git(['rev-parse', '--abbrev-ref', 'HEAD']),
    dirty: status === undefined ? undefined : status !== '',
  };
}

export function machineInfo(): RunMeta['machine'] {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() || 'unknown',
    cores: cpu.length || 1,
    memoryBytes: totalmem(),
    nodeVersion: process.version,
    platform: `${platform()} ${release()}`,
  };
}

/** A sortable, filesystem-safe run id: the start time plus a short random suffix. */
export function newRunId(startedAt: Date): string {
  return `${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
}
