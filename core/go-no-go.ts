/**
 * The roadmap's Go/No-Go checkpoints (pure): the criteria as data, each judged from plain
 * evidence (the monitor's heartbeat and rollups, the gate's run history, the capacity check's
 * result, the time), the checkpoint's verdict and exit code, and its Markdown table. Criteria no
 * tool here measures are listed for a human to sign off and never change the exit code.
 */
import { join } from 'node:path';
import type { CapacityResult } from './capacity-result.ts';
import type { HistoryEntry } from './history.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the criteria judge by: 99.9 % and 100K come from the roadmap, the rest are our choices. */
export const LIMITS = {
  /** The monitor writes its heartbeat every 5 s: none for 5 minutes means it is not running. */
  heartbeatMs: 5 * MINUTE,
  /** A health check ran within this, or within two of its intervals when they are longer. */
  healthRunMs: 5 * MINUTE,
  uptimeObjective: 0.999,
  uptimeDays: 30,
  /** Around the clock: no stretch longer than this without a health check run… */
  gapMs: 15 * MINUTE,
  /** …over this many days. */
  gapDays: 7,
  /** A gate run or capacity result older than this no longer says how things are now. */
  maxAgeMs: 7 * DAY,
  scaleDau: 100_000,
} as const;

const START_MONITOR = 'start the monitor: npm run monitor';
const RUN_GATE = 'npm run test:performance';
const RUN_CAPACITY = 'npm run capacity';

export interface HealthCheckEvidence {
  name: string;
  /** When it last ran (epoch ms); undefined: never. */
  lastRunAt?: number | undefined;
  /** Its schedule's interval; undefined for a cron schedule. */
  intervalMs?: number | undefined;
}

/** One uptime group's runs over the last uptimeDays (maintenance and offline runs not counted). */
export interface UptimeGroup {
  name: string;
  total: number;
  /** Passed or degraded. */
  good: number;
}

export interface MonitorEvidence {
  heartbeatAt?: number | undefined;
  /** The checks of group "health". */
  healthChecks: HealthCheckEvidence[];
  /** The earliest run the database holds: to the minute while minute rollups reach it, else to the hour. */
  firstRunAt?: number | undefined;
  uptime: UptimeGroup[];
  /** Starts of the minutes (epoch ms, ascending) in which a health check ran, over the last gapDays. */
  healthMinutes: number[];
  /** Minute rollups before this were pruned (monitor.retentionDays); 0 when never. */
  minutesKeptFrom: number;
}

export interface Evidence {
  now: number;
  /** The monitor database's path; `monitor` is undefined when the file does not exist. */
  database: string;
  monitor?: MonitorEvidence | undefined;
  /** Where the gate writes (history.jsonl and one folder per run). */
  reportsDir: string;
  /** The gate's runs, as history.jsonl holds them. */
  runs: HistoryEntry[];
  /** The milestone asked about: only runs that judged it count. */
  milestone: string;
  /** The deployment's origin when one is named: only its runs count. */
  deployment?: string | undefined;
  /** The suites a full gate run measures (the config's enabled ones). */
  suites: string[];
  capacityFile: string;
  capacity?: CapacityResult | undefined;
}

export type CriterionVerdict = 'go' | 'no-go' | 'cannot-tell' | 'not-measured';

export interface Judgement {
  verdict: Exclude<CriterionVerdict, 'not-measured'>;
  /** What was seen; for "cannot tell", also what to run. */
  evidence: string;
  /** When the evidence was taken (epoch ms). */
  at?: number | undefined;
}

/** Where a measured criterion's evidence comes from, so only what a checkpoint needs is read. */
export type EvidenceSource = 'monitor' | 'gate' | 'capacity';

export type Judge = (evidence: Evidence) => Judgement;

export interface Criterion {
  /** As the roadmap words it. */
  name: string;
  /** Absent: not measured here, a human signs it off. */
  measure?: { source: EvidenceSource; judge: Judge };
}

export interface Checkpoint {
  title: string;
  criteria: readonly Criterion[];
}

export interface CriterionResult {
  criterion: string;
  verdict: CriterionVerdict;
  evidence: string;
  date?: number | undefined;
}

// ---- formatting -------------------------------------------------------------------------------

/** A duration as people say it: "40 s", "12 min", "2.5 h", "3.2 d". */
export function duration(ms: number): string {
  const a = Math.max(0, ms);
  if (a < 90_000) return `${Math.round(a / 1000)} s`;
  if (a < 90 * MINUTE) return `${Math.round(a / MINUTE)} min`;
  if (a < 36 * HOUR) return `${(a / HOUR).toFixed(1)} h`;
  return `${(a / DAY).toFixed(1)} d`;
}

/** "2025-03-01 09:30 UTC". */
export function formatDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Rounded down, so a figure just under 99.9 % never reads as 99.9 %. */
function percent(ratio: number): string {
  return `${Number((Math.floor(ratio * 100_000) / 1000).toFixed(3))} %`;
}

const shortCommit = (commit: string | undefined) => (commit ? commit.slice(0, 7) : 'unknown');

/** A target on this machine (the embedded stand-in, a local container) says nothing of the deployment. */
export function isLocal(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\./.test(host);
}

// ---- the monitor's criteria -------------------------------------------------------------------

const noDatabase = (e: Evidence): Judgement => ({
  verdict: 'cannot-tell',
  evidence: `no monitor database at ${e.database}: ${START_MONITOR} (or point --db / MONITOR_DB at its database)`,
});

function heartbeat(m: MonitorEvidence, now: number): Judgement {
  const at = m.heartbeatAt;
  if (at === undefined)
    return {
      verdict: 'no-go',
      evidence: `no heartbeat: the long-running monitor never ran with this database — ${START_MONITOR}`,
    };
  const age = now - at;
  if (age < -MINUTE)
    return {
      verdict: 'cannot-tell',
      evidence: `the heartbeat is ${duration(-age)} in the future: this machine's clock and the monitor's disagree`,
      at,
    };
  if (age > LIMITS.heartbeatMs)
    return {
      verdict: 'no-go',
      evidence: `last heartbeat ${duration(age)} ago: the monitor is not running — ${START_MONITOR}`,
      at,
    };
  return { verdict: 'go', evidence: `heartbeat ${duration(age)} ago`, at };
}

function healthChecksRan(m: MonitorEvidence, now: number): Judgement {
  if (!m.healthChecks.length)
    return {
      verdict: 'no-go',
      evidence: 'the monitor has no check in group "health": add the health endpoints to monitor.checks',
    };
  const late = m.healthChecks.filter(
    (c) =>
      c.lastRunAt === undefined || now - c.lastRunAt > Math.max(LIMITS.healthRunMs, 2 * (c.intervalMs ?? 0)),
  );
  if (late.length)
    return {
      verdict: 'no-go',
      evidence: `not run recently: ${late
        .map((c) =>
          c.lastRunAt === undefined
            ? `${c.name} never ran`
            : `${c.name} last ran ${duration(now - c.lastRunAt)} ago`,
        )
        .join(', ')}`,
    };
  const oldest = Math.min(...m.healthChecks.map((c) => c.lastRunAt as number));
  const n = m.healthChecks.length;
  return {
    verdict: 'go',
    evidence: `${n} health check${n === 1 ? '' : 's'} ran in the last ${duration(now - oldest)}`,
  };
}

/** All parts must be go; any no-go decides, else any cannot-tell. */
function combine(parts: Judgement[]): Judgement {
  const verdict = parts.some((p) => p.verdict === 'no-go')
    ? 'no-go'
    : parts.some((p) => p.verdict === 'cannot-tell')
      ? 'cannot-tell'
      : 'go';
  return { verdict, evidence: parts.map((p) => p.evidence).join('; '), at: parts.find((p) => p.at)?.at };
}

export function healthMonitoringActive(e: Evidence): Judgement {
  if (!e.monitor) return noDatabase(e);
  return combine([heartbeat(e.monitor, e.now), healthChecksRan(e.monitor, e.now)]);
}

export function uptimeAchieved(e: Evidence): Judgement {
  const m = e.monitor;
  if (!m) return noDatabase(e);
  const counted = m.uptime.filter((g) => g.total > 0);
  if (!counted.length || m.firstRunAt === undefined)
    return {
      verdict: 'cannot-tell',
      evidence: `no run counted in the last ${LIMITS.uptimeDays} days: ${START_MONITOR}`,
    };
  const figures = m.uptime
    .map((g) =>
      g.total ? `${g.name} ${percent(g.good / g.total)} of ${g.total} runs` : `${g.name}: no runs`,
    )
    .join(', ');
  // Rollups are hourly: a first run within the window's first hour covers it.
  const covered = m.firstRunAt <= e.now - LIMITS.uptimeDays * DAY + HOUR;
  const days = Math.floor((e.now - m.firstRunAt) / DAY);
  const below = counted.filter((g) => g.good / g.total < LIMITS.uptimeObjective - 1e-12);
  const at = e.now;
  if (below.length)
    return {
      verdict: 'no-go',
      evidence: `${figures} over ${covered ? `${LIMITS.uptimeDays} days` : `the ${days} of ${LIMITS.uptimeDays} days observed`}: ${below.map((g) => g.name).join(', ')} below ${percent(LIMITS.uptimeObjective)}`,
      at,
    };
  if (!covered)
    return {
      verdict: 'cannot-tell',
      evidence: `${days} of ${LIMITS.uptimeDays} days observed (since ${formatDate(m.firstRunAt)}): ${figures} so far — keep the monitor running (npm run monitor)`,
      at,
    };
  const silent = m.uptime.filter((g) => !g.total);
  if (silent.length)
    return {
      verdict: 'cannot-tell',
      evidence: `${figures} over ${LIMITS.uptimeDays} days: no runs of ${silent.map((g) => g.name).join(', ')} — check the monitor's log`,
      at,
    };
  return { verdict: 'go', evidence: `${figures} over ${LIMITS.uptimeDays} days`, at };
}

/** The longest stretch of [from, to] with no point in `times` (ascending), and where it starts. */
export function longestGap(times: readonly number[], from: number, to: number): { ms: number; from: number } {
  let longest = { ms: 0, from };
  let previous = from;
  // A point just before the window (a minute that began before it) counts as at its start.
  for (const t of [...times.filter((x) => x <= to).map((x) => Math.max(x, from)), to]) {
    if (t - previous > longest.ms) longest = { ms: t - previous, from: previous };
    previous = t;
  }
  return longest;
}

function healthRunGaps(m: MonitorEvidence, now: number): Judgement {
  const from = now - LIMITS.gapDays * DAY;
  const at = now;
  if (m.minutesKeptFrom > from)
    return {
      verdict: 'cannot-tell',
      evidence: `minute records are kept only since ${formatDate(m.minutesKeptFrom)}: set monitor.retentionDays to ${LIMITS.gapDays} or more`,
      at,
    };
  const minutes = m.healthMinutes.filter((t) => t >= from - MINUTE && t <= now);
  const first = minutes[0];
  if (first === undefined)
    return { verdict: 'no-go', evidence: `no health check ran in the last ${LIMITS.gapDays} days`, at };
  // A monitor started inside the window: before its first run is unobserved, not a gap.
  const startedInside = m.firstRunAt === undefined || m.firstRunAt > from;
  const gap = longestGap(minutes, startedInside ? first : from, now);
  const limit = duration(LIMITS.gapMs);
  if (gap.ms > LIMITS.gapMs)
    return {
      verdict: 'no-go',
      evidence: `no health check ran for ${duration(gap.ms)} from ${formatDate(gap.from)} (more than ${limit})`,
      at,
    };
  if (startedInside)
    return {
      verdict: 'cannot-tell',
      evidence: `${((now - first) / DAY).toFixed(1)} of ${LIMITS.gapDays} days observed, no gap over ${limit} so far — keep the monitor running (npm run monitor)`,
      at,
    };
  return {
    verdict: 'go',
    evidence: `health checks ran all ${LIMITS.gapDays} days, longest gap ${duration(gap.ms)} (to the minute)`,
    at,
  };
}

export function monitoringAroundTheClock(e: Evidence): Judgement {
  if (!e.monitor) return noDatabase(e);
  return combine([heartbeat(e.monitor, e.now), healthRunGaps(e.monitor, e.now)]);
}

// ---- the gate's and the capacity check's criteria ---------------------------------------------

function latest(runs: readonly HistoryEntry[]): HistoryEntry | undefined {
  return runs.reduce<HistoryEntry | undefined>(
    (a, r) => (!a || Date.parse(r.startedAt) >= Date.parse(a.startedAt) ? r : a),
    undefined,
  );
}

/** The suites a run measured: the first word of its history keys ("suite item metric stat"). */
function suitesOf(run: HistoryEntry): Set<string> {
  return new Set(Object.keys(run.metrics).map((key) => key.split(' ')[0] as string));
}

export function performanceTargetsReached(e: Evidence): Judgement {
  const history = join(e.reportsDir, 'history.jsonl');
  if (!e.runs.length)
    return { verdict: 'cannot-tell', evidence: `no gate run in ${history}: run ${RUN_GATE}` };
  const ofDeployment = e.deployment ? e.runs.filter((r) => r.baseUrl === e.deployment) : e.runs;
  if (!ofDeployment.length)
    return {
      verdict: 'cannot-tell',
      evidence: `no gate run of ${e.deployment} in ${history}: run BASE_URL=${e.deployment} ${RUN_GATE}`,
    };
  const run = latest(ofDeployment.filter((r) => r.milestone === e.milestone));
  if (!run) {
    const other = latest(ofDeployment) as HistoryEntry;
    return {
      verdict: 'cannot-tell',
      evidence: `the latest run (${other.id}) judged milestone ${other.milestone}, not ${e.milestone}: run ${RUN_GATE} -- --milestone ${e.milestone}`,
      at: Date.parse(other.startedAt),
    };
  }
  const at = Date.parse(run.startedAt);
  const about = `run ${run.id} (milestone ${run.milestone}, ${run.profile} profile, commit ${shortCommit(run.commit)}, ${run.baseUrl})`;
  const report = join(e.reportsDir, run.id, 'summary.md');
  if (isLocal(run.baseUrl))
    return {
      verdict: 'cannot-tell',
      evidence: `${about} measured a target on this machine, not the deployment: run BASE_URL=<deployment> ${RUN_GATE}`,
      at,
    };
  if (e.now - at > LIMITS.maxAgeMs)
    return {
      verdict: 'cannot-tell',
      evidence: `${about} is ${duration(e.now - at)} old (over ${LIMITS.maxAgeMs / DAY} days): run ${RUN_GATE}`,
      at,
    };
  if (run.status === 'fail')
    return {
      verdict: 'no-go',
      evidence: `${about} failed${run.regressions ? ` (${run.regressions} regression${run.regressions === 1 ? '' : 's'} among the failures)` : ''}: see ${report}`,
      at,
    };
  if (run.status === 'error')
    return {
      verdict: 'cannot-tell',
      evidence: `${about} could not measure everything: see ${report}, then run ${RUN_GATE}`,
      at,
    };
  const measured = suitesOf(run);
  const missing = e.suites.filter((s) => !measured.has(s));
  if (missing.length)
    return {
      verdict: 'cannot-tell',
      evidence: `${about} passed without the ${missing.join(', ')} suite${missing.length === 1 ? '' : 's'}: run ${RUN_GATE} with every suite`,
      at,
    };
  return { verdict: 'go', evidence: `${about} passed every target`, at };
}

export function capacityForScale(e: Evidence): Judgement {
  const c = e.capacity;
  if (!c)
    return {
      verdict: 'cannot-tell',
      evidence: `no capacity result at ${e.capacityFile}: run ${RUN_CAPACITY}`,
    };
  const at = Date.parse(c.measuredAt);
  const about = `${c.capacityRps} req/s carried for a peak of ${c.peakRps} req/s at ${c.dau} daily users (headroom ×${c.headroom.toFixed(2)}; milestone ${c.milestone}, commit ${shortCommit(c.commit)}, ${c.baseUrl})`;
  if (c.dau < LIMITS.scaleDau)
    return {
      verdict: 'cannot-tell',
      evidence: `the latest capacity run sized for ${c.dau} daily users, not ${LIMITS.scaleDau}: run ${RUN_CAPACITY} for ${LIMITS.scaleDau} daily users`,
      at,
    };
  if (isLocal(c.baseUrl))
    return {
      verdict: 'cannot-tell',
      evidence: `${about}: a target on this machine, not the deployment — run BASE_URL=<deployment> ${RUN_CAPACITY}`,
      at,
    };
  if (e.now - at > LIMITS.maxAgeMs)
    return {
      verdict: 'cannot-tell',
      evidence: `${about} is ${duration(e.now - at)} old (over ${LIMITS.maxAgeMs / DAY} days): run ${RUN_CAPACITY}`,
      at,
    };
  if (c.headroom < 1) return { verdict: 'no-go', evidence: `${about}: short of the peak`, at };
  return { verdict: 'go', evidence: about, at };
}

// ---- the checkpoints --------------------------------------------------------------------------

const monitor = (judge: Judge) => ({ source: 'monitor' as const, judge });

/** The roadmap's "Go/No-Go Checkpoints", in its order and words. */
export const CHECKPOINTS = {
  'traffic-increase': {
    title: 'Before Production Traffic Increase',
    criteria: [
      { name: 'All critical security fixes applied' },
      { name: 'Health monitoring active', measure: monitor(healthMonitoringActive) },
      { name: 'Backup procedures tested' },
      { name: 'Team trained on incident response' },
    ],
  },
  'marketing-launch': {
    title: 'Before Marketing Launch',
    criteria: [
      { name: '99.9% uptime achieved', measure: monitor(uptimeAchieved) },
      { name: 'All compliance requirements met' },
      { name: 'Performance targets reached', measure: { source: 'gate', judge: performanceTargetsReached } },
      { name: 'Security audit passed' },
    ],
  },
  'scale-100k': {
    title: 'Before Scale to 100K Users',
    criteria: [
      { name: 'Auto-scaling tested' },
      { name: 'Database sharding ready' },
      { name: 'Global CDN configured' },
      { name: '24/7 monitoring active', measure: monitor(monitoringAroundTheClock) },
      // Not in the roadmap's list, but what "scale to 100K users" rests on.
      { name: 'Capacity for 100K daily users', measure: { source: 'capacity', judge: capacityForScale } },
    ],
  },
} as const satisfies Record<string, Checkpoint>;

export type CheckpointId = keyof typeof CHECKPOINTS;

export const CHECKPOINT_IDS = Object.keys(CHECKPOINTS) as CheckpointId[];

export function isCheckpointId(value: string): value is CheckpointId {
  return Object.hasOwn(CHECKPOINTS, value);
}

/** The evidence sources a checkpoint's measured criteria read. */
export function sourcesOf(checkpoint: Checkpoint): Set<EvidenceSource> {
  return new Set(checkpoint.criteria.flatMap((c) => (c.measure ? [c.measure.source] : [])));
}

export function judgeCheckpoint(checkpoint: Checkpoint, evidence: Evidence): CriterionResult[] {
  return checkpoint.criteria.map((c) => {
    if (!c.measure)
      return {
        criterion: c.name,
        verdict: 'not-measured',
        evidence: 'a human signs it off',
      };
    const j = c.measure.judge(evidence);
    return { criterion: c.name, verdict: j.verdict, evidence: j.evidence, date: j.at };
  });
}

export interface CheckpointOutcome {
  verdict: Exclude<CriterionVerdict, 'not-measured'>;
  exitCode: 0 | 1 | 2;
  line: string;
}

/** No-go when any measured criterion is; else cannot tell when any is; else go (exit 0, 1, 2). */
export function checkpointOutcome(results: readonly CriterionResult[]): CheckpointOutcome {
  const measured = results.filter((r) => r.verdict !== 'not-measured');
  const byHand = results.length - measured.length;
  const signOff = byHand ? `; ${byHand} more for a human to sign off` : '';
  const names = (verdict: CriterionVerdict) =>
    measured
      .filter((r) => r.verdict === verdict)
      .map((r) => r.criterion)
      .join(', ');
  if (measured.some((r) => r.verdict === 'no-go'))
    return { verdict: 'no-go', exitCode: 1, line: `NO-GO (${names('no-go')})${signOff}` };
  if (!measured.length || measured.some((r) => r.verdict === 'cannot-tell'))
    return { verdict: 'cannot-tell', exitCode: 2, line: `CANNOT TELL (${names('cannot-tell')})${signOff}` };
  return {
    verdict: 'go',
    exitCode: 0,
    line: `GO (${measured.length} measured criteri${measured.length === 1 ? 'on' : 'a'})${signOff}`,
  };
}

const LABELS: Record<CriterionVerdict, string> = {
  go: 'GO',
  'no-go': 'NO-GO',
  'cannot-tell': 'CANNOT TELL',
  'not-measured': 'not measured here',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The checkpoint as a Markdown table, its columns padded so it also reads well in a terminal. */
export function renderCheckpoint(
  id: CheckpointId,
  results: readonly CriterionResult[],
  outcome: CheckpointOutcome,
  now: number,
): string {
  const rows = [
    ['Criterion', 'Verdict', 'Date', 'Evidence'],
    ...results.map((r) => [
      cell(r.criterion),
      LABELS[r.verdict],
      r.date === undefined ? '—' : formatDate(r.date),
      cell(r.evidence),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    `| ${row.map((text, i) => (i < 3 ? text.padEnd(widths[i] as number) : text)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} | --- |`;
  return [
    `## Go/No-Go: ${CHECKPOINTS[id].title} (${id})`,
    '',
    `**${outcome.line}** — exit ${outcome.exitCode}`,
    '',
    line(rows[0] as string[]),
    rule,
    ...rows.slice(1).map(line),
    '',
    `Judged ${formatDate(now)}. Exit 0 go, 1 no-go, 2 cannot tell; criteria not measured here do not change it.`,
    '',
  ].join('\n');
}
