import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import {
  type Bin,
  choose,
  mannWhitneyGreater,
  proportionDifferenceInterval,
  proportionGreater,
  quantileGreater,
  quantileInterval,
  quantileOf,
  shiftInterval,
  smallestQuantileP,
  smallestUTestP,
  uStatistic,
} from '../core/stats.ts';

/** Seeded, so every simulation here gives the same figures on every run. */
const random = seededRandom;

const exponential = (next: () => number, mean: number) => -Math.log(1 - next()) * mean;

/** The permutation test by brute force: every way to pick which pooled values are x. */
function bruteForceP(x: number[], y: number[]): number {
  const pooled = [...x, ...y];
  const observed = uStatistic(x, y);
  let total = 0;
  let atLeast = 0;
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === x.length) {
      const xs = chosen.map((i) => pooled[i] as number);
      const ys = pooled.filter((_, i) => !chosen.includes(i));
      total++;
      if (uStatistic(xs, ys) >= observed - 1e-9) atLeast++;
      return;
    }
    for (let i = start; i < pooled.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return atLeast / total;
}

function binsOf(values: number[]): Bin[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count }));
}

describe('Mann-Whitney U', () => {
  it('gives the textbook exact p when every x is above every y', () => {
    expect(mannWhitneyGreater([4, 5, 6], [1, 2, 3])).toEqual({ u: 9, p: 1 / 20, exact: true });
    expect(smallestUTestP(3, 3)).toBe(1 / 20);
    expect(smallestUTestP(5, 5)).toBeCloseTo(1 / 252, 12);
  });

  it('matches the brute-force permutation test, with and without ties', () => {
    const next = random(7);
    for (let trial = 0; trial < 30; trial++) {
      const n1 = 2 + Math.floor(next() * 5);
      const n2 = 2 + Math.floor(next() * 5);
      // Values on a coarse grid so ties are common, as in request counts or rounded timings.
      const draw = () => Math.floor(next() * (trial % 2 ? 4 : 1000));
      const x = Array.from({ length: n1 }, draw);
      const y = Array.from({ length: n2 }, draw);
      expect(mannWhitneyGreater(x, y).p).toBeCloseTo(bruteForceP(x, y), 10);
    }
  });

  it('handles zero variance: all equal is p = 1, a clean step between constants is significant', () => {
    expect(mannWhitneyGreater([12, 12, 12, 12, 12], [12, 12, 12, 12, 12]).p).toBe(1);
    expect(mannWhitneyGreater([13, 13, 13, 13, 13], [12, 12, 12, 12, 12]).p).toBeCloseTo(1 / 252, 12);
    // Large samples go through the normal approximation: still no division by zero.
    const same = Array.from({ length: 30 }, () => 7);
    expect(mannWhitneyGreater(same, same)).toMatchObject({ p: 1, exact: false });
    expect(
      mannWhitneyGreater(
        same.map((v) => v + 1),
        same,
      ).p,
    ).toBeLessThan(1e-9);
  });

  it('keeps its false-positive rate at alpha and detects a 25 % shift (normal approximation, n = 30)', () => {
    const next = random(11);
    let falsePositives = 0;
    let detected = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const base = Array.from({ length: 30 }, () => 100 + exponential(next, 20));
      const same = Array.from({ length: 30 }, () => 100 + exponential(next, 20));
      const slower = Array.from({ length: 30 }, () => 125 + exponential(next, 25));
      if (mannWhitneyGreater(same, base).p <= 0.05) falsePositives++;
      if (mannWhitneyGreater(slower, base).p <= 0.01) detected++;
    }
    expect(falsePositives / trials).toBeLessThan(0.08);
    expect(detected / trials).toBeGreaterThan(0.95);
  });

  it('gives a Hodges-Lehmann shift and an interval that holds the true shift', () => {
    const y = [10, 12, 15, 11, 14, 13, 16, 10, 12, 13];
    const x = y.map((v) => v + 10);
    const { estimate, interval } = shiftInterval(x, y, 0.01);
    expect(estimate).toBe(10);
    expect(interval[0]).toBeLessThanOrEqual(10);
    expect(interval[1]).toBeGreaterThanOrEqual(10);
    // Three against three cannot bound a 99 % interval.
    expect(shiftInterval([1, 2, 3], [4, 5, 6], 0.01).interval).toEqual([null, null]);
  });
});

describe('percentiles from histograms', () => {
  it('reads the nearest-rank quantile and an interval that covers the true one at 1 − alpha', () => {
    expect(quantileOf(binsOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.95)).toBe(10);
    const next = random(3);
    // Exponential with mean 10: the true P95 is 10 × ln 20.
    const truth = 10 * Math.log(20);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const bins = binsOf(Array.from({ length: 500 }, () => Math.round(exponential(next, 10) * 1000) / 1000));
      const [low, high] = quantileInterval(bins, 0.95, 0.05);
      if (low !== null && high !== null && low <= truth && truth <= high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
  });

  it('flags a shifted P95 and keeps identical distributions under alpha', () => {
    const next = random(5);
    let falsePositives = 0;
    let detected = 0;
    const trials = 100;
    const sample = (scale: number) =>
      binsOf(Array.from({ length: 2000 }, () => Math.round((40 + exponential(next, 2)) * scale * 10) / 10));
    for (let t = 0; t < trials; t++) {
      const base = sample(1);
      if (quantileGreater(sample(1), base, 0.95) <= 0.05) falsePositives++;
      if (quantileGreater(sample(1.25), base, 0.95) <= 0.01) detected++;
    }
    expect(falsePositives / trials).toBeLessThanOrEqual(0.05);
    expect(detected).toBe(trials);
  });

  it('is consistent with the intervals: significant exactly when they separate', () => {
    const next = random(9);
    for (let t = 0; t < 50; t++) {
      const a = binsOf(Array.from({ length: 300 }, () => Math.round(exponential(next, 10))));
      const b = binsOf(Array.from({ length: 300 }, () => Math.round(exponential(next, 10 + (t % 5)))));
      const [, aHigh] = quantileInterval(a, 0.9, 0.01);
      const [bLow] = quantileInterval(b, 0.9, 0.01);
      const separated = aHigh !== null && bLow !== null && bLow > aHigh;
      expect(quantileGreater(b, a, 0.9) <= 0.01).toBe(separated);
    }
  });

  it('says when too few samples can never reach alpha, and handles constant histograms', () => {
    // All 100 baseline values at or below 40 is still p = 2 × 0.95^100 ≈ 0.012 for P95.
    expect(smallestQuantileP(100, 100, 0.95)).toBeGreaterThan(0.01);
    expect(smallestQuantileP(200, 200, 0.95)).toBeLessThan(0.01);
    const forty = [{ value: 40, count: 200 }];
    const fifty = [{ value: 50, count: 200 }];
    expect(quantileGreater(forty, forty, 0.95)).toBe(1);
    expect(quantileGreater(fifty, forty, 0.95)).toBeLessThan(0.01);
    expect(quantileGreater(forty, fifty, 0.95)).toBe(1);
  });
});

describe('rates', () => {
  it("is Fisher's exact test", () => {
    // P(X ≥ 5) for 5 trues among 20, 10 drawn: C(10,5) / C(20,5).
    expect(proportionGreater(5, 10, 0, 10)).toBeCloseTo(choose(10, 5) / choose(20, 5), 10);
    expect(proportionGreater(0, 100, 0, 100)).toBe(1);
    expect(proportionGreater(0, 100, 5, 100)).toBe(1);
  });

  it("gives Newcombe's interval (his 1998 example: 56/70 − 48/80)", () => {
    const [low, high] = proportionDifferenceInterval(56, 70, 48, 80, 0.05);
    expect(low).toBeCloseTo(0.0524, 3);
    expect(high).toBeCloseTo(0.3339, 3);
    // Sound at zero: no errors before or after still gives a finite interval around 0.
    const [zLow, zHigh] = proportionDifferenceInterval(0, 1000, 0, 1000, 0.01);
    expect(zLow).toBeLessThan(0);
    expect(zHigh).toBeGreaterThan(0);
  });
});
