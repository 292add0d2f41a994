/**
 * The monitor's /metrics: runs driven one by one through the monitor (a stand-in probe, a fixed
 * clock) so every figure is exact, the exposition parsed back, the Grafana dashboard's queries
 * held to the names the exposition has, and the scrape configs read.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { register } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../core/config.ts';
import {
  DURATION_BUCKETS,
  gaugeSamples,
  type MetricsSnapshot,
  MonitorMetrics,
  wantsOpenMetrics,
} from '../monitor/metrics.ts';
import { Monitor } from '../monitor/monitor.ts';
import type { AttemptResult } from '../monitor/probe-http.ts';
import { budgetRemaining, burnRate, type Slo } from '../monitor/slo.ts';
import type { MonitorView } from '../monitor/view.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Noon UTC on a Monday: every run below is minutes inside its window. */
const T = Date.UTC(2026, 10, 2, 12);

let dir: string;
let monitor: Monitor | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monitor-metrics-'));
});
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  await rm(dir, { recursive: true, force: true });
});

const ok = (ms: number): AttemptResult => ({ outcome: 'pass', durationMs: ms, httpStatus: 200 });
const bad = (ms: number, status: number): AttemptResult => ({
  outcome: 'fail',
  durationMs: ms,
  httpStatus: status,
  errorClass: 'http',
  message: `HTTP ${status}`,
});

const SLOS: Slo[] = [
  {
    name: 'api-availability',
    sli: 'availability',
    objective: 0.99,
    checks: ['api-a'],
    scope: { group: 'api' },
    alert: true,
    origin: 'test',
  },
  {
    name: 'api-latency',
    sli: 'latency',
    objective: 0.5,
    thresholdMs: 200,
    checks: ['api-a'],
    scope: { group: 'api', check: 'api-a' },
    alert: true,
    origin: 'test',
  },
  {
    name: 'health-b-availability',
    sli: 'availability',
    objective: 0.9,
    checks: ['health-b'],
    scope: { group: 'health', check: 'health-b' },
    alert: false,
    origin: 'test',
  },
];

/**
 * api-a: 4 passes two days ago, then in the last hour 3 passes (one on a retry), a run in
 * maintenance and a failure (on both attempts) 3 min ago. health-b: a network failure while the
 * monitor is offline (its canary refuses), a degraded run, then a failure. journey-c: no run.
 */
async function scenario(): Promise<{ metrics: MonitorMetrics; view: MonitorView }> {
  let clock = T;
  const config = parseConfig(
    {
      monitor: {
        checks: [
          {
            name: 'api-a',
            type: 'http',
            url: '/a',
            every: '60s',
            retry: { strategy: 'fixed', maxAttempts: 2, baseBackoff: '1ms' },
          },
          { name: 'health-b', type: 'health', url: '/health', every: '30s' },
          { name: 'journey-c', type: 'journey', journey: 'visitor', every: '5m' },
        ],
        retry: { strategy: 'none' },
        incidents: { failureThreshold: 1, successThreshold: 2 },
        // Nothing listens on the discard port: a network failure finds the monitor offline.
        canary: ['http://127.0.0.1:9/'],
        maintenance: [
          {
            name: 'deploy',
            start: new Date(T - 46 * MINUTE).toISOString(),
            end: new Date(T - 44 * MINUTE).toISOString(),
            checks: ['api-a'],
          },
        ],
      },
    },
    'test config',
  );
  const script = new Map<string, AttemptResult[]>();
  const metrics = new MonitorMetrics();
  monitor = new Monitor({
    config,
    baseUrl: new URL('http://127.0.0.1:9/'),
    database: join(dir, 'monitor.db'),
    log: () => {},
    now: () => clock,
    slos: SLOS,
    probe: async (check) => {
      const next = script.get(check.name)?.shift();
      if (!next) throw new Error(`no scripted attempt left for ${check.name}`);
      return next;
    },
    onRun: (record) => metrics.observeRun(record),
  });
  const m = monitor;
  const run = async (name: string, at: number, ...attempts: AttemptResult[]) => {
    clock = at;
    script.set(name, attempts);
    const check = m.checks.find((c) => c.name === name);
    if (!check) throw new Error(name);
    await m.runCheck(check, performance.now());
    expect(script.get(name)).toEqual([]);
  };
  for (let i = 0; i < 4; i++) await run('api-a', T - 2 * DAY + i * 10 * MINUTE, ok(90));
  await run('api-a', T - 50 * MINUTE, ok(150));
  await run('api-a', T - 45 * MINUTE, ok(90));
  await run('api-a', T - 40 * MINUTE, bad(5, 502), ok(250));
  await run('api-a', T - 30 * MINUTE, ok(450));
  await run('api-a', T - 3 * MINUTE, bad(1200, 500), bad(1200, 500));
  await run('health-b', T - 6 * MINUTE, {
    outcome: 'fail',
    durationMs: 3,
    errorClass: 'network',
    message: 'ECONNREFUSED',
  });
  await run('health-b', T - 5 * MINUTE, { outcome: 'degraded', durationMs: 280, httpStatus: 200 });
  await run('health-b', T - 4 * MINUTE, bad(40, 503));

  m.store.setMeta('heartbeat', String(T - 2_000));
  const delivery = {
    incidentId: 'api-a@1',
    check: 'api-a',
    channel: 'hook',
    event: 'trigger' as const,
    payload: '{}',
    attempts: 0,
    nextAt: T,
    createdAt: T,
  };
  m.store.saveDeliveries([
    { ...delivery, key: 'k1', status: 'pending' },
    { ...delivery, key: 'k2', status: 'sent', sentAt: T },
  ]);
  return { metrics, view: { store: m.store, checks: m.checks, slos: m.slos, now: T, origin: 'http://x' } };
}

// ---------------------------------------------------------------------------------------------
// Reading the exposition back

interface Series {
  labels: Record<string, string>;
  value: number;
}

/**
 * The parser folds a labelled histogram's series into one and drops their _sum and _count, so
 * the histogram's TYPE line is taken out first: its _bucket, _sum and _count lines then read as
 * plain samples, each with its labels. Types and help come from the untouched text.
 */
function read(body: string) {
  const typed = parsePrometheusTextFormat(body);
  const plain = parsePrometheusTextFormat(body.replace(/^# TYPE \S+ histogram$/gm, ''));
  const series = (name: string): Series[] =>
    plain
      .filter((f: ParsedFamily) => f.name === name)
      .flatMap((f) => f.metrics)
      .filter((s) => s.value !== undefined)
      .map((s) => ({ labels: s.labels ?? {}, value: Number(s.value) }));
  const value = (name: string, labels: Record<string, string>): number | undefined => {
    const matches = series(name).filter((s) => sameLabels(s.labels, labels));
    if (matches.length > 1) throw new Error(`${name}: ${matches.length} series with one label set`);
    return matches[0]?.value;
  };
  return { typed, series, value };
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

const API = { check: 'api-a', group: 'api', type: 'http' };
const HEALTH = { check: 'health-b', group: 'health', type: 'health' };
const JOURNEY = { check: 'journey-c', group: 'journeys', type: 'journey' };
const AVAILABILITY = { slo: 'api-availability', sli: 'availability', group: 'api' };
const LATENCY = { slo: 'api-latency', sli: 'latency', group: 'api', check: 'api-a' };
const HEALTH_SLO = { slo: 'health-b-availability', sli: 'availability', group: 'health', check: 'health-b' };

describe('the exposition', () => {
  it('per check: up or down, state set, incident, status and uptime per window, exactly', async () => {
    const { metrics, view } = await scenario();
    const { contentType, body } = await metrics.render(view);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { value, series } = read(body);

    expect(value('probe_success', API)).toBe(0);
    expect(value('probe_success', HEALTH)).toBe(0);
    // No run yet: no evidence either way.
    expect(value('probe_success', JOURNEY)).toBeUndefined();
    expect(series('probe_success')).toHaveLength(2);

    const states = (labels: Record<string, string>) =>
      Object.fromEntries(
        ['pass', 'degraded', 'fail', 'unknown'].map((state) => [
          state,
          value('pitchey_check_state', { ...labels, state }),
        ]),
      );
    expect(states(API)).toEqual({ pass: 0, degraded: 0, fail: 1, unknown: 0 });
    expect(states(JOURNEY)).toEqual({ pass: 0, degraded: 0, fail: 0, unknown: 1 });
    expect(value('pitchey_check_incident_open', API)).toBe(1);
    expect(value('pitchey_check_incident_open', HEALTH)).toBe(1);
    expect(value('pitchey_check_incident_open', JOURNEY)).toBe(0);

    // The latest run's final attempt; none for a journey.
    expect(value('probe_http_status_code', API)).toBe(500);
    expect(value('probe_http_status_code', HEALTH)).toBe(503);
    expect(series('probe_http_status_code')).toHaveLength(2);

    // 3 passes and 1 failure in the last hour (maintenance left out); 7 of 8 over the week.
    const uptime = (labels: Record<string, string>, window: string) =>
      value('pitchey_uptime_ratio', { ...labels, window });
    expect(uptime(API, '1h')).toBe(0.75);
    expect(uptime(API, '1d')).toBe(0.75);
    expect(uptime(API, '7d')).toBe(0.875);
    expect(uptime(API, '30d')).toBe(0.875);
    // Degraded is up, the offline run is not counted: 1 of 2.
    expect(uptime(HEALTH, '1h')).toBe(0.5);
    expect(series('pitchey_uptime_ratio').filter((s) => s.labels.check === 'journey-c')).toEqual([]);
    expect(series('pitchey_uptime_ratio')).toHaveLength(8);
  });

  it('the histogram holds each counted run with an answer once (its final attempt); the counter every run by outcome', async () => {
    const { metrics, view } = await scenario();
    const { typed, value } = read((await metrics.render(view)).body);
    expect(typed.find((f) => f.name === 'probe_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(typed.find((f) => f.name === 'pitchey_check_runs_total')?.type).toBe('COUNTER');

    const buckets = (labels: Record<string, string>) =>
      [...DURATION_BUCKETS.map(String), '+Inf'].map((le) =>
        value('probe_duration_seconds_bucket', { ...labels, le }),
      );
    // api-a: 4 × 90 ms, 150, 250 (the retry's pass, not its 5 ms failure), 450, 1200 ms.
    //           0.01 .025 .05 0.1 0.2 0.3 0.5  1 2.5  5 10 30 60 +Inf
    expect(buckets(API)).toEqual([0, 0, 0, 4, 5, 6, 7, 7, 8, 8, 8, 8, 8, 8]);
    expect(value('probe_duration_seconds_count', API)).toBe(8);
    expect(value('probe_duration_seconds_sum', API)).toBeCloseTo(2.41, 10);
    // health-b: 280 and 40 ms; the offline run (no answer) is not a latency.
    expect(buckets(HEALTH)).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(value('probe_duration_seconds_count', HEALTH)).toBe(2);
    // journey-c exists at 0 from its first scrape.
    expect(value('probe_duration_seconds_count', JOURNEY)).toBe(0);

    const runs = (labels: Record<string, string>) =>
      Object.fromEntries(
        ['pass', 'degraded', 'fail', 'maintenance', 'offline'].map((outcome) => [
          outcome,
          value('pitchey_check_runs_total', { ...labels, outcome }),
        ]),
      );
    expect(runs(API)).toEqual({ pass: 7, degraded: 0, fail: 1, maintenance: 1, offline: 0 });
    expect(runs(HEALTH)).toEqual({ pass: 0, degraded: 1, fail: 1, maintenance: 0, offline: 1 });
    expect(runs(JOURNEY)).toEqual({ pass: 0, degraded: 0, fail: 0, maintenance: 0, offline: 0 });
  });

  it('per SLO: objective, SLI, budget left and burn rate per window as slo.ts computes them; alerts firing', async () => {
    const { metrics, view } = await scenario();
    const { value, series } = read((await metrics.render(view)).body);
    const at = (name: string, labels: Record<string, string>, window: string) =>
      value(name, { ...labels, window });

    expect(value('pitchey_slo_objective_ratio', AVAILABILITY)).toBe(0.99);
    expect(value('pitchey_slo_objective_ratio', LATENCY)).toBe(0.5);
    expect(value('pitchey_slo_objective_ratio', HEALTH_SLO)).toBe(0.9);

    // Availability of api-a: 3 good of 4 over the hour and the day, 7 of 8 over 7 and 30 days,
    // and the one run in the last 5 minutes failed.
    const hour = { total: 4, good: 3 };
    const week = { total: 8, good: 7 };
    expect(at('pitchey_slo_sli_ratio', AVAILABILITY, '1h')).toBe(0.75);
    expect(at('pitchey_slo_sli_ratio', AVAILABILITY, '30d')).toBe(0.875);
    expect(at('pitchey_slo_burn_rate', AVAILABILITY, '1h')).toBe(burnRate(hour, 0.99));
    expect(at('pitchey_slo_burn_rate', AVAILABILITY, '1h')).toBeCloseTo(25, 10);
    expect(at('pitchey_slo_burn_rate', AVAILABILITY, '7d')).toBe(burnRate(week, 0.99));
    expect(at('pitchey_slo_burn_rate', AVAILABILITY, '5m')).toBe(burnRate({ total: 1, good: 0 }, 0.99));
    expect(at('pitchey_slo_error_budget_remaining_ratio', AVAILABILITY, '1h')).toBe(
      budgetRemaining(hour, 0.99),
    );
    expect(at('pitchey_slo_error_budget_remaining_ratio', AVAILABILITY, '30d')).toBeCloseTo(-11.5, 10);

    // Latency of api-a (200 ms): of the hour's 4 answers 1 within; of the week's 8, 5.
    expect(at('pitchey_slo_sli_ratio', LATENCY, '1h')).toBe(0.25);
    expect(at('pitchey_slo_sli_ratio', LATENCY, '7d')).toBe(0.625);
    expect(at('pitchey_slo_burn_rate', LATENCY, '7d')).toBe(burnRate({ total: 8, good: 5 }, 0.5));
    expect(at('pitchey_slo_error_budget_remaining_ratio', LATENCY, '7d')).toBe(0.25);

    expect(at('pitchey_slo_sli_ratio', HEALTH_SLO, '1h')).toBe(0.5);
    expect(at('pitchey_slo_burn_rate', HEALTH_SLO, '1h')).toBe(burnRate({ total: 2, good: 1 }, 0.9));

    // The burn rates over every alert and report window, and only those with events.
    expect(
      series('pitchey_slo_burn_rate')
        .filter((s) => s.labels.slo === 'api-availability')
        .map((s) => s.labels.window),
    ).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '7d', '30d']);

    // 25× over the hour with 100× over 5 min pages; 25× over a day and 2 h opens a ticket. The
    // latency SLO burns 1.5× at most: nothing. The health SLO does not alert: no sample.
    expect(value('pitchey_slo_alert_firing', { ...AVAILABILITY, severity: 'page' })).toBe(1);
    expect(value('pitchey_slo_alert_firing', { ...AVAILABILITY, severity: 'ticket' })).toBe(1);
    expect(value('pitchey_slo_alert_firing', { ...LATENCY, severity: 'page' })).toBe(0);
    expect(value('pitchey_slo_alert_firing', { ...LATENCY, severity: 'ticket' })).toBe(0);
    expect(series('pitchey_slo_alert_firing')).toHaveLength(4);
  });

  it('the monitor itself: heartbeat and alerts waiting; every metric has help; nothing in the global registry', async () => {
    const { metrics, view } = await scenario();
    const { typed, value } = read((await metrics.render(view)).body);
    expect(value('pitchey_monitor_heartbeat_timestamp_seconds', {})).toBe((T - 2_000) / 1000);
    expect(value('pitchey_monitor_alerts_pending', {})).toBe(1);
    for (const family of typed) expect(family.help, family.name).not.toBe('');
    expect(typed.map((f) => f.name)).toHaveLength(14);
    expect(await register.metrics()).not.toContain('probe_success');
    // A second instance has a registry of its own (the global one would refuse the names).
    expect(() => new MonitorMetrics()).not.toThrow();

    // Without a heartbeat, no sample (not a timestamp of 0).
    view.store.db.prepare("DELETE FROM meta WHERE key = 'heartbeat'").run();
    expect(
      read((await metrics.render(view)).body).series('pitchey_monitor_heartbeat_timestamp_seconds'),
    ).toEqual([]);
  });

  it('OpenMetrics when the scraper asks for it, ending in # EOF; Prometheus text after it keeps the counter’s _total', async () => {
    const { metrics, view } = await scenario();
    const accept =
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
    const open = await metrics.render(view, accept);
    expect(open.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    expect(open.body).toContain('# TYPE pitchey_check_runs counter');
    expect(open.body).toMatch(
      /^pitchey_check_runs_total\{check="api-a",group="api",type="http",outcome="pass"\} 7$/m,
    );
    expect(read(open.body).value('pitchey_uptime_ratio', { ...API, window: '1h' })).toBe(0.75);

    const text = await metrics.render(view, 'text/plain;version=0.0.4');
    expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.body).not.toContain('# EOF');
    expect(text.body).toContain('# TYPE pitchey_check_runs_total counter');
    expect(read(text.body).value('pitchey_check_runs_total', { ...API, outcome: 'pass' })).toBe(7);
  });

  it('renders asked for at once each get their own format', async () => {
    const { metrics, view } = await scenario();
    const [a, b, c] = await Promise.all([
      metrics.render(view, 'application/openmetrics-text'),
      metrics.render(view),
      metrics.render(view, 'application/openmetrics-text'),
    ]);
    expect([a, b, c].map((r) => r?.body.endsWith('# EOF\n'))).toEqual([true, false, true]);
    expect(b?.body).toContain('# TYPE pitchey_check_runs_total counter');
  });
});

describe('the pure parts', () => {
  it('a degraded check is up; a state set has exactly one 1', () => {
    const snapshot: MetricsSnapshot = {
      checks: [{ check: 'x', group: 'g', type: 'http', state: 'degraded', incidentOpen: false }],
      counts: new Map(),
      slos: [],
      pendingAlerts: 0,
    };
    const samples = gaugeSamples(snapshot);
    expect(samples.probe_success).toEqual([{ labels: { check: 'x', group: 'g', type: 'http' }, value: 1 }]);
    expect(samples.pitchey_check_state.filter((s) => s.value === 1).map((s) => s.labels.state)).toEqual([
      'degraded',
    ]);
    expect(samples.probe_http_status_code).toEqual([]);
    expect(samples.pitchey_monitor_heartbeat_timestamp_seconds).toEqual([]);
    expect(samples.pitchey_monitor_alerts_pending).toEqual([{ labels: {}, value: 0 }]);
  });

  it('OpenMetrics only when the Accept header prefers it', () => {
    expect(wantsOpenMetrics(undefined)).toBe(false);
    expect(wantsOpenMetrics('*/*')).toBe(false);
    expect(wantsOpenMetrics('text/plain;version=0.0.4')).toBe(false);
    expect(wantsOpenMetrics('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe(true);
    expect(wantsOpenMetrics('text/plain;q=1, application/openmetrics-text;q=0.5')).toBe(false);
    expect(wantsOpenMetrics('application/openmetrics-text;q=0')).toBe(false);
    expect(wantsOpenMetrics('text/plain;q=0.3, application/openmetrics-text;version=1.0.0;q=0.5')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The Grafana dashboard

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

const PROMQL_KEYWORDS = new Set([
  ...['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'],
  ...['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'],
]);

/** The metric names a PromQL expression reads: identifiers that are not functions, labels or keywords. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    // Grouping clauses go whole, so `sum by (le) (` reads as the call it is.
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names: string[] = [];
  for (const [, name, call] of bare.matchAll(/(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?/g))
    if (name && !call && !PROMQL_KEYWORDS.has(name.toLowerCase())) names.push(name);
  return names;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, kept literally in the JSON.
const DATASOURCE = '${DS_PROMETHEUS}';

describe('the Grafana dashboard', () => {
  it('reads only metrics the exposition has; ids are unique; the datasource is a variable', async () => {
    const dashboard = JSON.parse(await readFile('deploy/grafana/pitchey-monitor.json', 'utf8')) as {
      schemaVersion: number;
      panels: Panel[];
      templating: { list: { name: string; type: string; query: unknown; datasource?: { uid?: string } }[] };
    };
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);

    // What the scenario's exposition has samples of (a histogram by its series' names).
    const { metrics, view } = await scenario();
    const { typed, series } = read((await metrics.render(view)).body);
    const emitted = new Set<string>();
    for (const family of typed) {
      const names =
        family.type === 'HISTOGRAM'
          ? ['_bucket', '_count', '_sum'].map((s) => `${family.name}${s}`)
          : [family.name];
      for (const name of names) if (series(name).length) emitted.add(name);
    }

    expect(metricNames('histogram_quantile(0.95, sum by (check, le) (rate(x_bucket{a=~"$a"}[5m])))')).toEqual(
      ['x_bucket'],
    );
    expect(metricNames('time() - hb_seconds offset 5m > 1e3 and on (slo) y')).toEqual(['hb_seconds', 'y']);

    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const used = new Set<string>();
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe(DATASOURCE);
        const names = metricNames(target.expr);
        expect(names.length, target.expr).toBeGreaterThan(0);
        for (const name of names) {
          expect([...emitted], `${panel.title}: ${name}`).toContain(name);
          used.add(name);
        }
      }
    }
    // What the brief asks it to show.
    for (const name of [
      'probe_success',
      'probe_duration_seconds_bucket',
      'pitchey_uptime_ratio',
      'pitchey_slo_error_budget_remaining_ratio',
      'pitchey_slo_burn_rate',
      'pitchey_slo_alert_firing',
      'pitchey_check_incident_open',
      'pitchey_monitor_heartbeat_timestamp_seconds',
    ])
      expect([...used], name).toContain(name);

    const variables = dashboard.templating.list;
    expect(variables.find((v) => v.name === 'DS_PROMETHEUS')?.type).toBe('datasource');
    for (const name of ['check', 'group']) {
      const variable = variables.find((v) => v.name === name);
      const query = String(variable?.query);
      expect(query).toMatch(new RegExp(`^label_values\\(.*, ${name}\\)$`));
      expect([...emitted]).toContain(query.match(/^label_values\(([\w:]+)/)?.[1]);
      expect(variable?.datasource?.uid).toBe(DATASOURCE);
    }
  });
});

describe('the scrape configs', () => {
  it('Prometheus scrapes 127.0.0.1:9464/metrics; the Datadog Agent reads the same endpoint', async () => {
    const prometheus = parseYaml(await readFile('deploy/prometheus/prometheus.yml', 'utf8'));
    expect(prometheus.scrape_configs).toEqual([
      {
        job_name: 'pitchey-monitor',
        metrics_path: '/metrics',
        static_configs: [{ targets: ['127.0.0.1:9464'] }],
      },
    ]);
    const datadog = parseYaml(await readFile('deploy/prometheus/datadog-openmetrics.yaml', 'utf8'));
    const [instance] = datadog.instances;
    expect(instance.openmetrics_endpoint).toBe('http://127.0.0.1:9464/metrics');
    expect(instance.namespace).toMatch(/^\w+$/);
    // Its metric patterns cover every name the exposition has.
    const patterns = (instance.metrics as string[]).map((p) => new RegExp(`^(?:${p})$`));
    const { metrics, view } = await scenario();
    for (const family of read((await metrics.render(view)).body).typed)
      expect(
        patterns.some((p) => p.test(family.name)),
        family.name,
      ).toBe(true);
  });
});
