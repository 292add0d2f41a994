/**
 * `npx tsx benchmarks/calibration.ts`: what the calibration probe (core/calibration-probe.ts)
 * sees on this machine under four conditions, 5 probes each: (a) idle, (b) one busy-loop process
 * beside it, (c) two busy loops (one per core on this 2-core machine), (d) the probe inside a
 * cgroup v1 CPU quota of 1.5 CPUs (skipped, saying why, when that is not permitted).
 *
 * Each probe runs in a fresh child process (so (d) can put exactly the probe, its workers and its
 * Chromium in the cgroup), against the embedded target spawned as its own process, as the gate
 * does. The conditions are interleaved round by round (a b c d, a b c d, …), so a drift of the
 * shared machine hits every condition alike. Busy loops are bounded three ways: each exits by
 * itself after 60 s, is killed by a timer after 60 s, and is killed when its probe ends (also
 * on error and Ctrl-C). They run in sessions of their own (see startHog); --hogs-same-session
 * puts them in the probe's session instead.
 *
 * Prints per condition and figure: the median of the 5 probes' values, the ratio to idle, the
 * spread between the probes ((max − min) / median) and the median spread within a probe.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../core/browser.ts';
import { type ProbeReport, probeMachineReport } from '../core/calibration-probe.ts';
import { onShutdown } from '../core/lifecycle.ts';
import type { Calibration } from '../core/results.ts';
import { median } from '../core/stats.ts';
import { spawnTarget } from '../target/process.ts';
import { startHogs } from './hogs.ts';

const SELF = fileURLToPath(import.meta.url);
const PROBES = 5;
const HOG_LIMIT_MS = 60_000;
const CHILD_LIMIT_MS = 120_000;
const CGROUP_ROOT = '/sys/fs/cgroup/cpu';
const QUOTA_US = 150_000;
const PERIOD_US = 100_000;
const SAME_SESSION = process.argv.includes('--hogs-same-session');

type FigureKey = 'nodeCpu' | 'nodeCpuAll' | 'browserCpu' | 'timerJitterMs' | 'rttMs';
const FIGURES: { key: FigureKey; label: string }[] = [
  { key: 'nodeCpu', label: 'nodeCpu (it/ms)' },
  { key: 'nodeCpuAll', label: 'nodeCpuAll (it/ms)' },
  { key: 'browserCpu', label: 'browserCpu (it/ms)' },
  { key: 'timerJitterMs', label: 'timerJitter P99 (ms)' },
  { key: 'rttMs', label: 'rtt /health (ms)' },
];

interface ChildRequest {
  targetUrl?: string;
  chromePath?: string;
}

// ---- Child mode: one probe, its report to the parent over IPC ----

async function childMain(): Promise<void> {
  const request = await new Promise<ChildRequest>((resolve) =>
    process.once('message', (m) => resolve(m as ChildRequest)),
  );
  const report = await probeMachineReport({
    targetUrl: request.targetUrl ? new URL(request.targetUrl) : undefined,
    chromePath: request.chromePath,
  });
  await new Promise<void>((resolve, reject) =>
    process.send?.(report, (error: Error | null) => (error ? reject(error) : resolve())),
  );
  process.disconnect?.();
}

// ---- Parent mode ----

function spreadOf(values: number[]): number {
  const m = median(values);
  return m > 0 ? (Math.max(...values) - Math.min(...values)) / m : 0;
}

/** A bounded busy loop: it exits by itself after HOG_LIMIT_MS, and is killed then anyway. */
interface Cgroup {
  path: string;
  stat(): string;
  remove(): void;
}

/** A child cpu cgroup with a 1.5-CPU quota, or the reason it cannot be made. */
function makeCgroup(): Cgroup | string {
  const path = join(CGROUP_ROOT, `pitchey-calibration-${process.pid}`);
  try {
    mkdirSync(path);
  } catch (error) {
    return `cannot create ${path}: ${(error as Error).message}`;
  }
  const remove = () => {
    // Anything left inside (a straggler) goes back to the root cgroup first: rmdir needs it empty.
    try {
      for (const pid of readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          writeFileSync(join(CGROUP_ROOT, 'cgroup.procs'), pid);
        } catch {
          // gone already
        }
      }
      rmdirSync(path);
    } catch (error) {
      process.stderr.write(`could not remove ${path}: ${(error as Error).message}\n`);
    }
  };
  try {
    writeFileSync(join(path, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(path, 'cpu.cfs_quota_us'), String(QUOTA_US));
  } catch (error) {
    remove();
    return `cannot set the quota in ${path}: ${(error as Error).message}`;
  }
  return { path, stat: () => readFileSync(join(path, 'cpu.stat'), 'utf8'), remove };
}

/** One probe in a fresh child process (moved into `cgroup` before it starts, if given). */
async function probeInChild(request: ChildRequest, cgroup?: Cgroup): Promise<ProbeReport> {
  const child = fork(SELF, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const stop = onShutdown(kill);
  const timer = setTimeout(kill, CHILD_LIMIT_MS);
  try {
    const report = new Promise<ProbeReport>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ProbeReport));
      child.once('exit', (code, signal) => reject(new Error(`probe child exited (${code ?? signal})`)));
      child.once('error', reject);
    });
    report.catch(() => {});
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (cgroup) writeFileSync(join(cgroup.path, 'cgroup.procs'), String(child.pid));
    child.send(request);
    return await report;
  } finally {
    clearTimeout(timer);
    const exited =
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once('exit', resolve))
        : Promise.resolve();
    // The child exits by itself after sending its report; give it a moment, then make sure.
    const grace = setTimeout(kill, 5_000);
    await exited;
    clearTimeout(grace);
    await stop();
  }
}

interface Condition {
  name: string;
  hogs: number;
  cgroup?: Cgroup;
  reports: ProbeReport[];
  hogDiedEarly: number;
}

async function runProbe(condition: Condition, request: ChildRequest): Promise<void> {
  const hogs = startHogs(condition.hogs, HOG_LIMIT_MS, SAME_SESSION);
  try {
    // Let the busy loops start spinning before the probe starts.
    if (condition.hogs) await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await probeInChild(request, condition.cgroup);
    if (hogs.ended()) condition.hogDiedEarly++;
    condition.reports.push(report);
  } finally {
    await hogs.stop();
  }
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

function pct(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(0)} %` : '—';
}

function printTable(conditions: Condition[]): void {
  const idle = conditions[0] as Condition;
  const rows: string[][] = [['figure', 'condition', 'median', '× idle', 'between probes', 'within (median)']];
  const figureOf = (c: Calibration, key: FigureKey) => c[key];
  for (const { key, label } of FIGURES) {
    const idleValues = idle.reports.map((r) => figureOf(r.calibration, key)?.value ?? Number.NaN);
    for (const condition of conditions) {
      const figures = condition.reports.map((r) => figureOf(r.calibration, key));
      const values = figures.map((f) => f?.value ?? Number.NaN);
      const present = values.filter(Number.isFinite);
      const m = present.length ? median(present) : Number.NaN;
      const within = figures.flatMap((f) => (f ? [f.spread] : []));
      rows.push([
        condition === idle ? label : '',
        condition.name,
        fmt(m),
        present.length ? (m / median(idleValues.filter(Number.isFinite))).toFixed(2) : '—',
        present.length ? pct(spreadOf(present)) : '—',
        within.length ? pct(median(within)) : '—',
      ]);
    }
  }
  for (const [label, pick] of [
    ['probe wall time (s)', (r: ProbeReport) => r.timings.totalMs / 1000],
    ['  of which browser (s)', (r: ProbeReport) => r.timings.browserMs / 1000],
    ['  of which launch (s)', (r: ProbeReport) => (r.timings.browserLaunchMs ?? Number.NaN) / 1000],
  ] as const) {
    const idleMedian = median(idle.reports.map(pick));
    for (const condition of conditions) {
      const values = condition.reports.map(pick);
      const m = median(values);
      rows.push([
        condition === idle ? label : '',
        condition.name,
        fmt(m),
        (m / idleMedian).toFixed(2),
        `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`,
        '',
      ]);
    }
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) {
    console.log(
      row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
}

function autogroup(): string {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1' ? 'on' : 'off';
  } catch {
    return 'unknown';
  }
}

async function parentMain(): Promise<void> {
  const cores = availableParallelism();
  console.log(
    `calibration probe: ${PROBES} probes per condition, interleaved; ${cores} cores (${cpus()[0]?.model ?? '?'}); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  let chromePath: string | undefined;
  try {
    chromePath = findBrowser()?.path;
  } catch (error) {
    console.log(`no browser: ${(error as Error).message}`);
  }
  if (!chromePath) console.log('no Chrome/Chromium found: browserCpu will be null');
  console.log(
    `busy loops: ${SAME_SESSION ? "in the probe's session" : 'each in its own session'}; kernel autogroup scheduling: ${autogroup()}`,
  );

  const target = await spawnTarget();
  const conditions: Condition[] = [
    { name: 'idle', hogs: 0, reports: [], hogDiedEarly: 0 },
    { name: '1 busy loop', hogs: 1, reports: [], hogDiedEarly: 0 },
    { name: `${cores} busy loops`, hogs: cores, reports: [], hogDiedEarly: 0 },
  ];
  const cgroup = makeCgroup();
  let removeCgroup = async () => {};
  if (typeof cgroup === 'string') {
    console.log(`(d) CPU quota skipped: ${cgroup}`);
  } else {
    removeCgroup = onShutdown(() => cgroup.remove());
    conditions.push({ name: 'quota 1.5 CPU', hogs: 0, cgroup, reports: [], hogDiedEarly: 0 });
  }
  const started = performance.now();
  try {
    const request: ChildRequest = { targetUrl: target.url, chromePath };
    for (let round = 1; round <= PROBES; round++) {
      for (const condition of conditions) {
        await runProbe(condition, request);
        const last = condition.reports.at(-1);
        process.stderr.write(
          `round ${round}/${PROBES} ${condition.name}: ${((last?.timings.totalMs ?? 0) / 1000).toFixed(1)} s${last?.notes.length ? ` (${last.notes.join('; ')})` : ''}\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    if (typeof cgroup !== 'string') {
      const stat = Object.fromEntries(
        cgroup
          .stat()
          .trim()
          .split('\n')
          .map((line) => line.split(' ')),
      );
      console.log(
        `cgroup ${cgroup.path}: quota ${QUOTA_US} / period ${PERIOD_US} µs; throttled in ${stat.nr_throttled} of ${stat.nr_periods} periods (${(Number(stat.throttled_time) / 1e9).toFixed(1)} s)`,
      );
    }
    for (const condition of conditions) {
      if (condition.hogDiedEarly)
        console.log(`warning: ${condition.name}: a busy loop ended before its probe did`);
    }
    console.log(
      `total ${((performance.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    printTable(conditions);
  } finally {
    await removeCgroup();
    await target.stop();
  }
}

if (process.argv.includes('--child')) {
  await childMain();
} else {
  await parentMain();
}
