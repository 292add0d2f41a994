import type { Result } from 'lighthouse';
import { describe, expect, it } from 'vitest';
import { PerfError } from '../core/errors.ts';
import { parseMetricKey, parseThreshold } from '../core/threshold.ts';
import { evaluate } from '../core/verdict.ts';
import {
  type AssertionResult,
  type Assertions,
  aggregateValues,
  assertionsAsThresholds,
  assertionWarnings,
  auditsRead,
  budgetPathMatches,
  budgetsAsThresholds,
  evaluateAssertions,
  evaluateBudgets,
  formatLimit,
  type Lhr,
  LighthouseConfigError,
  parseAssertions,
  parseBudgets,
} from '../lighthouse/assertions.ts';

// Compile-time: a real Lighthouse 12 result satisfies Lhr (tsc fails here if it stops doing so).
const asLhr = (result: Result): Lhr => result;
void asLhr;

interface RunValues {
  lcp?: number;
  tbt?: number;
  cls?: number;
  lcpScore?: number | null;
  perf?: number | null;
  scriptBytes?: number;
  scriptCount?: number;
  renderBlocking?: number;
  url?: string;
}

/** A small lhr: only the audits and categories these tests read. */
function lhr(v: RunValues = {}): Lhr {
  const audits: Lhr['audits'] = {
    'largest-contentful-paint': {
      score: v.lcpScore === undefined ? 0.8 : v.lcpScore,
      numericValue: v.lcp ?? 2000,
    },
    'total-blocking-time': { score: 1, numericValue: v.tbt ?? 100 },
    'cumulative-layout-shift': { score: 1, numericValue: v.cls ?? 0.05 },
    'render-blocking-resources': {
      score: 1,
      details: {
        type: 'opportunity',
        items: Array.from({ length: v.renderBlocking ?? 2 }, (_, i) => ({ url: `/r${i}.css` })),
      },
    },
    'resource-summary': {
      score: null,
      details: {
        type: 'table',
        items: [
          { resourceType: 'total', transferSize: 300_000, requestCount: 20 },
          {
            resourceType: 'script',
            transferSize: v.scriptBytes ?? 150_000,
            requestCount: v.scriptCount ?? 8,
          },
          { resourceType: 'third-party', transferSize: 10_000, requestCount: 2 },
        ],
      },
    },
  };
  return {
    requestedUrl: v.url ?? 'https://pitchey.test/',
    finalDisplayedUrl: v.url ?? 'https://pitchey.test/',
    categories: { performance: { score: v.perf === undefined ? 0.92 : v.perf } },
    audits,
  };
}

const only = (results: AssertionResult[]): AssertionResult => {
  expect(results).toHaveLength(1);
  return results[0] as AssertionResult;
};

describe('parseAssertions', () => {
  it('accepts every key kind and level form, normalizing a bare level to [level, {}]', () => {
    const parsed = parseAssertions(
      {
        'largest-contentful-paint': ['error', { maxNumericValue: 2500, aggregationMethod: 'pessimistic' }],
        'categories:performance': ['warn', { minScore: 0.9 }],
        'resource-summary:script:size': ['error', { maxNumericValue: 200_000 }],
        'resource-summary:third-party:count': ['error', { maxNumericValue: 5 }],
        'render-blocking-resources': 'warn',
        'uses-rel-preload': ['off'],
      },
      'lighthouserc.json',
    );
    expect(parsed['render-blocking-resources']).toEqual(['warn', {}]);
    expect(parsed['uses-rel-preload']).toEqual(['off', {}]);
    expect(parsed['largest-contentful-paint']).toEqual([
      'error',
      { maxNumericValue: 2500, aggregationMethod: 'pessimistic' },
    ]);
  });

  it.each([
    [{ 'largest-contentful-paint': 'fatal' }, /"largest-contentful-paint"\[0\]: .*"off"\|"warn"\|"error"/],
    [
      { 'largest-contentful-paint': ['error', { maxNumericValu: 1 }] },
      /"largest-contentful-paint"\[1\]: unknown option "maxNumericValu"/,
    ],
    [
      { 'categories:performance': ['error', { maxNumericValue: 1 }] },
      /"categories:performance": maxNumericValue does not apply to a category/,
    ],
    [
      { 'resource-summary:script:size': ['error', { minScore: 0.5 }] },
      /"resource-summary:script:size": minScore does not apply to a resource-summary row/,
    ],
    [{ 'resource-summary:script:size': 'error' }, /"resource-summary:script:size": give a limit/],
    [
      { 'resource-summary:scripts:size': ['error', { maxNumericValue: 1 }] },
      /"resource-summary:scripts:size": unknown resource type "scripts"/,
    ],
    [
      { 'resource-summary:script:bytes': ['error', { maxNumericValue: 1 }] },
      /"resource-summary:script:bytes": write resource-summary:<type>:size/,
    ],
    [{ 'user-timings:hero': ['error', { maxNumericValue: 1 }] }, /"user-timings:hero": .*not supported/],
    [{ 'categories:': ['error', { minScore: 1 }] }, /"categories:": write categories:<id>/],
    [{ largestContentfulPaint: ['error', { maxNumericValue: 1 }] }, /"largestContentfulPaint": .*kebab-case/],
    [{ 'categories:performance': ['error', { minScore: 90 }] }, /"categories:performance"\[1\]\.minScore: /],
    [{ 'total-blocking-time': ['error', { maxLength: 1.5 }] }, /"total-blocking-time"\[1\]\.maxLength: /],
    [
      { 'total-blocking-time': ['error', { aggregationMethod: 'mean' }] },
      /"total-blocking-time"\[1\]\.aggregationMethod: /,
    ],
    [{ 'total-blocking-time': ['error', {}, 'extra'] }, /"total-blocking-time": /],
    [['error'], /\(root\): /],
  ])('rejects %j naming the source and the key', (value, message) => {
    const parse = () => parseAssertions(value, 'config/lighthouserc.json');
    expect(parse).toThrow(LighthouseConfigError);
    expect(parse).toThrow(PerfError);
    expect(parse).toThrow(/^config\/lighthouserc\.json: /);
    expect(parse).toThrow(message);
  });

  it('lists every bad key in one error', () => {
    const parse = () =>
      parseAssertions(
        {
          'categories:performance': ['error', { maxLength: 1 }],
          'resource-summary:font:size': 'warn',
        },
        'rc.json',
      );
    expect(parse).toThrow(
      /"categories:performance": maxLength .*; "resource-summary:font:size": give a limit/,
    );
  });
});

describe('evaluateAssertions', () => {
  const three = [lhr({ lcp: 2000 }), lhr({ lcp: 3000 }), lhr({ lcp: 2600 })];

  it('reads every key kind from the runs', () => {
    const results = evaluateAssertions([lhr()], {
      'largest-contentful-paint': ['error', { maxNumericValue: 2500, minScore: 0.5, maxLength: 0 }],
      'render-blocking-resources': ['error', { maxLength: 2 }],
      'categories:performance': ['error', { minScore: 0.9 }],
      'resource-summary:script:size': ['error', { maxNumericValue: 150_000 }],
      'resource-summary:script:count': ['error', { maxNumericValue: 7 }],
    });
    expect(results.map((r) => [r.key, r.option, r.actual, r.passed])).toEqual([
      ['largest-contentful-paint', 'minScore', 0.8, true],
      ['largest-contentful-paint', 'maxNumericValue', 2000, true],
      // No details at all: no length to read, which is not a pass.
      ['largest-contentful-paint', 'maxLength', null, null],
      ['render-blocking-resources', 'maxLength', 2, true],
      ['categories:performance', 'minScore', 0.92, true],
      ['resource-summary:script:size', 'maxNumericValue', 150_000, true],
      ['resource-summary:script:count', 'maxNumericValue', 8, false],
    ]);
  });

  it.each([
    ['minScore', 'categories:performance', 0.92, 0.93, 0.92],
    ['maxScore', 'largest-contentful-paint', 0.8, 0.79, 0.8],
    ['maxNumericValue', 'total-blocking-time', 100, 99, 100],
    ['minNumericValue', 'total-blocking-time', 100, 101, 100],
    ['maxLength', 'render-blocking-resources', 2, 1, 2],
    ['minLength', 'render-blocking-resources', 2, 3, 2],
  ] as const)('%s on %s: passes at the limit, fails past it', (option, key, actual, failing, passing) => {
    const at = (limit: number) =>
      only(evaluateAssertions([lhr()], { [key]: ['error', { [option]: limit }] }));
    expect(at(passing)).toMatchObject({ option, actual, limit: passing, passed: true });
    expect(at(failing)).toMatchObject({ option, actual, limit: failing, passed: false });
  });

  it.each([
    ['median', 2600, false],
    ['optimistic', 2000, true],
    ['pessimistic', 3000, false],
    ['median-run', 2600, false],
  ] as const)('aggregates 3 runs (2000, 3000, 2600) by %s for a max option', (method, actual, passed) => {
    const result = only(
      evaluateAssertions(three, {
        'largest-contentful-paint': ['error', { maxNumericValue: 2500, aggregationMethod: method }],
      }),
    );
    expect(result).toMatchObject({ actual, passed, aggregation: method, values: [2000, 3000, 2600] });
  });

  it.each([
    ['median', 0.85],
    ['optimistic', 0.95],
    ['pessimistic', 0.7],
    ['median-run', 0.85],
  ] as const)('aggregates 3 scores (0.95, 0.7, 0.85) by %s for a min option', (method, actual) => {
    const runs = [lhr({ perf: 0.95 }), lhr({ perf: 0.7 }), lhr({ perf: 0.85 })];
    const result = only(
      evaluateAssertions(runs, {
        'categories:performance': ['error', { minScore: 0.8, aggregationMethod: method }],
      }),
    );
    expect(result.actual).toBe(actual);
  });

  it('defaults to the median, not LHCI’s optimistic best run', () => {
    const result = only(
      evaluateAssertions(three, { 'largest-contentful-paint': ['error', { maxNumericValue: 2500 }] }),
    );
    expect(result).toMatchObject({ aggregation: 'median', actual: 2600, passed: false });
  });

  it('on an even number of runs: median averages, median-run takes the worse middle run', () => {
    expect(aggregateValues([1, 4, 2, 3], 'median', true)).toBe(2.5);
    expect(aggregateValues([1, 4, 2, 3], 'median-run', true)).toBe(3);
    expect(aggregateValues([1, 4, 2, 3], 'median-run', false)).toBe(2);
  });

  it.each([
    ['a missing audit', { ...lhr(), audits: {} }, /run 2: no audit "largest-contentful-paint"/],
    [
      'no numericValue',
      { ...lhr(), audits: { 'largest-contentful-paint': { score: null } } },
      /run 2: audit "largest-contentful-paint" has no numericValue/,
    ],
    [
      'a failed run',
      { ...lhr(), runtimeError: { code: 'NO_FCP', message: 'The page did not paint' } },
      /run 2: Lighthouse failed: NO_FCP/,
    ],
  ])('gives null, never a pass, for %s in one run (even when optimistic)', (_, broken, reason) => {
    const result = only(
      evaluateAssertions([lhr({ lcp: 100 }), broken, lhr({ lcp: 100 })], {
        'largest-contentful-paint': ['error', { maxNumericValue: 2500, aggregationMethod: 'optimistic' }],
      }),
    );
    expect(result).toMatchObject({ actual: null, passed: null, values: [100, null, 100] });
    expect(result.reason).toMatch(reason);
  });

  it('gives null for a null score, a missing category, a missing resource row and no runs', () => {
    const nullScore = only(
      evaluateAssertions([lhr({ perf: null })], { 'categories:performance': ['error', { minScore: 0 }] }),
    );
    expect(nullScore).toMatchObject({
      actual: null,
      passed: null,
      reason: 'run 1: category "performance" has no score',
    });
    const noCategory = only(evaluateAssertions([lhr()], { 'categories:seo': ['error', { minScore: 0 }] }));
    expect(noCategory).toMatchObject({ passed: null, reason: 'run 1: no category "seo"' });
    const noRow = only(
      evaluateAssertions([lhr()], { 'resource-summary:font:count': ['error', { maxNumericValue: 9 }] }),
    );
    expect(noRow).toMatchObject({ passed: null, reason: 'run 1: resource-summary has no "font" row' });
    const noRuns = only(
      evaluateAssertions([], { 'total-blocking-time': ['error', { maxNumericValue: 200 }] }),
    );
    expect(noRuns).toMatchObject({ actual: null, passed: null, reason: 'no Lighthouse runs' });
  });

  it("skips 'off' assertions", () => {
    const results = evaluateAssertions([lhr()], {
      'largest-contentful-paint': ['off', { maxNumericValue: 1 }],
      'total-blocking-time': 'off',
      'cumulative-layout-shift': ['error', { maxNumericValue: 0.1 }],
    });
    expect(results.map((r) => r.key)).toEqual(['cumulative-layout-shift']);
  });

  it('asserts minScore 0.9 when no limit is given, as LHCI’s code does', () => {
    const result = only(evaluateAssertions([lhr()], { 'largest-contentful-paint': 'error' }));
    expect(result).toMatchObject({ option: 'minScore', limit: 0.9, actual: 0.8, passed: false });
  });

  it('validates what it is given, like parseAssertions', () => {
    const bad = { 'categories:performance': ['error', { maxNumericValue: 1 }] } as Assertions;
    expect(() => evaluateAssertions([lhr()], bad)).toThrow(/"categories:performance": maxNumericValue/);
  });
});

describe('auditsRead', () => {
  it('names the audits assertions and budgets read, not the ones turned off, nor categories', () => {
    const assertions = parseAssertions(
      {
        'categories:performance': ['warn', { minScore: 0.9 }],
        'largest-contentful-paint': ['error', { maxNumericValue: 2500 }],
        'uses-long-cache-ttl': 'warn',
        'unused-javascript': 'off',
        'resource-summary:image:size': ['error', { maxNumericValue: 1_000_000 }],
      },
      'c',
    );
    const budgets = parseBudgets([{ timings: [{ metric: 'interactive', budget: 3000 }] }], 'b.json');
    expect(auditsRead(assertions, budgets)).toEqual([
      'interactive',
      'largest-contentful-paint',
      'resource-summary',
      'uses-long-cache-ttl',
    ]);
    expect(auditsRead({})).toEqual([]);
    expect(
      auditsRead({}, parseBudgets([{ resourceCounts: [{ resourceType: 'total', budget: 9 }] }], 'b')),
    ).toEqual(['resource-summary']);
  });
});

describe('budgets.json', () => {
  const budgets = parseBudgets(
    [
      { timings: [{ metric: 'largest-contentful-paint', budget: 2500 }] },
      {
        path: '/pitch/*',
        options: { firstPartyHostnames: ['pitchey.test', '*.pitchey.test'] },
        timings: [
          { metric: 'total-blocking-time', budget: 200 },
          { metric: 'cumulative-layout-shift', budget: 0.1 },
        ],
        resourceSizes: [{ resourceType: 'script', budget: 100 }],
        resourceCounts: [{ resourceType: 'third-party', budget: 1 }],
      },
      { path: '/pitch/new$', resourceCounts: [{ resourceType: 'total', budget: 30 }] },
    ],
    'budgets.json',
  );

  it.each([
    ['/pitch', '/pitch/7', true],
    ['/pitch', '/pitches', true],
    ['/pitch', '/about', false],
    ['/pitch$', '/pitch', true],
    ['/pitch$', '/pitch/7', false],
    ['/pitch/*/edit', '/pitch/7/edit/more', true],
    ['/pitch/*/edit', '/pitch/7/view', false],
    ['/*.html$', '/a/b.html', true],
    ['/*.html$', '/a/b.html?x=1', false],
    ['/search?q=*', '/search?q=films', true],
    ['/*', '/anything', true],
  ])('pattern %s against %s: %s', (pattern, path, matches) => {
    expect(budgetPathMatches(`https://pitchey.test${path}`, pattern)).toBe(matches);
  });

  it('applies only the last entry whose path matches', () => {
    const results = evaluateBudgets(lhr({ url: 'https://pitchey.test/pitch/new' }), budgets);
    expect(results.map((r) => [r.kind, r.id, r.path])).toEqual([['count', 'total', '/pitch/new$']]);
    const pitch = evaluateBudgets(lhr({ url: 'https://pitchey.test/pitch/7' }), budgets);
    expect(pitch.every((r) => r.path === '/pitch/*')).toBe(true);
    expect(pitch).toHaveLength(4);
  });

  it('applies an entry without a path to every page', () => {
    const results = evaluateBudgets(lhr({ url: 'https://pitchey.test/about', lcp: 2600 }), budgets);
    expect(results).toEqual([
      {
        kind: 'timing',
        id: 'largest-contentful-paint',
        budget: 2500,
        limit: 2500,
        unit: 'ms',
        actual: 2600,
        passed: false,
        path: undefined,
      },
    ]);
  });

  it('returns nothing when no entry matches', () => {
    const scoped = parseBudgets(
      [{ path: '/admin', timings: [{ metric: 'interactive', budget: 1 }] }],
      'b.json',
    );
    expect(evaluateBudgets(lhr({ url: 'https://pitchey.test/' }), scoped)).toEqual([]);
  });

  it('compares sizes in bytes against the budget in KB (×1024)', () => {
    const size = (scriptBytes: number) =>
      evaluateBudgets(lhr({ url: 'https://pitchey.test/pitch/1', scriptBytes }), budgets).find(
        (r) => r.kind === 'size',
      );
    expect(size(102_400)).toMatchObject({
      id: 'script',
      budget: 100,
      limit: 102_400,
      unit: 'bytes',
      passed: true,
    });
    expect(size(102_401)).toMatchObject({ actual: 102_401, passed: false });
  });

  it('reads timings, CLS unitless, and counts; a missing audit is null, not a pass', () => {
    const run = lhr({ url: 'https://pitchey.test/pitch/1', tbt: 250, cls: 0.1 });
    const results = evaluateBudgets(run, budgets);
    expect(results.map((r) => [r.id, r.unit, r.actual, r.passed])).toEqual([
      ['total-blocking-time', 'ms', 250, false],
      ['cumulative-layout-shift', 'unitless', 0.1, true],
      ['script', 'bytes', 150_000, false],
      ['third-party', 'count', 2, false],
    ]);
    const { 'total-blocking-time': _, ...audits } = run.audits;
    const missing = evaluateBudgets({ ...run, audits }, budgets)[0];
    expect(missing).toMatchObject({ actual: null, passed: null, reason: 'no audit "total-blocking-time"' });
  });

  it.each([
    [{ timings: [{ metric: 'time-to-first-byte', budget: 1 }] }, /\[0\]\.timings\[0\]\.metric: /],
    [
      { resourceSizes: [{ resourceType: 'scripts', budget: 1 }] },
      /\[0\]\.resourceSizes\[0\]\.resourceType: /,
    ],
    [{ resourceSizes: [{ resourceType: 'script', budget: '1' }] }, /\[0\]\.resourceSizes\[0\]\.budget: /],
    [{ path: 'pitch' }, /\[0\]\.path: a budget path starts with "\/"/],
    [{ path: '/a*/b*' }, /\[0\]\.path: a budget path has at most one "\*"/],
    [{ path: '/a$b' }, /\[0\]\.path: a budget path has "\$" only at its end/],
    [
      {
        resourceCounts: [
          { resourceType: 'font', budget: 1 },
          { resourceType: 'font', budget: 2 },
        ],
      },
      /\[0\]\.resourceCounts\[1\]: duplicate resourceType "font"/,
    ],
    [{ timing: [] }, /\[0\]: unknown option "timing"/],
    [
      { options: { firstPartyHostnames: ['https://pitchey.test'] } },
      /\[0\]\.options\.firstPartyHostnames\[0\]: /,
    ],
  ])('rejects %j naming the source, the index and the field', (entry, message) => {
    const parse = () => parseBudgets([entry], 'perf/budgets.json');
    expect(parse).toThrow(LighthouseConfigError);
    expect(parse).toThrow(/^perf\/budgets\.json: /);
    expect(parse).toThrow(message);
  });

  it('names the index of the bad entry among good ones', () => {
    const parse = () =>
      parseBudgets([{ path: '/' }, { path: '/x', timings: [{ metric: 'tti', budget: 1 }] }], 'b.json');
    expect(parse).toThrow(/^b\.json: \[1\]\.timings\[0\]\.metric: /);
    expect(() => parseBudgets({ path: '/' }, 'b.json')).toThrow(/^b\.json: \(root\): /);
  });
});

describe('the threshold bridge', () => {
  const runs = [lhr({ lcp: 2000 }), lhr({ lcp: 3000 }), lhr({ lcp: 2600 })];
  const results = evaluateAssertions(runs, {
    'largest-contentful-paint': ['error', { maxNumericValue: 2500, minScore: 0.5 }],
    'categories:performance': ['error', { minScore: 0.9 }],
    'resource-summary:script:size': ['error', { maxNumericValue: 200_000 }],
    'resource-summary:third-party:count': ['error', { minNumericValue: 1 }],
    'render-blocking-resources': ['error', { maxLength: 3 }],
    'total-blocking-time': ['warn', { maxNumericValue: 50 }],
    'cumulative-layout-shift': ['warn', { maxNumericValue: 0.1 }],
  });

  it('maps error results to sanitized metric keys and gauge expressions, leaving warn out', () => {
    expect(assertionsAsThresholds(results)).toEqual([
      { metric: 'lh_largest_contentful_paint_score', expression: 'value>=0.5', value: 0.8 },
      { metric: 'lh_largest_contentful_paint', expression: 'value<=2500', value: 2600 },
      { metric: 'lh_category_performance', expression: 'value>=0.9', value: 0.92 },
      { metric: 'lh_resource_script_size', expression: 'value<=200000', value: 150_000 },
      { metric: 'lh_resource_third_party_count', expression: 'value>=1', value: 2 },
      { metric: 'lh_render_blocking_resources_length', expression: 'value<=3', value: 2 },
    ]);
  });

  it('produces keys and expressions core/threshold.ts accepts, judged as the assertions were', () => {
    const thresholds = assertionsAsThresholds(results);
    const errors = results.filter((r) => r.level === 'error');
    thresholds.forEach((t, i) => {
      expect(parseMetricKey(t.metric, 'bridge')).toEqual({ metric: t.metric, tags: {} });
      const threshold = parseThreshold(t.expression, 'bridge');
      const verdict = evaluate(
        { type: 'gauge', unit: 'unitless', count: 1, value: t.value },
        t.metric,
        threshold,
      );
      expect(verdict.status).toBe(errors[i]?.passed ? 'pass' : 'fail');
    });
  });

  it('carries a missing value as null, which the verdict engine does not pass', () => {
    const missing = evaluateAssertions([{ ...lhr(), audits: {} }], {
      'total-blocking-time': ['error', { maxNumericValue: 200 }],
    });
    const [t] = assertionsAsThresholds(missing);
    expect(t).toEqual({ metric: 'lh_total_blocking_time', expression: 'value<=200', value: null });
    if (!t) throw new Error('no threshold');
    const verdict = evaluate(
      { type: 'gauge', unit: 'ms', count: 1, value: t.value },
      t.metric,
      parseThreshold(t.expression, 'x'),
    );
    expect(verdict.status).toBe('error');
  });

  it.each([
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [1e21, '1000000000000000000000'],
    [2500, '2500'],
    [0.25, '0.25'],
    [-3e-7, '-0.0000003'],
  ])('writes %d as %s, a number the k6 grammar reads', (n, text) => {
    expect(formatLimit(n)).toBe(text);
    expect(parseThreshold(`value<=${formatLimit(n)}`, 'x').limit).toBe(n);
  });

  it('maps budgets to lh_budget_ metrics with limits in bytes', () => {
    const budgets = parseBudgets(
      [
        {
          timings: [{ metric: 'first-contentful-paint', budget: 1800 }],
          resourceSizes: [{ resourceType: 'third-party', budget: 0.5 }],
          resourceCounts: [{ resourceType: 'script', budget: 10 }],
        },
      ],
      'budgets.json',
    );
    const thresholds = budgetsAsThresholds(evaluateBudgets(lhr(), budgets));
    expect(thresholds).toEqual([
      { metric: 'lh_budget_first_contentful_paint', expression: 'value<=1800', value: null },
      { metric: 'lh_budget_third_party_size', expression: 'value<=512', value: 10_000 },
      { metric: 'lh_budget_script_count', expression: 'value<=10', value: 8 },
    ]);
    for (const t of thresholds) {
      expect(() => parseMetricKey(t.metric, 'x')).not.toThrow();
      expect(() => parseThreshold(t.expression, 'x')).not.toThrow();
    }
  });

  it('writes one line per warn assertion that did not pass, with the numbers', () => {
    const warnings = assertionWarnings(results);
    expect(warnings).toEqual([
      'total-blocking-time: 100 > maxNumericValue 50 (median of 3 runs: 100, 100, 100)',
    ]);
    const unknown = evaluateAssertions([lhr(), { ...lhr(), audits: {} }], {
      'speed-index': ['warn', { maxNumericValue: 3000 }],
    });
    expect(assertionWarnings(unknown)).toEqual([
      'speed-index: maxNumericValue 3000 not checked: run 1: no audit "speed-index"; run 2: no audit "speed-index"',
    ]);
  });
});
