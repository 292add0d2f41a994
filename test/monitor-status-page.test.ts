/**
 * The status page: its figures from a store filled with constructed runs (a day with 3 of 4
 * runs up is 75 %, maintenance and offline runs are not counted, an open incident comes first,
 * percentiles against the runs' own durations, SLO budgets on exact counts), its HTML (escaped,
 * nothing to fetch), and the page in Chromium: drawn from the file alone, with no error and no
 * request leaving it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findBrowser, INSTALL_HINT } from '../core/browser.ts';
import { parseConfig } from '../core/config.ts';
import { createHistogram, encodeHistogram, recordMicros } from '../core/histogram.ts';
import { type ChartSpec, escapeHtml } from '../core/report/html.ts';
import { resolveChecks } from '../monitor/checks.ts';
import { advance, type CheckState, INITIAL_STATE, type IncidentPolicy } from '../monitor/incidents.ts';
import type { Slo } from '../monitor/slo.ts';
import { renderStatusPage, statusPageData, statusPageHtml } from '../monitor/status-page.ts';
import { dayLevel, dayTitle } from '../monitor/status-page-check.ts';
import { dayBars, incidentList, overallState } from '../monitor/status-page-data.ts';
import { formatPercent } from '../monitor/status-page-format.ts';
import { type Attempt, type IncidentRow, MonitorStore } from '../monitor/store.ts';
import { openView } from '../monitor/view.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The view's instant: 14:37:12 UTC, so hours and days have edges where the tests say. */
const NOW = Date.UTC(2026, 11, 1, 14, 37, 12);
const TODAY = Date.UTC(2026, 11, 1);
const ORIGIN = 'https://pitchey.example';
const HOSTILE = '</script><img src=x onerror=alert(1)>';
const HOSTILE_GROUP = '<b>ops</b> & "friends"';
const POLICY: IncidentPolicy = {
  failureThreshold: 2,
  failingForMs: 0,
  successThreshold: 1,
  reminderEveryMs: 0,
  alertOnDegraded: false,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'status-page-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const checks = () =>
  resolveChecks(
    parseConfig(
      {
        monitor: {
          checks: [
            { name: 'api-trending', type: 'http', url: '/api/trending', every: '60s' },
            { name: 'health', type: 'health', url: '/health', every: '30s', group: HOSTILE_GROUP },
            { name: 'quiet', type: 'http', url: '/quiet', every: '60s' },
          ],
        },
      },
      'perf.config.ts',
    ).monitor,
    new URL(ORIGIN),
  );

/** Records runs as the monitor does: the state advanced by counted runs only, with its incidents. */
class Runs {
  private states = new Map<string, CheckState>();
  private seq = 0;
  constructor(readonly store: MonitorStore) {}

  run(
    check: string,
    at: number,
    outcome: Attempt['outcome'],
    durationMs = 100,
    extra: Partial<Attempt> = {},
  ) {
    const message = extra.message ?? (outcome === 'pass' ? '' : 'HTTP 500');
    const counted = !extra.maintenance && !extra.offline;
    const { state, events } = counted
      ? advance(
          this.states.get(check) ?? INITIAL_STATE,
          { outcome, at, message },
          POLICY,
          (t) => `${check}@${t}`,
        )
      : { state: undefined, events: [] };
    if (state) this.states.set(check, state);
    this.store.recordRun(
      [{ check, runId: `${check}#${this.seq++}`, attempt: 1, startedAt: at, durationMs, outcome, ...extra }],
      state,
      events,
      [],
    );
  }
}

/**
 * api-trending over 90 days: a run 90 and 89 days ago, an outage 40 days ago (resolved, too old
 * to list), 20 slow runs 20 days ago, an hour-long incident 10 days ago, maintenance only 5 days
 * ago, 3 of 4 runs up 2 days ago (with a maintenance and an offline run), and today 20 runs of
 * 10…200 ms then 2 network failures that open an incident still open. health: a degraded run
 * yesterday and a pass a minute ago. quiet: never ran.
 */
function filledStore(): MonitorStore {
  const store = MonitorStore.open(join(dir, 'monitor.db'));
  const runs = new Runs(store);
  const api = (at: number, outcome: Attempt['outcome'], ms = 100, extra: Partial<Attempt> = {}) =>
    runs.run('api-trending', at, outcome, ms, extra);
  api(TODAY - 90 * DAY + HOUR, 'fail');
  api(TODAY - 89 * DAY + HOUR, 'pass');
  api(TODAY - 40 * DAY + HOUR, 'fail', 100, { message: 'old outage' });
  api(TODAY - 40 * DAY + HOUR + MINUTE, 'fail', 100, { message: 'old outage' });
  api(TODAY - 40 * DAY + 2 * HOUR, 'pass');
  for (let i = 0; i < 20; i++) api(TODAY - 20 * DAY + HOUR + i * MINUTE, 'pass', 1000);
  api(TODAY - 10 * DAY + 10 * HOUR, 'fail', 100, { message: 'HTTP 502' });
  api(TODAY - 10 * DAY + 10 * HOUR + MINUTE, 'fail', 100, { message: 'HTTP 502' });
  api(TODAY - 10 * DAY + 11 * HOUR + MINUTE, 'pass');
  api(TODAY - 5 * DAY + HOUR, 'fail', 100, { maintenance: 'deploy' });
  api(TODAY - 5 * DAY + 2 * HOUR, 'pass', 100, { maintenance: 'deploy' });
  api(TODAY - 2 * DAY + HOUR, 'pass');
  api(TODAY - 2 * DAY + 2 * HOUR, 'fail', 100, { maintenance: 'deploy' });
  api(TODAY - 2 * DAY + 3 * HOUR, 'pass');
  api(TODAY - 2 * DAY + 4 * HOUR, 'fail', 100, { offline: true, errorClass: 'network' });
  api(TODAY - 2 * DAY + 5 * HOUR, 'pass');
  api(TODAY - 2 * DAY + 6 * HOUR, 'fail');
  for (let i = 0; i < 20; i++) api(NOW - 2 * HOUR + i * MINUTE, 'pass', 10 * (i + 1));
  for (const at of [NOW - 10 * MINUTE, NOW - 5 * MINUTE])
    api(at, 'fail', 5000, { errorClass: 'network', message: HOSTILE });
  runs.run('health', TODAY - DAY + HOUR, 'degraded', 900);
  runs.run('health', NOW - MINUTE, 'pass', 5);
  store.setMeta('heartbeat', String(NOW - 3_000));
  return store;
}

const slo = (over: Partial<Slo>): Slo => ({
  name: 'api-up',
  sli: 'availability',
  objective: 0.8,
  checks: ['api-trending'],
  scope: { group: 'api' },
  alert: true,
  origin: 'test',
  ...over,
});

const viewOf = (store: MonitorStore, slos: Slo[] = []) => ({
  store,
  checks: checks(),
  slos,
  now: NOW,
  origin: ORIGIN,
});

describe('status page figures', () => {
  it('daily bars: 3 of 4 runs up is 75 %, maintenance and offline runs left out, empty days are no data', () => {
    const store = filledStore();
    const data = statusPageData(viewOf(store));
    const api = data.groups[0]?.checks[0];
    expect(api?.name).toBe('api-trending');
    const days = api?.days ?? [];
    expect(days).toHaveLength(90);
    expect(days[0]?.start).toBe(TODAY - 89 * DAY);
    expect(days[89]?.start).toBe(TODAY);
    const twoDaysAgo = days[87];
    expect(twoDaysAgo).toEqual({
      start: TODAY - 2 * DAY,
      runs: 6,
      counted: 4,
      up: 3,
      degraded: 0,
      excluded: 2,
    });
    expect(dayLevel(twoDaysAgo as never)).toBe('major');
    expect(dayTitle(twoDaysAgo as never)).toBe(
      '2026-11-29: 75 % uptime, 3 of 4 runs up; 2 in maintenance or with the monitor offline, not counted',
    );
    // Maintenance only: no counted run, told apart from a day without any.
    expect(dayLevel(days[84] as never)).toBe('maint');
    expect(dayTitle(days[84] as never)).toBe(
      '2026-11-26: no counted runs (2 in maintenance or with the monitor offline, not counted)',
    );
    expect(dayLevel(days[83] as never)).toBe('none');
    expect(dayTitle(days[83] as never)).toBe('2026-11-25: no data');
    // The run 90 days ago is outside the bars; 89 days ago is the first.
    expect(days[0]).toMatchObject({ runs: 1, up: 1 });
    // A degraded run is up (as the SLOs count it).
    const health = data.groups[1]?.checks[0];
    expect(health?.days[88]).toMatchObject({ counted: 1, up: 1, degraded: 1 });
    expect(dayTitle(health?.days[88] as never)).toBe('2026-11-30: 100 % uptime, 1 of 1 runs up, 1 degraded');
    // 90 days: 1 + 3 (1 up) + 20 + 3 (1 up) + 4 (3 up) + 22 (20 up).
    expect(api?.uptime.all).toEqual({ counted: 53, up: 46 });
    expect(api?.uptime.day).toEqual({ counted: 22, up: 20 });
    expect(formatPercent(46 / 53)).toBe('86.79 %');
    store.close();
  });

  it('state, streak and last run from the stored states; a check that never ran is unknown', () => {
    const store = filledStore();
    const data = statusPageData(viewOf(store));
    const [api, quiet] = data.groups[0]?.checks ?? [];
    expect(api).toMatchObject({ state: 'fail', streak: 2, lastRunAt: NOW - 5 * MINUTE });
    expect(data.groups[1]?.checks[0]).toMatchObject({ state: 'pass', streak: 2, lastRunAt: NOW - MINUTE });
    expect(quiet).toMatchObject({ name: 'quiet', state: 'unknown', streak: 0, lastRunAt: undefined });
    expect(quiet?.days.every((d) => d.runs === 0)).toBe(true);
    expect(data.overall).toBe('fail');
    expect(data.heartbeatAt).toBe(NOW - 3_000);
    expect(data.openIncidents).toBe(1);
    store.close();
  });

  it('incidents: the open one first, then those resolved in the last 30 days, with duration and cause', () => {
    const store = filledStore();
    const api = statusPageData(viewOf(store)).groups[0]?.checks[0];
    expect(api?.incidents).toEqual([
      {
        id: `api-trending@${NOW - 5 * MINUTE}`,
        severity: 'failed',
        openedAt: NOW - 5 * MINUTE,
        resolvedAt: undefined,
        durationMs: 5 * MINUTE,
        cause: HOSTILE,
        reminders: 0,
      },
      {
        id: `api-trending@${TODAY - 10 * DAY + 10 * HOUR + MINUTE}`,
        severity: 'failed',
        openedAt: TODAY - 10 * DAY + 10 * HOUR + MINUTE,
        resolvedAt: TODAY - 10 * DAY + 11 * HOUR + MINUTE,
        durationMs: HOUR,
        cause: 'HTTP 502',
        reminders: 0,
      },
    ]);
    // The outage 40 days ago is in the store, not on the page.
    expect(store.incidents({ check: 'api-trending' }).map((i) => i.cause)).toContain('old outage');
    store.close();
  });

  it('the order rule itself: open before resolved even when it opened earlier; resolved newest first', () => {
    const row = (id: string, openedAt: number, resolvedAt?: number): IncidentRow => ({
      id,
      check: 'c',
      severity: 'failed',
      openedAt,
      resolvedAt,
      cause: id,
      reminders: 0,
    });
    const list = incidentList(
      [row('old-resolved', 10, 20), row('open', 5), row('too-old', 1, 2), row('new-resolved', 30, 40)],
      100,
      15,
    );
    expect(list.map((i) => [i.id, i.durationMs])).toEqual([
      ['open', 95],
      ['new-resolved', 10],
      ['old-resolved', 10],
    ]);
  });

  it('latency: P50 and P95 over 24 h from the hourly histograms, over 30 days from the daily ones (network failures have none)', () => {
    const store = filledStore();
    const api = statusPageData(viewOf(store)).groups[0]?.checks[0];
    // Today's answers are 10, 20 … 200 ms: nearest rank P50 the 10th, P95 the 19th.
    expect(api?.latency.day.answers).toBe(20);
    expect(api?.latency.day.p50).toBeCloseTo(100, 0);
    expect(api?.latency.day.p95).toBeCloseTo(190, 0);
    // 30 days add the 20 runs of 1000 ms (20 days ago) and 7 of 100 ms: the P95 is one of them.
    expect(api?.latency.month.answers).toBe(47);
    expect(api?.latency.month.p95).toBeCloseTo(1000, 0);
    // The chart's hours: today's answers in the hour from 12:00, none in the hour of the failures.
    const hourly = api?.hourly;
    const at = (t: number) => (t - (hourly?.firstHour ?? 0)) / HOUR;
    expect(hourly?.values).toHaveLength(168);
    expect(hourly?.firstHour).toBe(Date.UTC(2026, 11, 1, 14) - 167 * HOUR);
    expect(hourly?.values[at(Date.UTC(2026, 11, 1, 12))]).toBeCloseTo(190, 0);
    expect(hourly?.values[at(Date.UTC(2026, 11, 1, 14))]).toBeNull();
    // Shaded: the failure 2 days ago and today's; the maintenance and offline failures are not.
    expect(hourly?.failedHours).toEqual([at(TODAY - 2 * DAY + 6 * HOUR), at(Date.UTC(2026, 11, 1, 14))]);
    store.close();
  });

  it('SLOs: SLI and budget over 30 days and the month so far, burn over 1 h, and the rules firing', () => {
    const store = filledStore();
    const data = statusPageData(
      viewOf(store, [slo({}), slo({ name: 'api-strict', objective: 0.999 }), slo({ name: 'x', scope: {} })]),
    );
    const [loose, strict] = data.groups[0]?.slos ?? [];
    // 30 days: 49 counted (2 days ago 4, 10 days ago 3, 20 days ago 20, today 22), 5 bad.
    expect(loose?.period).toMatchObject({ total: 49, good: 44, met: true });
    expect(loose?.period.budgetRemaining).toBeCloseTo(1 - 5 / 49 / 0.2, 9);
    // December so far is today: 22 runs, 2 bad.
    expect(loose?.month).toMatchObject({ total: 22, good: 20 });
    expect(loose?.month.budgetRemaining).toBeCloseTo(1 - 2 / 22 / 0.2, 9);
    // The last hour holds only the two failures: all bad, 1 / 0.2.
    expect(loose?.burn1h).toBeCloseTo(5, 9);
    expect(loose?.firing).toEqual([]);
    expect(strict?.firing[0]).toEqual({
      severity: 'page',
      rule: 14.4,
      long: '1h',
      longBurn: expect.closeTo(1000, 6),
      short: '5m',
      shortBurn: expect.closeTo(1000, 6),
    });
    expect(data.firingAlerts).toBe(strict?.firing.length);
    // An SLO without a group of the page's is listed apart.
    expect(data.groups.at(-1)?.name).toBeUndefined();
    expect(data.groups.at(-1)?.checks).toEqual([]);
    expect(data.groups.at(-1)?.slos.map((s) => s.name)).toEqual(['x']);
    store.close();
  });

  it('pure helpers: empty days, the overall state, percentages rounded down', () => {
    expect(dayBars([], 0, 3).map((d) => dayLevel(d))).toEqual(['none', 'none', 'none']);
    expect(formatPercent(0.99996)).toBe('99.99 %');
    expect(formatPercent(0.29)).toBe('29 %');
    expect(formatPercent(1)).toBe('100 %');
    const check = (state: 'pass' | 'fail' | 'unknown', open = false) =>
      ({
        state,
        incidents: open ? [{ severity: 'degraded', resolvedAt: undefined }] : [],
      }) as never;
    expect(overallState([])).toBe('unknown');
    expect(overallState([check('pass'), check('unknown')])).toBe('pass');
    // Passing again, but its incident is still open: not all clear yet.
    expect(overallState([check('pass', true)])).toBe('degraded');
    expect(overallState([check('pass', true), check('fail')])).toBe('fail');
  });
});

/** The chart specs the page embeds. */
function chartSpecs(html: string): ChartSpec[] {
  const match = html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s);
  return (JSON.parse(match?.[1] ?? '{}') as { charts: ChartSpec[] }).charts;
}

describe('status page HTML', () => {
  it('shows each check with its state, bars, figures and incidents, every text escaped', () => {
    const store = filledStore();
    const html = statusPageHtml(viewOf(store, [slo({ name: 'api-strict', objective: 0.999 })]));
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).not.toContain(HOSTILE_GROUP);
    expect(html).toContain(`<h2>${escapeHtml(HOSTILE_GROUP)} <small>1 check</small></h2>`);
    expect(html).toContain('<span class="state fail">Outage</span>');
    expect(html).toContain('<h3>api-trending <span class="badge fail">fail</span></h3>');
    expect(html).toContain('2 failed in a row · last run 5 min ago (2026-12-01 14:32 UTC) · http');
    expect(html).toContain('<h3>quiet <span class="badge unknown">unknown</span></h3>');
    expect(html).toContain('last heartbeat 3 s ago');
    expect(html).not.toContain('role="alert"');
    expect(html).toContain(
      `<span class="day major" title="2026-11-29: 75 % uptime, 3 of 4 runs up; 2 in maintenance or with the monitor offline, not counted"></span>`,
    );
    expect(html.match(/<span class="day /g)).toHaveLength(3 * 90 + 6);
    const api = html.slice(html.indexOf('id="check-0-0"'), html.indexOf('id="check-0-1"'));
    expect(api.indexOf(escapeHtml(HOSTILE))).toBeLessThan(api.indexOf('HTTP 502'));
    expect(api).toContain('5 min so far');
    expect(api).toContain('<td class="nowrap">60 min</td>');
    expect(api).not.toContain('old outage');
    expect(api).toContain('<td class="num">86.79 %</td>');
    expect(api).toContain('<td class="num">100 ms</td>');
    expect(html).toContain('page: 1000× over 1h, 1000× over 5m');
    // 5 bad of 49 at 99.9 %: 102 budgets spent.
    expect(html).toContain('overspent: 102×');
    // One chart per check with answers in the week (quiet has none).
    expect(chartSpecs(html).map((s) => s.title)).toEqual([
      'api-trending: P95 per hour, last 7 days',
      'health: P95 per hour, last 7 days',
    ]);
    store.close();
  });

  it('nothing to fetch: no URL in an attribute or style, a CSP that forbids requests; a refresh only when asked', () => {
    const store = filledStore();
    const data = statusPageData(viewOf(store));
    const html = renderStatusPage(data);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'`);
    // The markup's own tags (the inlined scripts and styles are code, not elements).
    const markup = html.replace(/<(script|style)\b[^>]*>.*?<\/\1>/gs, '');
    const tags = markup.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(3 * 90);
    const attributes = tags.flatMap((tag) =>
      [...tag.matchAll(/\s(?:src|href|srcset|action|poster|data|background)\s*=\s*["']?([^"'\s>]*)/gi)].map(
        (m) => m[1],
      ),
    );
    expect(attributes.length).toBeGreaterThan(0);
    for (const value of attributes) expect(value).toMatch(/^(#|data:)/);
    expect(html).not.toMatch(/url\(\s*['"]?(?!data:)/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toContain('http-equiv="refresh"');
    expect(renderStatusPage(data, { refreshSeconds: 30 })).toContain(
      '<meta http-equiv="refresh" content="30">',
    );
    store.close();
  });

  it('a stale heartbeat is said at the top', () => {
    const store = filledStore();
    store.setMeta('heartbeat', String(NOW - 2 * HOUR));
    const html = statusPageHtml(viewOf(store));
    expect(html).toContain(
      `<p class="alert" role="alert">The monitor's last heartbeat is 2 h 0 min ago: the figures below may be stale.</p>`,
    );
    expect(html).toContain('last heartbeat 2 h 0 min ago — not running?');
    store.close();
  });
});

/** A plausible histogram of `runs` answers around 80–400 ms. */
function histogramOf(runs: number, seed: number): string {
  const h = createHistogram();
  for (let i = 0; i < runs; i++) recordMicros(h, 80_000 + ((seed * 7919 + i * 104_729) % 320_000));
  return encodeHistogram(h);
}

/**
 * The default checks and SLOs (openView on an empty config) with 90 days of hourly and daily
 * rollups written straight into the database (a run every 30 s for 90 days would take minutes
 * to record, and the page's size depends on the days and hours, not on the runs), and one
 * recorded run per check for its state.
 */
async function defaultChecksPage(): Promise<{ html: string; checks: string[] }> {
  const file = join(dir, 'defaults.db');
  const view = await openView(parseConfig({}, 'perf.config.ts'), file, new URL(ORIGIN), NOW);
  const { store } = view;
  const insert = store.db.prepare(
    `INSERT INTO rollups (period, check_name, start, runs, passed, degraded, failed, excluded, cache_hits,
      cache_lookups, answered, histogram) VALUES (?, ?, ?, ?, ?, 0, ?, 0, 0, 0, ?, ?)`,
  );
  const histograms = [0, 1, 2, 3].map((seed) => histogramOf(60, seed));
  store.db.transaction(() => {
    view.checks.forEach((check, k) => {
      for (let d = TODAY - 89 * DAY; d < TODAY; d += DAY) {
        const failed = (d / DAY + k) % 17 === 0 ? 30 : 0;
        insert.run('day', check.name, d, 1440, 1440 - failed, failed, 1440, histograms[k % 4]);
        for (let h = d; h < d + DAY; h += HOUR)
          insert.run('hour', check.name, h, 60, 60, 0, 60, histograms[(h / HOUR + k) % 4]);
      }
    });
  })();
  const runs = new Runs(store);
  for (const check of view.checks) runs.run(check.name, NOW - MINUTE, 'pass', 120);
  store.setMeta('heartbeat', String(NOW - 2_000));
  const html = statusPageHtml(view);
  store.close();
  return { html, checks: view.checks.map((c) => c.name) };
}

describe('status page of the default checks', () => {
  it('fits in a few hundred KB with 90 days of data', async () => {
    const { html, checks: names } = await defaultChecksPage();
    expect(names).toHaveLength(9);
    const bytes = Buffer.byteLength(html);
    console.log(`status page, ${names.length} default checks, 90 days: ${(bytes / 1024).toFixed(0)} KiB`);
    expect(bytes).toBeLessThan(400 * 1024);
    expect(chartSpecs(html)).toHaveLength(9);
  });
});

const browserPath = findBrowser()?.path;
const inChromium = browserPath ? describe : describe.skip;

inChromium(
  browserPath
    ? 'status page in Chromium'
    : `status page in Chromium — skipped: no Chromium found (${INSTALL_HINT})`,
  () => {
    let browser: Browser | undefined;
    let pages: string;

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: browserPath, headless: true });
      pages = mkdtempSync(join(tmpdir(), 'status-page-browser-'));
    });

    afterAll(async () => {
      await browser?.close();
      rmSync(pages, { recursive: true, force: true });
    });

    /**
     * Opens a page from a file, records console errors and warnings, page errors and every
     * request, and aborts any request but the file's own.
     */
    async function open(name: string, html: string) {
      const file = join(pages, name);
      writeFileSync(file, html);
      const url = pathToFileURL(file).href;
      const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      const refused: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => requests.push(request.url()));
      await page.route('**/*', (route) => {
        const target = route.request().url();
        if (target === url) return route.continue();
        refused.push(target);
        return route.abort();
      });
      await page.goto(url);
      return { page, url, problems, requests, refused };
    }

    it('draws every check, its bars and its chart from the file alone, without errors or requests', async () => {
      const { html, checks: names } = await defaultChecksPage();
      const { page, url, problems, requests, refused } = await open('status.html', html);
      const charts = chartSpecs(html).length;
      await page.waitForFunction((n) => document.querySelectorAll('.uplot canvas').length === n, charts);

      const headings = await page.$$eval('.check h3', (hs) =>
        hs.map((h) => h.firstChild?.textContent?.trim()),
      );
      expect(headings).toEqual(names);
      for (const heading of await page.locator('.check h3').all())
        expect(await heading.isVisible()).toBe(true);
      // 90 bars per check, each with a size on the screen, coloured by its class.
      const bars = await page.$$eval('.check .day', (spans) =>
        spans.map((s) => {
          const box = s.getBoundingClientRect();
          return {
            width: box.width,
            height: box.height,
            cls: s.className,
            color: getComputedStyle(s).backgroundColor,
          };
        }),
      );
      expect(bars).toHaveLength(names.length * 90);
      for (const bar of bars) {
        expect(bar.width).toBeGreaterThan(0);
        expect(bar.height).toBeGreaterThan(20);
      }
      expect(bars.find((b) => b.cls === 'day good')?.color).toBe('rgb(46, 125, 50)');
      expect(bars.find((b) => b.cls === 'day partial')?.color).toBe('rgb(255, 160, 0)');
      expect(bars.at(-1)?.cls).toBe('day good');
      expect(await page.locator('.check .bars').first().isVisible()).toBe(true);
      // Every chart drawn in its element, with a size.
      const canvases = await page.$$eval('.chart > .uplot canvas', (cs) =>
        cs.map((c) => (c as HTMLCanvasElement).width * (c as HTMLCanvasElement).height),
      );
      expect(canvases).toHaveLength(charts);
      for (const area of canvases) expect(area).toBeGreaterThan(0);
      expect(await page.getByText('All checks passing').isVisible()).toBe(true);

      expect(problems).toEqual([]);
      expect(refused).toEqual([]);
      expect(requests).toEqual([url]);
      await page.close();
    });

    it('shows hostile text as text', async () => {
      const store = filledStore();
      const html = statusPageHtml(viewOf(store));
      store.close();
      const { page, url, problems, requests } = await open('hostile.html', html);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.getByText(HOSTILE).first().isVisible()).toBe(true);
      expect(await page.getByRole('heading', { name: HOSTILE_GROUP }).isVisible()).toBe(true);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      await page.close();
    });

    it('the harness itself: a page that asks for anything else is caught', async () => {
      const store = filledStore();
      const html = statusPageHtml(viewOf(store))
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
        .replace('</body>', '<img src="https://status.invalid/pixel.png" alt=""></body>');
      store.close();
      const { page, refused } = await open('tampered.html', html);
      await page.waitForLoadState('load');
      expect(refused).toEqual(['https://status.invalid/pixel.png']);
      await page.close();
    });
  },
);
