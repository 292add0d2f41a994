/**
 * Distributed load on one machine: shares of a schedule are interleaved so their union is the
 * schedule; merged recorders equal one recorder fed every sample; a merge takes one run's shares
 * exactly once or refuses naming files; and --local-shares 2 passes and fails the same
 * thresholds as a single run (the target's latency knob off and on).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram, histogramBins } from '../core/histogram.ts';
import { Recorder } from '../load/recorder.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { arrivalSchedule } from '../load/schedule.ts';
import { mergeShareFiles } from '../load/share-merge.ts';
import {
  checkShares,
  mergeShares,
  readShare,
  SHARE_SCHEMA_VERSION,
  type ShareResult,
  shareResult,
} from '../load/share-result.ts';
import { isAlive, runScript, writeLoadConfig } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const base = {
  name: 'unit',
  preAllocatedVUs: 10,
  requests: [{ name: 'a', weight: 1, path: '/a' }],
};
const constant = parseScenario({
  ...base,
  executor: 'constant-arrival-rate',
  rate: 97,
  duration: '7s',
} as ScenarioInput);
const ramping = parseScenario({
  ...base,
  executor: 'ramping-arrival-rate',
  startRate: 5,
  stages: [
    { duration: '3s', target: 200 },
    { duration: '2s', target: 200 },
    { duration: '3s', target: 0 },
  ],
} as ScenarioInput);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distributed-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('shares of a schedule', () => {
  it.each([
    ['constant', constant],
    ['ramping', ramping],
  ])(
    '%s: the union of N interleaved shares is the schedule; each share has 1/N of every second within 1',
    (_name, scenario) => {
      const schedule = arrivalSchedule(scenario);
      const all = Array.from({ length: schedule.total }, (_, i) => schedule.at(i) as number);
      for (const n of [2, 3, 7]) {
        const shares = Array.from({ length: n }, (_, s) => all.filter((_, i) => i % n === s));
        expect(shares.flat().sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
        const seconds = Math.ceil(schedule.durationMs / 1000);
        for (let sec = 0; sec < seconds; sec++) {
          const total = all.filter((t) => Math.floor(t / 1000) === sec).length;
          for (const share of shares) {
            const mine = share.filter((t) => Math.floor(t / 1000) === sec).length;
            expect(Math.abs(mine - total / n)).toBeLessThanOrEqual(1);
          }
        }
      }
    },
  );
});

describe('merging shares', () => {
  const outcome = (i: number) => ({
    name: i % 3 === 0 ? 'a' : 'b',
    intendedMs: i * 3,
    sentMs: i * 3 + 0.2,
    doneMs: i * 3 + 1 + ((i * 7919) % 400) / 10,
    status: i % 50 === 0 ? 500 : 200,
    expected: i % 50 !== 0,
    bytes: 100,
  });

  const share = (
    index: number,
    of: number,
    recorder: Recorder,
    extra: Partial<ShareResult> = {},
  ): ShareResult => ({
    ...shareResult({
      runId: 'run-1',
      scenario: constant.name,
      definition: constant,
      share: { index, of },
      baseUrl: 'http://127.0.0.1:1',
      startedAt: '2026-12-06T00:00:00.000Z',
      elapsedMs: 7_000,
      recorder: recorder.toState(),
    }),
    ...extra,
  });

  it('the merged shares equal one recorder fed every sample', () => {
    const whole = new Recorder();
    const parts = [new Recorder(), new Recorder(), new Recorder()];
    for (let i = 0; i < 3_000; i++) {
      whole.record(outcome(i));
      parts[i % 3]?.record(outcome(i));
    }
    const merged = mergeShares(parts.map((r, i) => share(i, 3, r)));
    // The same counts in the same buckets (an encoding may differ in its array's length).
    const contents = (items: unknown) =>
      JSON.parse(JSON.stringify(items), (key, value) =>
        key === 'data' && typeof value === 'string' ? histogramBins(decodeHistogram(value)) : value,
      );
    const items = contents(merged.recorder.toItems('unit', 7, true, 'api'));
    expect(items).toEqual(contents(whole.toItems('unit', 7, true, 'api')));
    expect(JSON.stringify(items)).toMatch(/"p95":/);
  });

  it('merged on worker threads from files, the shares equal one recorder too; refusals still name files', async () => {
    const whole = new Recorder();
    const parts = Array.from({ length: 5 }, () => new Recorder());
    for (let i = 0; i < 5_000; i++) {
      whole.record(outcome(i));
      parts[i % 5]?.record(outcome(i));
    }
    // Five files over the worker slices: uneven slices, each merged apart, then added.
    const files = await Promise.all(
      parts.map(async (r, i) => {
        const file = join(dir, `threads-${i}.json`);
        await writeFile(file, JSON.stringify(share(i, 5, r)));
        return file;
      }),
    );
    const merged = await mergeShareFiles(files);
    expect(merged.headers.map((h) => [h.file, h.share.share.index])).toEqual(files.map((f, i) => [f, i]));
    const contents = (items: unknown) =>
      JSON.parse(JSON.stringify(items), (key, value) =>
        key === 'data' && typeof value === 'string' ? histogramBins(decodeHistogram(value)) : value,
      );
    expect(contents(merged.recorder.toItems('unit', 7, true, 'api'))).toEqual(
      contents(whole.toItems('unit', 7, true, 'api')),
    );
    await expect(
      mergeShareFiles([files[0] as string, files[0] as string, ...files.slice(2)]),
    ).rejects.toThrow(/threads-0\.json and .*threads-0\.json are both share 0 of 5/);
    await writeFile(join(dir, 'threads-broken.json'), '{');
    await expect(mergeShareFiles([...files, join(dir, 'threads-broken.json')])).rejects.toThrow(
      /threads-broken\.json is not a share result/,
    );
  });

  it('refuses shares of other runs, scenarios or splits, twice the same share, or a missing one', () => {
    const r = new Recorder();
    const set = (shares: ShareResult[]) => shares.map((s, i) => ({ file: `share-${i}.json`, share: s }));
    expect(() => checkShares(set([share(0, 2, r), share(1, 2, r)]))).not.toThrow();
    expect(() => checkShares(set([share(0, 2, r), share(1, 2, r, { runId: 'run-2' })]))).toThrow(
      /share-1\.json and share-0\.json are of different runs \(run-2 vs run-1\)/,
    );
    const other = parseScenario({
      ...base,
      executor: 'constant-arrival-rate',
      rate: 98,
      duration: '7s',
    } as ScenarioInput);
    expect(() =>
      checkShares(
        set([
          share(0, 2, r),
          {
            ...share(1, 2, r),
            scenarioHash: shareResult({ ...share(1, 2, r), definition: other }).scenarioHash,
          },
        ]),
      ),
    ).toThrow(/are of different definitions of scenario unit/);
    expect(() => checkShares(set([share(0, 2, r), share(0, 2, r)]))).toThrow(
      /share-1\.json and share-0\.json are both share 0 of 2/,
    );
    expect(() => checkShares(set([share(0, 3, r), share(1, 3, r)]))).toThrow(
      /shares 2 of 3 are missing .*: a partial merge would under-count the load/,
    );
    expect(() => checkShares(set([share(0, 2, r), share(1, 3, r)]))).toThrow(/different splits \(3 vs 2\)/);
  });

  it('reads a share file back, and refuses another schema version or a broken file, naming it', async () => {
    const file = join(dir, 'share-0.json');
    const written = share(0, 1, new Recorder());
    await writeFile(file, JSON.stringify(written));
    expect(await readShare(file)).toEqual(written);
    await writeFile(file, JSON.stringify({ ...written, schemaVersion: SHARE_SCHEMA_VERSION + 1 }));
    await expect(readShare(file)).rejects.toThrow(/share-0\.json: schema version 2, this merge reads 1/);
    await writeFile(file, '{"schemaVersion": 1');
    await expect(readShare(file)).rejects.toThrow(/share-0\.json is not a share result/);
  });
});

describe('npm run load:merge', () => {
  const MERGE = join(ROOT, 'scripts', 'load-merge.ts');
  const GATE = join(ROOT, 'scripts', 'test-performance.ts');
  let config: string;
  beforeAll(async () => {
    config = await writeLoadConfig(dir, 100, '4s');
  });

  const shares = (env: NodeJS.ProcessEnv = {}) =>
    runScript(
      MERGE,
      ['--local-shares', '2', '--scenario', 'average-load', '--config', config, '--profile', 'smoke'],
      env,
    );
  const single = (env: NodeJS.ProcessEnv = {}) =>
    runScript(GATE, ['--config', config, '--profile', 'smoke', '--suite', 'load'], env);
  const slow = { TARGET_FAULTS: JSON.stringify({ latency: [{ route: '/api/*', ms: 350 }] }) };

  it('two local shares pass and fail the same thresholds as one run', async () => {
    const [two, one] = [await shares(), await single()];
    expect(two.code, two.stdout + two.stderr).toBe(0);
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(two.stdout).toMatch(/share 0 of 2 .*: 200 requests/);
    expect(two.stdout).toMatch(/share 1 of 2 .*: 200 requests/);
    const failing = (out: string) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('FAIL '))
        .map((l) => l.replace(/\s+[\d.,]+ (ms|%)$/, '').replace(/\s+/g, ' '))
        .sort();
    const [twoSlow, oneSlow] = [await shares(slow), await single(slow)];
    expect(twoSlow.code).toBe(1);
    expect(oneSlow.code).toBe(1);
    expect(failing(twoSlow.stdout).length).toBeGreaterThan(0);
    expect(failing(twoSlow.stdout)).toEqual(failing(oneSlow.stdout));
  }, 180_000);

  it('refuses a set of shares that is not one run, exit 2 naming the files', async () => {
    const r = new Recorder();
    const make = (index: number, runId: string) =>
      shareResult({
        runId,
        scenario: 'average-load',
        definition: constant,
        share: { index, of: 2 },
        baseUrl: 'http://127.0.0.1:1',
        startedAt: '2026-12-06T00:00:00.000Z',
        elapsedMs: 1,
        recorder: r.toState(),
      });
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writeFile(a, JSON.stringify(make(0, 'run-a')));
    await writeFile(b, JSON.stringify(make(1, 'run-b')));
    const run = await runScript(MERGE, ['--config', config, a, b]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/b\.json and .*a\.json are of different runs \(run-b vs run-a\)/);
  });

  it('leaves no share or target running when load:merge itself is killed with -9', async () => {
    // A longer run than the others, so the kill lands while the shares send.
    const long = await writeLoadConfig(await mkdtemp(join(dir, 'kill-')), 100, '60s');
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MERGE,
        '--local-shares',
        '2',
        '--scenario',
        'average-load',
        '--config',
        long,
        '--profile',
        'smoke',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, BASE_URL: '', TARGET_FAULTS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    parent.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    for (let i = 0; i < 300 && (stdout.match(/waiting at the start barrier/g) ?? []).length < 2; i++)
      await sleep(100);
    // Its children: the two shares and the embedded target.
    const children = childrenOf(parent.pid as number);
    expect(children.filter((c) => c.args.includes('load-share.ts')).length).toBe(2);
    expect(children.filter((c) => c.args.includes('target/main.ts')).length).toBe(1);
    await sleep(2_000);
    parent.kill('SIGKILL');
    let left = children.filter((c) => isAlive(c.pid));
    for (let i = 0; i < 100 && left.length; i++) {
      await sleep(100);
      left = children.filter((c) => isAlive(c.pid));
    }
    expect(left).toEqual([]);
  }, 60_000);
});

/** The processes whose parent is `pid`, with their command lines (ps). */
function childrenOf(pid: number): { pid: number; args: string }[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pid)
    .map((m) => ({ pid: Number(m[1]), args: m[3] as string }));
}
