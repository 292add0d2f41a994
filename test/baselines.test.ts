import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BaselineError,
  baselinesFromRun,
  describeChanges,
  formatBaseline,
  groupOf,
  readBaselines,
  slugOf,
  writeBaselines,
} from '../core/baselines.ts';
import { createHistogram, recordMicros } from '../core/histogram.ts';
import { counterMetric, rateMetric, trendFromHistogram, trendFromValues } from '../core/metrics.ts';
import type { Item, RunResult } from '../core/results.ts';

function latencies(values: number[]) {
  const h = createHistogram();
  for (const v of values) recordMicros(h, v * 1000);
  return trendFromHistogram(h);
}

const item = (
  name: string,
  kind: Item['kind'],
  tags: Record<string, string>,
  metrics: Item['metrics'],
): Item => ({
  name,
  kind,
  targets: 'none',
  tags,
  metrics,
});

const run: RunResult = {
  schemaVersion: 1,
  run: {
    id: 'run-1',
    startedAt: '2026-11-26T00:00:00.000Z',
    finishedAt: '2026-11-26T00:01:00.000Z',
    durationMs: 60_000,
    profile: 'ci',
    milestone: 'strictest',
    baseUrl: 'http://127.0.0.1:4000',
    embeddedTarget: true,
    git: { commit: 'abc123', dirty: false },
    machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 1e9, nodeVersion: 'v20', platform: 'linux' },
  },
  suites: [
    {
      suite: 'load',
      status: 'measured',
      startedAt: '',
      durationMs: 0,
      notes: [],
      thresholds: [],
      items: [
        item(
          'average-load',
          'scenario',
          { scenario: 'average-load' },
          {
            http_req_duration: latencies([1, 2, 3]),
            http_req_failed: rateMetric(0, 3),
            http_reqs: counterMetric(3, 1),
          },
        ),
        item(
          'average-load pitches',
          'request',
          { scenario: 'average-load', name: 'pitches' },
          {
            http_req_duration: latencies([2, 3]),
          },
        ),
      ],
    },
    {
      suite: 'synthetic',
      status: 'measured',
      startedAt: '',
      durationMs: 0,
      notes: [],
      thresholds: [],
      items: [
        item(
          'desktop visitor › home',
          'page',
          { project: 'desktop', journey: 'visitor' },
          {
            page_load: trendFromValues([101.23456789, 99.5, 102], 'ms', 1000),
          },
        ),
      ],
    },
    {
      suite: 'lighthouse',
      status: 'error',
      error: 'no browser',
      startedAt: '',
      durationMs: 0,
      items: [],
      notes: [],
      thresholds: [],
    },
  ],
  verdicts: [],
  comparisons: [],
  outcome: { status: 'pass', exitCode: 0, line: 'PASS' },
};

describe('baseline files', () => {
  it('holds one file per measured thing, with what the tests need and the run it came from', () => {
    const files = baselinesFromRun(run);
    expect(files.map((f) => `${f.suite}/${f.group}`)).toEqual([
      'load/average-load',
      'synthetic/desktop visitor',
    ]);
    const load = files[0];
    expect(load).toMatchObject({
      takenAt: run.run.startedAt,
      profile: 'ci',
      git: { commit: 'abc123' },
      runId: 'run-1',
    });
    expect(load?.items.map((i) => i.name)).toEqual(['average-load', 'average-load pitches']);
    // Counters are not compared, so not kept; latencies keep their histogram.
    expect(Object.keys(load?.items[0]?.metrics ?? {})).toEqual(['http_req_duration', 'http_req_failed']);
    expect(load?.items[0]?.metrics.http_req_duration).toHaveProperty('histogram');
    // Journeys keep the per-iteration values (six significant digits), not the histogram.
    const page = files[1]?.items[0]?.metrics.page_load;
    expect(page).not.toHaveProperty('histogram');
    expect(page).toMatchObject({ samples: [101.235, 99.5, 102] });
  });

  it('filters by suite and group, and names groups and files plainly', () => {
    expect(baselinesFromRun(run, (suite) => suite === 'synthetic').map((f) => f.group)).toEqual([
      'desktop visitor',
    ]);
    expect(groupOf({ name: '/health/ready', tags: {} })).toBe('/health/ready');
    expect(slugOf('/health/ready')).toBe('health-ready');
    expect(slugOf('desktop visitor › home')).toBe('desktop-visitor-home');
  });

  it('writes reviewable JSON atomically and reads it back validated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baselines-'));
    const written = await writeBaselines(dir, baselinesFromRun(run), dir);
    expect(written).toEqual(['ci/load/average-load.json', 'ci/synthetic/desktop-visitor.json']);
    expect(readdirSync(join(dir, 'ci', 'load'))).toEqual(['average-load.json']);
    const text = readFileSync(join(dir, 'ci/synthetic/desktop-visitor.json'), 'utf8');
    expect(text).toContain('"samples": [101.235, 99.5, 102]');
    const loaded = await readBaselines(dir, 'ci');
    expect(loaded.map((l) => l.baseline)).toEqual(baselinesFromRun(run));
    expect(await readBaselines(dir, 'nightly')).toEqual([]);
    expect(formatBaseline(loaded[0]?.baseline as never)).toBe(
      readFileSync(join(dir, 'ci/load/average-load.json'), 'utf8'),
    );
  });

  it('names the file and the field of a bad baseline, and says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baselines-'));
    await writeBaselines(dir, baselinesFromRun(run), dir);
    const path = join(dir, 'ci/load/average-load.json');
    const good = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(
      path,
      JSON.stringify({
        ...good,
        items: [{ name: 'x', kind: 'scenario', metrics: { d: { type: 'trend' } } }],
      }),
    );
    await expect(readBaselines(dir, 'ci')).rejects.toThrow(
      new RegExp(
        `${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: items\\.0\\.metrics\\.d\\..*restore it from git or re-create it`,
      ),
    );
    writeFileSync(path, JSON.stringify({ ...good, schemaVersion: 2 }));
    await expect(readBaselines(dir, 'ci')).rejects.toThrow(/average-load\.json: schemaVersion 2 is not 1/);
    await expect(readBaselines(dir, 'ci')).rejects.toBeInstanceOf(BaselineError);
  });

  it('refuses to write two groups into one file', async () => {
    const [file] = baselinesFromRun(run);
    const twin = { ...(file as never as object), group: 'Average Load' } as never;
    await expect(writeBaselines(mkdtempSync(join(tmpdir(), 'b-')), [file as never, twin])).rejects.toThrow(
      /two measured things share the file .*average-load\.json/,
    );
  });

  it('describes an update as old → new', () => {
    const [before] = baselinesFromRun(run);
    const slower = structuredClone(run);
    (slower.suites[0] as { items: Item[] }).items[0] = item(
      'average-load',
      'scenario',
      { scenario: 'average-load' },
      {
        http_req_duration: latencies([2, 4, 6]),
      },
    );
    const [after] = baselinesFromRun(slower);
    const text = describeChanges('b.json', before, after as never);
    expect(text).toMatch(/^b\.json \(updated, was 2026-11-26\)/);
    expect(text).toMatch(
      /average-load: http_req_duration p\(95\) 3\.00 ms → 6\.00 ms \(\+100\.0 %\); http_req_duration med 2 ms → 4\.00 ms/,
    );
    expect(describeChanges('b.json', undefined, after as never)).toMatch(/^b\.json \(new\)/);
    expect(describeChanges('b.json', 'corrupt', after as never)).toMatch(/replaces a corrupt file/);
  });
});
