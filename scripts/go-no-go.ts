/**
 * `npm run go-no-go -- --checkpoint traffic-increase|marketing-launch|scale-100k`: the roadmap's
 * checkpoint as a table of criteria, each with its evidence, date and verdict (core/go-no-go.ts).
 * Exit 0 go, 1 no-go, 2 cannot tell (evidence missing or stale, each naming what to run) or bad
 * input. Evidence is only read: a missing monitor database is not created.
 *
 *   --checkpoint ID     required
 *   --config FILE       default perf.config.ts
 *   --db FILE           the monitor's database (also MONITOR_DB; default: the config's)
 *   --reports-dir DIR   the gate's reports (default: the config's reportsDir)
 *   --milestone NAME    the gate run must have judged this milestone (default: the config's)
 *   --base-url URL      only runs of this deployment count (also BASE_URL; default: the config's)
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { capacityResultPath, readCapacityResult } from '../core/capacity-result.ts';
import { runCli } from '../core/cli.ts';
import { type Config, loadConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import {
  CHECKPOINT_IDS,
  CHECKPOINTS,
  checkpointOutcome,
  type Evidence,
  isCheckpointId,
  judgeCheckpoint,
  LIMITS,
  type MonitorEvidence,
  renderCheckpoint,
  sourcesOf,
  type UptimeGroup,
} from '../core/go-no-go.ts';
import { historyPath, readHistory } from '../core/history.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import type { ResolvedCheck } from '../monitor/checks.ts';
import type { Slo } from '../monitor/slo.ts';
import type { MonitorStore } from '../monitor/store.ts';
import { openView } from '../monitor/view.ts';
import { parseBaseUrl } from './target.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const USAGE = `usage: npm run go-no-go -- --checkpoint ${CHECKPOINT_IDS.join('|')} [--config FILE] [--db FILE] [--reports-dir DIR] [--milestone NAME] [--base-url URL]`;

function cliArgs() {
  try {
    return parseArgs({
      options: {
        checkpoint: { type: 'string' },
        config: { type: 'string', default: 'perf.config.ts' },
        db: { type: 'string' },
        'reports-dir': { type: 'string' },
        milestone: { type: 'string' },
        'base-url': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new PerfError(`${(error as Error).message}\n${USAGE}`);
  }
}

/**
 * The groups uptime is judged over: the config's own availability SLOs of a group, when it sets
 * any; else every group of checks (as the milestone's default uptime SLOs are). The milestone's
 * other SLOs are left out: "api-errors" is an error-rate target, not uptime.
 */
function uptimeGroups(config: Config, checks: readonly ResolvedCheck[], slos: readonly Slo[]) {
  const groups = new Map<string, string[]>();
  if (config.monitor.slos)
    for (const slo of slos)
      if (slo.sli === 'availability' && slo.scope.group && !slo.scope.check && !groups.has(slo.scope.group))
        groups.set(slo.scope.group, slo.checks);
  if (!groups.size) for (const c of checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c.name]);
  return groups;
}

/** The first run stored: to the minute when the minute rollups still reach back to it. */
function firstRunAt(store: MonitorStore): number | undefined {
  // view.store.db: the store has no query for the oldest rollup.
  const oldest = (period: string) =>
    (
      store.db.prepare('SELECT MIN(start) AS first FROM rollups WHERE period = ?').get(period) as {
        first: number | null;
      }
    ).first ?? undefined;
  const hour = oldest('hour');
  const minute = oldest('minute');
  if (hour === undefined) return minute;
  return minute !== undefined && minute - hour < HOUR ? minute : hour;
}

async function monitorEvidence(
  config: Config,
  database: string,
  baseUrl: URL,
  now: number,
): Promise<MonitorEvidence | undefined> {
  if (!existsSync(database)) return undefined;
  const view = await openView(config, database, baseUrl, now);
  const { store } = view;
  try {
    const states = store.loadStates();
    const health = view.checks.filter((c) => c.group === 'health');
    const counts = store.windowCounts(now + 1 - LIMITS.uptimeDays * DAY, now + 1);
    const uptime: UptimeGroup[] = [...uptimeGroups(config, view.checks, view.slos)].map(([name, checks]) => {
      let total = 0;
      let good = 0;
      for (const check of checks) {
        total += counts.get(check)?.total ?? 0;
        good += counts.get(check)?.good ?? 0;
      }
      return { name, total, good };
    });
    const from = now - LIMITS.gapDays * DAY - MINUTE;
    const minutes = new Set<number>();
    for (const check of health)
      for (const rollup of store.rollups('minute', from, now + 1, check.name))
        if (rollup.runs > 0) minutes.add(rollup.start);
    return {
      heartbeatAt: store.heartbeatAt(),
      healthChecks: health.map((c) => ({
        name: c.name,
        lastRunAt: states.get(c.name)?.lastRunAt || undefined,
        intervalMs: c.schedule.intervalMs,
      })),
      firstRunAt: firstRunAt(store),
      uptime,
      healthMinutes: [...minutes].sort((a, b) => a - b),
      minutesKeptFrom: Number(store.getMeta('minutes_pruned_before') ?? 0),
    };
  } finally {
    store.close();
  }
}

/** A history file that exists but cannot be read is bad input, not "no run yet". */
function assertReadable(file: string): void {
  if (!existsSync(file)) return;
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new PerfError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const args = cliArgs();
  const id = args.checkpoint;
  if (!id) throw new PerfError(`--checkpoint is required\n${USAGE}`);
  if (!isCheckpointId(id))
    throw new PerfError(`unknown checkpoint "${id}": use one of ${CHECKPOINT_IDS.join(', ')}`);
  const checkpoint = CHECKPOINTS[id];
  const sources = sourcesOf(checkpoint);
  const config = await loadConfig(args.config as string);
  const now = Date.now();
  const reportsDir = args['reports-dir'] ?? config.reportsDir;
  const database = args.db || process.env.MONITOR_DB || config.monitor.database;
  const deployment =
    (args['base-url'] && parseBaseUrl(args['base-url'], '--base-url')) ||
    (process.env.BASE_URL && parseBaseUrl(process.env.BASE_URL, 'BASE_URL')) ||
    (config.baseUrl && parseBaseUrl(config.baseUrl, `${args.config} baseUrl`)) ||
    undefined;
  const capacityFile = capacityResultPath(reportsDir);
  const milestone = args.milestone ?? config.milestone;
  if (sources.has('gate')) {
    // A misspelt milestone would otherwise read as "no run of it yet".
    milestoneTargets(await loadTargets(config.targetsFile), milestone);
    assertReadable(historyPath(reportsDir));
  }

  const evidence: Evidence = {
    now,
    database,
    // The checks are resolved on a URL for their names and groups only.
    monitor: sources.has('monitor')
      ? await monitorEvidence(config, database, deployment ?? new URL('http://localhost/'), now)
      : undefined,
    reportsDir,
    runs: sources.has('gate') ? await readHistory(reportsDir, Number.MAX_SAFE_INTEGER) : [],
    milestone,
    deployment: deployment?.origin,
    suites: Object.entries(config.suites)
      .filter(([, suite]) => suite.enabled)
      .map(([name]) => name),
    capacityFile,
    capacity: sources.has('capacity') ? await readCapacityResult(capacityFile) : undefined,
  };
  const results = judgeCheckpoint(checkpoint, evidence);
  const outcome = checkpointOutcome(results);
  const markdown = renderCheckpoint(id, results, outcome, now);
  process.stdout.write(markdown);
  if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return outcome.exitCode;
}

await runCli(main);
