/**
 * The capacity check's pure parts on plain data: a step judged alone, the search converging on
 * a known knee, the headroom over a DAU peak, lost capacity as a regression, and the USL fit
 * recovering known parameters.
 */
import { describe, expect, it } from 'vitest';
import {
  capacityOutcome,
  compareCapacity,
  judgeHeadroom,
  judgeStep,
  kneeOf,
  nextRate,
  roundRate,
  type SearchOptions,
  type StepMeasure,
  type StepStatus,
  stepTargetsOf,
  type TriedStep,
  uslPointsOf,
} from '../core/capacity.ts';
import { DEFAULT_DEMAND, describeDemand, peakRps } from '../core/demand.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { fitUsl, uslThroughput } from '../core/usl.ts';

const TARGETS = { p95Ms: 200, p99Ms: 500, errorRate: 0.005 };
const good: StepMeasure = {
  offeredRps: 100,
  achievedRps: 99.5,
  requests: 1_990,
  failed: 2,
  dropped: 0,
  p50Ms: 20,
  p95Ms: 150,
  p99Ms: 400,
  meanMs: 30,
};

describe('a step, judged on its own plateau', () => {
  it('passes within every target', () => {
    expect(judgeStep(good, TARGETS)).toEqual({ status: 'pass', reasons: [] });
  });

  it('fails on each target, naming it; collapses past 5 % errors or 10× the P95 target', () => {
    expect(judgeStep({ ...good, p95Ms: 201 }, TARGETS)).toEqual({
      status: 'fail',
      reasons: ['P95 201 ms > 200 ms'],
    });
    expect(judgeStep({ ...good, p99Ms: 600 }, TARGETS).reasons).toEqual(['P99 600 ms > 500 ms']);
    expect(judgeStep({ ...good, failed: 20 }, TARGETS)).toEqual({
      status: 'fail',
      reasons: ['errors 1.0 % > 0.50 %'],
    });
    expect(judgeStep({ ...good, dropped: 40 }, TARGETS).reasons).toEqual([
      '40 of 2030 iterations dropped (2.0 %)',
    ]);
    expect(judgeStep({ ...good, achievedRps: 90 }, TARGETS).reasons).toEqual(['carried 90 of 100 req/s']);
    expect(judgeStep({ ...good, failed: 200 }, TARGETS).status).toBe('collapse');
    expect(judgeStep({ ...good, p95Ms: 2_001 }, TARGETS).status).toBe('collapse');
    expect(judgeStep({ ...good, p95Ms: 1_999 }, TARGETS).status).toBe('fail');
    expect(judgeStep({ ...good, requests: 0, failed: 0 }, TARGETS).status).toBe('collapse');
  });

  it('a generator that could not keep the schedule makes the step inconclusive, whatever it measured', () => {
    const verdict = judgeStep(
      {
        ...good,
        p95Ms: 5_000,
        generatorBound: 'generator-bound at 9,000 req/s: add workers or run distributed',
      },
      TARGETS,
    );
    expect(verdict).toEqual({
      status: 'generator-bound',
      reasons: ['generator-bound at 9,000 req/s: add workers or run distributed'],
    });
  });
});

const SEARCH: SearchOptions = { startRps: 50, growth: 2, resolution: 0.05, maxRps: 20_000, minRps: 5 };

/** Runs the search against a platform that carries exactly `knee` req/s and collapses at 3×. */
function search(knee: number, options = SEARCH): TriedStep[] {
  const steps: TriedStep[] = [];
  for (let rate = nextRate(steps, options); rate !== undefined; rate = nextRate(steps, options)) {
    const status: StepStatus = rate <= knee ? 'pass' : rate > 3 * knee ? 'collapse' : 'fail';
    steps.push({ rate, status });
    if (steps.length > 50) throw new Error('the search does not end');
  }
  return steps;
}

describe('the search', () => {
  it.each([100, 400, 1_000, 1_840, 7_777])('finds a knee of %d req/s within the resolution', (knee) => {
    const steps = search(knee);
    const found = kneeOf(steps, SEARCH);
    expect(found.bound).toBe('found');
    expect(found.capacityRps).toBeLessThanOrEqual(knee);
    expect(found.capacityRps).toBeGreaterThanOrEqual(knee / (1 + SEARCH.resolution));
    expect(found.resolution).toBeLessThanOrEqual(SEARCH.resolution);
    // Geometric growth then bisection: a handful of steps, not a ramp of hundreds.
    expect(steps.length).toBeLessThanOrEqual(Math.ceil(Math.log2(knee / SEARCH.startRps)) + 8);
  });

  it('grows geometrically from the start, then bisects between the last pass and the first failure', () => {
    expect(search(1_000).map((s) => `${s.rate} ${s.status}`)).toEqual([
      '50 pass',
      '100 pass',
      '200 pass',
      '400 pass',
      '800 pass',
      '1600 fail',
      '1130 fail',
      '951 pass',
      '1040 fail',
      '995 pass',
    ]);
  });

  it('stops at maxRps when it still passes, and at minRps when even that fails', () => {
    const high = search(1e9, { ...SEARCH, maxRps: 1_000 });
    expect(high.at(-1)).toEqual({ rate: 1_000, status: 'pass' });
    expect(kneeOf(high, { ...SEARCH, maxRps: 1_000 })).toEqual({ capacityRps: 1_000, bound: 'above-max' });
    const low = search(2);
    expect(low.map((s) => s.rate)).toEqual([50, 25, 12.5, 6.25, 5]);
    expect(kneeOf(low, SEARCH)).toMatchObject({ capacityRps: 0, bound: 'below-min' });
  });

  it('stops at once when the generator cannot keep up', () => {
    expect(
      nextRate(
        [
          { rate: 50, status: 'pass' },
          { rate: 100, status: 'generator-bound' },
        ],
        SEARCH,
      ),
    ).toBe(undefined);
  });

  it('a pass above a failure (noise) does not raise the knee', () => {
    const steps: TriedStep[] = [
      { rate: 100, status: 'pass' },
      { rate: 200, status: 'fail' },
      { rate: 400, status: 'pass' },
    ];
    expect(kneeOf(steps, SEARCH)).toMatchObject({ capacityRps: 100, failedAtRps: 200, bound: 'searching' });
    expect(nextRate(steps, SEARCH)).toBe(141);
  });

  it('rounds rates to three significant figures', () => {
    expect([roundRate(141.42), roundRate(1_131.37), roundRate(6.25), roundRate(0.4)]).toEqual([
      141, 1_130, 6.25, 1,
    ]);
  });
});

describe('demand and headroom', () => {
  it('turns daily active users into a peak rate by the stated model', () => {
    // 25,000 × 2 × 30 = 1.5 M requests a day; 10 % in the peak hour = 41.7/s; × 2 bursts.
    expect(peakRps(25_000, DEFAULT_DEMAND)).toBeCloseTo(83.333, 3);
    expect(peakRps(100_000, { ...DEFAULT_DEMAND, burstFactor: 3 })).toBeCloseTo(500, 6);
    expect(describeDemand(25_000, DEFAULT_DEMAND)).toBe(
      '25,000 DAU × 2 sessions × 30 requests, 10 % in the peak hour, bursts ×2 → 83.3 req/s',
    );
  });

  it('passes at the required multiple of the peak, fails below it', () => {
    expect(judgeHeadroom(1_840, 93.8, 25_000, 2)).toEqual({
      headroom: 1_840 / 93.8,
      status: 'pass',
      line: 'capacity 1,840 req/s = 19.6× the 25,000-DAU peak (93.8 req/s)',
    });
    expect(judgeHeadroom(150, 93.8, 25_000, 2)).toMatchObject({
      status: 'fail',
      line: 'capacity 150 req/s = 1.6× the 25,000-DAU peak (93.8 req/s): below the 2× required',
    });
  });
});

describe('against the previous capacity', () => {
  it('lost capacity beyond both resolutions and the tolerance is a regression', () => {
    const before = { capacityRps: 1_000, resolution: 0.05 };
    expect(compareCapacity({ capacityRps: 780, resolution: 0.05 }, before, 0.1)).toMatchObject({
      status: 'regression',
      line: '780 req/s against 1,000 before (−22.0 %; beyond ±20.0 % counts)',
    });
    expect(compareCapacity({ capacityRps: 800, resolution: 0.05 }, before, 0.1).status).toBe('pass');
    expect(compareCapacity({ capacityRps: 810, resolution: 0.04 }, before, 0.1).status).toBe('pass');
    expect(compareCapacity({ capacityRps: 1_300, resolution: 0.05 }, before, 0.1).status).toBe('improved');
  });
});

describe('the USL fit', () => {
  it('recovers known parameters and their peak', () => {
    const truth = { gamma: 100, alpha: 0.05, beta: 0.001 };
    const fit = fitUsl(
      [1, 2, 4, 8, 16, 32, 48, 64].map((n) => ({ concurrency: n, throughput: uslThroughput(n, truth) })),
    );
    expect(fit?.gamma).toBeCloseTo(100, 4);
    expect(fit?.alpha).toBeCloseTo(0.05, 6);
    expect(fit?.beta).toBeCloseTo(0.001, 7);
    expect(fit?.peakConcurrency).toBeCloseTo(Math.sqrt(0.95 / 0.001), 3);
    expect(fit?.rSquared).toBeCloseTo(1, 9);
    expect(fit?.warning).toBeUndefined();
  });

  it('a platform that saturates at K/S: the fitted maximum lies near it', () => {
    // K = 10 in flight at S = 10 ms: at most 1,000 req/s; latency climbs as the rate nears it.
    const steps = [100, 200, 400, 600, 800, 900, 1_000, 1_100, 1_300].map((rate) => {
      const x = Math.min(rate, 1_000);
      const r = rate < 1_000 ? 0.01 * (1 + (rate / 1_000) ** 8) : 0.01 * (1 + (rate - 1_000) / 100);
      return { concurrency: x * r, throughput: x };
    });
    const fit = fitUsl(steps);
    expect(fit?.maxThroughput).toBeGreaterThan(850);
    expect(fit?.maxThroughput).toBeLessThan(1_150);
  });

  it('warns with fewer than 6 steps or a poor fit; needs 3', () => {
    const few = fitUsl([1, 2, 4, 8].map((n) => ({ concurrency: n, throughput: 10 * n })));
    expect(few?.warning).toMatch(/only 4 steps \(the USL needs at least 6 to be trusted\)/);
    const noisy = fitUsl(
      [1, 2, 3, 4, 5, 6, 7].map((n, i) => ({ concurrency: n, throughput: i % 2 ? 500 : 10 })),
    );
    expect(noisy?.warning).toMatch(/a poor fit \(R² -?\d\.\d\d < 0\.9\)/);
    expect(
      fitUsl([
        { concurrency: 1, throughput: 10 },
        { concurrency: 2, throughput: 20 },
      ]),
    ).toBeUndefined();
  });
});

describe('the answer', () => {
  const found = { capacityRps: 400, failedAtRps: 418, resolution: 0.045, bound: 'found' as const };
  const enough = judgeHeadroom(400, 83.3, 25_000, 2);
  const short = judgeHeadroom(150, 83.3, 25_000, 2);

  it('0 with headroom, 1 short of it or with capacity lost, 2 when the generator was the limit short of it', () => {
    expect(capacityOutcome(found, undefined, enough, undefined, undefined)).toEqual({
      exitCode: 0,
      line: 'PASS: capacity 400 req/s = 4.8× the 25,000-DAU peak (83.3 req/s)',
    });
    expect(capacityOutcome(found, undefined, short, undefined, undefined).exitCode).toBe(1);
    const lost = compareCapacity({ capacityRps: 400 }, { capacityRps: 800 }, 0.1);
    expect(capacityOutcome(found, undefined, enough, undefined, lost)).toMatchObject({
      exitCode: 1,
      line: expect.stringMatching(/^FAIL: capacity lost: 400 req\/s against 800 before/),
    });
    expect(capacityOutcome(found, undefined, short, 'generator-bound at 9,000 req/s: …', undefined)).toEqual({
      exitCode: 2,
      line: 'INCONCLUSIVE: generator-bound at 9,000 req/s: …',
    });
    // What was carried before the generator's limit already suffices: a lower bound that answers.
    expect(
      capacityOutcome(found, 'generator-bound', enough, 'generator-bound at 800 req/s: …', undefined),
    ).toMatchObject({
      exitCode: 0,
      line: expect.stringMatching(
        /^PASS: .*\(at least: the generator reached its limit first — generator-bound at 800/,
      ),
    });
  });

  it('a search cut short answers when its lower bound suffices, and cannot tell when it does not', () => {
    const partial = { capacityRps: 400, bound: 'searching' as const };
    expect(capacityOutcome(partial, 'time-budget', enough, undefined, undefined)).toMatchObject({
      exitCode: 0,
      line: expect.stringMatching(/\(at least: the search ended early\)$/),
    });
    expect(
      capacityOutcome({ ...partial, capacityRps: 150 }, 'time-budget', short, undefined, undefined),
    ).toMatchObject({
      exitCode: 2,
      line: expect.stringMatching(
        /^CANNOT TELL: the search ended early \(time-budget\) .*raise capacity\.timeBudget$/,
      ),
    });
  });

  it("a step's targets are the milestone's API P95, P99 and error rate", async () => {
    const targets = await loadTargets('baselines/targets.json');
    expect(stepTargetsOf(milestoneTargets(targets, 'month-1').api)).toEqual({
      p95Ms: 300,
      p99Ms: 500,
      errorRate: 0.005,
    });
    expect(stepTargetsOf(milestoneTargets(targets, 'kpi').api)).toEqual({
      p95Ms: 200,
      p99Ms: undefined,
      errorRate: 0.005,
    });
    expect(stepTargetsOf(milestoneTargets(targets, 'week-1').api)).toBeUndefined();
  });
});

describe('the README', () => {
  it('its capacity example is a valid config with the defaults it quotes', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseConfig } = await import('../core/config.ts');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const match = readme.match(/```ts\ncapacity: (\{[\s\S]*?\n\}),\n```/);
    if (!match) throw new Error('README has no ```ts capacity: { … } example');
    const example = new Function(`return (${match[1]});`)();
    const config = parseConfig({ capacity: example }, 'README.md');
    expect(config.capacity).toEqual(parseConfig({}, 'perf.config.ts').capacity);
    expect(peakRps(config.capacity.dau, config.capacity.demand)).toBeCloseTo(83.33, 2);
  });
});

describe('the USL points', () => {
  it("are the steady steps' Little's-law concurrency and throughput; collapsed and generator-bound steps stay out", () => {
    const step = (status: StepStatus, achievedRps: number, meanMs: number) => ({
      status,
      achievedRps,
      meanMs,
    });
    expect(
      uslPointsOf([
        step('pass', 100, 20),
        step('fail', 400, 250),
        step('collapse', 390, 4_000),
        step('generator-bound', 800, 1),
        step('pass', 0, Number.NaN),
      ]),
    ).toEqual([
      { concurrency: 2, throughput: 100 },
      { concurrency: 100, throughput: 400 },
    ]);
  });
});
