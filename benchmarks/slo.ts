/**
 * `npm run bench:slo [-- --checks 100 --days 400 --repeats 7 --hogs 0]`: what the monitor's
 * readers cost on a full database — `--checks` checks with `--days` of hourly and daily
 * rollups and 14 days of per-minute ones (a check a minute fills every minute), three latency
 * thresholds counted in each.
 *   slo:     every SLO window (1 h, 1 d, 7 d, 30 d, the month, the month before, and the alert
 *            windows 5 m … 3 d) for the default SLOs of those checks (goal < 200 ms);
 *   alerts:  the monitor's burn-rate evaluation (alert windows, alerting SLOs only);
 *   page:    the status page's HTML (time and size), /metrics (time and size).
 * Medians of `--repeats`; the database is built once in a temp folder and removed.
 * `--hogs N` runs N busy loops beside it (a slower, noisier machine).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHistogram, encodeHistogram, recordMicros } from '../core/histogram.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { MonitorMetrics } from '../monitor/metrics.ts';
import { defaultSlos, latencyThresholds } from '../monitor/slo.ts';
import { STATUS_WINDOWS, sloStatuses } from '../monitor/slo-status.ts';
import { renderStatusPage, statusPageData } from '../monitor/status-page.ts';
import { MonitorStore } from '../monitor/store.ts';
import { startHogs } from './hogs.ts';

const { values } = parseArgs({
  options: {
    checks: { type: 'string', default: '100' },
    days: { type: 'string', default: '400' },
    'minute-days': { type: 'string', default: '14' },
    repeats: { type: 'string', default: '7' },
    hogs: { type: 'string', default: '0' },
  },
});
const CHECKS = Number(values.checks);
const DAYS = Number(values.days);
const MINUTE_DAYS = Number(values['minute-days']);
const REPEATS = Number(values.repeats);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

/** A plausible rollup histogram for `runs` answers around 80–400 ms. */
function histogramOf(runs: number, seed: number): string {
  const h = createHistogram();
  for (let i = 0; i < runs; i++) recordMicros(h, 80_000 + ((seed * 7919 + i * 104_729) % 320_000));
  return encodeHistogram(h);
}

const now = Date.UTC(2026, 11, 1, 14, 37, 12);
const checks = Array.from({ length: CHECKS }, (_, i) => ({
  name: `check-${String(i).padStart(3, '0')}`,
  group: i < CHECKS * 0.3 ? 'health' : i < CHECKS * 0.9 ? 'api' : 'journeys',
  type: i < CHECKS * 0.3 ? 'health' : i < CHECKS * 0.9 ? 'http' : 'journey',
}));
const slos = defaultSlos(
  milestoneTargets(await loadTargets('baselines/targets.json'), 'month-1'),
  'month-1',
  checks,
);
const thresholds = latencyThresholds(slos);

const dir = await mkdtemp(join(tmpdir(), 'bench-slo-'));
const hogs = startHogs(Number(values.hogs));
try {
  const file = join(dir, 'monitor.db');
  const store = MonitorStore.open(file, { latencyThresholdsMs: thresholds });
  const build = timed(() => {
    const rollup = store.db.prepare(
      `INSERT INTO rollups (period, check_name, start, runs, passed, degraded, failed, excluded, cache_hits,
        cache_lookups, answered, histogram) VALUES (?, ?, ?, ?, ?, 0, ?, 0, 0, 0, ?, ?)`,
    );
    const within = store.db.prepare(
      'INSERT INTO rollup_latency (period, check_name, start, threshold_ms, within) VALUES (?, ?, ?, ?, ?)',
    );
    const histograms = new Map<number, string>();
    const add = (period: string, check: string, start: number, runs: number, seed: number) => {
      const failed = seed % 997 === 0 ? 1 : 0;
      const key = runs * 10 + (seed % 10);
      const h = histograms.get(key) ?? histogramOf(runs, seed % 10);
      histograms.set(key, h);
      rollup.run(period, check, start, runs, runs - failed, failed, runs, h);
      for (const t of thresholds)
        within.run(period, check, start, t, Math.round(runs * Math.min(1, t / 400)));
    };
    const first = Math.floor((now - DAYS * DAY) / DAY) * DAY;
    store.db.transaction(() => {
      checks.forEach((c, k) => {
        for (let d = first; d <= now; d += DAY) add('day', c.name, d, 1440, d / DAY + k);
        for (let h = first; h <= now; h += HOUR) add('hour', c.name, h, 60, h / HOUR + k);
        for (let m = Math.floor((now - MINUTE_DAYS * DAY) / MINUTE) * MINUTE; m <= now; m += MINUTE)
          add('minute', c.name, m, 1, m / MINUTE + k);
      });
      store.setMeta('minutes_pruned_before', String(now - MINUTE_DAYS * DAY));
    })();
  });
  const bytes =
    (await stat(file)).size +
    (await stat(`${file}-wal`).then(
      (s) => s.size,
      () => 0,
    ));
  console.log(
    `database: ${CHECKS} checks, ${DAYS} days of hourly and daily rollups, ${MINUTE_DAYS} days of per-minute ones, ` +
      `thresholds ${thresholds.join(', ')} ms — ${(bytes / 2 ** 20).toFixed(0)} MB, built in ${(build.ms / 1000).toFixed(1)} s`,
  );
  console.log(
    `SLOs: ${slos.length} (${slos.filter((s) => s.alert).length} alerting), windows: ${STATUS_WINDOWS.join(', ')}`,
  );

  const all: number[] = [];
  const alerts: number[] = [];
  let sample = '';
  for (let i = 0; i < REPEATS; i++) {
    const run = timed(() => sloStatuses(store, slos, now));
    all.push(run.ms);
    const a = slos.filter((s) => s.alert);
    alerts.push(timed(() => sloStatuses(store, a, now, ['5m', '30m', '1h', '2h', '6h', '1d', '3d'])).ms);
    const s = run.value.find((x) => x.slo.name === 'api-availability');
    sample = `api-availability 30 d: SLI ${s?.windows['30d']?.sli}, budget left ${s?.windows['30d']?.budgetRemaining?.toFixed(3)}`;
  }
  console.log(
    `every SLO window: median ${median(all).toFixed(1)} ms (min ${Math.min(...all).toFixed(1)}, max ${Math.max(...all).toFixed(1)}) — goal < 200 ms: ${median(all) < 200 ? 'met' : 'NOT met'}`,
  );
  console.log(`burn-rate evaluation (alert windows, alerting SLOs): median ${median(alerts).toFixed(1)} ms`);
  console.log(`(${sample})`);
  await readers(store);
  store.close();
} finally {
  hogs.stop();
  await rm(dir, { recursive: true, force: true });
}

/** The status page (reading the store, then drawing) and /metrics on the same database. */
async function readers(store: MonitorStore): Promise<void> {
  const view = {
    store,
    checks: checks.map((c) => ({ ...c })) as never,
    slos,
    now,
    origin: 'https://pitchey.example',
  };
  const reads: number[] = [];
  const draws: number[] = [];
  let size = 0;
  for (let i = 0; i < Math.max(REPEATS, 3); i++) {
    const data = timed(() => statusPageData(view));
    const page = timed(() => renderStatusPage(data.value));
    reads.push(data.ms);
    draws.push(page.ms);
    size = Buffer.byteLength(page.value);
  }
  // The first page of a process decodes every hour's histogram; later ones only the new hours'.
  const warm = reads.slice(1).map((r, i) => r + (draws[i + 1] as number));
  console.log(
    `status page: first ${((reads[0] as number) + (draws[0] as number)).toFixed(0)} ms, then median ${median(warm).toFixed(0)} ms ` +
      `(reading ${median(reads.slice(1)).toFixed(0)}, drawing ${median(draws.slice(1)).toFixed(0)}), ${(size / 1024).toFixed(0)} KiB`,
  );
  const metrics = new MonitorMetrics();
  const times: number[] = [];
  size = 0;
  for (let i = 0; i < Math.min(REPEATS, 3); i++) {
    const start = performance.now();
    const out = await metrics.render(view);
    times.push(performance.now() - start);
    size = Buffer.byteLength(out.body);
  }
  console.log(`/metrics: median ${median(times).toFixed(0)} ms, ${(size / 1024).toFixed(0)} KiB`);
}
