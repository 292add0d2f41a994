/**
 * The synthetic monitor's entry point (npm run monitor; scripts/health-monitor.sh):
 *   monitor   run until SIGINT/SIGTERM, then stop cleanly and exit 0
 *   once      run every check once: exit 0 all pass (degraded too), 1 a check failed, 2 could not run
 *   status    each check's state and the open incidents, from storage
 * Options: --config FILE (perf.config.ts), --base-url URL (also BASE_URL; none: the embedded
 * target, started and stopped here), --db FILE (also MONITOR_DB; default: the config's).
 * While it runs, `monitor` serves the status page, /metrics and /healthz on monitor.host and
 * monitor.port (MONITOR_PORT overrides the port: 0 any free one, off none).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { exitOnSignalWith, onShutdown } from '../core/lifecycle.ts';
import { resolveChecks } from '../monitor/checks.ts';
import { Monitor } from '../monitor/monitor.ts';
import { type ServerThread, type ServerThreadData, startServerThread } from '../monitor/server-thread.ts';
import { loadSlos } from '../monitor/slo-config.ts';
import { renderStatus } from '../monitor/status.ts';
import { MonitorStore } from '../monitor/store.ts';
import { openTarget, parseBaseUrl, type SystemUnderTest } from './target.ts';

const COMMANDS = ['monitor', 'once', 'status'] as const;

/** The port to serve on: MONITOR_PORT (a number, or off) over the config's; false: none. */
function servePort(configured: number | false, env = process.env.MONITOR_PORT): number | false {
  if (env === undefined || env === '') return configured;
  if (env === 'off' || env === 'false') return false;
  const port = Number(env);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new PerfError(
      `MONITOR_PORT=${env} is not a port: use 0–65535 (0: any free port) or off (no status page nor /metrics)`,
    );
  return port;
}

async function serve(
  data: Omit<ServerThreadData, 'host' | 'port'>,
  config: { host: string; port: number | false },
): Promise<ServerThread | undefined> {
  const port = servePort(config.port);
  if (port === false) return undefined;
  try {
    const server = await startServerThread({ ...data, host: config.host, port });
    console.log(
      `status page ${server.url.href} · metrics ${server.url.href}metrics · health ${server.url.href}healthz`,
    );
    return server;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `${config.host}:${port} is in use (another monitor?)`
        : `cannot listen on ${config.host}:${port}: ${(error as Error).message}`;
    throw new PerfError(
      `${why}: set monitor.port in the config or MONITOR_PORT to a free port (0: any), or MONITOR_PORT=off to serve nothing`,
    );
  }
}

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
  let server: ServerThread | undefined;
  let started = false;
  try {
    const slos = await loadSlos(config, resolveChecks(config.monitor, target.url));
    monitor = new Monitor({
      config,
      baseUrl: target.url,
      database,
      slos,
      onRun: (record) => server?.observeRun(record),
    });
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
    // After the monitor opened (and migrated) the database: the thread only reads it.
    server = await serve(
      { configFile: resolve(values.config as string), database, baseUrl: target.url.href },
      config.monitor,
    );
    const serving = server;
    exitOnSignalWith(0);
    onShutdown(
      async () => {
        console.log('stopping: no new checks; waiting for the ones running…');
        // The server reads the store, which stop() closes: it goes first.
        await serving?.close();
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
      await server?.close();
      await monitor?.stop();
      await target.stop();
    }
  }
}

await runCli(main);
