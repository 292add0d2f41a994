/**
 * `npm run bench:monitor [-- --minutes 10 --checks 100 --every 10s --hogs 0 --only alert,schedule]`:
 * the synthetic monitor's own costs, against the embedded target (a child process, so its CPU
 * is not the monitor's) and a local webhook receiver.
 *   alert:    fault onset (error-rate knob) → trigger delivered, for a check every 5 s with
 *             N = 3 (goal ≤ interval × N + 2 s = 17 s); and knob cleared → resolve (M = 2).
 *   schedule: `--checks` API checks every `--every` for `--minutes`: lateness of start times
 *             (goal P99 < 100 ms), overlaps (goal none), the monitor's CPU (goal < 5 % of a
 *             core) and RSS (goal < 200 MB), and the database's growth, projected to a day.
 * `--hogs N` runs N busy loops beside it (a slower, noisier machine).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../core/config.ts';
import { parseDuration } from '../core/duration.ts';
import { Monitor } from '../monitor/monitor.ts';
import { spawnTarget } from '../target/process.ts';
import { startReceiver } from '../test/receiver.ts';
import { setFaults } from './bench-run.ts';
import { startHogs } from './hogs.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    checks: { type: 'string', default: '100' },
    every: { type: 'string', default: '10s' },
    hogs: { type: 'string', default: '0' },
    only: { type: 'string', default: 'alert,schedule' },
    trials: { type: 'string', default: '3' },
  },
});
const only = new Set(values.only?.split(','));
const TOKEN = 'bench-monitor';

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (probe()) return performance.now();
    await sleep(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function databaseBytes(file: string): Promise<number> {
  let total = 0;
  for (const suffix of ['', '-wal'])
    total += await stat(`${file}${suffix}`).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

const target = await spawnTarget({ adminToken: TOKEN });
const receiver = await startReceiver();
const hogs = Number(values.hogs) > 0 ? startHogs(Number(values.hogs), 60 * 60_000) : undefined;
const dir = await mkdtemp(join(tmpdir(), 'bench-monitor-'));
console.log(
  `bench:monitor — embedded target ${target.url}${hogs ? `, ${hogs.count} busy loops beside it` : ''}`,
);

try {
  if (only.has('alert')) {
    const intervalMs = 5_000;
    const config = parseConfig(
      {
        monitor: {
          checks: [{ name: 'api-trending', type: 'http', url: '/api/trending', every: '5s' }],
          retry: { strategy: 'none' },
          incidents: { failureThreshold: 3, successThreshold: 2 },
          channels: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook` }],
        },
      },
      'bench',
    );
    const monitor = new Monitor({
      config,
      baseUrl: new URL(target.url),
      database: join(dir, 'alert.db'),
      log: () => {},
    });
    monitor.start();
    const toAlert: number[] = [];
    const toResolve: number[] = [];
    const goal = intervalMs * 3 + 2_000;
    try {
      for (let trial = 1; trial <= Number(values.trials); trial++) {
        // Onset at a random point of the check's period, as a real fault would come.
        await sleep(2_000 + Math.random() * intervalMs);
        const seen = receiver.accepted().length;
        await setFaults(target.url, TOKEN, { errorRate: 1, errorRoutes: ['/api/trending'] });
        const onset = performance.now();
        const alerted = await until('the trigger', () => receiver.accepted().length > seen, 60_000);
        await setFaults(target.url, TOKEN, {});
        const cleared = performance.now();
        const resolved = await until('the resolve', () => receiver.accepted().length > seen + 1, 60_000);
        toAlert.push(alerted - onset);
        toResolve.push(resolved - cleared);
        console.log(
          `   alert trial ${trial}: fault → trigger delivered ${((alerted - onset) / 1000).toFixed(2)} s (goal ≤ ${goal / 1000} s), cleared → resolve ${((resolved - cleared) / 1000).toFixed(2)} s`,
        );
      }
    } finally {
      await monitor.stop();
    }
    const worst = Math.max(...toAlert);
    console.log(
      `\n1. fault onset → alert, check every 5 s, N = 3: median ${(median(toAlert) / 1000).toFixed(2)} s, worst ${(worst / 1000).toFixed(2)} s of ${toAlert.length} (goal ≤ ${goal / 1000} s: ${worst <= goal ? 'MET' : 'NOT MET'}); cleared → resolve (M = 2) median ${(median(toResolve) / 1000).toFixed(2)} s\n`,
    );
  }

  if (only.has('schedule')) {
    const count = Number(values.checks);
    const every = values.every as string;
    const everyMs = parseDuration(every) as number;
    const minutes = Number(values.minutes);
    const paths = ['/api/trending', '/api/pitches?limit=20', '/api/pitches/1', '/health'];
    const config = parseConfig(
      {
        monitor: {
          checks: Array.from({ length: count }, (_, i) => ({
            name: `api-${i}`,
            type: 'http',
            url: paths[i % paths.length],
            every,
            assertions: ['[STATUS] == 200'],
          })),
          retry: { strategy: 'none' },
        },
      },
      'bench',
    );
    const database = join(dir, 'schedule.db');
    const monitor = new Monitor({ config, baseUrl: new URL(target.url), database, log: () => {} });
    const bytesBefore = await databaseBytes(database);
    const rss: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    monitor.start();
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1_000);
    await sleep(minutes * 60_000);
    clearInterval(sampler);
    await monitor.stop();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / wallMs;
    const reopened = (await import('../monitor/store.ts')).MonitorStore.open(database);
    const attempts = reopened.attempts(undefined, 10_000_000);
    reopened.close();
    const bytesAfter = await databaseBytes(database);
    const late = [...monitor.scheduler.stats.lateness].sort((a, b) => a - b);
    const { skipped, started: runs } = monitor.scheduler.stats;
    const perDay = ((bytesAfter - bytesBefore) * 86_400_000) / wallMs;
    const maxRss = Math.max(...rss) / 1024 / 1024;
    const failed = attempts.filter((a) => a.outcome !== 'pass').length;
    console.log(
      `2. ${count} API checks every ${every} for ${minutes} min: ${runs} runs (expected ~${Math.round((count * minutes * 60_000) / everyMs)}), ${attempts.length} stored, ${failed} not passing`,
    );
    console.log(
      `   lateness of start times: P50 ${quantile(late, 0.5).toFixed(1)} ms, P99 ${quantile(late, 0.99).toFixed(1)} ms, max ${late.at(-1)?.toFixed(1)} ms (goal P99 < 100 ms: ${quantile(late, 0.99) < 100 ? 'MET' : 'NOT MET'}); overlaps skipped: ${skipped} (goal 0: ${skipped === 0 ? 'MET' : 'NOT MET'})`,
    );
    console.log(
      `   monitor CPU ${(cpuShare * 100).toFixed(2)} % of a core (goal < 5 %: ${cpuShare < 0.05 ? 'MET' : 'NOT MET'}), RSS max ${maxRss.toFixed(0)} MB (goal < 200 MB: ${maxRss < 200 ? 'MET' : 'NOT MET'})`,
    );
    console.log(
      `   database grew ${((bytesAfter - bytesBefore) / 1024 / 1024).toFixed(2)} MB: ~${(perDay / 1024 / 1024).toFixed(0)} MB a day at this rate (${Math.round((count * 86_400_000) / everyMs).toLocaleString('en')} runs a day; attempts kept 14 days)`,
    );
  }
} finally {
  await hogs?.stop();
  await receiver.close();
  await target.stop();
  await rm(dir, { recursive: true, force: true });
}
