/** The load suite against the embedded target: passes when clean, fails for the right reason. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProfile } from '../core/config.ts';
import { assembleResult, runSuites } from '../core/pipeline.ts';
import type { RunResult, TrendMetric } from '../core/results.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { runAcrossWorkers, runEngine } from '../load/engines/run.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { guardRemote, type LoadSettings, loadSuite } from '../load/suite.ts';
import { type FaultInput, parseFaults } from '../target/faults.ts';
import { spawnTarget } from '../target/process.ts';
import type { RunningTarget } from '../target/server.ts';
import { withTarget } from './helpers.ts';

let running: RunningTarget;
beforeAll(async () => {
  running = await withTarget();
});
afterAll(() => running.close());
const setFaults = (faults: FaultInput) => running.target.applyFaults(parseFaults(faults, 'test'));

const PROFILE: LoadProfile = {
  scenarios: ['average-load'],
  rate: 40,
  duration: '6s',
  smokeIterations: 60,
  soakDuration: '1m',
  breakpointRate: 100,
};
const settings = (profile: Partial<LoadProfile> = {}): LoadSettings => ({
  enabled: true,
  engine: 'native',
  workers: 1,
  maxConnections: 1_000,
  allowRemote: false,
  maxRemoteRate: 50,
  profile: { ...PROFILE, ...profile },
});

async function runLoad(url: string, profile: Partial<LoadProfile> = {}): Promise<RunResult> {
  const suites = await runSuites([{ suite: loadSuite, settings: settings(profile) }], {
    baseUrl: new URL(url),
    signal: new AbortController().signal,
    progress: () => ({ update: () => {}, end: () => {} }),
  });
  const milestone = milestoneTargets(await loadTargets('baselines/targets.json'), 'strictest');
  return assembleResult(
    {
      id: 'test',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: 1,
      profile: 'test',
      milestone: 'strictest',
      baseUrl: url,
      embeddedTarget: true,
      git: {},
      machine: { cpuModel: 'x', cores: 1, memoryBytes: 1, nodeVersion: 'v20', platform: 'linux' },
    },
    suites,
    milestone,
    [],
  );
}
const failing = (r: RunResult) =>
  r.verdicts.filter((v) => v.status !== 'pass').map((v) => `${v.item} ${v.metric} ${v.threshold}`);

describe('load suite on the embedded target', () => {
  it('a clean average-load at a modest rate passes, per scenario and per request name', async () => {
    setFaults({});
    const result = await runLoad(running.url);
    expect(failing(result)).toEqual([]);
    expect(result.outcome.exitCode).toBe(0);
    const items = result.suites[0]?.items ?? [];
    expect(items[0]).toMatchObject({ name: 'average-load', kind: 'scenario' });
    expect(items.map((i) => i.name)).toEqual(
      expect.arrayContaining(['average-load pitches', 'average-load trending', 'average-load request-nda']),
    );
    const total = items[0]?.metrics.http_reqs;
    expect(total?.type === 'counter' && total.total).toBe(240);
    expect(items[0]?.series?.length).toBeGreaterThanOrEqual(6);
    expect(result.verdicts.map((v) => v.metric)).toContain('http_req_duration{name:trending}');
  });

  it('+300 ms on /api/pitches fails P95 for the request name "pitches", not for the others', async () => {
    setFaults({ latency: [{ route: '/api/pitches', ms: 300 }] });
    const result = await runLoad(running.url);
    setFaults({});
    const named = (name: string) =>
      result.verdicts.find((v) => v.metric === `http_req_duration{name:${name}}`);
    expect(named('pitches')).toMatchObject({ status: 'fail', item: 'average-load pitches' });
    expect(named('pitches')?.value).toBeGreaterThan(300);
    expect(named('pitch')?.status).toBe('pass');
    expect(named('trending')?.status).toBe('pass');
    expect(result.outcome.exitCode).toBe(1);
  });

  it('a 5 % error knob fails the error-rate threshold, and the run still ends with a report', async () => {
    setFaults({ errorRate: 0.05, errorRoutes: ['/api/pitches*', '/api/trending'] });
    const result = await runLoad(running.url);
    setFaults({});
    const errors = result.verdicts.find((v) => v.item === 'average-load' && v.metric === 'http_req_failed');
    expect(errors).toMatchObject({ status: 'fail', threshold: 'rate<0.005' });
    expect(errors?.value).toBeGreaterThan(0.01);
    const failed = result.suites[0]?.items[0]?.metrics.http_req_failed;
    expect(failed?.type === 'rate' && failed.byClass?.['5xx']).toBeGreaterThan(0);
    expect(result.outcome.exitCode).toBe(1);
  });

  it('a target that goes away mid-run: errors counted by class, the run ends, the error rate fails', async () => {
    const doomed = await withTarget();
    setTimeout(() => void doomed.close(), 2500);
    const result = await runLoad(doomed.url, { duration: '5s' });
    const item = result.suites[0]?.items[0];
    const failed = item?.metrics.http_req_failed;
    expect(failed?.type === 'rate' && failed.byClass?.network).toBeGreaterThan(20);
    expect((item?.metrics.http_req_duration as TrendMetric | undefined)?.count).toBeGreaterThan(50);
    expect(
      result.verdicts.find((v) => v.item === 'average-load' && v.metric === 'http_req_failed')?.status,
    ).toBe('fail');
    expect(result.outcome.exitCode).toBe(1);
  });

  it('a target that is not there at the start cannot be measured (exit 2)', async () => {
    const result = await runLoad('http://127.0.0.1:59999');
    expect(result.suites[0]).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/setup: logging in investor1@pitchey\.test .*ECONNREFUSED/),
    });
    expect(result.outcome.exitCode).toBe(2);
  });

  it('smoke runs one VU through exactly its iterations on the closed model', async () => {
    setFaults({});
    const result = await runLoad(running.url, { scenarios: ['smoke'], smokeIterations: 200 });
    const smoke = result.suites[0]?.items[0];
    expect(smoke?.metrics.http_reqs).toMatchObject({ total: 200 });
    expect(smoke?.metrics.http_req_duration_uncorrected).toBeUndefined();
    expect(failing(result)).toEqual([]);
  });
});

const scenario = (extra: object) =>
  parseScenario({
    name: 'probe',
    executor: 'constant-arrival-rate',
    rate: 100,
    duration: '6s',
    preAllocatedVUs: 5,
    maxVUs: 5,
    gracefulStop: '5s',
    requests: [{ name: 'health', weight: 1, path: '/health' }],
    ...extra,
  } as ScenarioInput);

describe('open model', () => {
  it('a 2-s stall shows in the corrected P99 but not in the uncorrected one', async () => {
    setFaults({});
    setTimeout(() => setFaults({ stall: { ms: 2000 } }), 1500);
    const result = await runEngine({
      baseUrl: new URL(running.url),
      scenario: scenario({}),
      tokens: [],
      signal: new AbortController().signal,
    });
    setFaults({});
    const [item] = result.recorder.toItems('probe', result.elapsedMs / 1000, true);
    const corrected = item?.metrics.http_req_duration as TrendMetric;
    const uncorrected = item?.metrics.http_req_duration_uncorrected as TrendMetric;
    expect(corrected.count).toBe(600);
    expect(corrected.values.p99).toBeGreaterThan(1500);
    expect(uncorrected.values.p99).toBeLessThan(100);
    expect(uncorrected.values.max).toBeGreaterThan(1500); // the few requests caught in the stall
  });

  it('a real run at 1,000 req/s for 5 s sends 50 ± 10 % requests in every 50-ms window', async () => {
    // The target in its own process, so its work does not delay our timers.
    const child = await spawnTarget();
    try {
      const sent: number[] = [];
      const result = await runEngine({
        baseUrl: new URL(child.url),
        scenario: scenario({ rate: 1000, duration: '5s', preAllocatedVUs: 20, maxVUs: 200 }),
        tokens: [],
        signal: new AbortController().signal,
        onSend: (t) => sent.push(t),
      });
      expect(sent).toHaveLength(5000);
      const windows = new Array(100).fill(0);
      for (const t of sent) windows[Math.min(99, Math.floor(t / 50))]++;
      const outside = windows.filter((n) => n < 45 || n > 55);
      expect(outside, `windows outside 45..55: ${outside.join(', ')}`).toEqual([]);
      expect(result.recorder.dropped).toBe(0);
    } finally {
      await child.stop();
    }
  });

  it('iterations still waiting for a VU when the schedule ends are dropped, not sent or failed', async () => {
    setFaults({ latency: [{ route: '/health', ms: 100 }] });
    const started = performance.now();
    const result = await runEngine({
      baseUrl: new URL(running.url),
      scenario: scenario({ rate: 50, duration: '1s', preAllocatedVUs: 1, maxVUs: 1 }),
      tokens: [],
      signal: new AbortController().signal,
    });
    setFaults({});
    const [item] = result.recorder.toItems('probe', result.elapsedMs / 1000, true);
    const requests = item?.metrics.http_reqs;
    const sent = requests?.type === 'counter' ? requests.total : 0;
    expect(sent).toBeGreaterThanOrEqual(9);
    expect(sent).toBeLessThanOrEqual(12);
    expect(result.recorder.dropped).toBe(50 - sent);
    expect(item?.metrics.http_req_failed).toMatchObject({ passes: 0 });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('abortOnFail stops the run early and names the threshold', async () => {
    setFaults({ latency: [{ route: '/health', ms: 100 }] });
    const started = performance.now();
    const result = await runEngine({
      baseUrl: new URL(running.url),
      scenario: scenario({
        maxVUs: 50,
        duration: '20s',
        thresholds: {
          http_req_duration: [{ threshold: 'p(95)<50', abortOnFail: true, delayAbortEval: '1s' }],
        },
      }),
      tokens: [],
      signal: new AbortController().signal,
    });
    setFaults({});
    expect(performance.now() - started).toBeLessThan(8000);
    expect(result.stoppedBy).toMatch(
      /^abortOnFail: threshold "p\(95\)<50" on http_req_duration failed at \d+\.\d s/,
    );
  });

  it('two worker threads send the whole schedule between them and merge exactly', async () => {
    setFaults({});
    const result = await runAcrossWorkers(
      {
        baseUrl: new URL(running.url),
        scenario: scenario({ duration: '2s', maxVUs: 10 }),
        tokens: [],
        signal: new AbortController().signal,
      },
      2,
    );
    const [item] = result.recorder.toItems('probe', result.elapsedMs / 1000, true);
    expect(item?.metrics.http_reqs).toMatchObject({ total: 200 });
    expect((item?.metrics.http_req_duration as TrendMetric | undefined)?.count).toBe(200);
  });
});

describe('remote load', () => {
  const scenarios = [scenario({ rate: 40 })];
  it('refuses a host that is not loopback without --allow-remote', () => {
    expect(() =>
      guardRemote(new URL('https://staging.example.com'), scenarios, {
        allowRemote: false,
        maxRemoteRate: 50,
      }),
    ).toThrow(/refusing to send load to staging\.example\.com, which is not loopback: pass --allow-remote/);
    for (const host of [
      'http://127.0.0.1:8080',
      'http://localhost:1',
      'http://[::1]:80',
      'http://127.3.2.1',
    ]) {
      expect(() =>
        guardRemote(new URL(host), scenarios, { allowRemote: false, maxRemoteRate: 1 }),
      ).not.toThrow();
    }
  });

  it('caps the rate on a remote host, and refuses uncapped VU load there', () => {
    const remote = new URL('https://staging.example.com');
    expect(() => guardRemote(remote, scenarios, { allowRemote: true, maxRemoteRate: 50 })).not.toThrow();
    expect(() =>
      guardRemote(remote, [scenario({ rate: 400 })], { allowRemote: true, maxRemoteRate: 50 }),
    ).toThrow(/peaks at 400 requests\/s, above suites\.load\.maxRemoteRate \(50\)/);
    const vus = parseScenario({
      name: 'vus',
      executor: 'constant-vus',
      vus: 5,
      duration: '5s',
      requests: [{ name: 'a', weight: 1, path: '/' }],
    });
    expect(() => guardRemote(remote, [vus], { allowRemote: true, maxRemoteRate: 50 })).toThrow(
      /has no rate to cap/,
    );
  });
});
