/** The Lighthouse suite: figures from an lhr, and real runs against the embedded target. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result as Lhr } from 'lighthouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import type { GaugeMetric, RunResult, TrendMetric } from '../core/results.ts';
import { benchmarkSpread, figuresOf, type RunFigures, representativeRun } from '../lighthouse/metrics.ts';
import { lighthouseSuite } from '../lighthouse/suite.ts';
import { type FaultInput, parseFaults } from '../target/faults.ts';
import type { RunningTarget } from '../target/server.ts';
import { judgeOutput, withTarget } from './helpers.ts';

const figures = (fcp: number, lcp: number, benchmarkIndex = 1000): RunFigures => ({
  score: 1,
  fcp,
  lcp,
  tbt: 0,
  cls: 0,
  speedIndex: fcp,
  totalBytes: 1,
  requests: 1,
  observedLoad: 50,
  benchmarkIndex,
});

describe('Lighthouse figures', () => {
  it('reads the metrics of an lhr, null when an audit is missing', () => {
    const lhr = {
      categories: { performance: { score: 0.87 } },
      environment: { benchmarkIndex: 1234 },
      audits: {
        'first-contentful-paint': { numericValue: 750 },
        'largest-contentful-paint': { numericValue: 1100 },
        'total-blocking-time': { numericValue: 70 },
        'cumulative-layout-shift': { numericValue: 0.02 },
        'speed-index': { numericValue: 800 },
        'total-byte-weight': { numericValue: 40_000 },
        'network-requests': { details: { items: [{}, {}, {}] } },
        metrics: { details: { items: [{ observedLoad: 95 }] } },
      },
    } as unknown as Lhr;
    expect(figuresOf(lhr)).toEqual({
      score: 0.87,
      fcp: 750,
      lcp: 1100,
      tbt: 70,
      cls: 0.02,
      speedIndex: 800,
      totalBytes: 40_000,
      requests: 3,
      observedLoad: 95,
      benchmarkIndex: 1234,
    });
    expect(figuresOf({ categories: {}, audits: {} } as unknown as Lhr).lcp).toBeNull();
  });

  it('picks the run nearest the medians of FCP and LCP, and measures the benchmarkIndex spread', () => {
    const runs = [figures(700, 1000, 1000), figures(1500, 3000, 1500), figures(760, 1100, 1100)];
    expect(representativeRun(runs)).toBe(2);
    expect(benchmarkSpread(runs)).toBeCloseTo(500 / 1100, 5);
    expect(benchmarkSpread([runs[0] as RunFigures])).toBeNull();
  });
});

describe('Lighthouse on the embedded target', () => {
  let running: RunningTarget;
  beforeAll(async () => {
    running = await withTarget();
  });
  afterAll(() => running.close());

  async function lighthouse(
    faults: FaultInput,
    path = '/',
  ): Promise<{ result: RunResult; reportDir: string }> {
    running.target.applyFaults(parseFaults(faults, 'test'));
    const config = await loadConfig('perf.config.ts');
    const reportDir = mkdtempSync(join(tmpdir(), 'pitchey-lh-'));
    try {
      const output = await lighthouseSuite.run({
        baseUrl: new URL(running.url),
        settings: {
          ...config.suites.lighthouse,
          pages: [{ name: 'page', path }],
          presets: ['mobile'],
          runs: 1,
          reportDir,
        },
        progress: { update: () => {} },
        signal: new AbortController().signal,
      });
      return { result: await judgeOutput('lighthouse', output, running.url), reportDir };
    } finally {
      running.target.applyFaults(parseFaults({}, 'test'));
    }
  }
  const verdict = (r: RunResult, metric: string) => r.verdicts.find((v) => v.metric === metric);
  const chromiumProcesses = () => {
    try {
      return execFileSync('pgrep', ['-f', 'chromium.*remote-debugging-port'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };

  it('one run of one page yields every metric, keeps its reports, and leaves no Chromium', async () => {
    const { result, reportDir } = await lighthouse({});
    const item = result.suites[0]?.items[0];
    for (const metric of [
      'page_load',
      'lh_score',
      'fcp',
      'lcp',
      'tbt',
      'cls',
      'speed_index',
      'total_bytes',
      'requests',
    ]) {
      const m = item?.metrics[metric] as TrendMetric | undefined;
      expect(m?.count, metric).toBe(1);
      expect(m?.values.med, metric).toBeGreaterThanOrEqual(0);
    }
    expect((item?.metrics.lcp as TrendMetric | undefined)?.values.med).toBeGreaterThanOrEqual(
      (item?.metrics.fcp as TrendMetric | undefined)?.values.med ?? 0,
    );
    expect(result.outcome.exitCode, JSON.stringify(result.verdicts.filter((v) => v.status !== 'pass'))).toBe(
      0,
    );
    expect(existsSync(join(reportDir, 'page-mobile.report.json'))).toBe(true);
    expect(existsSync(join(reportDir, 'page-mobile.report.html'))).toBe(true);
    expect(chromiumProcesses()).toBe('');
  });

  it('the oversized hero fails the image-size and LCP assertions', async () => {
    const { result } = await lighthouse({ page: { oversizedHero: true } });
    expect(verdict(result, 'lh_resource_image_size')).toMatchObject({ status: 'fail' });
    expect(verdict(result, 'lh_largest_contentful_paint')).toMatchObject({ status: 'fail' });
    expect(result.outcome.exitCode).toBe(1);
  });

  // TBT counts long tasks after the first paint: a script that blocks rendering runs before it,
  // so it shows in FCP/LCP and the page load instead (TBT stays 0; measured here).
  it('the render-blocking script fails LCP and the page-load target, not TBT', async () => {
    const { result } = await lighthouse({ page: { blockingScriptMs: 1500 } });
    expect(verdict(result, 'lh_largest_contentful_paint')).toMatchObject({ status: 'fail' });
    expect(verdict(result, 'page_load')).toMatchObject({ status: 'fail' });
    expect(verdict(result, 'page_load')?.value).toBeGreaterThan(1500);
    expect(
      (result.suites[0]?.items[0]?.metrics.lh_total_blocking_time as GaugeMetric | undefined)?.value,
    ).toBeLessThan(300);
  });

  it('a page that does not load (404) cannot be measured: exit 2, naming the page', async () => {
    const { result } = await lighthouse({}, '/no-such-page');
    expect(result.outcome.exitCode).toBe(2);
    expect(result.outcome.line).toMatch(/not measured: lighthouse page mobile/);
    expect(result.suites[0]?.notes[0]).toMatch(
      /page mobile: Lighthouse could not load .*\/no-such-page: ERRORED_DOCUMENT_REQUEST/,
    );
  });
});
