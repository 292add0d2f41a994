import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineFile } from '../core/baselines.ts';
import { requireBrowser } from '../core/browser.ts';
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
import type { Comparison, Item, RunResult, TrendMetric, Verdict } from '../core/results.ts';

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

  it('draws every chart from the file alone, without errors or requests', async () => {
    const html = renderHtml({ result: sampleResult(), baselines, history });
    const file = join(dir, 'index.html');
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    let aborted = 0;
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
      aborted++;
      return route.abort();
    });
    await page.goto(url);

    const expected = chartSpecs(html).length;
    expect(expected).toBe(9);
    await page.waitForFunction((n) => document.querySelectorAll('.uplot canvas').length === n, expected);
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

    expect(problems).toEqual([]);
    expect(aborted).toBe(0);
    expect(requests.every((r) => r === url || r.startsWith('data:'))).toBe(true);
    await page.close();
  });
});
