import { describe, expect, it } from 'vitest';
import { changePoints } from '../core/changepoint.ts';
import { type HistoryPoint, machineAdjusted } from '../core/history-verdict.ts';
import { seededRandom } from '../core/random.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** Nights on machines ±15 % in speed: 300 ms × speed^−1 with 2 % noise, × `factor(i)`. Seeded. */
function nights(seed: number, count: number, factor: (i: number) => number): HistoryPoint[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const speed = 0.85 + 0.3 * random();
    return { id: `run-${i}`, startedAt: '', value: (300 / speed) * (1 + 0.02 * normal()) * factor(i), speed };
  });
}

const adjusted = (points: HistoryPoint[]) => machineAdjusted(points, 'log');

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(seededRandom(43)()).not.toBe(values[0]);
  });
});

describe('changePoints', () => {
  it('finds exactly one change point at the first night of a sustained +25 % step, on all 20 seeds', () => {
    for (const seed of SEEDS) {
      const found = changePoints(adjusted(nights(seed, 25, (i) => (i >= 20 ? 1.25 : 1))));
      expect(
        found.map((c) => c.index),
        `seed ${seed}`,
      ).toEqual([20]);
      const [step] = found;
      expect(step?.p).toBeLessThanOrEqual(0.01);
      expect(step?.relative).toBeGreaterThan(0.18);
      expect(step?.relative).toBeLessThan(0.32);
    }
  });

  it('finds none for one night at +40 % among normal ones, on all 20 seeds', () => {
    for (const seed of SEEDS) {
      const series = adjusted(nights(seed, 26, (i) => (i === 20 ? 1.4 : 1)));
      expect(changePoints(series), `seed ${seed}`).toEqual([]);
    }
  });

  it('finds none in normal nights, nor in a constant series', () => {
    for (const seed of SEEDS)
      expect(changePoints(adjusted(nights(seed, 25, () => 1))), `seed ${seed}`).toEqual([]);
    expect(changePoints(Array.from({ length: 30 }, () => 300))).toEqual([]);
    expect(changePoints([])).toEqual([]);
    expect(changePoints([1, 2, 3, 10, 11])).toEqual([]);
  });

  it('finds both ends of a temporary shift, with the medians between neighbouring change points', () => {
    const random = seededRandom(9);
    const series = Array.from({ length: 45 }, (_, i) => (i >= 15 && i < 30 ? 130 : 100) + random());
    const found = changePoints(series);
    expect(found.map((c) => c.index)).toEqual([15, 30]);
    expect(found[0]?.before).toBeCloseTo(100.5, 0);
    expect(found[0]?.after).toBeCloseTo(130.5, 0);
    expect(found[1]?.after).toBeCloseTo(100.5, 0);
    expect(found[0]?.relative).toBeCloseTo(0.3, 2);
  });

  it('drops shifts smaller than minRelative (5 % by default)', () => {
    const random = seededRandom(5);
    const series = Array.from({ length: 40 }, (_, i) => (i >= 20 ? 103 : 100) + 0.2 * random());
    expect(changePoints(series)).toEqual([]);
    expect(changePoints(series, { minRelative: 0.01 }).map((c) => c.index)).toEqual([20]);
  });

  it('has a null relative change from a median of 0', () => {
    const found = changePoints([
      ...Array.from({ length: 10 }, () => 0),
      ...Array.from({ length: 10 }, () => 0.02),
    ]);
    expect(found).toMatchObject([{ index: 10, before: 0, after: 0.02, relative: null }]);
  });

  it('gives the same answer for the same series and seed', () => {
    const series = adjusted(nights(3, 40, (i) => (i >= 12 ? 1.1 : 1) * (i >= 28 ? 1.2 : 1)));
    const first = changePoints(series, { seed: 7 });
    expect(first.length).toBeGreaterThan(0);
    expect(changePoints(series, { seed: 7 })).toEqual(first);
    expect(changePoints([...series], { seed: 7 })).toEqual(first);
  });
});
