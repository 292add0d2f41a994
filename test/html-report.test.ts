import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineFile } from '../core/baselines.ts';
import { requireBrowser } from '../core/browser.ts';
import { calibrationLines } from '../core/calibration.ts';
import { createHistogram, recordMicros } from '../core/histogram.ts';
import type { HistoryEntry } from '../core/history.ts';
import { rateMetric, trendFromHistogram } from '../core/metrics.ts';
import {
  type ChartSpec,
  escapeHtml,
  jsonForScript,
  percentileCurve,
  renderHtml,
  reportLinks,
  runRelative,
} from '../core/report/html.ts';
import type {
  Calibration,
  ChangePointRecord,
  Comparison,
  Item,
  RunResult,
  SuiteResult,
  TrendMetric,
  Verdict,
} from '../core/results.ts';

const HOSTILE = '</script><img src=x onerror=alert(1)>';
const RUN_ID = '2026-11-26T10-00-00-000Z-abcd';

/** A latency trend (ms) over the given values, as the load engine records it. */
function latencies(ms: readonly number[]): TrendMetric {
  const histogram = createHistogram();
  for (const v of ms) recordMicros(histogram, v * 1000);
  return trendFromHistogram(histogram);
}

/** `count` latencies spread evenly between `low` and `high` ms. */
const spread = (count: number, low: number, high: number) =>
  Array.from({ length: count }, (_, i) => low + ((high - low) * i) / Math.max(1, count - 1));

/** The encoded histogram of a latency trend over the values. */
function histogramOf(ms: readonly number[]) {
  const { histogram } = latencies(ms);
  if (!histogram) throw new Error('trendFromHistogram gave no histogram');
  return histogram;
}

/** A per-iteration trend (journeys, Lighthouse): the histogram plus the samples. */
function samples(values: number[]): TrendMetric {
  return { ...latencies(values), samples: values };
}

function perSecond(seconds: number, requests: number): NonNullable<Item['series']> {
  return Array.from({ length: seconds }, (_, t) => ({ t, requests, errors: t === 3 ? 2 : 0, p95: 10 + t }));
}

function scenario(name: string, ms: readonly number[]): Item {
  return {
    name,
    kind: 'scenario',
    targets: 'api',
    tags: { scenario: name },
    metrics: { http_req_duration: latencies(ms), http_req_failed: rateMetric(2, ms.length) },
    series: perSecond(20, 50),
  };
}

function request(scenarioName: string, name: string, ms: readonly number[]): Item {
  return {
    name: `${scenarioName} ${name}`,
    kind: 'request',
    targets: 'none',
    tags: { scenario: scenarioName, name },
    metrics: { http_req_duration: latencies(ms), http_req_failed: rateMetric(0, ms.length) },
  };
}

function verdict(item: string, suite: string, status: Verdict['status'], value: number): Verdict {
  return {
    suite,
    item,
    metric: 'http_req_duration',
    threshold: 'p(95)<200',
    origin: 'milestone test',
    status,
    value,
    limit: 200,
    unit: 'ms',
    margin: 200 - value,
    samples: 1000,
  };
}

function comparison(
  over: Partial<Comparison> & Pick<Comparison, 'suite' | 'item' | 'metric' | 'status'>,
): Comparison {
  return {
    stat: 'med',
    unit: 'ms',
    better: 'lower',
    method: 'mann-whitney',
    baseline: 100,
    current: 100,
    delta: 0,
    relative: 0,
    interval: [-5, 5],
    p: 0.5,
    alpha: 0.05,
    minEffect: { relative: 0.1, absolute: 5 },
    samples: { baseline: 10, current: 10 },
    ...over,
  };
}

const journeyTags = { project: 'desktop', journey: 'visitor' };

function sampleResult(): RunResult {
  const at = '2026-11-26T10:00:00.000Z';
  return {
    schemaVersion: 1,
    run: {
      id: RUN_ID,
      startedAt: at,
      finishedAt: '2026-11-26T10:05:00.000Z',
      durationMs: 300_000,
      profile: 'ci',
      milestone: 'strictest',
      baseUrl: 'http://127.0.0.1:4000',
      embeddedTarget: true,
      git: { commit: '0123456789abcdef0123', branch: 'main', dirty: false },
      machine: {
        cpuModel: 'Test CPU',
        cores: 2,
        memoryBytes: 8e9,
        nodeVersion: 'v20.20.2',
        platform: 'linux',
      },
    },
    suites: [
      {
        suite: 'health',
        status: 'measured',
        startedAt: at,
        durationMs: 1000,
        notes: [],
        thresholds: [],
        items: [
          {
            name: '/health',
            kind: 'endpoint',
            targets: 'api',
            tags: {},
            metrics: {
              http_req_duration: latencies(spread(500, 0.3, 4)),
              http_req_failed: rateMetric(0, 500),
            },
          },
        ],
      },
      {
        suite: 'load',
        status: 'measured',
        startedAt: at,
        durationMs: 60_000,
        notes: [],
        thresholds: [],
        items: [
          scenario('average-load', spread(1000, 2, 60)),
          request('average-load', 'pitches', spread(600, 2, 50)),
          request('average-load', HOSTILE, spread(400, 3, 70)),
          scenario(HOSTILE, spread(200, 1, 20)),
        ],
      },
      {
        suite: 'synthetic',
        status: 'measured',
        startedAt: at,
        durationMs: 60_000,
        notes: [`Playwright reports: reports/${RUN_ID}/synthetic/html/index.html, results.json, junit.xml`],
        thresholds: [],
        items: [
          {
            name: 'desktop visitor',
            kind: 'journey',
            targets: 'none',
            tags: journeyTags,
            metrics: { checks: rateMetric(10, 10), journey_duration: samples(spread(10, 1500, 1900)) },
          },
          {
            name: 'desktop visitor › home',
            kind: 'page',
            targets: 'page',
            tags: { ...journeyTags, step: 'home', url: '/' },
            metrics: { page_load: samples(spread(10, 60, 90)), lcp: samples(spread(10, 120, 160)) },
          },
          {
            name: 'desktop visitor › search',
            kind: 'step',
            targets: 'none',
            tags: { ...journeyTags, step: 'search' },
            metrics: { step_duration: samples(spread(10, 70, 90)) },
          },
        ],
      },
      {
        suite: 'lighthouse',
        status: 'measured',
        startedAt: at,
        durationMs: 30_000,
        notes: [
          `home mobile: representative run reports/${RUN_ID}/lighthouse/home-mobile.report.html (4.5, 4.6, 4.7 s per run)`,
          // Neither lies in the run's folder: no link.
          'evil: representative run javascript:alert(1).html (1 s per run)',
          'other: representative run /elsewhere/other.report.html (1 s per run)',
        ],
        thresholds: [],
        items: [
          {
            name: 'home mobile',
            kind: 'page',
            targets: 'page',
            tags: { page: 'home', preset: 'mobile', url: '/' },
            metrics: { page_load: samples([50, 55, 60]), lcp: samples([1100, 1200, 1250]) },
          },
        ],
      },
    ],
    verdicts: [
      verdict('average-load', 'load', 'fail', 231.5),
      verdict('/health', 'health', 'pass', 3.6),
      verdict(`average-load ${HOSTILE}`, 'load', 'pass', 66),
    ],
    comparisons: [
      comparison({
        suite: 'load',
        item: 'average-load',
        metric: 'http_req_duration',
        stat: 'p(95)',
        status: 'regression',
        method: 'quantile',
        baseline: 41.2,
        current: 57.1,
        delta: 15.9,
        relative: 0.386,
        interval: [11.4, 20.2],
        p: 0.0004,
        samples: { baseline: 1000, current: 1000 },
      }),
      comparison({ suite: 'load', item: 'average-load', metric: 'http_req_duration', status: 'pass' }),
      comparison({
        suite: 'synthetic',
        item: 'desktop visitor › home',
        metric: 'page_load',
        status: 'inconclusive',
        reason: 'too few samples (3 baseline, 10 current): the test cannot reach p ≤ 0.05',
      }),
      comparison({
        suite: 'lighthouse',
        item: 'home mobile',
        metric: 'lcp',
        status: 'improved',
        baseline: 1500,
        current: 1200,
        delta: -300,
        relative: -0.2,
      }),
    ],
    baseline: {
      dir: 'baselines',
      files: [
        {
          file: 'baselines/ci/load/average-load.json',
          suite: 'load',
          group: 'average-load',
          takenAt: '2026-11-20T10:00:00.000Z',
          profile: 'ci',
        },
      ],
      missing: [`load ${HOSTILE}`],
      warnings: ['the baseline was taken on another machine (Other CPU)'],
    },
    outcome: { status: 'fail', exitCode: 1, line: 'FAIL (1 of 3 metrics)' },
  };
}

function baselineFile(suite: string, group: string, items: BaselineFile['items']): BaselineFile {
  const run = sampleResult().run;
  return {
    schemaVersion: 1,
    suite,
    group,
    takenAt: '2026-11-20T10:00:00.000Z',
    runId: 'earlier',
    profile: 'ci',
    baseUrl: run.baseUrl,
    embeddedTarget: true,
    git: {},
    machine: run.machine,
    items,
  };
}

const baselines: BaselineFile[] = [
  baselineFile('load', 'average-load', [
    {
      name: 'average-load',
      kind: 'scenario',
      metrics: { http_req_duration: latencies(spread(1000, 2, 45)) },
    },
  ]),
  baselineFile('synthetic', 'desktop visitor', [
    { name: 'desktop visitor › home', kind: 'page', metrics: { page_load: samples([70, 80, 100]) } },
  ]),
  baselineFile('lighthouse', 'home mobile', [
    { name: 'home mobile', kind: 'page', metrics: { lcp: samples([1400, 1500, 1600]) } },
  ]),
];

function historyEntry(
  id: string,
  startedAt: string,
  status: HistoryEntry['status'],
  p95: number,
): HistoryEntry {
  return {
    id,
    startedAt,
    profile: 'ci',
    milestone: 'strictest',
    baseUrl: 'http://127.0.0.1:4000',
    status,
    exitCode: status === 'pass' ? 0 : 1,
    regressions: status === 'pass' ? 0 : 1,
    metrics: {
      'health /health http_req_duration p(95)': 3.5,
      'load average-load http_req_duration p(95)': p95,
      'lighthouse home mobile page_load med': 55,
      'synthetic desktop visitor › home page_load med': 70,
    },
  };
}

const history: HistoryEntry[] = [
  historyEntry('run-1', '2026-11-24T10:00:00.000Z', 'pass', 40),
  historyEntry('run-2', '2026-11-25T10:00:00.000Z', 'pass', 42),
  historyEntry(RUN_ID, '2026-11-26T10:00:00.000Z', 'fail', 57),
];

/** A calibration with the given node CPU speed (it/ms); no browser figure, as on a server. */
function calibration(nodeCpu: number, takenAt = '2026-11-26T10:00:00.000Z'): Calibration {
  const figure = (value: number, spread = 0.02) => ({ value, spread, repeats: 5 });
  return {
    takenAt,
    nodeCpu: figure(nodeCpu),
    nodeCpuAll: figure(nodeCpu * 1.9),
    browserCpu: null,
    timerJitterMs: figure(1.4, 0.1),
    rttMs: figure(0.35),
  };
}

const DRIFT = `the machine changed during this run (a busy neighbour?): node CPU 4.61 at the start, 3.40 at the end ${HOSTILE} — its comparisons may be unfair`;
const MACHINE_NOTE =
  "432 comparisons inconclusive: this machine is 25 % slower than the baseline's: node CPU 3.46 vs 4.61 it/ms (25 % slower) — re-take baselines here, or compare paired (--compare-url)";

/** The sample run with the machine's calibration at its start and end, and the drift it saw. */
function machineResult(): RunResult {
  const result = sampleResult();
  result.run.calibration = {
    start: calibration(4.61),
    end: calibration(3.4, '2026-11-26T10:05:00.000Z'),
  };
  result.machine = { drift: DRIFT, notes: [MACHINE_NOTE] };
  return result;
}

const API_KEY = 'load average-load http_req_duration p(95)';

const changePoints: ChangePointRecord[] = [
  {
    key: API_KEY,
    runId: RUN_ID,
    startedAt: '2026-11-26T10:00:00.000Z',
    before: 41,
    after: 57,
    relative: 0.39,
    p: 0.001,
    unit: 'ms',
    better: 'lower',
  },
  // A metric no trend chart draws: in the table only.
  {
    key: `lighthouse home mobile ${HOSTILE} p(90)`,
    runId: 'run-2',
    startedAt: '2026-11-25T10:00:00.000Z',
    before: 1500,
    after: 1200,
    relative: -0.2,
    p: 0.004,
    unit: 'ms',
    better: 'lower',
  },
];

/** The history with the machine's speed in the two last runs, the middle one paired. */
const calibratedHistory: HistoryEntry[] = history.map((entry, i) =>
  i === 0
    ? entry
    : {
        ...entry,
        calibration: { nodeCpu: i === 1 ? 4.58 : 4.0, nodeCpuAll: 8.7, timerJitterMs: 1.4 },
        ...(i === 1 ? { compareUrl: 'http://127.0.0.1:4001' } : { drift: true }),
      },
);

/** Everything a nightly run may add: calibration, drift, change points, a history limit. */
function nightlyResult(): RunResult {
  const result = machineResult();
  result.changePoints = changePoints;
  const regression = result.comparisons[0] as Comparison;
  regression.against = 'history';
  regression.machine = 'other';
  regression.history = {
    status: 'outside',
    center: 41.2,
    limit: 50,
    runs: 20,
    reason: `57.1 ms is above the limit 50 ms (center 41.2 ms + 3 × spread) ${HOSTILE}`,
  };
  const page = result.comparisons[2] as Comparison;
  page.against = 'baseline';
  page.machine = 'same';
  page.history = { status: 'within', center: 74, limit: 88, runs: 12, reason: 'within the history' };
  return result;
}

const REFERENCE_URL = 'http://127.0.0.1:4001';

/**
 * A paired run (--compare-url): the reference deployment measured interleaved with the target,
 * its comparisons made with the reference, and no baseline summary.
 */
function pairedResult(): RunResult {
  const result = sampleResult();
  result.run.compareUrl = REFERENCE_URL;
  const at = result.run.startedAt;
  const suite = (name: string, items: Item[]): SuiteResult => ({
    suite: name,
    status: 'measured',
    startedAt: at,
    durationMs: 1000,
    notes: [],
    thresholds: [],
    items,
  });
  result.reference = {
    baseUrl: REFERENCE_URL,
    suites: [
      suite('load', [scenario('average-load', spread(1000, 5, 30))]),
      suite('synthetic', [
        {
          name: 'desktop visitor › home',
          kind: 'page',
          targets: 'page',
          tags: { ...journeyTags, step: 'home', url: '/' },
          metrics: { page_load: samples(spread(10, 100, 120)) },
        },
      ]),
    ],
  };
  result.comparisons = result.comparisons.map((c) => ({ ...c, against: 'reference', machine: 'same' }));
  delete result.baseline;
  return result;
}

/** The charts the report asks the page to draw, read back from its embedded JSON. */
function chartSpecs(html: string): ChartSpec[] {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('no report-data script');
  return (JSON.parse(json) as { charts: ChartSpec[] }).charts;
}

const sectionOf = (html: string, id: string) => {
  const start = html.indexOf(`<section id="${id}"`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
};

describe('renderHtml, pure', () => {
  const html = renderHtml({ result: sampleResult(), baselines, history });

  it('escapes text for HTML, and JSON so that it cannot end its script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = jsonForScript({ name: HOSTILE });
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual({ name: HOSTILE });
  });

  it('never writes a hostile item name as markup, only as text and escaped JSON', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(HOSTILE));
    // Three script elements (data, uPlot, client), each closed once: no name closed one early.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(chartSpecs(html).map((c) => c.title)).toContain(`${HOSTILE}: latency by percentile`);
  });

  it('lists the failed targets and the regression at the top, before any section of detail', () => {
    const failures = sectionOf(html, 'failures');
    expect(html.indexOf('<section id="failures"')).toBeLessThan(html.indexOf('<section id="api"'));
    expect(failures).toContain('Regressions against the baseline (1)');
    const regression = failures.split('<tr').find((row) => row.includes('badge regression')) ?? '';
    expect(regression).toContain('>load · average-load<');
    expect(regression).toContain('>http_req_duration p(95)<');
    for (const figure of [
      '41.2 ms → 57.1 ms',
      '+15.9 ms (+38.6 %)',
      '[+11.4 ms, +20.2 ms]',
      '0.00040',
      'quantile',
    ])
      expect(regression).toContain(figure);
    expect(failures).toContain('Targets not met (1)');
    expect(failures).toContain('231.5 ms');
    expect(failures).toContain('Inconclusive against the baseline: 1 comparisons of 1 items');
    expect(failures).toContain(`No baseline yet for load ${escapeHtml(HOSTILE)}`);
    expect(failures).toContain('npm run baselines:update');
    expect(failures).toContain('Improved against the baseline: 1');
    expect(failures).toContain('Baseline warning: the baseline was taken on another machine (Other CPU)');
    // A passing comparison is no failure.
    expect(failures.match(/class="badge regression"/g)).toHaveLength(1);
  });

  it('puts the header facts and the outcome first', () => {
    expect(html.indexOf('FAIL (1 of 3 metrics)')).toBeLessThan(html.indexOf('<section'));
    for (const fact of ['ci', 'strictest', '0123456789ab (main)', '5 min 0 s']) expect(html).toContain(fact);
  });

  it('computes the percentile distribution up to the percentile the sample count supports', () => {
    const thousand = percentileCurve(histogramOf(spread(1000, 1, 1000)));
    const xs = thousand.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(thousand[0]).toMatchObject({ x: 0, p: 0 });
    expect(thousand[0]?.value).toBeCloseTo(1, 1);
    // 1000 samples support P99.9 and no more: x = log10(1000) = 3.
    expect(thousand.at(-1)?.x).toBeCloseTo(3, 3);
    expect(thousand.at(-1)?.p).toBeCloseTo(99.9, 3);
    for (const point of thousand) {
      // Nearest rank over 1…1000 ms, within the histogram's 0.1 %.
      const expected = Math.max(1, Math.ceil((point.p / 100) * 1000 - 1e-9));
      expect(Math.abs(point.value - expected)).toBeLessThanOrEqual(expected * 0.002 + 1);
    }
    const values = thousand.map((p) => p.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    // Ten samples stop at P90; one sample is one point.
    expect(percentileCurve(histogramOf(spread(10, 1, 10))).at(-1)?.p).toBeCloseTo(90, 6);
    expect(percentileCurve(histogramOf([5]))).toEqual([{ x: 0, p: 0, value: 5 }]);
  });

  it('draws current against baseline, per second, per journey, per page, and the trend', () => {
    const specs = chartSpecs(html);
    expect(specs.map((s) => s.kind)).toEqual([
      'percentiles', // /health
      'percentiles', // average-load
      'seconds',
      'percentiles', // the hostile scenario
      'seconds',
      'bars', // Lighthouse
      'bars', // desktop visitor
      'trend', // API P95
      'trend', // page load
    ]);
    const average = specs[1];
    expect(average?.series.map((s) => s.label)).toEqual(['current', 'baseline']);
    expect(specs[0]?.series.map((s) => s.label)).toEqual(['current']);
    const journey = specs.find((s) => s.kind === 'bars' && s.title.startsWith('desktop visitor'));
    expect(journey?.labels).toEqual(['home']);
    expect(journey?.series.map((s) => [s.label, s.values])).toEqual([
      ['baseline median', [80]],
      ['current median', [75]],
    ]);
    const trend = specs.find((s) => s.kind === 'trend');
    expect(trend?.marks).toEqual([2]);
    expect(trend?.labels).toEqual(['11-24 10:00', '11-25 10:00', '11-26 10:00']);
  });

  it('links the Playwright and Lighthouse reports of the run relatively, and nothing outside it', () => {
    expect(reportLinks(sampleResult()).map((l) => l.href)).toEqual([
      'synthetic/html/index.html',
      'lighthouse/home-mobile.report.html',
    ]);
    expect(runRelative(`C:\\ci\\reports\\${RUN_ID}\\lighthouse\\a.html`, RUN_ID)).toBe('lighthouse/a.html');
    expect(runRelative(`reports/${RUN_ID}/../../etc/passwd`, RUN_ID)).toBeUndefined();
    expect(runRelative('/elsewhere/a.html', RUN_ID)).toBeUndefined();
    const links = sectionOf(html, 'links');
    for (const href of [
      'synthetic/html/index.html',
      'lighthouse/home-mobile.report.html',
      'summary.md',
      'summary.json',
      'junit.xml',
    ])
      expect(links).toContain(`href="${href}"`);
    expect(links).not.toContain('javascript:');
    expect(links).not.toContain('elsewhere');
  });

  it('is self-contained: a CSP that forbids requests, and nothing loaded from anywhere', () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    );
    const loaders = html.match(/<(script|link|img|iframe|object|embed)\b[^>]*\b(src|href)=[^>]*>/g) ?? [];
    expect(loaders).toEqual(['<link rel="icon" href="data:,">']);
  });

  it('leaves out what it has no data for', () => {
    const result = sampleResult();
    result.suites = result.suites.filter((s) => s.suite === 'health');
    result.comparisons = [];
    result.verdicts = [];
    const page = renderHtml({ result, baselines: [], history: history.slice(-1) });
    expect(page).toContain('<section id="api"');
    expect(page).not.toContain('<section id="pages"');
    expect(page).not.toContain('<section id="trend"');
    expect(sectionOf(page, 'failures')).toContain(
      'Every target met, and no regression against the baselines.',
    );
    expect(chartSpecs(page)).toHaveLength(1);
  });
});

/** The page's text, tags stripped (entities stay escaped). */
const textOf = (html: string) => html.replace(/<[^>]*>/g, '');

const headerOf = (html: string) => html.slice(html.indexOf('<header>'), html.indexOf('</header>'));

/** The rows of a section's tables that contain a text. */
const rowsWith = (html: string, text: string) => html.split('<tr').filter((row) => row.includes(text));

describe('renderHtml, the machine, paired runs and the history', () => {
  it('shows the machine at the start and end of the run, and its drift as a warning at the top', () => {
    const result = machineResult();
    const html = renderHtml({ result, baselines, history });
    const header = headerOf(html);
    const lines = calibrationLines(result.run.calibration as NonNullable<RunResult['run']['calibration']>);
    expect(lines).toHaveLength(5);
    expect(textOf(header)).toContain('This machine measured at the start and at the end of the run');
    for (const line of lines) expect(header).toContain(`<li>${escapeHtml(line)}</li>`);
    expect(textOf(header)).toContain('node CPU: 4.61 it/ms (±1 %) → 3.40 it/ms (±1 %) at the end');
    expect(textOf(header)).toContain('browser CPU: not measured');
    // The drift first, right under the outcome: every comparison below may be unfair.
    expect(textOf(header)).toContain(`Warning: ${escapeHtml(DRIFT)}`);
    expect(header.indexOf('class="alert"')).toBeLessThan(header.indexOf('class="facts"'));
    // What the calibration says about the comparisons, beside their summary.
    const failures = sectionOf(html, 'failures');
    expect(textOf(failures)).toContain(`Machine: ${escapeHtml(MACHINE_NOTE)}`);
    expect(failures.indexOf('Inconclusive against the baseline')).toBeLessThan(failures.indexOf('Machine: '));
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
  });

  it('shows the start alone when the run ended before its second calibration, and nothing without one', () => {
    const result = sampleResult();
    result.run.calibration = { start: calibration(4.61), end: null };
    result.machine = { notes: [] };
    const html = renderHtml({ result, baselines, history });
    expect(textOf(headerOf(html))).toContain('This machine measured at the start of the run');
    expect(html).toContain('<li>node CPU: 4.61 it/ms (±1 %)</li>');
    expect(html).not.toContain('at the end</li>');
    expect(html).not.toContain('class="alert"');
    expect(html).not.toContain('Machine: ');

    const plain = renderHtml({ result: sampleResult(), baselines, history });
    expect(plain).not.toContain('This machine');
    expect(plain).not.toContain('class="alert"');
    expect(plain).not.toContain('Change points');
    expect(plain).not.toContain('class="badge paired"');
    expect(chartSpecs(plain).some((s) => s.changes)).toBe(false);
  });

  it('says what each comparison was made with, and the history limit where the history judged', () => {
    const html = renderHtml({ result: nightlyResult(), baselines, history: calibratedHistory });
    const failures = sectionOf(html, 'failures');
    const [regression = ''] = rowsWith(failures, 'badge regression');
    expect(regression).toContain('<span class="badge against history">history</span>');
    expect(regression).toContain('≤ 50 ms (outside, 20 runs)');
    expect(regression).toContain(
      `title="${escapeHtml(nightlyResult().comparisons[0]?.history?.reason ?? '')}"`,
    );
    expect(failures).toContain('<th class="num">history limit</th>');
    // Under its scenario, the passing comparison was made with the baseline.
    const api = sectionOf(html, 'api');
    expect(rowsWith(api, 'badge pass').join('')).toContain(
      '<span class="badge against baseline">baseline</span>',
    );
    // The page table names the history's limit beside the verdict.
    const [home = ''] = rowsWith(sectionOf(html, 'pages'), 'badge inconclusive');
    expect(textOf(home)).toContain('history: ≤ 88 ms');
    expect(textOf(home)).toContain('(within, 12 runs)');
    expect(html).not.toContain(HOSTILE);
  });

  it('labels a paired run "reference" and draws the reference against the current run', () => {
    const result = pairedResult();
    // The baseline files are at hand, but a paired run is not compared with them.
    const html = renderHtml({ result, baselines, history });
    const said = `the reference ${REFERENCE_URL}, measured interleaved in the same run`;
    expect(textOf(headerOf(html))).toContain(`compared with${said}`);
    const failures = sectionOf(html, 'failures');
    expect(failures).toContain('Regressions against the reference (1)');
    expect(textOf(failures)).toContain(
      `This run was compared with ${said}, not with the committed baselines.`,
    );
    expect(failures).toContain('<th>vs reference</th>');
    expect(failures).toContain('<th class="num">reference → current</th>');
    const [regression = ''] = rowsWith(failures, 'badge regression');
    expect(regression).toContain('<span class="badge against reference">reference</span>');
    expect(sectionOf(html, 'api')).toContain('Against the reference: 1 REGRESSION, 1 pass');
    expect(sectionOf(html, 'pages')).toContain('<th>vs reference</th>');
    for (const word of ['against the baseline', 'vs baseline', 'baseline →', 'not compared with baselines'])
      expect(html).not.toContain(word);

    const specs = chartSpecs(html);
    const average = specs.find((s) => s.title === 'average-load: latency by percentile');
    expect(average?.series.map((s) => s.label)).toEqual(['current', 'reference']);
    const reference = result.reference?.suites[0]?.items[0]?.metrics.http_req_duration as TrendMetric;
    const drawn = new Map(average?.x.map((x, i) => [x, average.series[1]?.values[i]]));
    const curve = percentileCurve(reference.histogram as NonNullable<TrendMetric['histogram']>);
    expect(curve.length).toBeGreaterThan(10);
    for (const point of curve) expect(drawn.get(point.x)).toBe(point.value);
    // The reference's worst latency, not the baseline file's (45 ms).
    expect(Math.max(...(average?.series[1]?.values.filter((v) => v !== null) ?? []))).toBeCloseTo(30, 0);
    const journey = specs.find((s) => s.kind === 'bars' && s.title.startsWith('desktop visitor'));
    expect(journey?.series.map((s) => s.label)).toEqual(['reference median', 'current median']);
    expect(journey?.series[0]?.values[0]).toBeCloseTo(110, 6);
    // No reference for the Lighthouse page or /health: the current run alone.
    expect(specs.find((s) => s.title.startsWith('Lighthouse'))?.series.map((s) => s.label)).toEqual([
      'current median',
    ]);
    expect(specs[0]?.series.map((s) => s.label)).toEqual(['current']);
  });

  it('lists the change points, marks them on the trend, and shows each run’s machine speed', () => {
    const html = renderHtml({ result: nightlyResult(), baselines, history: calibratedHistory });
    const trend = sectionOf(html, 'trend');
    expect(trend).toContain('Change points (2)');
    const [api = ''] = rowsWith(trend, `<td>${API_KEY}</td>`);
    for (const cell of [
      '11-26 10:00 (this run)',
      '>41 ms<',
      '>57 ms<',
      '<td class="num bad">+39.0 %</td>',
      '0.0010',
    ])
      expect(api).toContain(cell);
    const [lcp = ''] = rowsWith(trend, escapeHtml(`lighthouse home mobile ${HOSTILE} p(90)`));
    expect(lcp).toContain('<td class="num good">−20.0 %</td>');
    expect(trend).toContain('a dashed line in its metric’s colour marks the first run of each change point');

    const [apiTrend, pageTrend] = chartSpecs(html).filter((s) => s.kind === 'trend');
    const line = apiTrend?.series.findIndex((s) => s.label === 'load average-load') ?? -1;
    expect(line).toBeGreaterThanOrEqual(0);
    expect(apiTrend?.changes).toEqual([
      {
        x: 2,
        color: apiTrend?.series[line]?.color,
        label: expect.stringContaining(`${API_KEY}: 41 ms → 57 ms (+39.0 %)`),
      },
    ]);
    // The Lighthouse change point's metric is on no chart: in the table only.
    expect(pageTrend?.changes).toBeUndefined();

    // The runs, newest first: this run on a slower machine that drifted, a paired run, an old one.
    const runs = trend.slice(trend.indexOf('<summary>Runs</summary>'));
    expect(runs).toContain('<th class="num">machine (node CPU)</th>');
    const [current = '', paired = '', old = ''] = rowsWith(runs, '<td');
    expect(current).toContain('4.00 it/ms <span class="warn">(changed)</span>');
    expect(current).toContain('the machine changed during this run');
    expect(paired).toContain('4.58 it/ms');
    expect(paired).toContain(
      `<span class="badge paired" title="compared with the reference ${REFERENCE_URL}, measured interleaved in the same run">paired</span>`,
    );
    expect(old).toContain('<td class="num">—</td>');
    expect(old).not.toContain('paired');
  });

  it('lists change points even when the history is too short for a chart', () => {
    const html = renderHtml({ result: nightlyResult(), baselines, history: [] });
    const trend = sectionOf(html, 'trend');
    expect(trend).toContain('Change points (2)');
    expect(trend).not.toContain('<summary>Runs</summary>');
    expect(chartSpecs(html).some((s) => s.kind === 'trend')).toBe(false);
  });
});

/** "#ef6c00" as the browser reports a computed colour: "rgb(239, 108, 0)". */
const rgb = (hex: string) =>
  `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe('renderHtml in a real browser', () => {
  let browser: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pitchey-html-'));

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: requireBrowser().path, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Opens a report from a file, records every console error or warning, page error, dialog and
   * request, and aborts any request but the file's own; resolves once every chart is drawn.
   */
  async function open(name: string, html: string) {
    const file = join(dir, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    const aborted: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => requests.push(request.url()));
    await page.route('**/*', (route) => {
      const target = route.request().url();
      if (target === url || target.startsWith('data:')) return route.continue();
      aborted.push(target);
      return route.abort();
    });
    await page.goto(url);
    const expected = chartSpecs(html).length;
    await page.waitForFunction((n) => document.querySelectorAll('.uplot canvas').length === n, expected);
    /** Nothing went wrong and nothing left the page. */
    const expectQuiet = () => {
      expect(problems).toEqual([]);
      expect(aborted).toEqual([]);
      expect(requests.every((r) => r === url || r.startsWith('data:'))).toBe(true);
    };
    return { page, expected, expectQuiet };
  }

  it('draws every chart from the file alone, without errors or requests', async () => {
    const html = renderHtml({ result: sampleResult(), baselines, history });
    const { page, expected, expectQuiet } = await open('index.html', html);
    expect(expected).toBe(9);
    const sizes = await page.$$eval('.uplot canvas', (canvases) =>
      canvases.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
    );
    expect(sizes).toHaveLength(expected);
    for (const [width, height] of sizes) {
      expect(width).toBeGreaterThan(0);
      expect(height).toBeGreaterThan(0);
    }
    // Every chart sits in the element html.ts made for it.
    expect(await page.$$eval('.chart > .uplot', (plots) => plots.length)).toBe(expected);
    // The hostile name is text on the page, not an element.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getByText(HOSTILE, { exact: false }).count()).toBeGreaterThan(0);
    // No change point, no mark.
    expect(await page.locator('.change-mark').count()).toBe(0);
    expectQuiet();
    await page.close();
  });

  it('marks a change point on its trend chart, and shows the machine and its drift', async () => {
    const html = renderHtml({ result: nightlyResult(), baselines, history: calibratedHistory });
    const { page, expected, expectQuiet } = await open('nightly.html', html);
    expect(expected).toBe(9);
    const apiTrend = chartSpecs(html).find((s) => s.kind === 'trend');
    const change = apiTrend?.changes?.[0];
    expect(change).toBeDefined();

    /** Each change mark: its chart, where it stands in the plotting area, its colour and flag. */
    const measure = () =>
      page.$$eval('.change-mark', (marks) =>
        marks.map((mark) => {
          const over = (mark.parentElement as HTMLElement).getBoundingClientRect();
          const box = mark.getBoundingClientRect();
          const flag = mark.querySelector('span') as HTMLElement;
          return {
            chart: mark.closest('.chart')?.id,
            left: box.left - over.left,
            width: over.width,
            height: box.height,
            overHeight: over.height,
            color: getComputedStyle(mark).borderLeftColor,
            style: getComputedStyle(mark).borderLeftStyle,
            flag: flag.getAttribute('title'),
            flagHeight: flag.getBoundingClientRect().height,
          };
        }),
      );
    const marks = await measure();
    expect(marks).toHaveLength(1);
    const [mark] = marks;
    expect(mark?.chart).toBe(apiTrend?.id);
    // x runs from −0.5 to 2.5 over three runs: the third run stands at 5/6 of the plotting area.
    expect(Math.abs((mark?.left ?? 0) - ((mark?.width ?? 0) * 5) / 6)).toBeLessThan(2);
    expect(mark?.height).toBeCloseTo(mark?.overHeight ?? 0, 0);
    expect(mark?.color).toBe(rgb(change?.color ?? ''));
    expect(mark?.style).toBe('dashed');
    expect(mark?.flag).toContain(`${API_KEY}: 41 ms → 57 ms (+39.0 %)`);
    expect(mark?.flagHeight).toBeGreaterThan(0);
    expect(await page.locator('.change-mark').isVisible()).toBe(true);

    // A narrower window redraws the chart: the mark follows its run.
    await page.setViewportSize({ width: 700, height: 900 });
    await page.waitForFunction(
      (before) => document.querySelector('.change-mark')?.parentElement?.clientWidth !== before,
      mark?.width,
    );
    const [moved] = await measure();
    expect(moved?.width).not.toBe(mark?.width);
    expect(Math.abs((moved?.left ?? 0) - ((moved?.width ?? 0) * 5) / 6)).toBeLessThan(2);

    // The machine's figures and the drift warning read as text at the top.
    expect(await page.getByText('This machine', { exact: true }).isVisible()).toBe(true);
    expect(
      await page.getByText('node CPU: 4.61 it/ms (±1 %) → 3.40 it/ms (±1 %) at the end').isVisible(),
    ).toBe(true);
    expect(await page.getByRole('alert').textContent()).toBe(`Warning: ${DRIFT}`);
    expect(await page.locator('img').count()).toBe(0);
    expectQuiet();
    await page.close();
  });

  it('draws a paired run against its reference, without errors or requests', async () => {
    const html = renderHtml({ result: pairedResult(), baselines, history });
    const { page, expected, expectQuiet } = await open('paired.html', html);
    expect(expected).toBe(9);
    const legends = await page.$$eval('.u-legend .u-series .u-label', (labels) =>
      labels.map((l) => l.textContent),
    );
    expect(legends).toContain('reference');
    expect(legends).toContain('reference median');
    expect(legends).not.toContain('baseline');
    expect(legends).not.toContain('baseline median');
    expectQuiet();
    await page.close();
  });
});
