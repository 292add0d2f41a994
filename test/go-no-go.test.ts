/**
 * Go/No-Go: each criterion's verdict paths on plain evidence (exact texts), the checkpoint's
 * exit code and table, and `npm run go-no-go` as a child process on a temporary monitor
 * database and reports folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapacityResult, capacityResultSchema, readCapacityResult } from '../core/capacity-result.ts';
import {
  CHECKPOINTS,
  type CriterionResult,
  capacityForScale,
  checkpointOutcome,
  type Evidence,
  formatDate,
  healthMonitoringActive,
  judgeCheckpoint,
  longestGap,
  type MonitorEvidence,
  monitoringAroundTheClock,
  performanceTargetsReached,
  renderCheckpoint,
  uptimeAchieved,
} from '../core/go-no-go.ts';
import type { HistoryEntry } from '../core/history.ts';
import { INITIAL_STATE } from '../monitor/incidents.ts';
import { MonitorStore } from '../monitor/store.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2025, 5, 30, 12, 0, 0);

/** A monitor that has run every minute for 31 days and beats now. */
function monitorOf(over: Partial<MonitorEvidence> = {}): MonitorEvidence {
  const minutes: number[] = [];
  for (let t = NOW - 7 * DAY; t < NOW; t += MINUTE) minutes.push(t);
  return {
    heartbeatAt: NOW - 5_000,
    healthChecks: [{ name: 'health', lastRunAt: NOW - 10_000, intervalMs: 30_000 }],
    firstRunAt: NOW - 31 * DAY,
    uptime: [{ name: 'health', total: 1000, good: 1000 }],
    healthMinutes: minutes,
    minutesKeptFrom: 0,
    ...over,
  };
}

const SUITE_KEYS = {
  'health /health http_req_duration p(95)': 3,
  'load average-load http_req_duration p(95)': 40,
  'synthetic visitor journey_duration med': 900,
  'lighthouse home page_load med': 700,
};

function runOf(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: 'R1',
    startedAt: new Date(NOW - DAY).toISOString(),
    profile: 'ci',
    milestone: 'month-1',
    baseUrl: 'https://pitchey.example',
    commit: 'abcdef0123456789',
    status: 'pass',
    exitCode: 0,
    regressions: 0,
    metrics: SUITE_KEYS,
    ...over,
  };
}

function capacityOf(over: Partial<CapacityResult> = {}): CapacityResult {
  return {
    schemaVersion: 1,
    measuredAt: new Date(NOW - DAY).toISOString(),
    commit: 'abcdef0123456789',
    baseUrl: 'https://pitchey.example',
    milestone: 'month-1',
    dau: 100_000,
    peakRps: 200,
    capacityRps: 300,
    headroom: 1.5,
    ...over,
  };
}

function evidenceOf(over: Partial<Evidence> = {}): Evidence {
  return {
    now: NOW,
    database: 'monitor-data/monitor.db',
    monitor: monitorOf(),
    reportsDir: 'reports',
    runs: [runOf()],
    milestone: 'month-1',
    suites: ['health', 'load', 'synthetic', 'lighthouse'],
    capacityFile: 'reports/capacity/latest.json',
    capacity: capacityOf(),
    ...over,
  };
}

const NO_DATABASE = {
  verdict: 'cannot-tell',
  evidence:
    'no monitor database at monitor-data/monitor.db: start the monitor: npm run monitor (or point --db / MONITOR_DB at its database)',
};

describe('Health monitoring active (traffic-increase)', () => {
  it('go: a fresh heartbeat and every health check ran lately', () => {
    expect(healthMonitoringActive(evidenceOf())).toEqual({
      verdict: 'go',
      evidence: 'heartbeat 5 s ago; 1 health check ran in the last 10 s',
      at: NOW - 5_000,
    });
  });

  it('no-go: the heartbeat is older than 5 minutes (the monitor stopped), or there is none', () => {
    expect(
      healthMonitoringActive(evidenceOf({ monitor: monitorOf({ heartbeatAt: NOW - 5 * MINUTE }) })).verdict,
    ).toBe('go');
    expect(
      healthMonitoringActive(evidenceOf({ monitor: monitorOf({ heartbeatAt: NOW - 5 * MINUTE - 1 }) })),
    ).toEqual({
      verdict: 'no-go',
      evidence:
        'last heartbeat 5 min ago: the monitor is not running — start the monitor: npm run monitor; 1 health check ran in the last 10 s',
      at: NOW - 5 * MINUTE - 1,
    });
    expect(healthMonitoringActive(evidenceOf({ monitor: monitorOf({ heartbeatAt: undefined }) }))).toEqual({
      verdict: 'no-go',
      evidence:
        'no heartbeat: the long-running monitor never ran with this database — start the monitor: npm run monitor; 1 health check ran in the last 10 s',
      at: undefined,
    });
  });

  it('no-go: a health check that has not run within 5 minutes (or two of its intervals), or never', () => {
    const checks = [
      { name: 'health', lastRunAt: NOW - 6 * MINUTE, intervalMs: 30_000 },
      { name: 'health-ready', lastRunAt: NOW - 15 * MINUTE, intervalMs: 10 * MINUTE },
      { name: 'health-detailed' },
    ];
    expect(healthMonitoringActive(evidenceOf({ monitor: monitorOf({ healthChecks: checks }) }))).toEqual({
      verdict: 'no-go',
      evidence: 'heartbeat 5 s ago; not run recently: health last ran 6 min ago, health-detailed never ran',
      at: NOW - 5_000,
    });
    expect(healthMonitoringActive(evidenceOf({ monitor: monitorOf({ healthChecks: [] }) })).evidence).toBe(
      'heartbeat 5 s ago; the monitor has no check in group "health": add the health endpoints to monitor.checks',
    );
  });

  it('cannot tell: no database, or a heartbeat from the future', () => {
    expect(healthMonitoringActive(evidenceOf({ monitor: undefined }))).toEqual(NO_DATABASE);
    expect(
      healthMonitoringActive(evidenceOf({ monitor: monitorOf({ heartbeatAt: NOW + 10 * MINUTE }) })),
    ).toMatchObject({
      verdict: 'cannot-tell',
      evidence: expect.stringMatching(/^the heartbeat is 10 min in the future: /),
    });
  });
});

describe('99.9% uptime achieved (marketing-launch)', () => {
  const withUptime = (uptime: MonitorEvidence['uptime'], firstRunAt = NOW - 31 * DAY) =>
    evidenceOf({ monitor: monitorOf({ uptime, firstRunAt }) });

  it('go: every group at 99.9 % or more over 30 observed days', () => {
    expect(
      uptimeAchieved(
        withUptime([
          { name: 'health', total: 1000, good: 999 },
          { name: 'api', total: 50, good: 50 },
        ]),
      ),
    ).toEqual({
      verdict: 'go',
      evidence: 'health 99.9 % of 1000 runs, api 100 % of 50 runs over 30 days',
      at: NOW,
    });
  });

  it('no-go: a group below 99.9 %, rounded down so 99.8999 % never reads 99.9 %', () => {
    expect(
      uptimeAchieved(
        withUptime([
          { name: 'health', total: 1_000_000, good: 998_999 },
          { name: 'api', total: 50, good: 50 },
        ]),
      ),
    ).toEqual({
      verdict: 'no-go',
      evidence: 'health 99.899 % of 1000000 runs, api 100 % of 50 runs over 30 days: health below 99.9 %',
      at: NOW,
    });
    // Below already in the days observed: no-go without waiting for 30.
    expect(
      uptimeAchieved(withUptime([{ name: 'health', total: 100, good: 98 }], NOW - 3 * DAY)).evidence,
    ).toBe('health 98 % of 100 runs over the 3 of 30 days observed: health below 99.9 %');
  });

  it('cannot tell: fewer than 30 days observed ("N of 30 days observed"), to the hour', () => {
    expect(uptimeAchieved(withUptime([{ name: 'health', total: 10, good: 10 }], NOW - 12.5 * DAY))).toEqual({
      verdict: 'cannot-tell',
      evidence: `12 of 30 days observed (since ${formatDate(NOW - 12.5 * DAY)}): health 100 % of 10 runs so far — keep the monitor running (npm run monitor)`,
      at: NOW,
    });
    const ok = [{ name: 'health', total: 10, good: 10 }];
    expect(uptimeAchieved(withUptime(ok, NOW - 30 * DAY + HOUR)).verdict).toBe('go');
    expect(uptimeAchieved(withUptime(ok, NOW - 30 * DAY + HOUR + 1)).evidence).toMatch(
      /^29 of 30 days observed/,
    );
  });

  it('cannot tell: no runs at all, a group without runs, or no database', () => {
    expect(uptimeAchieved(withUptime([{ name: 'health', total: 0, good: 0 }]))).toEqual({
      verdict: 'cannot-tell',
      evidence: 'no run counted in the last 30 days: start the monitor: npm run monitor',
    });
    expect(
      uptimeAchieved(
        withUptime([
          { name: 'health', total: 10, good: 10 },
          { name: 'journeys', total: 0, good: 0 },
        ]),
      ).evidence,
    ).toBe(
      "health 100 % of 10 runs, journeys: no runs over 30 days: no runs of journeys — check the monitor's log",
    );
    expect(uptimeAchieved(evidenceOf({ monitor: undefined }))).toEqual(NO_DATABASE);
  });
});

describe('24/7 monitoring active (scale-100k)', () => {
  it('longestGap: the widest stretch between points, the window edges included', () => {
    expect(longestGap([10, 12, 30], 0, 40)).toEqual({ ms: 18, from: 12 });
    expect(longestGap([10, 12], 0, 40)).toEqual({ ms: 28, from: 12 });
    expect(longestGap([], 5, 40)).toEqual({ ms: 35, from: 5 });
    expect(longestGap([1, 50], 10, 40)).toEqual({ ms: 30, from: 10 });
  });

  const gapEvidence = (over: Partial<MonitorEvidence>) => evidenceOf({ monitor: monitorOf(over) });
  const without = (from: number, to: number) => monitorOf().healthMinutes.filter((t) => t < from || t >= to);

  it('go: heartbeat fresh and health runs every minute of 7 days', () => {
    expect(monitoringAroundTheClock(evidenceOf())).toEqual({
      verdict: 'go',
      evidence: 'heartbeat 5 s ago; health checks ran all 7 days, longest gap 60 s (to the minute)',
      at: NOW - 5_000,
    });
    // A gap of exactly 15 minutes is still within.
    const hole = NOW - 3 * DAY;
    expect(
      monitoringAroundTheClock(gapEvidence({ healthMinutes: without(hole + MINUTE, hole + 15 * MINUTE) }))
        .verdict,
    ).toBe('go');
  });

  it('no-go: a gap over 15 minutes, no health run at all, or a stale heartbeat', () => {
    const hole = NOW - 3 * DAY;
    expect(
      monitoringAroundTheClock(gapEvidence({ healthMinutes: without(hole + MINUTE, hole + 16 * MINUTE) })),
    ).toEqual({
      verdict: 'no-go',
      evidence: `heartbeat 5 s ago; no health check ran for 16 min from ${formatDate(hole)} (more than 15 min)`,
      at: NOW - 5_000,
    });
    expect(monitoringAroundTheClock(gapEvidence({ healthMinutes: [] })).evidence).toBe(
      'heartbeat 5 s ago; no health check ran in the last 7 days',
    );
    expect(monitoringAroundTheClock(gapEvidence({ heartbeatAt: NOW - HOUR })).verdict).toBe('no-go');
    // The monitor was there before the window: its silence at the window's start is a gap.
    expect(
      monitoringAroundTheClock(gapEvidence({ healthMinutes: without(0, NOW - 7 * DAY + 20 * MINUTE) }))
        .evidence,
    ).toBe(
      `heartbeat 5 s ago; no health check ran for 20 min from ${formatDate(NOW - 7 * DAY)} (more than 15 min)`,
    );
  });

  it('cannot tell: a monitor started less than 7 days ago, minute records pruned, or no database', () => {
    const since = NOW - 2 * DAY;
    const recent = monitorOf().healthMinutes.filter((t) => t >= since);
    expect(monitoringAroundTheClock(gapEvidence({ firstRunAt: since, healthMinutes: recent }))).toEqual({
      verdict: 'cannot-tell',
      evidence:
        'heartbeat 5 s ago; 2.0 of 7 days observed, no gap over 15 min so far — keep the monitor running (npm run monitor)',
      at: NOW - 5_000,
    });
    // A gap inside the days observed is a no-go all the same.
    const holed = recent.filter((t) => t < NOW - DAY || t >= NOW - DAY + 30 * MINUTE);
    expect(monitoringAroundTheClock(gapEvidence({ firstRunAt: since, healthMinutes: holed })).verdict).toBe(
      'no-go',
    );
    expect(monitoringAroundTheClock(gapEvidence({ minutesKeptFrom: NOW - 3 * DAY })).evidence).toBe(
      `heartbeat 5 s ago; minute records are kept only since ${formatDate(NOW - 3 * DAY)}: set monitor.retentionDays to 7 or more`,
    );
    expect(monitoringAroundTheClock(evidenceOf({ monitor: undefined }))).toEqual(NO_DATABASE);
  });
});

describe('Performance targets reached (marketing-launch)', () => {
  const about = 'run R1 (milestone month-1, ci profile, commit abcdef0, https://pitchey.example)';
  const at = NOW - DAY;

  it('go: the latest run of the milestone passed, every suite measured, within 7 days', () => {
    expect(performanceTargetsReached(evidenceOf())).toEqual({
      verdict: 'go',
      evidence: `${about} passed every target`,
      at,
    });
    const weekOld = runOf({ startedAt: new Date(NOW - 7 * DAY).toISOString() });
    expect(performanceTargetsReached(evidenceOf({ runs: [weekOld] })).verdict).toBe('go');
  });

  it('no-go: it failed', () => {
    expect(
      performanceTargetsReached(
        evidenceOf({ runs: [runOf({ status: 'fail', exitCode: 1, regressions: 2 })] }),
      ),
    ).toEqual({
      verdict: 'no-go',
      evidence: `${about} failed (2 regressions among the failures): see reports/R1/summary.md`,
      at,
    });
  });

  it('cannot tell: stale, could not measure, or some suite left out', () => {
    const old = runOf({ startedAt: new Date(NOW - 7 * DAY - 1).toISOString() });
    expect(performanceTargetsReached(evidenceOf({ runs: [old] }))).toEqual({
      verdict: 'cannot-tell',
      evidence: `${about} is 7.0 d old (over 7 days): run npm run test:performance`,
      at: NOW - 7 * DAY - 1,
    });
    // Even a failure, once stale, no longer says how things are.
    expect(
      performanceTargetsReached(evidenceOf({ runs: [{ ...old, status: 'fail', exitCode: 1 }] })).verdict,
    ).toBe('cannot-tell');
    expect(
      performanceTargetsReached(evidenceOf({ runs: [runOf({ status: 'error', exitCode: 2 })] })),
    ).toEqual({
      verdict: 'cannot-tell',
      evidence: `${about} could not measure everything: see reports/R1/summary.md, then run npm run test:performance`,
      at,
    });
    const healthOnly = runOf({ metrics: { 'health /health http_req_duration p(95)': 3 } });
    expect(performanceTargetsReached(evidenceOf({ runs: [healthOnly] })).evidence).toBe(
      `${about} passed without the load, synthetic, lighthouse suites: run npm run test:performance with every suite`,
    );
  });

  it('a run of another milestone is not evidence; the latest run of the one asked is', () => {
    const otherMilestone = runOf({
      id: 'R2',
      milestone: 'week-2',
      startedAt: new Date(NOW - HOUR).toISOString(),
    });
    expect(performanceTargetsReached(evidenceOf({ runs: [otherMilestone] }))).toEqual({
      verdict: 'cannot-tell',
      evidence:
        'the latest run (R2) judged milestone week-2, not month-1: run npm run test:performance -- --milestone month-1',
      at: NOW - HOUR,
    });
    const failedOther = { ...otherMilestone, status: 'fail' as const, exitCode: 1 };
    const olderFail = runOf({ id: 'R0', status: 'fail', startedAt: new Date(NOW - 2 * DAY).toISOString() });
    expect(performanceTargetsReached(evidenceOf({ runs: [runOf(), failedOther, olderFail] }))).toMatchObject({
      verdict: 'go',
      evidence: `${about} passed every target`,
    });
  });

  it('cannot tell: no run, none of the deployment named, or one of a target on this machine', () => {
    expect(performanceTargetsReached(evidenceOf({ runs: [] }))).toEqual({
      verdict: 'cannot-tell',
      evidence: 'no gate run in reports/history.jsonl: run npm run test:performance',
    });
    expect(performanceTargetsReached(evidenceOf({ deployment: 'https://staging.pitchey.example' }))).toEqual({
      verdict: 'cannot-tell',
      evidence:
        'no gate run of https://staging.pitchey.example in reports/history.jsonl: run BASE_URL=https://staging.pitchey.example npm run test:performance',
    });
    expect(
      performanceTargetsReached(evidenceOf({ runs: [runOf({ baseUrl: 'http://127.0.0.1:41234' })] }))
        .evidence,
    ).toBe(
      'run R1 (milestone month-1, ci profile, commit abcdef0, http://127.0.0.1:41234) measured a target on this machine, not the deployment: run BASE_URL=<deployment> npm run test:performance',
    );
  });
});

describe('Capacity for 100K daily users (scale-100k)', () => {
  const about =
    '300 req/s carried for a peak of 200 req/s at 100000 daily users (headroom ×1.50; milestone month-1, commit abcdef0, https://pitchey.example)';

  it('go with headroom ≥ 1, no-go short of the peak', () => {
    expect(capacityForScale(evidenceOf())).toEqual({ verdict: 'go', evidence: about, at: NOW - DAY });
    expect(
      capacityForScale(evidenceOf({ capacity: capacityOf({ capacityRps: 160, headroom: 0.8 }) })),
    ).toEqual({
      verdict: 'no-go',
      evidence:
        '160 req/s carried for a peak of 200 req/s at 100000 daily users (headroom ×0.80; milestone month-1, commit abcdef0, https://pitchey.example): short of the peak',
      at: NOW - DAY,
    });
  });

  it('cannot tell: none yet (run npm run capacity), sized for fewer users, stale, or local', () => {
    expect(capacityForScale(evidenceOf({ capacity: undefined }))).toEqual({
      verdict: 'cannot-tell',
      evidence: 'no capacity result at reports/capacity/latest.json: run npm run capacity',
    });
    expect(capacityForScale(evidenceOf({ capacity: capacityOf({ dau: 25_000 }) })).evidence).toBe(
      'the latest capacity run sized for 25000 daily users, not 100000: run npm run capacity for 100000 daily users',
    );
    expect(
      capacityForScale(
        evidenceOf({ capacity: capacityOf({ measuredAt: new Date(NOW - 8 * DAY).toISOString() }) }),
      ),
    ).toEqual({
      verdict: 'cannot-tell',
      evidence: `${about} is 8.0 d old (over 7 days): run npm run capacity`,
      at: NOW - 8 * DAY,
    });
    expect(
      capacityForScale(evidenceOf({ capacity: capacityOf({ baseUrl: 'http://localhost:8787' }) })).verdict,
    ).toBe('cannot-tell');
  });

  it('the file the capacity check writes: schema, consistent headroom, missing vs damaged', async () => {
    expect(capacityResultSchema.parse(capacityOf())).toEqual(capacityOf());
    expect(capacityResultSchema.safeParse(capacityOf({ headroom: 2 })).success).toBe(false);
    expect(capacityResultSchema.safeParse({ ...capacityOf(), extra: 1 }).success).toBe(false);
    const dir = await mkdtemp(join(tmpdir(), 'capacity-'));
    try {
      expect(await readCapacityResult(join(dir, 'latest.json'))).toBeUndefined();
      await writeFile(join(dir, 'latest.json'), JSON.stringify({ ...capacityOf(), dau: 'many' }));
      await expect(readCapacityResult(join(dir, 'latest.json'))).rejects.toThrow(
        `${join(dir, 'latest.json')}: dau: Invalid input: expected number, received string — run npm run capacity again, or move the file aside`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the checkpoint', () => {
  const row = (criterion: string, verdict: CriterionResult['verdict']): CriterionResult => ({
    criterion,
    verdict,
    evidence: '',
  });

  it('lists every criterion in the roadmap order, those not measured here for a human', () => {
    const results = judgeCheckpoint(CHECKPOINTS['traffic-increase'], evidenceOf());
    expect(results.map((r) => [r.criterion, r.verdict])).toEqual([
      ['All critical security fixes applied', 'not-measured'],
      ['Health monitoring active', 'go'],
      ['Backup procedures tested', 'not-measured'],
      ['Team trained on incident response', 'not-measured'],
    ]);
  });

  it('exit 0 when every measured criterion is go (not measured ones aside), 1 on any no-go, else 2', () => {
    expect(checkpointOutcome([row('a', 'go'), row('b', 'not-measured')])).toEqual({
      verdict: 'go',
      exitCode: 0,
      line: 'GO (1 measured criterion); 1 more for a human to sign off',
    });
    expect(checkpointOutcome([row('a', 'cannot-tell'), row('b', 'no-go'), row('c', 'go')])).toEqual({
      verdict: 'no-go',
      exitCode: 1,
      line: 'NO-GO (b)',
    });
    expect(checkpointOutcome([row('a', 'cannot-tell'), row('b', 'go'), row('c', 'not-measured')])).toEqual({
      verdict: 'cannot-tell',
      exitCode: 2,
      line: 'CANNOT TELL (a); 1 more for a human to sign off',
    });
    expect(checkpointOutcome([row('a', 'not-measured')]).exitCode).toBe(2);
  });

  it('renders a padded Markdown table, pipes in the evidence escaped', () => {
    const results: CriterionResult[] = [
      { criterion: 'Health monitoring active', verdict: 'go', evidence: 'a | b', date: NOW },
      { criterion: 'Backups', verdict: 'not-measured', evidence: 'a human signs it off' },
    ];
    expect(renderCheckpoint('traffic-increase', results, checkpointOutcome(results), NOW)).toBe(
      [
        '## Go/No-Go: Before Production Traffic Increase (traffic-increase)',
        '',
        '**GO (1 measured criterion); 1 more for a human to sign off** — exit 0',
        '',
        '| Criterion                | Verdict           | Date                 | Evidence |',
        '| ------------------------ | ----------------- | -------------------- | --- |',
        '| Health monitoring active | GO                | 2025-06-30 12:00 UTC | a \\| b |',
        '| Backups                  | not measured here | —                    | a human signs it off |',
        '',
        'Judged 2025-06-30 12:00 UTC. Exit 0 go, 1 no-go, 2 cannot tell; criteria not measured here do not change it.',
        '',
      ].join('\n'),
    );
  });
});

// ---- npm run go-no-go ---------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let config: string;
let reports: string;

/** One run of every check at each time, all passing but the last `failed` of the check "health". */
function seed(db: string, options: { heartbeatAt: number; runs: number[]; failed?: number }): void {
  const store = MonitorStore.open(db);
  const firstFailing = options.runs.length - (options.failed ?? 0);
  try {
    for (const check of ['health', 'health-ready', 'api-trending'])
      options.runs.forEach((at, i) => {
        const outcome = check === 'health' && i >= firstFailing ? 'fail' : 'pass';
        store.recordRun(
          [{ check, runId: `${check}@${at}`, attempt: 1, startedAt: at, durationMs: 5, outcome }],
          { ...INITIAL_STATE, last: outcome, lastRunAt: at },
          [],
          [],
        );
      });
    store.setMeta('heartbeat', String(options.heartbeatAt));
  } finally {
    store.close();
  }
}

function goNoGo(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/go-no-go.ts', '--config', config, '--reports-dir', reports, ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MONITOR_DB: '', BASE_URL: '', ...env },
      timeout: 60_000,
    },
  );
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** One run an hour for `days`, the newest 30 minutes ago: no run sits on a window's edge minute. */
const hourly = (days: number) =>
  Array.from({ length: days * 24 }, (_, k) => Date.now() - 30 * MINUTE - k * HOUR).reverse();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'go-no-go-'));
  reports = join(dir, 'reports');
  config = join(dir, 'go.config.mjs');
  const checks = [
    { name: 'health', type: 'health', url: '/health', every: '30s' },
    { name: 'health-ready', type: 'health', url: '/health/ready', every: '30s' },
    { name: 'api-trending', type: 'http', url: '/api/trending', every: '60s' },
  ];
  await writeFile(
    config,
    `export default ${JSON.stringify({ milestone: 'month-1', monitor: { checks } })};\n`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run go-no-go', () => {
  it('traffic-increase: 0 with a fresh heartbeat and health runs; the table also in the step summary', async () => {
    const db = join(dir, 'fresh.db');
    seed(db, { heartbeatAt: Date.now(), runs: [Date.now() - 20_000] });
    const summary = join(dir, 'step-summary.md');
    const out = goNoGo(['--checkpoint', 'traffic-increase', '--db', db], { GITHUB_STEP_SUMMARY: summary });
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(
      /\*\*GO \(1 measured criterion\); 3 more for a human to sign off\*\* — exit 0/,
    );
    expect(out.stdout).toMatch(
      /^\| Health monitoring active +\| GO +\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| heartbeat \d+ s ago; 2 health checks ran in the last \d+ s \|$/m,
    );
    expect(out.stdout).toMatch(
      /^\| Backup procedures tested +\| not measured here +\| — +\| a human signs it off \|$/m,
    );
    expect(out.code).toBe(0);
    expect(await readFile(summary, 'utf8')).toBe(`${out.stdout}\n`);
  });

  // A heartbeat is written every 5 s: one an hour old is an observation that the monitor is not
  // running — measured, so no-go (1) — not missing evidence (2).
  it('traffic-increase: 1 (no-go) with a stale heartbeat, MONITOR_DB naming the database', () => {
    const db = join(dir, 'stale.db');
    seed(db, { heartbeatAt: Date.now() - 2 * HOUR, runs: [Date.now() - 2 * HOUR] });
    const out = goNoGo(['--checkpoint', 'traffic-increase'], { MONITOR_DB: db });
    expect(out.stdout).toMatch(/\*\*NO-GO \(Health monitoring active\)/);
    expect(out.stdout).toMatch(
      /last heartbeat 2\.0 h ago: the monitor is not running — start the monitor: npm run monitor; not run recently: health last ran 2\.0 h ago, health-ready last ran 2\.0 h ago/,
    );
    expect(out.code).toBe(1);
  });

  it('2 (cannot tell) without a database, naming what to run, and does not create it', () => {
    const db = join(dir, 'absent', 'monitor.db');
    const out = goNoGo(['--checkpoint', 'traffic-increase', '--db', db]);
    expect(out.stdout).toMatch(/\*\*CANNOT TELL \(Health monitoring active\)/);
    expect(out.stdout).toContain(`no monitor database at ${db}: start the monitor: npm run monitor`);
    expect(out.code).toBe(2);
    expect(existsSync(db)).toBe(false);
  });

  it('2 on an unknown or missing checkpoint, or an unknown milestone, saying which exist', () => {
    const unknown = goNoGo(['--checkpoint', 'launch']);
    expect(unknown.stderr).toBe(
      'ERROR (unknown checkpoint "launch": use one of traffic-increase, marketing-launch, scale-100k)\n',
    );
    expect(unknown.code).toBe(2);
    const missing = goNoGo([]);
    expect(missing.stderr).toMatch(/^ERROR \(--checkpoint is required\nusage: npm run go-no-go/);
    expect(missing.code).toBe(2);
    const milestone = goNoGo(['--checkpoint', 'marketing-launch', '--milestone', 'month1']);
    expect(milestone.stderr).toBe(
      'ERROR (unknown milestone "month1": choose one of week-1, week-2, month-1, kpi, strictest)\n',
    );
    expect(milestone.code).toBe(2);
  });

  it('marketing-launch: 0 on 30 days of uptime and a fresh passing run of the milestone; 1 below 99.9 %', async () => {
    const db = join(dir, 'month.db');
    seed(db, { heartbeatAt: Date.now(), runs: hourly(31) });
    await mkdir(reports, { recursive: true });
    const run = runOf({ startedAt: new Date(Date.now() - HOUR).toISOString() });
    await writeFile(join(reports, 'history.jsonl'), `${JSON.stringify(run)}\nnot json\n`);
    const out = goNoGo([
      '--checkpoint',
      'marketing-launch',
      '--db',
      db,
      '--base-url',
      'https://pitchey.example',
    ]);
    expect(out.stdout).toContain('health 100 % of 1440 runs, api 100 % of 720 runs over 30 days');
    expect(out.stdout).toContain(
      `${'run R1 (milestone month-1, ci profile, commit abcdef0, https://pitchey.example)'} passed every target`,
    );
    expect(out.code).toBe(0);

    const failing = join(dir, 'month-failing.db');
    seed(failing, { heartbeatAt: Date.now(), runs: hourly(31), failed: 2 });
    const below = goNoGo([
      '--checkpoint',
      'marketing-launch',
      '--db',
      failing,
      '--base-url',
      'https://pitchey.example',
    ]);
    expect(below.stdout).toContain(
      'health 99.861 % of 1440 runs, api 100 % of 720 runs over 30 days: health below 99.9 %',
    );
    expect(below.stdout).toMatch(/\*\*NO-GO \(99\.9% uptime achieved\); 2 more for a human to sign off\*\*/);
    expect(below.code).toBe(1);
  });

  it('scale-100k: 1 when health runs leave hour-long gaps; 2 naming a damaged capacity file', async () => {
    const db = join(dir, 'hourly.db');
    seed(db, { heartbeatAt: Date.now(), runs: hourly(8) });
    const out = goNoGo(['--checkpoint', 'scale-100k', '--db', db]);
    expect(out.stdout).toMatch(/no health check ran for 60 min from .* \(more than 15 min\)/);
    expect(out.stdout).toContain('no capacity result at');
    expect(out.stdout).toMatch(/\*\*NO-GO \(24\/7 monitoring active\); 3 more for a human to sign off\*\*/);
    expect(out.code).toBe(1);

    await mkdir(join(reports, 'capacity'), { recursive: true });
    await writeFile(join(reports, 'capacity', 'latest.json'), '{');
    const damaged = goNoGo(['--checkpoint', 'scale-100k', '--db', db]);
    expect(damaged.stderr).toMatch(/^ERROR \(.*capacity\/latest\.json is not JSON: /);
    expect(damaged.code).toBe(2);
  });
});
