/** The synthetic suite: aggregation with plain data, and the journeys against the embedded target. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, TrendMetric } from '../core/results.ts';
import type { SuiteOutput } from '../core/suite.ts';
import { aggregate, type Iteration } from '../synthetic/aggregate.ts';
import type { PageSnapshot } from '../synthetic/collector.ts';
import { syntheticSuite } from '../synthetic/suite.ts';
import { type FaultInput, parseFaults } from '../target/faults.ts';
import { DEMO_PASSWORD } from '../target/seed.ts';
import type { RunningTarget } from '../target/server.ts';
import { judgeOutput, withTarget } from './helpers.ts';
import { findSecret } from './secret-scan.ts';

const page = (load: number, extra: Partial<PageSnapshot> = {}): PageSnapshot => ({
  url: '/',
  fcp: load / 2,
  lcp: load / 2,
  lcpFinal: true,
  cls: 0,
  inp: null,
  interactions: 0,
  ttfb: 5,
  domContentLoaded: load - 10,
  load,
  transferBytes: 1000,
  requests: 4,
  ...extra,
});
const iteration = (load: number, passed = true, inp?: number): Iteration => ({
  project: 'desktop',
  journey: 'visitor',
  passed,
  durationMs: load * 2,
  samples: {
    steps: [
      {
        name: 'home',
        ms: load + 20,
        page: page(load),
        ...(inp === undefined ? {} : { inp }),
        cls: load / 10_000,
      },
      { name: 'click', ms: 30 },
    ],
    ...(passed ? {} : { failure: 'step "home": uncaught page error: boom' }),
  },
  evidence: passed ? [] : ['reports/synthetic/test-results/x/trace-1.zip'],
});

describe('aggregate', () => {
  it('gives exact percentiles over iterations, per journey, step and page', () => {
    const { items, thresholds } = aggregate(
      [100, 200, 300, 400, 500].map((load) => iteration(load, true, load / 10)),
    );
    expect(items.map((i) => [i.name, i.kind, i.targets])).toEqual([
      ['desktop visitor', 'journey', 'none'],
      ['desktop visitor › home', 'page', 'page'],
      ['desktop visitor › click', 'step', 'none'],
    ]);
    const home = items[1]?.metrics ?? {};
    // Within the histogram's 0.1 %.
    const load = (home.page_load as TrendMetric).values;
    expect(load.med).toBeCloseTo(300, -0.5);
    expect(load.max).toBeCloseTo(500, -0.5);
    expect(load.min).toBeCloseTo(100, -0.5);
    expect((home.page_load as TrendMetric).count).toBe(5);
    expect((home.inp as TrendMetric).values.med).toBeCloseTo(30, 1);
    expect((home.cls as TrendMetric).values.max).toBeCloseTo(0.05, 6);
    expect((home.transfer_bytes as TrendMetric).values.med).toBe(1000);
    expect(items[0]?.metrics.checks).toMatchObject({ passes: 5, count: 5 });
    expect(thresholds).toEqual([
      { item: 'desktop visitor', metrics: { checks: ['rate==1'] } },
      { item: 'desktop visitor › home', metrics: { lcp: ['med<2500'], cls: ['med<0.1'], inp: ['med<200'] } },
    ]);
  });

  it('marks percentiles that rest on too few samples, and judges INP only where there was one', () => {
    const { items, thresholds } = aggregate([iteration(100), iteration(120), iteration(140)]);
    expect((items[1]?.metrics.page_load as TrendMetric | undefined)?.insufficient).toEqual([
      'p90',
      'p95',
      'p99',
      'p99.9',
    ]);
    expect(items[1]?.metrics.inp).toBeUndefined();
    expect(thresholds[1]?.metrics).not.toHaveProperty('inp');
  });

  it('counts failed iterations and names the step in a note, with the evidence', () => {
    const { items, notes } = aggregate([iteration(100), iteration(100, false)]);
    expect(items[0]?.metrics.checks).toMatchObject({ passes: 1, count: 2, rate: 0.5 });
    expect(notes).toEqual([
      'desktop visitor iteration 2 failed: step "home": uncaught page error: boom (evidence: reports/synthetic/test-results/x/trace-1.zip)',
    ]);
  });
});

// A browser journey takes 25–30 s on these two cores: well within 2 minutes, but not always within 30 s.
describe('journeys on the embedded target', { timeout: 120_000 }, () => {
  let running: RunningTarget;
  beforeAll(async () => {
    running = await withTarget();
  });
  afterAll(() => running.close());

  async function journeys(
    faults: FaultInput,
    iterations = 2,
    more: { settleMs?: number; journeys?: string[] } = {},
  ): Promise<{ output: SuiteOutput; result: RunResult; reportDir: string }> {
    running.target.applyFaults(parseFaults(faults, 'test'));
    const reportDir = mkdtempSync(join(tmpdir(), 'pitchey-synthetic-test-'));
    const output = await syntheticSuite.run({
      baseUrl: new URL(running.url),
      settings: { enabled: true, projects: ['desktop'], workers: 1, iterations, reportDir, ...more },
      progress: { update: () => {} },
      signal: new AbortController().signal,
    });
    running.target.applyFaults(parseFaults({}, 'test'));
    return { output, result: await judgeOutput('synthetic', output, running.url), reportDir };
  }
  const verdict = (r: RunResult, item: string, metric: string) =>
    r.verdicts.find((v) => v.item === item && v.metric === metric);

  it('every journey passes cleanly with plausible numbers, and INP where the journey interacts', async () => {
    const { output, result } = await journeys({});
    expect(
      result.verdicts
        .filter((v) => v.status !== 'pass')
        .map((v) => `${v.item} ${v.metric} ${v.reason ?? v.value}`),
    ).toEqual([]);
    expect(output.items.filter((i) => i.kind === 'journey').map((i) => i.name)).toEqual([
      'desktop visitor',
      'desktop investor',
      'desktop creator',
    ]);
    for (const item of output.items.filter((i) => i.kind === 'page')) {
      const med = (m: string) => (item.metrics[m] as TrendMetric).values.med ?? Number.NaN;
      expect(med('fcp'), item.name).toBeGreaterThan(0);
      expect(med('lcp'), item.name).toBeGreaterThanOrEqual(med('fcp'));
      expect(med('cls'), item.name).toBeGreaterThanOrEqual(0);
      expect(med('page_load'), item.name).toBeGreaterThan(0);
      expect(med('requests'), item.name).toBeGreaterThanOrEqual(3);
    }
    const investorPages = output.items.filter((i) => i.tags.journey === 'investor' && i.metrics.inp);
    expect(investorPages.map((i) => i.tags.step)).toEqual(
      expect.arrayContaining(['next page', 'open pitch']),
    );
  });

  it('the settleMs of a profile reaches the journeys: every page step waits that long after load', async () => {
    const stepMs = (output: SuiteOutput, step: string) => {
      const metric = output.items.find((i) => i.name === `desktop visitor › ${step}`)?.metrics.step_duration;
      return metric?.type === 'trend' ? (metric.values.med ?? Number.NaN) : Number.NaN;
    };
    const { output: long } = await journeys({}, 1, { settleMs: 1500, journeys: ['visitor'] });
    const { output: short } = await journeys({}, 1, { settleMs: 0, journeys: ['visitor'] });
    expect(long.items.filter((i) => i.kind === 'journey').map((i) => i.name)).toEqual(['desktop visitor']);
    for (const step of ['home', 'trending pitch']) {
      expect(stepMs(long, step), step).toBeGreaterThanOrEqual(1500);
      // The default is 500 ms: a settle of 0 must bring the step well under the long one.
      expect(stepMs(short, step), step).toBeLessThan(stepMs(long, step) - 1000);
    }
  });

  it('a render-blocking script on the home page fails its page-load target', async () => {
    const { result } = await journeys({ page: { blockingScriptMs: 1500, pages: ['/'] } });
    expect(verdict(result, 'desktop visitor › home', 'page_load')).toMatchObject({ status: 'fail' });
    expect(verdict(result, 'desktop visitor › home', 'page_load')?.value).toBeGreaterThan(1500);
    expect(verdict(result, 'desktop visitor › trending pitch', 'page_load')?.status).toBe('pass');
    expect(result.outcome.exitCode).toBe(1);
  });

  it('a late banner raises CLS above 0.1 and fails it', async () => {
    const { result } = await journeys({ page: { layoutShift: true, pages: ['/'] } });
    const cls = verdict(result, 'desktop visitor › home', 'cls');
    expect(cls).toMatchObject({ status: 'fail' });
    expect(cls?.value).toBeGreaterThan(0.1);
  });

  it('a JS error fails the journey naming the step, and no report, trace or log holds the password', async () => {
    const { output, result, reportDir } = await journeys({ page: { jsError: true, pages: ['/browse'] } }, 1);
    expect(verdict(result, 'desktop investor', 'checks')).toMatchObject({ status: 'fail', value: 0 });
    expect(output.notes.join('\n')).toMatch(
      /desktop investor iteration 1 failed: step "browse": uncaught page error: Injected fault: page script error \(evidence: .*test-failed-1\.png, .*trace-1-\w+\.zip/,
    );
    expect(verdict(result, 'desktop visitor', 'checks')?.status).toBe('pass');
    const scan = await findSecret(reportDir, DEMO_PASSWORD);
    expect(scan.files).toBeGreaterThan(3);
    expect(scan.hits).toEqual([]);
    // The scan itself can see a secret inside a trace: the investor's email is in one.
    expect((await findSecret(reportDir, 'investor1@pitchey.test')).hits.length).toBeGreaterThan(0);
  });
});
