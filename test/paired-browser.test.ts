/**
 * Paired mode in the browser suites: two embedded targets measured interleaved in one run (ABBA
 * order), the base's items and the reference's under the same names, and a render-blocking
 * script on one side seen on that side only. The only timings asserted are the injected 500 ms.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import type { Item, TrendMetric } from '../core/results.ts';
import type { SuiteContext, SuiteOutput } from '../core/suite.ts';
import { type LighthouseSettings, lighthouseSuite } from '../lighthouse/suite.ts';
import { aggregatePaired, type Iteration } from '../synthetic/aggregate.ts';
import { pairedCopies, pairedTurn } from '../synthetic/samples.ts';
import { syntheticSuite } from '../synthetic/suite.ts';
import { createTarget } from '../target/app.ts';
import { type FaultInput, parseFaults } from '../target/faults.ts';

const BLOCKING_MS = 500;
const slowHome: FaultInput = { page: { blockingScriptMs: BLOCKING_MS, pages: ['/'] } };

/** Which target ('A' or 'B') served each home-page request, in the order they came. */
const homeHits: string[] = [];

interface CountingTarget {
  url: URL;
  setFaults(faults: FaultInput): void;
  close(): Promise<void>;
}

/** An embedded target in this process that logs its home-page requests into `homeHits`. */
async function countingTarget(label: string): Promise<CountingTarget> {
  const target = await createTarget({ faults: parseFaults({}, 'test') });
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const server = serve(
      {
        fetch: (request, env) => {
          if (request.method === 'GET' && new URL(request.url).pathname === '/') homeHits.push(label);
          return target.app.fetch(request, env);
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      (info) => resolve({ server, port: info.port }),
    ) as Server;
  });
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    setFaults: (faults) => target.applyFaults(parseFaults(faults, 'test')),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        target.close();
      }),
  };
}

const shape = (items: Item[]) => items.map((i) => ({ name: i.name, kind: i.kind, tags: i.tags }));
const med = (item: Item | undefined, metric: string) =>
  (item?.metrics[metric] as TrendMetric | undefined)?.values.med ?? Number.NaN;
const count = (item: Item | undefined, metric: string) =>
  (item?.metrics[metric] as TrendMetric | undefined)?.count;
const quiet = { update: () => {} };

describe('paired synthetic aggregation (pure)', () => {
  const iteration = (side: 'base' | 'reference', load: number, url: string, passed = true): Iteration => ({
    project: 'desktop',
    journey: 'visitor',
    passed,
    durationMs: 1000,
    side,
    samples: {
      steps: [
        {
          name: 'home',
          ms: load,
          page: {
            url,
            fcp: 10,
            lcp: 10,
            lcpFinal: true,
            cls: 0,
            inp: null,
            interactions: 0,
            ttfb: 1,
            domContentLoaded: 5,
            load,
            transferBytes: 1,
            requests: 1,
          },
        },
        ...(passed ? [{ name: 'pitch', ms: 50 }] : []),
      ],
      ...(passed ? {} : { failure: 'step "home": boom' }),
    },
    evidence: passed ? [] : ['trace-1.zip'],
  });
  const labels = { base: 'the base http://a', reference: 'the reference http://b' };

  it('splits by side, names both alike, and says which side failed', () => {
    const result = aggregatePaired(
      [
        iteration('base', 100, '/'),
        iteration('reference', 300, '/?x'),
        iteration('reference', 320, '/?x', false),
        iteration('base', 120, '/'),
      ],
      labels,
    );
    const reference = result.reference as NonNullable<typeof result.reference>;
    expect(result.items.map((i) => i.name)).toEqual([
      'desktop visitor',
      'desktop visitor › home',
      'desktop visitor › pitch',
    ]);
    expect(shape(reference.items)).toEqual(shape(result.items));
    expect(med(reference.items[1], 'page_load') - med(result.items[1], 'page_load')).toBeGreaterThan(150);
    expect(reference.items[1]?.tags.url).toBe('/');
    expect(reference.items[0]?.metrics.checks).toMatchObject({ passes: 1, count: 2 });
    expect(result.notes).toEqual([]);
    expect(reference.notes).toEqual([
      'desktop visitor iteration 2 on the reference http://b failed: step "home": boom (evidence: trace-1.zip)',
    ]);
    expect(result.thresholds.map((t) => t.item)).toEqual(['desktop visitor', 'desktop visitor › home']);
  });

  it('gives a base step the reference never reached an empty twin', () => {
    const result = aggregatePaired(
      [iteration('base', 100, '/'), iteration('reference', 300, '/', false)],
      labels,
    );
    expect(result.reference?.items.map((i) => [i.name, Object.keys(i.metrics).length > 0])).toEqual([
      ['desktop visitor', true],
      ['desktop visitor › home', true],
      ['desktop visitor › pitch', false],
    ]);
  });

  it('a repeat-each copy: one warm-up a side, then the sides in ABBA order; only in paired mode', () => {
    expect(pairedCopies(3)).toBe(8);
    const turns = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => pairedTurn(i, 'http://b'));
    expect(turns.map((t) => `${t?.side}${t?.warmUp ? ' (warm-up)' : ''}`)).toEqual([
      'base (warm-up)',
      'reference (warm-up)',
      'base',
      'reference',
      'reference',
      'base',
      'base',
      'reference',
    ]);
    expect(pairedTurn(1, '')).toBeUndefined();
  });

  it('leaves warm-ups out of both sides, and says when one failed', () => {
    const warm = (side: 'base' | 'reference', load: number, passed = true) => ({
      ...iteration(side, load, '/', passed),
      warmUp: true,
    });
    const result = aggregatePaired(
      [
        warm('base', 5000),
        warm('reference', 9000, false),
        iteration('base', 100, '/'),
        iteration('reference', 300, '/'),
      ],
      labels,
    );
    const reference = result.reference as NonNullable<typeof result.reference>;
    expect(med(result.items[1], 'page_load')).toBeCloseTo(100, 0);
    expect(med(reference.items[1], 'page_load')).toBeCloseTo(300, 0);
    expect(reference.items[0]?.metrics.checks).toMatchObject({ passes: 1, count: 1 });
    expect(reference.notes).toEqual([
      'desktop visitor: the warm-up visit on the reference http://b failed (not counted): step "home": boom',
    ]);
    expect(result.notes).toEqual([]);
  });
});

describe('paired mode against two embedded targets', () => {
  let a: CountingTarget;
  let b: CountingTarget;
  beforeAll(async () => {
    a = await countingTarget('A');
    b = await countingTarget('B');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('Lighthouse: 2 quick runs a side in ABBA order, the slow side slower, reports of both', async () => {
    a.setFaults(slowHome);
    b.setFaults({});
    homeHits.length = 0;
    const config = await loadConfig('perf.config.ts');
    const reportDir = mkdtempSync(join(tmpdir(), 'pitchey-lh-paired-'));
    const settings = {
      ...config.suites.lighthouse,
      pages: [{ name: 'home', path: '/' }],
      presets: ['desktop' as const],
      runs: 2,
      // As the pr profile runs it: only the audits the gate reads.
      audits: 'measured' as const,
      reportDir,
    };
    const progress: [number, number][] = [];
    const output = await lighthouseSuite.run({
      baseUrl: a.url,
      compareUrl: b.url,
      settings,
      progress: { update: (done, total) => progress.push([done, total]) },
      signal: new AbortController().signal,
    });
    expect(homeHits).toEqual(['A', 'B', 'B', 'A']);
    expect(progress.at(-1)).toEqual([4, 4]);
    expect(output.notes.join('\n')).toMatch(
      /home desktop: paired runs in ABBA order.*base, reference, reference, base/,
    );
    const reference = output.reference as NonNullable<SuiteOutput['reference']>;
    expect(shape(reference.items)).toEqual(shape(output.items));
    const [base, other] = [output.items[0], reference.items[0]];
    expect(count(base, 'page_load')).toBe(2);
    expect(count(other, 'page_load')).toBe(2);
    // The reference's assertion gauges are there to compare with, but judge nothing.
    expect(Object.keys(other?.metrics ?? {}).sort()).toEqual(Object.keys(base?.metrics ?? {}).sort());
    expect(output.thresholds?.map((t) => t.item)).toEqual(['home desktop']);
    // Quick runs still score and still feed every assertion of perf.config.ts.
    expect(output.notes.join('\n')).toMatch(/quick runs: only the audits the gate reads .*resource-summary/);
    expect(count(base, 'lh_score')).toBe(2);
    for (const metric of ['lcp', 'tbt', 'cls', 'total_bytes', 'requests'])
      expect(count(base, metric), metric).toBe(2);
    const judged = output.thresholds?.[0]?.metrics ?? {};
    expect(Object.keys(judged).length).toBeGreaterThanOrEqual(4);
    for (const metric of Object.keys(judged))
      expect((base?.metrics[metric] as { value: number | null } | undefined)?.value, metric).toEqual(
        expect.any(Number),
      );
    const effect = {
      load: med(base, 'page_load') - med(other, 'page_load'),
      fcp: med(base, 'fcp') - med(other, 'fcp'),
    };
    console.info(
      `Lighthouse paired effect of the ${BLOCKING_MS} ms script (base − reference): ${JSON.stringify(effect)}`,
    );
    expect(effect.load).toBeGreaterThanOrEqual(300);
    expect(effect.fcp).toBeGreaterThanOrEqual(300);
    expect(existsSync(join(reportDir, 'home-desktop.report.html'))).toBe(true);
    expect(existsSync(join(reportDir, 'home-desktop.reference.report.html'))).toBe(true);
    expect(existsSync(join(reportDir, 'home-desktop.reference.report.json'))).toBe(true);
  }, 120_000);

  it('Lighthouse: a page one side cannot load is not measured on either, naming the side; no reference unpaired', async () => {
    a.setFaults({});
    const config = await loadConfig('perf.config.ts');
    const context: SuiteContext<LighthouseSettings> = {
      // Nothing listens on port 9 (discard): the first turn, the base's, fails at once.
      baseUrl: new URL('http://127.0.0.1:9/'),
      compareUrl: a.url,
      settings: {
        ...config.suites.lighthouse,
        pages: [{ name: 'home', path: '/' }],
        presets: ['desktop'],
        runs: 1,
        reportDir: mkdtempSync(join(tmpdir(), 'pitchey-lh-paired-')),
      },
      progress: quiet,
      signal: new AbortController().signal,
    };
    const output = await lighthouseSuite.run(context);
    expect(output.items[0]?.metrics).toEqual({});
    expect(output.reference?.items[0]?.metrics).toEqual({});
    expect(output.notes[0]).toMatch(
      /^home desktop: Lighthouse could not load the base's http:\/\/127\.0\.0\.1:9\/: [A-Z_]+/,
    );
    expect(output.reference?.notes).toEqual([output.notes[0]]);

    // Without a compare URL: as ever, no reference side, and the note names the URL alone.
    const single = await lighthouseSuite.run({ ...context, compareUrl: undefined });
    expect(single).not.toHaveProperty('reference');
    expect(single.notes).toEqual([
      expect.stringMatching(/^home desktop: Lighthouse could not load http:\/\/127\.0\.0\.1:9\/: [A-Z_]+/),
    ]);
    expect(shape(single.items)).toEqual(shape(output.items));
  }, 60_000);

  it('synthetic: 2 iterations a side in ABBA order, the reference’s slow home page slower', async () => {
    a.setFaults({});
    b.setFaults(slowHome);
    homeHits.length = 0;
    const reportDir = mkdtempSync(join(tmpdir(), 'pitchey-synthetic-paired-'));
    const output = await syntheticSuite.run({
      baseUrl: a.url,
      compareUrl: b.url,
      settings: {
        enabled: true,
        projects: ['desktop'],
        workers: 1,
        iterations: 2,
        reportDir,
      },
      progress: quiet,
      signal: new AbortController().signal,
    });
    // Every iteration carries its side, as Playwright's own reports show it.
    const report = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8')) as {
      suites: {
        specs: { title: string; tests: { annotations: { type: string; description?: string }[] }[] }[];
      }[];
    };
    for (const spec of report.suites.flatMap((s) => s.specs)) {
      const sides = spec.tests.map((t) => t.annotations.find((a) => a.type === 'side')?.description);
      expect(sides, spec.title).toEqual(['base', 'reference', 'base', 'reference', 'reference', 'base']);
    }
    // Only the visitor journey opens the home page: one hit per repeat-each copy, copies in order
    // (the first two are the warm-ups).
    expect(homeHits).toEqual(['A', 'B', 'A', 'B', 'B', 'A']);
    const reference = output.reference as NonNullable<SuiteOutput['reference']>;
    expect(shape(reference.items)).toEqual(shape(output.items));
    expect(output.items.filter((i) => i.kind === 'journey').map((i) => i.name)).toEqual([
      'desktop visitor',
      'desktop investor',
      'desktop creator',
    ]);
    for (const side of [output.items, reference.items]) {
      for (const journey of side.filter((i) => i.kind === 'journey'))
        expect(journey.metrics.checks, journey.name).toMatchObject({ passes: 2, count: 2 });
    }
    const home = (items: Item[]) => items.find((i) => i.name === 'desktop visitor › home');
    const effect = med(home(reference.items), 'page_load') - med(home(output.items), 'page_load');
    console.info(
      `synthetic paired effect of the ${BLOCKING_MS} ms script (reference − base): ${effect.toFixed(0)} ms`,
    );
    expect(count(home(output.items), 'page_load')).toBe(2);
    expect(count(home(reference.items), 'page_load')).toBe(2);
    expect(effect).toBeGreaterThanOrEqual(300);
    expect(output.notes.join('\n')).toMatch(
      /paired: 4 iterations a journey in ABBA order after one unmeasured warm-up a side/,
    );
  }, 150_000);
});
