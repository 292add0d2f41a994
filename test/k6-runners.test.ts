/**
 * k6-operator runners merged into one exact result (load/k6/runners.ts) and the streaming
 * NDJSON reader underneath it. Runner files are synthetic, written by runnerLines below in the
 * shape of k6's `--out json` with the tags k6-operator and our TestRun add to every point.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram, histogramBins } from '../core/histogram.ts';
import { itemSchema, readRunResult } from '../core/results.ts';
import { importNdjson, type K6Import, K6ImportError, readK6Results } from '../load/k6/import.ts';
import { checkRunners, type RunnerFile, readK6Runners } from '../load/k6/runners.ts';
import { item, metric } from './k6-helpers.ts';

interface Runner {
  /** The runner tags on every point; a tag left undefined is not written. */
  tags: { instance_id?: string; testrun_name?: string; run_id?: string; runners?: string };
  /** One request per latency (ms), request i at START + i × 100 ms + offset. */
  latencies: number[];
  offsetMs?: number;
  /** Indexes of failed requests (503, check false). */
  failed?: number[];
  /** Threshold expressions declared on http_req_duration's Metric line. */
  thresholds?: string[];
  vus?: number;
}

const START = Date.parse('2026-11-02T10:00:00Z');
const NAMES = ['trending', 'pitch'];

function metricLine(name: string, type: string, contains: string, thresholds: string[] = []): string {
  return JSON.stringify({
    type: 'Metric',
    data: { name, type, contains, thresholds, submetrics: null },
    metric: name,
  });
}

function pointLine(metric: string, ms: number, value: number, tags: Record<string, string>): string {
  const time = new Date(ms).toISOString().replace('Z', '000000Z'); // k6 writes nanoseconds
  return JSON.stringify({ type: 'Point', data: { time, value, tags }, metric });
}

/** The Metric lines, then each request's points: http_reqs, duration, failed, checks, data. */
function metricLines(thresholds: string[] = []): string[] {
  return [
    metricLine('vus', 'gauge', 'default'),
    metricLine('http_reqs', 'counter', 'default'),
    metricLine('http_req_duration', 'trend', 'time', thresholds),
    metricLine('http_req_failed', 'rate', 'default'),
    metricLine('checks', 'rate', 'default'),
    metricLine('data_received', 'counter', 'data'),
  ];
}

function pointLines(r: Runner): string[] {
  const run = Object.fromEntries(Object.entries(r.tags).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const lines = [pointLine('vus', START, r.vus ?? 5, run)];
  r.latencies.forEach((latency, i) => {
    const ms = START + i * 100 + (r.offsetMs ?? 0);
    const failed = r.failed?.includes(i) ?? false;
    const tags = {
      name: NAMES[i % NAMES.length] as string,
      method: 'GET',
      status: failed ? '503' : '200',
      expected_response: String(!failed),
      scenario: 'default',
      ...run,
    };
    lines.push(
      pointLine('http_reqs', ms, 1, tags),
      pointLine('http_req_duration', ms, latency, tags),
      pointLine('http_req_failed', ms, failed ? 1 : 0, tags),
      pointLine('checks', ms, failed ? 0 : 1, { check: 'status is 200', scenario: 'default', ...run }),
      pointLine('data_received', ms, 1500, tags),
    );
  });
  return lines;
}

const runnerLines = (r: Runner) => [...metricLines(r.thresholds), ...pointLines(r)];

/** Latencies lo, lo + step, … (n of them). */
const ramp = (n: number, lo: number, step: number) => Array.from({ length: n }, (_, i) => lo + i * step);

const operator = (i: number, n: number, extra: Partial<Runner['tags']> = {}): Runner['tags'] => ({
  instance_id: String(i),
  testrun_name: 'pitchey-breakpoint',
  run_id: 'run-42',
  runners: String(n),
  ...extra,
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k6-runners-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a runner's file, gzipped when the name ends in .gz (as k6's --out json=….gz). */
async function writeRunner(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  const text = `${lines.join('\n')}\n`;
  await writeFile(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

async function importError(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(K6ImportError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('readK6Runners: every point of every runner, exactly', () => {
  // One fast runner, one slow, one in between: the global percentiles are none of theirs.
  const runners: Runner[] = [
    { tags: operator(1, 3), latencies: ramp(200, 5, 0.5), failed: [7], vus: 10, thresholds: ['p(95)<250'] },
    { tags: operator(2, 3), latencies: ramp(150, 300, 2), offsetMs: 30, vus: 12, thresholds: ['p(95)<250'] },
    { tags: operator(3, 3), latencies: ramp(120, 40, 1.25), offsetMs: 60, failed: [3, 90], vus: 8 },
  ];
  let files: string[];
  let merged: K6Import;
  let single: K6Import;
  beforeAll(async () => {
    files = [
      await writeRunner('runner-1.ndjson.gz', runnerLines(runners[0] as Runner)),
      await writeRunner('runner-2.ndjson', runnerLines(runners[1] as Runner)),
      await writeRunner('runner-3.ndjson.gz', runnerLines(runners[2] as Runner)),
    ];
    merged = await readK6Runners(files);
    // One file holding every point of the three, in their order.
    single = importNdjson(
      [...metricLines(['p(95)<250']), ...runners.flatMap(pointLines)].join('\n'),
      'all-points.ndjson',
    );
  });

  it('gives the same trends as one file holding all points: counts, percentiles, histogram', () => {
    for (const name of ['k6', 'trending', 'pitch']) {
      const a = metric(item(merged, name), 'http_req_duration', 'trend');
      const b = metric(item(single, name), 'http_req_duration', 'trend');
      expect(a.count).toBe(b.count);
      expect(a.values).toEqual(b.values); // p50, p95, p99 … exactly, not within a tolerance
      // The same count in every bucket (the encodings may differ in how far the arrays reach).
      const bins = (t: typeof a) => histogramBins(decodeHistogram(t.histogram?.data as string));
      expect(bins(a)).toEqual(bins(b));
      expect(bins(a).reduce((n, bin) => n + bin.count, 0)).toBe(a.count);
    }
    expect(metric(item(merged, 'k6'), 'http_req_duration', 'trend').count).toBe(470);
  });

  it('has global percentiles that no single runner has', async () => {
    const overall = metric(item(merged, 'k6'), 'http_req_duration', 'trend').values;
    for (const file of files) {
      const own = metric(item(await readK6Results(file), 'k6'), 'http_req_duration', 'trend').values;
      expect(own.p95).not.toBe(overall.p95);
      expect(own.med).not.toBe(overall.med);
    }
    // 200 fast + 120 medium + 150 slow: the P95 is the slow runner's, the median is not.
    expect(overall.p95).toBeGreaterThan(300);
    expect(overall.med).toBeLessThan(300);
  });

  it('sums rates and counters, rates counters over the span of all files, sums gauges', () => {
    const a = item(merged, 'k6');
    const b = item(single, 'k6');
    for (const key of ['http_reqs', 'http_req_failed', 'checks', 'data_received'])
      expect(a.metrics[key]).toEqual(b.metrics[key]);
    expect(metric(a, 'http_req_failed', 'rate')).toMatchObject({ count: 470, passes: 3 });
    // First point at START, last at START + 199 × 100 ms (runner 1): 19.9 s.
    expect(metric(a, 'http_reqs', 'counter').ratePerSecond).toBeCloseTo(470 / 19.9, 9);
    expect(metric(a, 'vus', 'gauge').value).toBe(30);
    expect(merged.notes).toContain("gauges (vus): the sum of the runners' last values");
    for (const i of merged.items) expect(itemSchema.parse(i)).toEqual(i);
  });

  it('says how many runners of which run, and lists each with its points', () => {
    expect(merged.notes[0]).toBe(
      '3 k6 runners of pitchey-breakpoint (run run-42) merged: exact, every point',
    );
    expect(merged.notes[1]).toBe(
      `runners: 1: ${files[0]} (1001 points), 2: ${files[1]} (751 points), 3: ${files[2]} (601 points)`,
    );
  });

  it('keeps the thresholds the runners declared, once each, with no outcome', () => {
    expect(merged.k6Thresholds).toEqual([{ metric: 'http_req_duration', expression: 'p(95)<250' }]);
  });
});

describe('readK6Runners: refusals name the files', () => {
  const fast = ramp(30, 10, 1);
  const write = (name: string, tags: Runner['tags']) =>
    writeRunner(name, runnerLines({ tags, latencies: fast }));

  it('refuses a summary among the runner files', async () => {
    const a = await write('s-1.ndjson', operator(1, 2));
    const summary = join(
      import.meta.dirname,
      'fixtures',
      'k6',
      'benc-uk-k6-reporter__tests_data_simple.json.handleSummary-data.json',
    );
    const message = await importError(() => readK6Runners([a, summary]));
    expect(message).toContain(summary);
    expect(message).toContain("a summary's percentiles cannot be merged: give each runner's --out json file");
    expect(message).not.toContain(a);
  });

  it('refuses runners of different TestRuns or runs', async () => {
    const a = await write('t-1.ndjson', operator(1, 2));
    const b = await write('t-2.ndjson.gz', operator(2, 2, { testrun_name: 'pitchey-soak' }));
    const message = await importError(() => readK6Runners([a, b]));
    expect(message).toContain(`testrun_name=pitchey-breakpoint: ${a}`);
    expect(message).toContain(`testrun_name=pitchey-soak: ${b}`);
    const c = await write('r-2.ndjson', operator(2, 2, { run_id: 'run-43' }));
    const other = await importError(() => readK6Runners([a, c]));
    expect(other).toContain(`run_id=run-42: ${a}`);
    expect(other).toContain(`run_id=run-43: ${c}`);
  });

  it('refuses a runner given twice, or one file holding several runners', async () => {
    const a = await write('d-1.ndjson', operator(1, 3));
    const b = await write('d-1-again.ndjson.gz', operator(1, 3));
    expect(await importError(() => readK6Runners([a, b]))).toContain(
      `${a}, ${b} are all runner instance_id=1`,
    );
    expect(await importError(() => readK6Runners([a, a]))).toContain('given more than once');
    const both = await writeRunner('both.ndjson', [
      ...metricLines(),
      ...pointLines({ tags: operator(1, 2), latencies: fast }),
      ...pointLines({ tags: operator(2, 2), latencies: fast }),
    ]);
    const message = await importError(() => readK6Runners([both, a]));
    expect(message).toContain(`${both}: its points carry several instance_id values (1, 2)`);
  });

  it('refuses an incomplete set or an instance id outside 1..N, naming the missing runners', async () => {
    const files = [
      await write('m-1.ndjson', operator(1, 4)),
      await write('m-2.ndjson', operator(2, 4)),
      await write('m-4.ndjson.gz', operator(4, 4)),
    ];
    const message = await importError(() => readK6Runners(files));
    expect(message).toContain('runners=4 but no file for instance_id 3');
    for (const f of files) expect(message).toContain(f);
    const five = await write('m-5.ndjson', operator(5, 4));
    expect(await importError(() => readK6Runners([...files, five]))).toContain(
      `${five} (instance_id=5): not one of the runners 1..4`,
    );
  });

  it('refuses a runner given twice, and a broken file among runners names its line', async () => {
    const a = await write('e-1.ndjson', operator(1, 3));
    const b = await write('e-1-dup.ndjson', operator(1, 3));
    const c = await write('e-2.ndjson', operator(2, 3));
    expect(await importError(() => readK6Runners([a, b, c]))).toContain('are all runner instance_id=1');
    const broken = await writeRunner('e-3.ndjson', [
      ...runnerLines({ tags: operator(3, 3), latencies: fast }),
      '{"type":',
    ]);
    // Read on a worker thread, the file's own error still names it and its line.
    expect(await importError(() => readK6Runners([a, c, broken]))).toMatch(/e-3\.ndjson:\d+: not JSON/);
  });

  it('merges files without runner tags, saying they could not be checked', async () => {
    const a = await write('u-1.ndjson', {});
    const b = await write('u-2.ndjson.gz', {});
    const merged = await readK6Runners([a, b]);
    expect(merged.notes[0]).toBe('2 k6 runners merged: exact, every point');
    expect(merged.notes[1]).toContain(
      `${a}, ${b}: points without instance_id, testrun_name, run_id, runners tags`,
    );
    expect(merged.notes[1]).toContain('could not be checked to be distinct runners of one run');
    expect(metric(item(merged, 'k6'), 'http_req_duration', 'trend').count).toBe(60);
    // One tagged runner among untagged files is a mix, not a set.
    const c = await write('u-3.ndjson', operator(3, 3));
    expect(await importError(() => readK6Runners([a, c]))).toContain(`no testrun_name tag: ${a}`);
  });

  it('checkRunners: a partial set passes while reading, the complete one must be 1..N', () => {
    const file = (i: number): RunnerFile => ({
      file: `r${i}`,
      tags: { instance_id: [String(i)], testrun_name: ['t'], run_id: ['x'], runners: ['2'] },
      points: 1,
    });
    expect(checkRunners([file(2)], false).headline).toBe(
      '1 k6 runners of t (run x) merged: exact, every point',
    );
    expect(() => checkRunners([file(2)])).toThrow(/no file for instance_id 1 \(given: r2 = 2\)/);
    expect(checkRunners([file(1), file(2)]).notes).toEqual([]);
  });
});

describe('streaming: gzipped and large files, read line by line', () => {
  it('reads a gzipped multi-chunk file the same as the text in memory, with line numbers', async () => {
    // ~6 MB of lines: many read and gunzip chunks, lines split across chunk boundaries.
    const lines = runnerLines({ tags: operator(1, 1), latencies: ramp(20_000, 1, 0.01), failed: [5] });
    const gz = await writeRunner('big.ndjson.gz', lines);
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(5_000_000);
    const streamed = await readK6Results(gz);
    const memory = importNdjson(text, gz);
    expect(streamed.items).toEqual(memory.items);
    expect(metric(item(streamed, 'k6'), 'http_reqs', 'counter').total).toBe(20_000);
    // An error deep in the file names its line.
    const bad = [
      ...lines.slice(0, 70_000),
      '{"type":"Point","metric":"http_reqs","data":[]}',
      ...lines.slice(70_000),
    ];
    const message = await importError(async () => readK6Results(await writeRunner('bad.ndjson.gz', bad)));
    expect(message).toMatch(/bad\.ndjson\.gz:70001: not a k6 Point line: data: /);
    expect(message).toBe(
      await importError(async () => importNdjson(bad.join('\n'), join(dir, 'bad.ndjson.gz'))),
    );
  });

  it('names the file when its gzip is cut short', async () => {
    const whole = gzipSync(runnerLines({ tags: {}, latencies: ramp(5_000, 1, 1) }).join('\n'));
    const cut = join(dir, 'cut.ndjson.gz');
    await writeFile(cut, whole.subarray(0, whole.length - 100));
    expect(await importError(() => readK6Results(cut))).toContain(`${cut}: broken gzip`);
  });

  it('still reads a summary whole, after blank lines', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'k6', 'summary-export-legacy.json');
    const padded = join(dir, 'padded.json');
    await writeFile(padded, `\n\n${await readFile(fixture, 'utf8')}`);
    expect((await readK6Results(padded)).format).toBe('summary-export');
    const ndjson = await writeRunner('padded.ndjson', ['', ...runnerLines({ tags: {}, latencies: [1, 2] })]);
    expect((await readK6Results(ndjson)).format).toBe('ndjson');
  });
});

describe('npm run load:k6-import with runner files', () => {
  let config: string;
  beforeAll(async () => {
    config = join(dir, 'perf.config.ts');
    // Baselines of its own, so a baseline of this repository never takes part.
    await writeFile(
      config,
      `export default { baselines: { dir: ${JSON.stringify(join(dir, 'baselines'))} } };\n`,
    );
  });

  const cli = async (...args: string[]) => {
    const reports = await mkdtemp(join(dir, 'reports-'));
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/k6-import.ts',
        ...args,
        '--config',
        config,
        '--milestone',
        'week-1',
        '--reports-dir',
        reports,
      ],
      { encoding: 'utf8' },
    );
    return { ...child, reports };
  };
  const verdicts = async (reports: string) =>
    (await readRunResult(join(reports, 'latest', 'summary.json'))).verdicts;

  /** Three runners of 200 requests each (enough for the roadmap's error rate); the third slow when `slow`. */
  async function threeRunners(prefix: string, slow: boolean, thresholds?: string[]): Promise<string[]> {
    return Promise.all(
      [1, 2, 3].map((i) =>
        writeRunner(
          `${prefix}-${i}.ndjson${i === 2 ? '' : '.gz'}`,
          runnerLines({
            tags: operator(i, 3),
            latencies: slow && i === 3 ? ramp(200, 400, 0) : ramp(200, 10, 0.5),
            ...(thresholds ? { thresholds } : {}),
          }),
        ),
      ),
    );
  }

  it('passes (exit 0) on the threshold the runners declared, judged on the merged figures', async () => {
    const files = await threeRunners('pass', false, ['p(95)<250']);
    const out = await cli(...files);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const v = (await verdicts(out.reports)).find((x) => x.threshold === 'p(95)<250');
    expect(v).toMatchObject({ item: 'k6', metric: 'http_req_duration', status: 'pass', samples: 600 });
    const result = await readRunResult(join(out.reports, 'latest', 'summary.json'));
    expect(result.suites[0]?.notes).toContain(
      '3 k6 runners of pitchey-breakpoint (run run-42) merged: exact, every point',
    );
  });

  it("fails (exit 1) on a --scenario's P95 that the merged run breaks and one runner alone keeps", async () => {
    const files = await threeRunners('fail', true);
    const out = await cli(...files, '--scenario', 'average-load', '--profile', 'smoke');
    expect(out.status).toBe(1);
    const trending = (await verdicts(out.reports)).find(
      (x) => x.item === 'trending' && x.threshold === 'p(95)<200',
    );
    expect(trending).toMatchObject({ status: 'fail', samples: 300 });
    expect(trending?.value).toBeCloseTo(400, 0);
    const alone = await cli(files[0] as string, '--scenario', 'average-load');
    expect(alone.status).toBe(0);
    const notes = (await readRunResult(join(alone.reports, 'latest', 'summary.json'))).suites[0]?.notes;
    expect(notes).toContain(
      'runner 1 of 3 of pitchey-breakpoint alone: its share of the load only; give all 3 runner files to judge the whole run',
    );
    expect((await verdicts(alone.reports)).find((x) => x.item === 'trending')?.status).toBe('pass');
  });

  it('exits 2 naming the files of a mixed set, and on an unknown scenario', async () => {
    const a = await writeRunner('mix-1.ndjson', runnerLines({ tags: operator(1, 2), latencies: [1, 2] }));
    const b = await writeRunner(
      'mix-2.ndjson',
      runnerLines({ tags: operator(2, 2, { run_id: 'run-99' }), latencies: [1, 2] }),
    );
    const out = await cli(a, b);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^ERROR \(these files are not runners of one run/);
    expect(out.stderr).toContain(`run_id=run-42: ${a}`);
    expect(out.stderr).toContain(`run_id=run-99: ${b}`);
    const unknown = await cli(a, '--scenario', 'no-such-scenario');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^ERROR \(no scenario "no-such-scenario": use one of .*average-load/);
  });
});
