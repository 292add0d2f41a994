import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompareOptions } from '../core/compare.ts';
import { comparePaired, confirmationNote, leaningWorse, mergeItems, mergeMetric } from '../core/confirm.ts';
import { rateMetric, trendFromValues } from '../core/metrics.ts';
import { runSuites } from '../core/pipeline.ts';
import type { Item, SuiteResult, TrendMetric } from '../core/results.ts';
import type { Suite, SuiteContext, SuiteOutput } from '../core/suite.ts';
import { lighthouseSuite } from '../lighthouse/suite.ts';
import { syntheticSuite } from '../synthetic/suite.ts';

const OPTIONS: CompareOptions = { alpha: 0.01, percentiles: [50, 95], minEffect: {}, sameMachine: false };

/** n page loads around `ms`, spread ±`spread` ms, seeded: the same shape each time. */
function loads(n: number, ms: number, spread: number, seed: number): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return ms + spread * (2 * (a / 2 ** 31) - 1);
  });
}

/** 25 % slower with overlap: p ≈ 0.08 by the U test on 8 a side, not a regression at 0.01. */
const DIM_BASE = [380, 400, 330, 420, 390, 300, 410, 340];
const DIM_REFERENCE = [300, 310, 320, 330, 290, 280, 340, 305];

const page = (name: string, values: number[], tags: Record<string, string> = {}): Item => ({
  name,
  kind: 'page',
  targets: 'page',
  tags,
  metrics: { page_load: trendFromValues(values, 'ms', 1000) },
});

describe('leaningWorse: what calls for a confirmation round', () => {
  it('takes a regression and a change worse than the minimum effect with a small p, not a clear pass', () => {
    const clear = comparePaired(
      'synthetic',
      [page('slower', loads(8, 400, 20, 1)), page('same', loads(8, 300, 20, 2))],
      [page('slower', loads(8, 300, 20, 3)), page('same', loads(8, 300, 20, 4))],
      OPTIONS,
    );
    expect(clear.find((c) => c.item === 'slower')?.status).toBe('regression');
    expect(leaningWorse(clear).map((c) => c.item)).toEqual(['slower']);

    // Worse by ~25 % but with a wide spread: not significant at 0.01, yet p well under 0.1.
    const dim = comparePaired('synthetic', [page('home', DIM_BASE)], [page('home', DIM_REFERENCE)], OPTIONS);
    const [home] = dim;
    expect(home?.status).toBe('pass');
    expect(home?.p).toBeGreaterThan(0.01);
    expect(home?.p).toBeLessThanOrEqual(0.1);
    expect(leaningWorse(dim)).toHaveLength(1);
  });

  it('leaves out a better side and a difference within the minimum effect, however significant', () => {
    const better = comparePaired(
      'synthetic',
      [page('home', loads(8, 250, 10, 5))],
      [page('home', loads(8, 300, 10, 6))],
      OPTIONS,
    );
    expect(better[0]?.status).toBe('improved');
    expect(leaningWorse(better)).toEqual([]);
    // 4 % worse, every sample above: the U test alone would say so, the minimum effect says no.
    const small = comparePaired(
      'synthetic',
      [page('home', loads(8, 312, 1, 7))],
      [page('home', loads(8, 300, 1, 8))],
      OPTIONS,
    );
    expect(small[0]?.status).toBe('pass');
    expect(leaningWorse(small)).toEqual([]);
  });
});

describe('mergeMetric and mergeItems: two rounds as one', () => {
  it('pools samples (recomputing the median and count), adds rates, keeps gauges', () => {
    const merged = mergeMetric(
      trendFromValues([1, 2, 3], 'ms', 1000),
      trendFromValues([10, 11, 12], 'ms', 1000),
    );
    expect(merged.type === 'trend' && merged.samples).toEqual([1, 2, 3, 10, 11, 12]);
    expect(merged.count).toBe(6);
    expect((merged as TrendMetric).values.med).toBeGreaterThan(2.9);
    expect((merged as TrendMetric).values.med).toBeLessThan(10.1);
    const rate = mergeMetric(rateMetric(8, 8, { ok: 8 }), rateMetric(7, 8, { ok: 7 }));
    expect(rate).toMatchObject({ count: 16, passes: 15, fails: 1, rate: 15 / 16, byClass: { ok: 15 } });
    const gauge = { type: 'gauge', unit: 'ms', count: 5, value: 300 } as const;
    expect(mergeMetric(gauge, { ...gauge, value: 900 })).toEqual(gauge);
  });

  it('adds the second round to the items it measured and leaves the others as they were', () => {
    const first = [page('a', [1, 2]), page('b', [5, 6])];
    const merged = mergeItems(first, [page('a', [3, 4])]);
    expect(merged[0]?.metrics.page_load?.count).toBe(4);
    expect(merged[1]).toBe(first[1]);
  });
});

/**
 * A paired suite that measures from a script: each call returns the next round, and records
 * the settings it was asked to measure with.
 */
function scriptedSuite(rounds: { base: Item[]; reference: Item[] }[]) {
  const calls: string[][] = [];
  const suite: Suite<{ journeys: string[] }> = {
    name: 'synthetic',
    async run({ settings }: SuiteContext<{ journeys: string[] }>): Promise<SuiteOutput> {
      calls.push(settings.journeys);
      const round = rounds[calls.length - 1];
      if (!round) throw new Error(`no round ${calls.length} in the script`);
      return {
        items: round.base,
        notes: [`round ${calls.length}`],
        reference: { items: round.reference, notes: [] },
      };
    },
    narrow(settings, items) {
      const journeys = [...new Set(items.map((i) => i.tags.journey as string))];
      return { settings: { ...settings, journeys }, what: `the ${journeys.join(', ')} journey` };
    },
  };
  return { suite, calls };
}

async function runPaired(suite: Suite<{ journeys: string[] }>) {
  const reference: SuiteResult[] = [];
  const [result] = await runSuites([{ suite, settings: { journeys: ['visitor', 'investor'] } }], {
    baseUrl: new URL('http://127.0.0.1:1'),
    compareUrl: new URL('http://127.0.0.1:2'),
    reference,
    confirm: OPTIONS,
    signal: new AbortController().signal,
    progress: () => ({ update() {}, end() {} }),
  });
  return { result: result as SuiteResult, reference: reference[0] as SuiteResult };
}

describe('runSuites in paired mode: the confirmation round', () => {
  const visitor = { journey: 'visitor' };
  const investor = { journey: 'investor' };

  it('measures again only the journey that leaned worse, and pools both rounds on both sides', async () => {
    const { suite, calls } = scriptedSuite([
      {
        base: [page('home', DIM_BASE, visitor), page('browse', loads(8, 100, 5, 1), investor)],
        reference: [page('home', DIM_REFERENCE, visitor), page('browse', loads(8, 100, 5, 2), investor)],
      },
      {
        base: [page('home', loads(8, 380, 30, 3), visitor)],
        reference: [page('home', loads(8, 300, 30, 4), visitor)],
      },
    ]);
    const { result, reference } = await runPaired(suite);
    expect(calls).toEqual([['visitor', 'investor'], ['visitor']]);
    const home = result.items.find((i) => i.name === 'home');
    expect(home?.metrics.page_load?.count).toBe(16);
    expect(reference.items.find((i) => i.name === 'home')?.metrics.page_load?.count).toBe(16);
    expect(result.items.find((i) => i.name === 'browse')?.metrics.page_load?.count).toBe(8);
    expect(
      result.notes.some((n) =>
        /^confirmation round: home page_load 3\d\d → 3\d\d, p = 0\.0\d+ leaned/.test(n),
      ),
    ).toBe(true);
    expect(result.notes).toContain('confirmation round: round 2');
    // Pooled, the 25 % change is now significant.
    const [judged] = comparePaired(
      'synthetic',
      result.items.slice(0, 1),
      reference.items.slice(0, 1),
      OPTIONS,
    );
    expect(judged?.status).toBe('regression');
  });

  it('does not measure again when nothing leans worse', async () => {
    const { suite, calls } = scriptedSuite([
      {
        base: [page('home', loads(8, 300, 20, 5), visitor)],
        reference: [page('home', loads(8, 300, 20, 6), visitor)],
      },
    ]);
    const { result } = await runPaired(suite);
    expect(calls).toHaveLength(1);
    expect(result.notes.some((n) => n.startsWith('confirmation round'))).toBe(false);
  });

  it('a first-round regression that the second round does not repeat is not a regression', async () => {
    // A chance run of 8 high samples, then 8 that are like the reference's.
    const { suite, calls } = scriptedSuite([
      {
        base: [page('home', loads(8, 400, 20, 7), visitor)],
        reference: [page('home', loads(8, 300, 20, 8), visitor)],
      },
      {
        base: [page('home', loads(8, 300, 20, 9), visitor)],
        reference: [page('home', loads(8, 300, 20, 10), visitor)],
      },
    ]);
    const { result, reference } = await runPaired(suite);
    expect(calls).toHaveLength(2);
    const [judged] = comparePaired('synthetic', result.items, reference.items, OPTIONS);
    expect(judged?.status).toBe('pass');
  });

  it('a confirmation round that fails keeps the first round, and says so', async () => {
    const { suite, calls } = scriptedSuite([
      { base: [page('home', DIM_BASE, visitor)], reference: [page('home', DIM_REFERENCE, visitor)] },
    ]);
    const { result, reference } = await runPaired(suite);
    expect(calls).toHaveLength(2);
    expect(result.status).toBe('measured');
    expect(result.items[0]?.metrics.page_load?.count).toBe(8);
    expect(reference.items[0]?.metrics.page_load?.count).toBe(8);
    expect(result.notes.at(-1)).toMatch(
      /the confirmation round measured nothing \(it failed: no round 2 in the script\): the first round stands$/,
    );
  });

  it('names what leaned worse in its note, three at most', () => {
    const leaning = comparePaired(
      'synthetic',
      ['a', 'b', 'c', 'd'].map((n) => page(n, loads(8, 400, 10, 1))),
      ['a', 'b', 'c', 'd'].map((n) => page(n, loads(8, 300, 10, 2))),
      OPTIONS,
    );
    const note = confirmationNote(leaning, 'the visitor journey');
    expect(note).toMatch(
      /^confirmation round: a page_load .*; c page_load .* and 1 more leaned .* the visitor journey measured again/,
    );
  });
});

describe('narrow: what a suite measures again', () => {
  it('synthetic: the journeys and projects of the items, reports in a folder of their own', () => {
    const settings = {
      enabled: true,
      projects: ['desktop', 'mobile'],
      workers: 1,
      iterations: 8,
      reportDir: 'reports/run/synthetic',
    } as Parameters<NonNullable<typeof syntheticSuite.narrow>>[0];
    const narrowed = syntheticSuite.narrow?.(settings, [
      page('desktop visitor › home', [1], { project: 'desktop', journey: 'visitor' }),
      page('desktop visitor › trending pitch', [1], { project: 'desktop', journey: 'visitor' }),
    ]);
    expect(narrowed?.settings).toMatchObject({
      projects: ['desktop'],
      journeys: ['visitor'],
      iterations: 8,
      reportDir: join('reports/run/synthetic', 'confirmation'),
    });
    expect(narrowed?.what).toBe('the visitor journey (desktop)');
    expect(syntheticSuite.narrow?.(settings, [page('home desktop', [1], { page: 'home' })])).toBeUndefined();
  });

  it('lighthouse: the pages and presets of the items, and never --save-lhr again', () => {
    const settings = {
      pages: [
        { name: 'home', path: '/' },
        { name: 'browse', path: '/browse' },
      ],
      presets: ['mobile', 'desktop'] as ('mobile' | 'desktop')[],
      runs: 5,
      reportDir: 'reports/run/lighthouse',
      saveLhr: 'lhr.json',
    } as Parameters<NonNullable<typeof lighthouseSuite.narrow>>[0];
    const narrowed = lighthouseSuite.narrow?.(settings, [
      page('browse desktop', [1], { page: 'browse', preset: 'desktop' }),
    ]);
    expect(narrowed?.settings.pages).toEqual([{ name: 'browse', path: '/browse' }]);
    expect(narrowed?.settings.presets).toEqual(['desktop']);
    expect(narrowed?.settings.saveLhr).toBeUndefined();
    expect(narrowed?.settings.reportDir).toBe(join('reports/run/lighthouse', 'confirmation'));
    expect(narrowed?.what).toBe('browse (desktop)');
  });
});
