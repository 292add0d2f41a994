/**
 * The synthetic monitor's entry point (npm run monitor; scripts/health-monitor.sh):
 *   monitor   run until SIGINT/SIGTERM, then stop cleanly and exit 0
 *   once      run every check once: exit 0 all pass (degraded too), 1 a check failed, 2 could not run
 *   status    each check's state and the open incidents, from storage
 * Options: --config FILE (perf.config.ts), --base-url URL (also BASE_URL; none: the embedded
 * target, started and stopped here), --db FILE (also MONITOR_DB; default: the config's).
 */
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { exitOnSignalWith, onShutdown } from '../core/lifecycle.ts';
import { resolveChecks } from '../monitor/checks.ts';
import { Monitor } from '../monitor/monitor.ts';
import { loadSlos } from '../monitor/slo-config.ts';
import { renderStatus } from '../monitor/status.ts';
import { MonitorStore } from '../monitor/store.ts';
import { openTarget, parseBaseUrl, type SystemUnderTest } from './target.ts';

const COMMANDS = ['monitor', 'once', 'status'] as const;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', default: 'perf.config.ts' },
      'base-url': { type: 'string' },
      db: { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'monitor';
  if (!COMMANDS.includes(command as never))
    throw new PerfError(`unknown command "${command}": use one of ${COMMANDS.join(', ')}`);
  const config = await loadConfig(values.config as string);
  const database = values.db ?? process.env.MONITOR_DB ?? config.monitor.database;

  if (command === 'status') {
    const store = MonitorStore.open(database);
    try {
      console.log(renderStatus(store, Date.now()));
    } finally {
      store.close();
    }
    return 0;
  }

  const given =
    (values['base-url'] && parseBaseUrl(values['base-url'], '--base-url')) ||
    (process.env.BASE_URL && parseBaseUrl(process.env.BASE_URL, 'BASE_URL')) ||
    (config.baseUrl && parseBaseUrl(config.baseUrl, `${values.config} baseUrl`)) ||
    undefined;
  // A deployment that is down is what the monitor is for: it starts anyway (and alerts).
  const target: SystemUnderTest = given
    ? { url: given, embedded: false, stop: async () => {} }
    : await openTarget(undefined, config.readyTimeoutMs);
  let monitor: Monitor | undefined;
  let started = false;
  try {
    const slos = await loadSlos(config, resolveChecks(config.monitor, target.url));
    monitor = new Monitor({ config, baseUrl: target.url, database, slos });
    if (target.embedded)
      console.log(
        `monitoring the embedded Pitchey at ${target.url.origin} (set BASE_URL to monitor a deployment)`,
      );
    if (command === 'once') {
      const records = await monitor.runAllOnce();
      let failed = 0;
      let degraded = 0;
      let broken = 0;
      for (const { check, attempts } of records) {
        const final = attempts[attempts.length - 1];
        if (!final) continue;
        const line = `${final.outcome.padEnd(8)} ${check.name.padEnd(20)} ${Math.round(final.durationMs)
          .toString()
          .padStart(
            6,
          )} ms${attempts.length > 1 ? ` (${attempts.length} attempts)` : ''}${final.message ? `  ${final.message}` : ''}`;
        console.log(line);
        if (final.outcome === 'fail') failed++;
        if (final.outcome === 'degraded') degraded++;
        if (final.errorClass === 'internal') broken++;
      }
      console.log(
        `${records.length} checks: ${records.length - failed - degraded} passed${degraded ? `, ${degraded} degraded` : ''}${failed ? `, ${failed} failed` : ''} (stored in ${database})`,
      );
      return broken ? 2 : failed ? 1 : 0;
    }
    // Runs until SIGINT/SIGTERM: then the monitor stops first (its checks in flight finish, the
    // target and the browsers still up), then the rest, and the process exits 0.
    const running = monitor;
    exitOnSignalWith(0);
    onShutdown(
      async () => {
        console.log('stopping: no new checks; waiting for the ones running…');
        await running.stop();
        console.log('monitor stopped');
      },
      { first: true },
    );
    running.start();
    started = true;
    return await new Promise<number>(() => {});
  } finally {
    if (!started) {
      await monitor?.stop();
      await target.stop();
    }
  }
}

await runCli(main);
