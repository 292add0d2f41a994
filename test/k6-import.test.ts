import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerfError } from '../core/errors.ts';
import { decodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import { itemSchema } from '../core/results.ts';
import {
  importHandleSummary,
  importNdjson,
  importSummaryExport,
  type K6Import,
  K6ImportError,
  parseK6Results,
  readK6Results,
  splitMetricKey,
} from '../load/k6/import.ts';
import { item, metric } from './k6-helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'k6');
const SIMPLE = join(FIXTURES, 'benc-uk-k6-reporter__tests_data_simple.json.handleSummary-data.json');
const GRPC = join(FIXTURES, 'benc-uk-k6-reporter__tests_data_grpc.json.handleSummary-data.json');
const LEGACY = join(FIXTURES, 'summary-export-legacy.json');
const NDJSON = join(FIXTURES, 'out-json-two-requests.ndjson');

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

/** Every item must be valid in the one result schema, unchanged by zod's parse. */
function expectValidItems(result: K6Import): void {
  for (const i of result.items) expect(itemSchema.parse(i)).toEqual(i);
}

/** Histogram figures are within 0.1 % (3 significant digits), never exact to the µs. */
function expectWithin(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected) / expected).toBeLessThanOrEqual(0.001);
}

async function expectImportError(run: () => unknown, ...parts: string[]): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(K6ImportError);
  expect(caught).toBeInstanceOf(PerfError);
  for (const part of parts) expect((caught as Error).message).toContain(part);
}

describe('splitMetricKey', () => {
  it('splits tags at commas and at the first colon only', () => {
    expect(splitMetricKey('http_req_duration{name:login,method:POST}')).toEqual({
      base: 'http_req_duration',
      tags: { name: 'login', method: 'POST' },
    });
    expect(splitMetricKey('group_duration{group:::checkout}')).toEqual({
      base: 'group_duration',
      tags: { group: '::checkout' },
    });
    expect(splitMetricKey('http_reqs')).toEqual({ base: 'http_reqs', tags: {} });
  });
});

describe('importHandleSummary: real run (benc-uk/k6-reporter simple.json)', () => {
  let result: K6Import;
  beforeAll(async () => {
    result = importHandleSummary(await readJson(SIMPLE), 'simple.json');
  });

  it('maps http_req_duration statistics exactly, with no histogram', () => {
    const overall = item(result, 'k6');
    expect(overall).toMatchObject({ kind: 'scenario', targets: 'api', tags: {} });
    const duration = metric(overall, 'http_req_duration', 'trend');
    expect(duration.unit).toBe('ms');
    expect(duration.values).toEqual({
      min: 0.259855,
      mean: 21.37513127107059,
      med: 20.090773,
      p90: 26.358651200000008,
      p95: 30.0256841,
      p99: 39.577136380000084,
      'p99.9': null,
      max: 143.326605,
    });
    expect(duration.histogram).toBeUndefined();
  });

  it('takes trend counts from the counters k6 emits once per sample', () => {
    const overall = item(result, 'k6');
    expect(metric(overall, 'http_req_duration', 'trend').count).toBe(878); // http_reqs.count
    expect(metric(overall, 'http_req_waiting', 'trend').count).toBe(878);
    expect(metric(overall, 'http_req_duration', 'trend').insufficient).toEqual(['p99.9']);
    // expected_response:true = the requests http_req_failed counted as false: 878 − 349.
    expect(metric(overall, 'http_req_duration{expected_response:true}', 'trend').count).toBe(529);
    expect(metric(overall, 'iteration_duration', 'trend').count).toBe(439); // iterations.count
  });

  it('counts 1 for a trend nothing counts, and marks every percentile insufficient', () => {
    const group = metric(item(result, 'k6'), 'group_duration', 'trend');
    expect(group.count).toBe(1);
    expect(group.insufficient).toEqual(['p50', 'p90', 'p95', 'p99', 'p99.9']);
    expect(result.notes.some((n) => n.includes('sample count unknown') && n.includes('group_duration'))).toBe(
      true,
    );
  });

  it('maps rates, counters and gauges', () => {
    const overall = item(result, 'k6');
    expect(metric(overall, 'http_req_failed', 'rate')).toEqual({
      type: 'rate',
      unit: 'ratio',
      count: 878,
      passes: 349,
      fails: 529,
      rate: 349 / 878,
    });
    expect(metric(overall, 'checks', 'rate').passes).toBe(529);
    expect(metric(overall, 'http_reqs', 'counter')).toEqual({
      type: 'counter',
      unit: 'count',
      count: 878,
      total: 878,
      ratePerSecond: 35.94634922417172,
    });
    expect(metric(overall, 'data_received', 'counter')).toMatchObject({ unit: 'bytes', total: 4767303 });
    expect(metric(overall, 'vus', 'gauge')).toEqual({ type: 'gauge', unit: 'unitless', count: 1, value: 20 });
  });

  it('has one item (no name tags), valid in the result schema, and k6 thresholds all ok', () => {
    expect(result.format).toBe('handleSummary');
    expect(result.items.map((i) => i.name)).toEqual(['k6']);
    expectValidItems(result);
    expect(result.k6Thresholds).toEqual([
      { metric: 'http_req_duration', expression: 'p(95)<1000', ok: true },
      { metric: 'iteration_duration', expression: 'max<4000', ok: true },
    ]);
  });
});

describe('importHandleSummary: real gRPC run with a failed threshold (grpc.json)', () => {
  let result: K6Import;
  beforeAll(async () => {
    result = importHandleSummary(await readJson(GRPC), 'grpc.json');
  });

  it("reports k6's failed fake_rate threshold as not ok", () => {
    expect(result.k6Thresholds).toContainEqual({ metric: 'fake_rate', expression: 'rate >= 0.8', ok: false });
    expect(result.k6Thresholds).toContainEqual({
      metric: 'grpc_req_duration',
      expression: 'med <= 2',
      ok: true,
    });
    expect(result.notes).toContain('k6 threshold crossed: fake_rate "rate >= 0.8"');
  });

  it('counts grpc_req_duration from grpc_reqs and leaves unreported percentiles null', () => {
    const grpc = metric(item(result, 'k6'), 'grpc_req_duration', 'trend');
    expect(grpc.count).toBe(9615);
    expect(grpc.values.p95).toBe(2.5228431999999996);
    expect(grpc.values.p99).toBeNull(); // summaryTrendStats stops at p(95)
    expect(metric(item(result, 'k6'), 'fake_rate', 'rate')).toMatchObject({ passes: 4806, fails: 4809 });
    expectValidItems(result);
  });
});

describe('importHandleSummary: sub-metrics', () => {
  const data = {
    metrics: {
      'http_req_duration{name:trending}': {
        type: 'trend',
        contains: 'time',
        values: { avg: 12, min: 2, med: 10, max: 80, 'p(90)': 30, 'p(95)': 41.5 },
      },
      'http_req_failed{name:trending}': {
        type: 'rate',
        contains: 'default',
        values: { rate: 0.04, passes: 2, fails: 48 },
        thresholds: { 'rate<0.01': { ok: false } },
      },
      'group_duration{group:::checkout}': {
        type: 'trend',
        contains: 'time',
        values: { avg: 1, min: 1, med: 1, max: 1, 'p(90)': 1, 'p(95)': 1 },
      },
    },
  };

  it('puts name-tagged sub-metrics in a request item and counts them from their own rate', () => {
    const result = importHandleSummary(data, 'inline');
    const trending = item(result, 'trending');
    expect(trending).toMatchObject({ kind: 'request', targets: 'none', tags: { name: 'trending' } });
    expect(metric(trending, 'http_req_duration', 'trend')).toMatchObject({
      count: 50,
      values: { p95: 41.5 },
    });
    expect(metric(trending, 'http_req_failed', 'rate').rate).toBe(0.04);
    // Other tags stay in the key on the overall item.
    expect(Object.keys(item(result, 'k6').metrics)).toEqual(['group_duration{group:::checkout}']);
    expect(result.k6Thresholds).toEqual([
      { metric: 'http_req_failed{name:trending}', expression: 'rate<0.01', ok: false },
    ]);
    expectValidItems(result);
  });

  it('rejects a non-numeric statistic, naming the source and the field', async () => {
    const bad = { metrics: { http_reqs: { type: 'counter', values: { count: 'many', rate: 1 } } } };
    await expectImportError(() => importHandleSummary(bad, 'bad.json'), 'bad.json', 'http_reqs', 'count');
  });
});

describe('importSummaryExport: legacy --summary-export', () => {
  let result: K6Import;
  beforeAll(async () => {
    result = importSummaryExport(await readJson(LEGACY), 'legacy.json');
  });

  it('reads threshold `true` as FAILED and `false` as passed', () => {
    expect(result.k6Thresholds).toEqual([
      { metric: 'http_reqs', expression: 'count>1000', ok: false },
      { metric: 'http_req_duration', expression: 'p(95)<200', ok: true },
      { metric: 'http_req_duration', expression: 'p(99)<250', ok: false },
      { metric: 'http_req_duration{name:login}', expression: 'p(95)<200', ok: false },
      { metric: 'http_req_failed', expression: 'rate<0.01', ok: false },
    ]);
  });

  it("rebuilds a rate (k6's `value`) from passes/fails and infers each metric's type from its keys", () => {
    const overall = item(result, 'k6');
    expect(metric(overall, 'http_req_failed', 'rate')).toMatchObject({ count: 200, passes: 4, rate: 0.02 });
    expect(metric(overall, 'dropped_iterations', 'counter')).toMatchObject({
      total: 3,
      ratePerSecond: 0.2997,
    });
    expect(metric(overall, 'data_received', 'counter').unit).toBe('bytes');
    expect(metric(overall, 'vus', 'gauge').value).toBe(1);
    const duration = metric(overall, 'http_req_duration', 'trend');
    expect(duration).toMatchObject({ unit: 'ms', count: 200, values: { p95: 123.6, p99: 301.2 } });
  });

  it("uses a trend's own count when summaryTrendStats had it, and notes unmapped statistics", () => {
    const score = metric(item(result, 'k6'), 'my_score', 'trend');
    expect(score).toMatchObject({ unit: 'unitless', count: 2, values: { p95: 9.75, med: 7.5 } });
    expect(result.notes).toContain(
      'k6 statistics the result schema has no slot for (left out): my_score p(75)',
    );
  });

  it('builds the login request item counted from http_reqs{name:login}', () => {
    const login = item(result, 'login');
    expect(login.tags).toEqual({ name: 'login' });
    expect(metric(login, 'http_req_duration', 'trend')).toMatchObject({ count: 50, values: { p95: 210.4 } });
    expect(metric(login, 'http_req_duration', 'trend').insufficient).toEqual(['p99', 'p99.9']);
    expectValidItems(result);
  });

  it('rejects a metric of no known shape, naming it', async () => {
    await expectImportError(
      () => importSummaryExport({ metrics: { odd: { foo: 1 } } }, 'odd.json'),
      'odd.json',
      'metrics.odd',
    );
  });
});

describe('importNdjson: --out json', () => {
  let result: K6Import;
  beforeAll(async () => {
    result = importNdjson(await readFile(NDJSON, 'utf8'), 'out.ndjson');
  });

  it('recomputes percentiles of 1..100 ms exactly from the points (within 0.1 %)', () => {
    const duration = metric(item(result, 'trending'), 'http_req_duration', 'trend');
    expect(duration.count).toBe(100);
    expect(duration.values.min).toBe(1);
    expectWithin(duration.values.med, 50);
    expectWithin(duration.values.p90, 90);
    expectWithin(duration.values.p95, 95);
    expectWithin(duration.values.p99, 99);
    expectWithin(duration.values.max, 100);
    expectWithin(duration.values.mean, 50.5);
    expect(duration.insufficient).toEqual(['p99.9']);
  });

  it('keeps a histogram per request whose merge equals the overall one', () => {
    const overall = metric(item(result, 'k6'), 'http_req_duration', 'trend');
    const trending = metric(item(result, 'trending'), 'http_req_duration', 'trend');
    const login = metric(item(result, 'login'), 'http_req_duration', 'trend');
    expect(overall.count).toBe(110);
    // Nearest rank of 110 samples (1..100, then 200.25..290.25 step 10): 105th = 240.25 ms.
    expectWithin(overall.values.p95, 240.25);
    expect(login.insufficient).toEqual(['p95', 'p99', 'p99.9']);
    expectWithin(login.values.min, 200.25);
    const parts = [trending.histogram?.data ?? '', login.histogram?.data ?? ''];
    expect(summarize(mergeHistograms(parts))).toEqual(
      summarize(decodeHistogram(overall.histogram?.data ?? '')),
    );
  });

  it('counts rates from points (1 = true), overall and per name', () => {
    expect(metric(item(result, 'k6'), 'http_req_failed', 'rate')).toMatchObject({ count: 110, passes: 3 });
    expect(metric(item(result, 'trending'), 'http_req_failed', 'rate')).toMatchObject({
      count: 100,
      passes: 2,
    });
    expect(metric(item(result, 'login'), 'http_req_failed', 'rate').rate).toBe(0.1);
    expect(metric(item(result, 'k6'), 'checks', 'rate')).toMatchObject({ passes: 107, fails: 3 });
    expect(item(result, 'trending').metrics.checks).toBeUndefined(); // checks carry no name tag
  });

  it('sums counters, keeps the last gauge value, and rates counters over the points’ time span', () => {
    const overall = item(result, 'k6');
    expect(metric(overall, 'http_reqs', 'counter')).toEqual({
      type: 'counter',
      unit: 'count',
      count: 110,
      total: 110,
      ratePerSecond: 10, // 110 requests over the 11 s from the first to the last point
    });
    expect(metric(overall, 'dropped_iterations', 'counter').total).toBe(2);
    expect(metric(overall, 'data_received', 'counter')).toMatchObject({
      unit: 'bytes',
      count: 10,
      total: 15000,
    });
    expect(metric(overall, 'vus', 'gauge')).toMatchObject({ count: 3, value: 8 });
  });

  it('is valid in the result schema and hands the declared thresholds over to be judged here', () => {
    expect(result.items.map((i) => i.name)).toEqual(['k6', 'trending', 'login']);
    expectValidItems(result);
    // --out json records no outcomes: `ok` stays undefined, the verdict comes from our figures.
    expect(result.k6Thresholds).toEqual([
      { metric: 'http_req_duration', expression: 'p(95)<200' },
      { metric: 'http_req_failed', expression: 'rate<0.01' },
    ]);
    expect(result.k6Thresholds.every((t) => t.ok === undefined)).toBe(true);
    const note = result.notes.find((n) => n.startsWith('k6 thresholds declared in the NDJSON'));
    expect(note).toContain('judged here on these figures (--out json records no outcomes)');
  });

  const metricLine = (name: string, type: string) =>
    JSON.stringify({ type: 'Metric', data: { name, type, contains: 'default' }, metric: name });
  const pointLine = (name: string, value: unknown) =>
    JSON.stringify({ type: 'Point', data: { time: '2026-11-02T10:00:00Z', value, tags: {} }, metric: name });

  it('leaves out a trend with negative values rather than a partial histogram', () => {
    const text = [metricLine('delta', 'trend'), pointLine('delta', 3), pointLine('delta', -2)].join('\n');
    const imported = importNdjson(text, 'neg.ndjson');
    expect(imported.items).toEqual([]);
    expect(imported.notes.some((n) => n.startsWith('delta left out') && n.includes('line 3'))).toBe(true);
  });

  it('rejects a Point before its Metric line, naming source and line', async () => {
    const text = ['', pointLine('http_reqs', 1), metricLine('http_reqs', 'counter')].join('\n');
    await expectImportError(
      () => importNdjson(text, 'early.ndjson'),
      'early.ndjson:2:',
      'before its Metric line',
    );
  });

  it('rejects a non-numeric value and a line that is not JSON, naming the line', async () => {
    const text = [metricLine('http_reqs', 'counter'), pointLine('http_reqs', 1), pointLine('http_reqs', 'x')];
    await expectImportError(
      () => importNdjson(text.join('\n'), 'v.ndjson'),
      'v.ndjson:3:',
      '"x", not a number',
    );
    const broken = [metricLine('http_reqs', 'counter'), '{"type":"Point",'].join('\n');
    await expectImportError(() => importNdjson(broken, 'b.ndjson'), 'b.ndjson:2:', 'not JSON');
  });
});

describe('readK6Results: dispatch by content', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k6-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tells the three formats apart', async () => {
    expect((await readK6Results(GRPC)).format).toBe('handleSummary');
    expect((await readK6Results(LEGACY)).format).toBe('summary-export');
    expect((await readK6Results(NDJSON)).format).toBe('ndjson');
  });

  it('reads gzipped NDJSON (--out json=file.gz) the same as plain', async () => {
    const gz = join(dir, 'out.json.gz');
    await writeFile(gz, gzipSync(await readFile(NDJSON)));
    const plain = await readK6Results(NDJSON);
    expect((await readK6Results(gz)).items).toEqual(plain.items);
  });

  it('names the file when it is missing, not JSON, or of unknown shape', async () => {
    const missing = join(dir, 'missing.json');
    await expectImportError(() => readK6Results(missing), missing, 'cannot read');
    const text = join(dir, 'text.txt');
    await writeFile(text, 'hello k6\n');
    await expectImportError(() => readK6Results(text), text, 'neither JSON');
    const other = join(dir, 'other.json');
    await writeFile(other, '{"foo": 1}');
    await expectImportError(() => readK6Results(other), other, 'no "metrics" object');
  });

  it('rejects a result with no metrics at all', async () => {
    await expectImportError(
      () => parseK6Results('{"metrics": {}}', 'empty.json'),
      'empty.json',
      'no metrics',
    );
  });
});
