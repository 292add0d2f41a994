import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HISTORY_OPTIONS,
  type HistoryPoint,
  judgeAgainstHistory,
  machineAdjusted,
} from '../core/history-verdict.ts';
import { seededRandom } from '../core/random.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** A night with its noise in standard deviations (|noise| > 3: a night a 3-sd limit should flag). */
type Night = HistoryPoint & { noise: number };

/**
 * Nightly runs on machines whose speed varies ±15 % (uniform in [0.85, 1.15]): a time of 300 ms
 * × speed^−b with 2 % noise, × `step` from night index `stepFrom` on. Seeded.
 */
function nights(seed: number, b: number, count: number, stepFrom = count, step = 1.25): Night[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const speed = 0.85 + 0.3 * random();
    const noise = normal();
    const value = 300 * speed ** -b * (1 + 0.02 * noise) * (i >= stepFrom ? step : 1);
    const startedAt = new Date(Date.UTC(2025, 0, i + 1)).toISOString();
    return { id: `run-${i}`, startedAt, value, speed, noise };
  });
}

const point = (value: number, speed: number | null = null, i = 0): HistoryPoint => ({
  id: `run-${i}`,
  startedAt: '2025-01-01T00:00:00.000Z',
  value,
  speed,
});

const withoutSpeed = (points: HistoryPoint[]) => points.map((p) => ({ ...p, speed: null }));

/** Night i against the nights before it. */
const judgeNight = (points: HistoryPoint[], i: number) =>
  judgeAgainstHistory(points[i] as HistoryPoint, points.slice(0, i), 'lower', 'log');

describe('judgeAgainstHistory on nights of varying machine speed', () => {
  // k = 3 reads as a one-sided tail of 0.135 %: about 0.4 false alarms in 300 judgements. A night
  // whose own noise is beyond 3 sd is one the limit exists to flag, so it is not counted.
  it.each([1, 1.5])('raises at most 1 false alarm in 20 seeds × 15 normal nights (time ∝ speed^−%s)', (b) => {
    const falseAlarms: string[] = [];
    let judged = 0;
    for (const seed of SEEDS) {
      const points = nights(seed, b, 20);
      for (let i = 5; i < 20; i++) {
        const judgement = judgeNight(points, i);
        if (judgement.status !== 'insufficient') judged++;
        if (judgement.status === 'outside' && Math.abs((points[i] as Night).noise) <= 3)
          falseAlarms.push(`seed ${seed} night ${i}: ${judgement.reason}`);
      }
    }
    expect(falseAlarms.length, falseAlarms.join('\n')).toBeLessThanOrEqual(1);
    // Almost every night is judged: the speed-range check rarely applies inside ±15 %.
    expect(judged).toBeGreaterThan(0.95 * 20 * 15);
  });

  it.each([1, 1.5])('flags the first night of a sustained +25 % step, on all 20 seeds (b = %s)', (b) => {
    for (const seed of SEEDS) {
      const points = nights(seed, b, 25, 20);
      const judgement = judgeNight(points, 20);
      expect(judgement.status, `seed ${seed}: ${judgement.reason}`).toBe('outside');
      expect(judgement.runs).toBe(20);
      expect(judgement.reason).toMatch(/^above the limit of the last 20 runs \(.* on this machine \+ /);
    }
  });

  it('fits the elasticity of the time on the speed (slope ≈ −b)', () => {
    for (const b of [1, 1.5]) {
      for (const seed of SEEDS.slice(0, 5)) {
        const points = nights(seed, b, 21);
        expect(judgeNight(points, 20).slope).toBeCloseTo(-b, 0);
      }
    }
  });

  it('needs the adjustment: without speeds the spread is 3× wider and the step is missed on most seeds', () => {
    let missedRaw = 0;
    for (const seed of SEEDS) {
      const points = nights(seed, 1, 21, 20);
      const adjusted = judgeNight(points, 20);
      const raw = judgeNight(withoutSpeed(points), 20);
      expect(raw.slope).toBe(0);
      expect(adjusted.spread as number).toBeLessThan((raw.spread as number) / 3);
      expect(adjusted.status).toBe('outside');
      if (raw.status !== 'outside') missedRaw++;
    }
    expect(missedRaw).toBeGreaterThanOrEqual(10);
  });

  it('expects a slower machine to be slower: the center follows the speed', () => {
    const points = nights(3, 1, 21);
    const history = points.slice(0, 20);
    const slow = judgeAgainstHistory({ value: 300, speed: 0.9 }, history, 'lower', 'log');
    const fast = judgeAgainstHistory({ value: 300, speed: 1.1 }, history, 'lower', 'log');
    expect(slow.center as number).toBeGreaterThan(320);
    expect(fast.center as number).toBeLessThan(285);
  });
});

describe('judgeAgainstHistory: too little history', () => {
  it('is insufficient with fewer than minRuns earlier runs', () => {
    const judgement = judgeAgainstHistory({ value: 300, speed: 1 }, nights(1, 1, 3), 'lower', 'log');
    expect(judgement).toMatchObject({ status: 'insufficient', runs: 3, center: null, limit: null });
    expect(judgement.reason).toBe(
      'only 3 earlier runs on record (5 needed): run the nightly gate more often before history can judge',
    );
  });

  it('is insufficient on a machine far outside the speeds of the history, naming both', () => {
    const history = Array.from({ length: 20 }, (_, i) =>
      point(1000 / (3.5 + (0.6 * i) / 19), 3.5 + (0.6 * i) / 19, i),
    );
    const judgement = judgeAgainstHistory({ value: 345, speed: 2.9 }, history, 'lower', 'log');
    expect(judgement.status).toBe('insufficient');
    expect(judgement.reason).toBe(
      'no run in the history on a machine like this one: speed 2.9 vs 3.5–4.1 in the last 20 runs',
    );
    // Within the tolerance (10 % below the slowest) it is judged.
    expect(judgeAgainstHistory({ value: 300, speed: 3.2 }, history, 'lower', 'log').status).toBe('within');
  });

  it('uses the last `runs` points and skips non-positive times', () => {
    const points = nights(5, 1, 30);
    expect(judgeNight(points, 29).runs).toBe(DEFAULT_HISTORY_OPTIONS.runs);
    const broken = [...points.slice(0, 4), point(0, 1), point(-1, 1)];
    expect(judgeAgainstHistory({ value: 300, speed: 1 }, broken, 'lower', 'log').status).toBe('insufficient');
    expect(judgeAgainstHistory({ value: 300, speed: 1 }, broken, 'lower', 'linear').runs).toBe(6);
  });
});

describe('judgeAgainstHistory: scales and directions', () => {
  it("judges a rate on the 'linear' scale around its median, without the machine", () => {
    const random = seededRandom(11);
    const history = Array.from({ length: 20 }, (_, i) =>
      point(0.01 + 0.002 * (random() - 0.5), 0.85 + 0.3 * random(), i),
    );
    const high = judgeAgainstHistory({ value: 0.05, speed: 2 }, history, 'lower', 'linear');
    expect(high).toMatchObject({ status: 'outside', slope: null, runs: 20 });
    expect(high.center as number).toBeCloseTo(0.01, 2);
    // The noise is ±0.001: the limit is a few spreads above the median, not a multiple of it.
    expect((high.limit as number) - (high.center as number)).toBeGreaterThan(0.001);
    expect((high.limit as number) - (high.center as number)).toBeLessThan(0.005);
    expect(high.reason).toMatch(/^above the limit of the last 20 runs \(0\.05 > .* = median /);
    expect(judgeAgainstHistory({ value: 0.0105, speed: null }, history, 'lower', 'linear').status).toBe(
      'within',
    );
  });

  it("mirrors the limit when higher is better (a score falling is 'outside', rising is not)", () => {
    const history = nights(7, 0, 20).map((p) => ({ ...p, value: p.value / 300 }));
    const fall = judgeAgainstHistory({ value: 0.75, speed: 1 }, history, 'higher', 'log');
    expect(fall.status).toBe('outside');
    expect(fall.limit as number).toBeLessThan(fall.center as number);
    expect(fall.reason).toMatch(/^below the limit of the last 20 runs \(0\.75 < .* − /);
    expect(judgeAgainstHistory({ value: 1.25, speed: 1 }, history, 'higher', 'log').status).toBe('within');
    // The same fall is fine when lower is better.
    expect(judgeAgainstHistory({ value: 0.75, speed: 1 }, history, 'lower', 'log').status).toBe('within');
  });

  it('judges a constant history with the floor of the spread: equal is within, +25 % is not', () => {
    const history = Array.from({ length: 20 }, (_, i) => point(300, 1, i));
    const same = judgeAgainstHistory({ value: 300, speed: 1 }, history, 'lower', 'log');
    expect(same).toMatchObject({ status: 'within', spread: 0.01 });
    expect(same.center).toBeCloseTo(300, 9);
    expect(same.reason).toMatch(/^within the limit of the last 20 runs \(300 ≤ /);
    expect(judgeAgainstHistory({ value: 375, speed: 1 }, history, 'lower', 'log').status).toBe('outside');
    const rates = Array.from({ length: 20 }, (_, i) => point(0, null, i));
    expect(judgeAgainstHistory({ value: 0, speed: null }, rates, 'lower', 'linear').status).toBe('within');
  });

  it('writes the unit when given one, and does not claim a machine adjustment without speeds', () => {
    const history = withoutSpeed(nights(2, 1, 20));
    const judgement = judgeAgainstHistory({ value: 600, speed: 1 }, history, 'lower', 'log', { unit: 'ms' });
    expect(judgement.reason).toMatch(
      /^above the limit of the last 20 runs \(600 ms > [\d.]+ ms = expected [\d.]+ ms \+ /,
    );
    expect(judgement.reason).not.toContain('this machine');
  });
});

describe('machineAdjusted', () => {
  it('brings every night to the median speed, which shrinks the spread of a varying machine', () => {
    const points = nights(4, 1, 21);
    const adjusted = machineAdjusted(points, 'log');
    const spreadOf = (values: number[]) => Math.max(...values) / Math.min(...values);
    expect(spreadOf(adjusted)).toBeLessThan(1.15);
    expect(spreadOf(points.map((p) => p.value))).toBeGreaterThan(1.25);
    // 21 points: the median speed is one of them, so that night keeps its value.
    const median = [...points].sort((a, b) => (a.speed as number) - (b.speed as number))[10] as Night;
    expect(adjusted[points.indexOf(median)]).toBeCloseTo(median.value, 9);
  });

  it("leaves values without a speed, and the 'linear' scale, as they are", () => {
    const points = nights(4, 1, 21);
    (points[3] as HistoryPoint).speed = null;
    expect(machineAdjusted(points, 'log')[3]).toBe(points[3]?.value);
    expect(machineAdjusted(points, 'linear')).toEqual(points.map((p) => p.value));
    expect(machineAdjusted(withoutSpeed(points), 'log')).toEqual(points.map((p) => p.value));
  });
});
