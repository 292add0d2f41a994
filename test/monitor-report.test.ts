/**
 * The daily report (npm run monitor:report): its figures from a store filled with constructed
 * runs (error rate without the excluded runs, P50/P95 against the runs' own durations, cache hit
 * rate, the window's edge), the overnight incident with its duration, the alerts pending and
 * refused, the SLOs; the Markdown and the Slack message (within Slack's limits, secrets never
 * printed); and the command as a user runs it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { resolveChecks } from '../monitor/checks.ts';
import {
  type DailyReportData,
  dailyReportData,
  parseSince,
  renderDailyReport,
  SLACK_BLOCKS_MAX,
  SLACK_SECTION_MAX,
  slackReportPayload,
  verdict,
  windowIncidents,
} from '../monitor/daily-report.ts';
import { advance, type CheckState, INITIAL_STATE, type IncidentPolicy } from '../monitor/incidents.ts';
import type { Slo } from '../monitor/slo.ts';
import { type Attempt, type Delivery, type IncidentRow, MonitorStore } from '../monitor/store.ts';
import type { MonitorView } from '../monitor/view.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The report's instant: 09:20:30 UTC, so the 24-hour window starts and ends mid-hour and mid-minute. */
const NOW = Date.UTC(2026, 11, 2, 9, 20, 30);
const FROM = NOW - DAY;
const at = (hours: number, minutes = 0, seconds = 0) => Date.UTC(2026, 11, 2, hours, minutes, seconds);
const ORIGIN = 'https://pitchey.example';
const POLICY: IncidentPolicy = {
  failureThreshold: 2,
  failingForMs: 0,
  successThreshold: 1,
  reminderEveryMs: 0,
  alertOnDegraded: false,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'monitor-report-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const CHECKS = [
  { name: 'api-trending', type: 'http', url: '/api/trending', every: '15m' },
  { name: 'api-pitch', type: 'http', url: '/api/pitches/1', every: '10m' },
  { name: 'health', type: 'health', url: '/health', every: '60m' },
  { name: 'quiet', type: 'http', url: '/quiet', every: '60m' },
];

const slo = (name: string, objective: number, checks: string[], alert = true): Slo => ({
  name,
  sli: 'availability',
  objective,
  checks,
  scope: { check: checks[0] },
  alert,
  origin: 'test',
});

const SLOS = [
  slo('api-availability', 0.95, ['api-trending']),
  slo('pitch-availability', 0.99, ['api-pitch']),
  slo('health-availability', 0.99, ['health'], false),
];

/** Records runs as the monitor does: the state advanced by counted runs only, with its incidents. */
class Runs {
  private states = new Map<string, CheckState>();
  private seq = 0;
  constructor(readonly store: MonitorStore) {}

  run(
    check: string,
    startedAt: number,
    outcome: Attempt['outcome'],
    durationMs: number,
    extra: Partial<Attempt> = {},
  ) {
    const message = extra.message ?? (outcome === 'pass' ? '' : 'HTTP 500');
    const counted = !extra.maintenance && !extra.offline;
    const { state, events } = counted
      ? advance(
          this.states.get(check) ?? INITIAL_STATE,
          { outcome, at: startedAt, message },
          POLICY,
          (t) => `${check}@${t}`,
        )
      : { state: undefined, events: [] };
    if (state) this.states.set(check, state);
    this.store.recordRun(
      [
        {
          check,
          runId: `${check}#${this.seq++}`,
          attempt: 1,
          startedAt,
          durationMs,
          outcome,
          message,
          ...extra,
        },
      ],
      state,
      events,
      [],
    );
  }
}

function delivery(over: Partial<Delivery> & Pick<Delivery, 'key' | 'status' | 'createdAt'>): Delivery {
  return {
    incidentId: 'api-trending@x',
    check: 'api-trending',
    channel: 'hook',
    event: 'trigger',
    payload: '{}',
    attempts: 1,
    nextAt: over.createdAt,
    ...over,
  };
}

/**
 * The night before NOW:
 * - api-trending every 15 min from 23:00: 40 runs of 10, 20 … 400 ms, the 6th to 8th failing
 *   (HTTP 500; an incident from 00:30 to 01:00), 3 in 4 cache hits; two runs in maintenance and
 *   one while the monitor was offline (not counted);
 * - api-pitch every 10 min from 07:00:30, 50 ms, failing from 08:30:30 (an incident open since 08:40:30);
 * - health every hour from 09:30 yesterday, 5 ms, one degraded; one slow run 10 min before the
 *   window (in the window's first hour, not in its first minute);
 * - quiet: never ran.
 * Alerts: the trigger and resolve of api-trending sent to the webhook, its trigger still pending
 * for Slack, api-pitch's refused by the webhook, and one sent three days ago (not in the window).
 */
function filledStore(file = join(dir, 'monitor.db'), now = NOW): MonitorStore {
  const shift = now - NOW;
  const store = MonitorStore.open(file);
  const runs = new Runs(store);
  for (let i = 0; i < 40; i++)
    runs.run(
      'api-trending',
      shift + at(-1) + i * 15 * MINUTE,
      i >= 5 && i <= 7 ? 'fail' : 'pass',
      (i + 1) * 10,
      {
        cache: i % 4 ? 'hit' : 'miss',
        ...(i >= 5 && i <= 7 ? { errorClass: 'http', httpStatus: 500 } : {}),
      },
    );
  runs.run('api-trending', shift + at(2, 5), 'fail', 900, { maintenance: 'backup' });
  runs.run('api-trending', shift + at(2, 10), 'fail', 900, { maintenance: 'backup' });
  runs.run('api-trending', shift + at(4, 5), 'fail', 9000, { offline: true, errorClass: 'network' });
  for (let k = 0; k < 12; k++)
    runs.run('api-pitch', shift + at(7, 0, 30) + k * 10 * MINUTE, k >= 9 ? 'fail' : 'pass', 50, {
      ...(k >= 9 ? { message: 'HTTP 503', errorClass: 'http', httpStatus: 503 } : {}),
    });
  runs.run('health', shift + FROM - 10 * MINUTE, 'pass', 9999);
  for (let h = 0; h < 24; h++)
    runs.run('health', shift + at(-15, 30) + h * HOUR, h === 18 ? 'degraded' : 'pass', 5);
  store.saveDeliveries([
    delivery({ key: 'old', status: 'sent', createdAt: shift + NOW - 3 * DAY, sentAt: shift + NOW - 3 * DAY }),
    delivery({ key: 'd1', status: 'sent', createdAt: shift + at(0, 30), sentAt: shift + at(0, 30, 1) }),
    delivery({
      key: 'd2',
      channel: 'slack',
      status: 'pending',
      attempts: 3,
      createdAt: shift + at(0, 30),
      lastError: 'channel "slack" answered HTTP 500: nope',
    }),
    delivery({
      key: 'd3',
      event: 'resolve',
      status: 'sent',
      createdAt: shift + at(1),
      sentAt: shift + at(1, 0, 1),
    }),
    delivery({
      key: 'd4',
      check: 'api-pitch',
      status: 'rejected',
      createdAt: shift + at(8, 40, 30),
      lastError: 'https://ops.example/hook answered HTTP 410',
    }),
  ]);
  store.setMeta('heartbeat', String(now - 3_000));
  return store;
}

function viewOf(store: MonitorStore, now = NOW): MonitorView {
  const checks = resolveChecks(
    parseConfig({ monitor: { checks: CHECKS } }, 'perf.config.ts').monitor,
    new URL(ORIGIN),
  );
  return { store, checks, slos: SLOS, now, origin: ORIGIN };
}

describe('daily report data', () => {
  it('per check over the window: runs, error rate without the excluded runs, P50/P95, cache hit rate', () => {
    const store = filledStore();
    try {
      const data = dailyReportData(viewOf(store), DAY);
      expect(data.from).toBe(FROM);
      expect(data.heartbeat).toEqual({ running: true, lastAt: NOW - 3_000 });
      expect(data.checks.map((c) => [c.name, c.state, c.streak])).toEqual([
        ['api-trending', 'pass', 32],
        ['api-pitch', 'fail', 3],
        // A degraded run does not break a passing streak (it counts towards resolving).
        ['health', 'pass', 25],
        ['quiet', 'unknown', 0],
      ]);
      const [trending, pitch, health, quiet] = data.checks;
      expect(trending).toMatchObject({
        runs: 43,
        counted: 40,
        passed: 37,
        failed: 3,
        excluded: 3,
        errorRate: 0.075,
        answers: 40,
        cacheLookups: 40,
        cacheHits: 30,
        cacheHitRate: 0.75,
      });
      // Nearest rank of 10, 20 … 400 ms: P50 the 20th, P95 the 38th; HDR keeps 3 digits.
      expect(Math.abs((trending?.p50Ms as number) - 200) / 200).toBeLessThan(0.001);
      expect(Math.abs((trending?.p95Ms as number) - 380) / 380).toBeLessThan(0.001);
      expect(pitch).toMatchObject({ runs: 12, counted: 12, failed: 3, errorRate: 0.25, cacheLookups: 0 });
      expect(pitch?.cacheHitRate).toBeUndefined();
      // The slow run 10 min before the window is not in it.
      expect(health).toMatchObject({
        runs: 24,
        counted: 24,
        degraded: 1,
        failed: 0,
        errorRate: 0,
        answers: 24,
      });
      expect(health?.p95Ms).toBeLessThan(5.01);
      expect(quiet).toMatchObject({ runs: 0, counted: 0, answers: 0 });
      expect(quiet?.errorRate).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('incidents of the window with their durations, alerts made or still pending, the SLOs', () => {
    const store = filledStore();
    try {
      const data = dailyReportData(viewOf(store), DAY);
      expect(
        data.incidents.map((i) => [i.check, i.openedAt, i.resolvedAt, i.durationMs / MINUTE, i.cause]),
      ).toEqual([
        ['api-trending', at(0, 30), at(1), 30, 'HTTP 500'],
        ['api-pitch', at(8, 40, 30), undefined, 40, 'HTTP 503'],
      ]);
      expect(data.deliveries.map((d) => [d.event, d.check, d.channel, d.status])).toEqual([
        ['trigger', 'api-trending', 'hook', 'sent'],
        ['trigger', 'api-trending', 'slack', 'pending'],
        ['resolve', 'api-trending', 'hook', 'sent'],
        ['trigger', 'api-pitch', 'hook', 'rejected'],
      ]);
      const [api, pitch, health] = data.slos;
      expect(api).toMatchObject({ total: 40, good: 37, sli: 0.925 });
      expect(api?.budgetRemaining).toBeCloseTo(-0.5, 9);
      expect(api?.burn['1d']).toBeCloseTo(1.5, 9);
      expect(api?.firing).toEqual([]);
      expect(pitch).toMatchObject({ total: 12, good: 9, sli: 0.75 });
      // The last run failed (30 min), 3 of 12 over 6 h: 100× and 25× a 1 % budget.
      expect(pitch?.burn['30m']).toBeCloseTo(100, 9);
      expect(pitch?.burn['6h']).toBeCloseTo(25, 9);
      expect(pitch?.firing.map((r) => `${r.severity} ${r.long}/${r.short}`)).toEqual([
        'page 6h/30m',
        'ticket 1d/2h',
        'ticket 3d/6h',
      ]);
      expect(health).toMatchObject({ total: 25, good: 25, budgetRemaining: 1, firing: [] });
    } finally {
      store.close();
    }
  });

  it('lists an incident that overlaps the window, not one over before it or opened after it', () => {
    const row = (id: string, openedAt: number, resolvedAt?: number): IncidentRow => ({
      id,
      check: 'api',
      severity: 'failed',
      openedAt,
      resolvedAt,
      cause: 'HTTP 500',
      reminders: 0,
    });
    const rows = [
      row('before', FROM - 2 * HOUR, FROM - HOUR),
      row('into', FROM - HOUR, FROM + HOUR),
      row('long-open', FROM - DAY),
      row('after', NOW + MINUTE),
    ];
    expect(windowIncidents(rows, FROM, NOW).map((i) => [i.id, i.durationMs / HOUR])).toEqual([
      ['long-open', 48],
      ['into', 2],
    ]);
  });

  it('the window: k6 durations and whole days', () => {
    expect(parseSince('24h')).toBe(DAY);
    expect(parseSince('90m')).toBe(90 * MINUTE);
    expect(parseSince('1h30m')).toBe(90 * MINUTE);
    expect(parseSince('7d')).toBe(7 * DAY);
    for (const bad of ['', '0h', '0d', '7 days', '1d12h', 'yesterday'])
      expect(parseSince(bad)).toBeUndefined();
  });
});

describe('daily report as Markdown', () => {
  it('a verdict line, then health, alerts, error rates and latency, SLOs with the exact figures', () => {
    const store = filledStore();
    let markdown: string;
    try {
      markdown = renderDailyReport(dailyReportData(viewOf(store), DAY));
    } finally {
      store.close();
    }
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Pitchey monitor: daily report');
    expect(lines[2]).toBe(
      '**❌ 1 check failing (api-pitch); 1 incident open; error budget exhausted: api-availability, pitch-availability; burn-rate page firing: pitch-availability; 1 alert not delivered; 1 alert still to deliver; 1 check never ran (quiet)**',
    );
    expect(lines).toContain(
      'https://pitchey.example · last 24 h: 2026-12-01 09:20 UTC to 2026-12-02 09:20 UTC',
    );
    expect(lines).toContain('Monitor: running (last heartbeat 3 s ago)');
    expect(lines).toContain(
      '| 🔴 api-pitch | api | fail (3 runs in a row, last run 30 min ago) | https://pitchey.example/api/pitches/1 |',
    );
    expect(lines).toContain('| ⚪ quiet | api | never ran | https://pitchey.example/quiet |');
    expect(lines).toContain('Incidents: 2 opened in the window, 1 still open, 1 resolved.');
    expect(lines).toContain(
      '| api-trending | failed | 2026-12-02 00:30 UTC | 2026-12-02 01:00 UTC | 30 min | HTTP 500 |',
    );
    expect(lines).toContain(
      '| api-pitch | failed | 2026-12-02 08:40 UTC | **still open** | 40 min so far | HTTP 503 |',
    );
    expect(lines).toContain('Alerts: 2 delivered, 1 still to deliver, 1 not delivered.');
    expect(lines).toContain(
      '| 2026-12-02 00:30 UTC | trigger | api-trending | slack | pending after 3 attempts: channel "slack" answered HTTP 500: nope |',
    );
    expect(lines).toContain(
      '| 2026-12-02 08:40 UTC | trigger | api-pitch | hook | refused: https://ops.example/hook answered HTTP 410 |',
    );
    expect(markdown).toMatch(/3 runs in maintenance or while the monitor was offline are not counted/);
    expect(lines).toContain('| api-trending | 40 | 3 | 7.5 % | 3 | 200 ms | 380 ms | 75 % of 40 |');
    expect(lines).toContain('| api-pitch | 12 | 3 | 25 % | 0 | 50 ms | 50 ms | — |');
    expect(lines).toContain('| health | 24 | 0 | 0 % | 0 | 5.0 ms | 5.0 ms | — |');
    expect(markdown).not.toMatch(/^\| quiet \| 0/m);
    expect(lines).toContain(
      '| api-availability: 95 % of api-trending runs pass | 95 % | 92.5 % of 40 | exhausted (-50 %) | 0.0× | 0.0× | 1.5× | 1.5× | none |',
    );
    expect(lines).toContain(
      '| pitch-availability: 99 % of api-pitch runs pass | 99 % | 75 % of 12 | exhausted (-2400 %) | 75× | 25× | 25× | 25× | page (6h/30m ≥ 6×), ticket (1d/2h ≥ 3×), ticket (3d/6h ≥ 1×) |',
    );
  });

  it('the verdict: all good with the window’s resolved incident said; a stopped monitor; a hostile cause is text', () => {
    const store = filledStore();
    let data: DailyReportData;
    try {
      data = dailyReportData(viewOf(store), DAY);
    } finally {
      store.close();
    }
    const good: DailyReportData = {
      ...data,
      checks: data.checks.filter((c) => c.state === 'pass'),
      incidents: data.incidents.filter((i) => i.resolvedAt !== undefined),
      deliveries: data.deliveries.filter((d) => d.status === 'sent'),
      slos: data.slos.filter((s) => s.name === 'health-availability'),
    };
    expect(verdict(good)).toEqual({
      level: 'good',
      summary:
        'all good: 2 checks passing, no incident open, every SLO within budget (1 incident in the window, resolved)',
    });
    const stopped = { ...good, heartbeat: { running: false, lastAt: NOW - 5 * HOUR } };
    expect(verdict(stopped)).toEqual({
      level: 'bad',
      summary: 'the monitor is not running (last heartbeat 5 h ago)',
    });
    expect(renderDailyReport(stopped)).toMatch(
      /^Monitor: NOT running since 2026-12-02 04:20 UTC \(its last heartbeat, 5 h ago\)$/m,
    );
    expect(verdict({ ...good, slos: [] }).summary).toMatch(/no SLO set/);
    expect(verdict({ ...good, heartbeat: { running: false } }).summary).toBe(
      'the monitor has never run with this database',
    );
    const hostile = renderDailyReport({
      ...good,
      incidents: [
        { ...(good.incidents[0] as DailyReportData['incidents'][number]), cause: 'a | b\n<img src=x>' },
      ],
    });
    expect(hostile).toMatch(/\| a \\\| b \\<img src=x\\> \|$/m);
  });
});

describe('daily report for Slack', () => {
  const sectionTexts = (payload: ReturnType<typeof slackReportPayload>) =>
    payload.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : []));

  it("mrkdwn, not GitHub's Markdown, the verdict as the fallback text", () => {
    const store = filledStore();
    let payload: ReturnType<typeof slackReportPayload>;
    try {
      payload = slackReportPayload(dailyReportData(viewOf(store), DAY));
    } finally {
      store.close();
    }
    expect(payload.text).toMatch(
      /^:red_circle: Pitchey monitor: 1 check failing \(api-pitch\); 1 incident open;/,
    );
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Pitchey monitor: daily report' },
    });
    const all = sectionTexts(payload).join('\n');
    expect(all).toMatch(/^:red_circle: \*api-pitch\* fail \(3 runs in a row, last run 30 min ago\)$/m);
    expect(all).toMatch(
      /^• \*api-trending\* failed, 2026-12-02 00:30 UTC, resolved after 30 min: HTTP 500$/m,
    );
    expect(all).toMatch(/^• trigger of \*api-trending\* to slack: pending after 3 attempts: /m);
    expect(all).toMatch(/^api-trending +40 +7\.5 % +3 +200 ms +380 ms +75 %$/m);
    expect(all).toMatch(/\*pitch-availability\* 99 %: SLI 75 %, budget exhausted \(-2400 %\)/);
    expect(all).not.toMatch(/\*\*|^\|/m);
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_BLOCKS_MAX);
  });

  it("stays within Slack's limits however long the report, and escapes its control characters", () => {
    const store = filledStore();
    let data: DailyReportData;
    try {
      data = dailyReportData(viewOf(store), DAY);
    } finally {
      store.close();
    }
    const [check] = data.checks;
    const [incident] = data.incidents;
    const [slo] = data.slos;
    const huge: DailyReportData = {
      ...data,
      checks: Array.from({ length: 500 }, (_, i) => ({
        ...(check as DailyReportData['checks'][number]),
        name: `check-${i}-${'x'.repeat(50)}`,
        state: 'fail',
      })),
      incidents: Array.from({ length: 500 }, () => ({
        ...(incident as DailyReportData['incidents'][number]),
        cause: `<b>&${'y'.repeat(5000)}`,
      })),
      deliveries: Array.from({ length: 500 }, () => ({
        ...(data.deliveries[1] as DailyReportData['deliveries'][number]),
        lastError: 'z'.repeat(5000),
      })),
      slos: Array.from({ length: 500 }, (_, i) => ({
        ...(slo as DailyReportData['slos'][number]),
        name: `slo-${i}`,
      })),
    };
    const payload = slackReportPayload(huge);
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_BLOCKS_MAX);
    for (const text of sectionTexts(payload)) expect(text.length).toBeLessThanOrEqual(SLACK_SECTION_MAX);
    expect(payload.text.length).toBeLessThanOrEqual(3000);
    const all = sectionTexts(payload).join('\n');
    expect(all).toMatch(/… and 480 more in the full report/);
    expect(all).toMatch(/: &lt;b&gt;&amp;yyy/);
    expect(all).not.toMatch(/<b>/);
  });
});

describe('npm run monitor:report', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  let home: string;
  let receiver: Receiver;
  const SECRET_PATH = '/services/T000/B000/s3cr3t-t0ken';

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'monitor-report-cli-'));
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** The command with the environment cleared of what would leak in from the runner's. */
  const report = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/monitor-report.ts', ...args],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            MONITOR_DB: '',
            BASE_URL: '',
            GITHUB_STEP_SUMMARY: '',
            SLACK_WEBHOOK_URL: '',
            ...env,
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  function setUp(name: string, monitor: Record<string, unknown> = {}) {
    const config = join(home, `${name}.config.mjs`);
    writeFileSync(
      config,
      `export default ${JSON.stringify({
        monitor: {
          checks: CHECKS,
          slos: [{ name: 'api-availability', objective: 0.95, checks: ['api-trending'] }],
          ...monitor,
        },
      })};\n`,
    );
    const db = join(home, `${name}.db`);
    filledStore(db, Date.now()).close();
    return { config, db };
  }

  it('--since 24h prints the report and appends it to $GITHUB_STEP_SUMMARY', async () => {
    const { config, db } = setUp('summary');
    const summary = join(home, 'step-summary.md');
    writeFileSync(summary, '# an earlier step\n');
    const out = join(home, 'out', 'report.md');
    const result = await report(['--config', config, '--db', db, '--since', '24h', '--out', out], {
      GITHUB_STEP_SUMMARY: summary,
      BASE_URL: ORIGIN,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# Pitchey monitor: daily report$/m);
    expect(result.stdout).toMatch(
      /^\| api-trending \| 40 \| 3 \| 7\.5 % \| 3 \| 200 ms \| 380 ms \| 75 % of 40 \|$/m,
    );
    expect(result.stdout).toMatch(/^\| api-trending \| failed \| .* \| 30 min \| HTTP 500 \|$/m);
    expect(result.stdout).toMatch(/\| https:\/\/pitchey\.example\/api\/trending \|/);
    expect(readFileSync(summary, 'utf8')).toBe(`# an earlier step\n${result.stdout}\n`);
    expect(readFileSync(out, 'utf8')).toBe(result.stdout);
  }, 60_000);

  it('--since 7d is a week; a bad --since is exit 2', async () => {
    const { config, db } = setUp('week');
    const week = await report(['--config', config, '--db', db, '--since', '7d']);
    expect(week.code).toBe(0);
    expect(week.stdout).toMatch(/ · last 7 d: /);
    const bad = await report(['--config', config, '--db', db, '--since', 'a week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "a week" is not a duration: use e\.g\. 24h, 90m or 7d/);
  }, 60_000);

  it('--slack posts to the webhook in the slack channel’s variable; the URL is never printed', async () => {
    const { config, db } = setUp('slack', {
      channels: [{ name: 'team', type: 'slack', urlEnv: 'TEAM_SLACK_URL' }],
    });
    const url = `${receiver.url}${SECRET_PATH}`;
    receiver.received.length = 0;
    receiver.otherwise = 200;
    const sent = await report(['--config', config, '--db', db, '--slack'], { TEAM_SLACK_URL: url });
    expect(sent.stderr).toBe('posted to Slack (the webhook in TEAM_SLACK_URL)\n');
    expect(sent.code).toBe(0);
    expect(receiver.received.map((r) => r.path)).toEqual([SECRET_PATH]);
    const body = receiver.received[0]?.json as { text: string; blocks: { type: string }[] };
    expect(body.text).toMatch(/^:red_circle: Pitchey monitor: 1 check failing \(api-pitch\)/);
    expect(body.blocks[0]?.type).toBe('header');

    receiver.script = [500];
    const refused = await report(['--config', config, '--db', db, '--slack'], { TEAM_SLACK_URL: url });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Slack \(the webhook in TEAM_SLACK_URL\) answered HTTP 500: "nope"/);
    // The report itself was made before the post failed.
    expect(refused.stdout).toMatch(/^# Pitchey monitor: daily report$/m);

    const unreachable = await report(['--config', config, '--db', db, '--slack'], {
      TEAM_SLACK_URL: `http://127.0.0.1:1${SECRET_PATH}`,
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(
      /Slack \(the webhook in TEAM_SLACK_URL\) could not be reached: ECONNREFUSED/,
    );

    const unset = await report(['--config', config, '--db', db, '--slack'], { TEAM_SLACK_URL: '' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/--slack: the environment variable TEAM_SLACK_URL is not set/);
    expect(receiver.received).toHaveLength(2);
    for (const output of [sent, refused, unreachable, unset].flatMap((r) => [r.stdout, r.stderr]))
      expect(output).not.toMatch(/s3cr3t|\/services\//);
  }, 60_000);

  it('--slack without a slack channel uses SLACK_WEBHOOK_URL', async () => {
    const { config, db } = setUp('default-slack');
    receiver.received.length = 0;
    receiver.otherwise = 200;
    const unset = await report(['--config', config, '--db', db, '--slack']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/the environment variable SLACK_WEBHOOK_URL is not set/);
    const sent = await report(['--config', config, '--db', db, '--slack'], {
      SLACK_WEBHOOK_URL: `${receiver.url}${SECRET_PATH}`,
    });
    expect(sent.code).toBe(0);
    expect(receiver.received.map((r) => r.path)).toEqual([SECRET_PATH]);
  }, 60_000);

  it('a database that does not exist is exit 2 naming it, and is not created', async () => {
    const { config } = setUp('missing');
    const missing = join(home, 'nowhere', 'monitor.db');
    const result = await report(['--config', config, '--db', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`ERROR (${missing} does not exist: run the monitor to create it`);
    expect(result.stdout).toBe('');
    expect(existsSync(missing)).toBe(false);
    const fromEnv = await report(['--config', config], { MONITOR_DB: missing });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain(missing);
  }, 60_000);

  it('--html writes the status page instead of the report', async () => {
    const { config, db } = setUp('html');
    const page = join(home, 'status.html');
    const result = await report(['--config', config, '--db', db, '--html', page]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`status page written to ${page}\n`);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('api-trending');
    const both = await report(['--config', config, '--db', db, '--html', page, '--slack']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--html writes the status page instead of the report/);
  }, 60_000);
});
