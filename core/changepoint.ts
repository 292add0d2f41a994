/**
 * Sustained shifts in a series of runs (pure): E-Divisive with means (Matteson & James 2014, "A
 * Nonparametric Approach for Multiple Change Point Analysis of Multivariate Data"), the method of
 * Apache Otava (Hunter) and MongoDB's CI. Written by hand: no maintained npm package implements
 * it. Energy statistic with exponent 1, bisected hierarchically: the best split of a segment is
 * kept when a permutation test within that segment says so, then both halves are searched again.
 * The permutations draw from a seeded generator, so one series always gives one answer.
 */
import { type Random, seededRandom } from './random.ts';
import { median } from './stats.ts';

export interface ChangePoint {
  /** Index of the first point of the new segment. */
  index: number;
  /** Permutation p-value of the split. */
  p: number;
  /** Median of the segment before and after (between the neighbouring change points). */
  before: number;
  after: number;
  /** (after − before) / |before| (null when before is 0). */
  relative: number | null;
}

export interface ChangePointOptions {
  /** Significance of each split, default 0.01. */
  alpha?: number;
  /** Permutations per test, default 199. */
  permutations?: number;
  /** Smallest segment, default 3 (so one noisy night is never a change point); at least 2. */
  minSize?: number;
  /** Seed of the permutations' generator. */
  seed?: number;
  /** Change points whose |relative| is below this are dropped, default 0.05 (Hunter's min_magnitude). */
  minRelative?: number;
}

type Distances = readonly Float64Array[];

function distancesOf(series: readonly number[]): Distances {
  return series.map((x) => Float64Array.from(series, (y) => Math.abs(x - y)));
}

const at = (d: Distances, i: number, j: number) => (d[i] as Float64Array)[j] as number;

/**
 * The split of `order` (indices into the series) with the largest energy statistic
 *   Q = m·n/(m + n) · (2·between/(m·n) − left/C(m, 2) − right/C(n, 2)),
 * both sides at least minSize long. Moving one point from the right side to the left updates the
 * three sums in O(length), so a whole scan is O(length²).
 */
function bestSplit(
  d: Distances,
  order: readonly number[],
  minSize: number,
): { at: number; q: number } | null {
  const length = order.length;
  let left = 0;
  let right = 0;
  let between = 0;
  for (let i = 0; i < length; i++)
    for (let j = i + 1; j < length; j++) right += at(d, order[i] as number, order[j] as number);
  let best: { at: number; q: number } | null = null;
  for (let t = 1; t <= length - minSize; t++) {
    const moved = order[t - 1] as number;
    let toLeft = 0;
    let toRight = 0;
    for (let i = 0; i < t - 1; i++) toLeft += at(d, moved, order[i] as number);
    for (let j = t; j < length; j++) toRight += at(d, moved, order[j] as number);
    left += toLeft;
    right -= toRight;
    between += toRight - toLeft;
    if (t < minSize) continue;
    const m = t;
    const n = length - t;
    const q =
      ((m * n) / (m + n)) *
      ((2 * between) / (m * n) - left / ((m * (m - 1)) / 2) - right / ((n * (n - 1)) / 2));
    if (!best || q > best.q) best = { at: t, q };
  }
  return best;
}

function shuffle(values: number[], random: Random): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j] as number, values[i] as number];
  }
}

interface Split {
  index: number;
  p: number;
}

/** The best split of series[start, end) if the permutation test finds it significant. */
function significantSplit(
  d: Distances,
  start: number,
  end: number,
  options: Required<ChangePointOptions>,
  random: Random,
): Split | null {
  const order = Array.from({ length: end - start }, (_, i) => start + i);
  const observed = bestSplit(d, order, options.minSize);
  // Q ≤ 0: the two sides are no further apart than within themselves (a constant series).
  if (!observed || observed.q <= 0) return null;
  // A relative tolerance, so a permutation that ties with the observed split counts as one.
  const threshold = observed.q * (1 - 1e-9);
  const allowed = options.alpha * (options.permutations + 1) - 1;
  let atLeast = 0;
  for (let i = 0; i < options.permutations; i++) {
    shuffle(order, random);
    if ((bestSplit(d, order, options.minSize)?.q ?? 0) >= threshold) atLeast++;
    // Already too many: this split cannot become significant, stop permuting.
    if (atLeast > allowed) return null;
  }
  const p = (atLeast + 1) / (options.permutations + 1);
  // Too few permutations can never reach alpha.
  return p <= options.alpha ? { index: start + observed.at, p } : null;
}

/** The change points with the medians of the segments between their neighbours. */
function described(series: readonly number[], splits: readonly Split[]): ChangePoint[] {
  return splits.map((split, i) => {
    const before = median(series.slice(splits[i - 1]?.index ?? 0, split.index));
    const after = median(series.slice(split.index, splits[i + 1]?.index ?? series.length));
    return { ...split, before, after, relative: before !== 0 ? (after - before) / Math.abs(before) : null };
  });
}

/** |relative|; from a median of 0, any change is infinitely large. */
const magnitude = (c: ChangePoint) =>
  c.relative !== null ? Math.abs(c.relative) : c.after === c.before ? 0 : Number.POSITIVE_INFINITY;

/** Change points of a series of finite values, sorted by index. */
export function changePoints(series: readonly number[], options: ChangePointOptions = {}): ChangePoint[] {
  const settings: Required<ChangePointOptions> = {
    alpha: options.alpha ?? 0.01,
    permutations: options.permutations ?? 199,
    // C(m, 2) divides: a segment of one point has no within-segment distance.
    minSize: Math.max(2, Math.floor(options.minSize ?? 3)),
    seed: options.seed ?? 1,
    minRelative: options.minRelative ?? 0.05,
  };
  const d = distancesOf(series);
  const random = seededRandom(settings.seed);
  const splits: Split[] = [];
  const bisect = (start: number, end: number) => {
    if (end - start < 2 * settings.minSize) return;
    const split = significantSplit(d, start, end, settings, random);
    if (!split) return;
    splits.push(split);
    bisect(start, split.index);
    bisect(split.index, end);
  };
  bisect(0, series.length);
  splits.sort((a, b) => a.index - b.index);
  // Drop the smallest shift below minRelative, one at a time: its neighbours' segments then merge
  // and their medians change, so the rest are measured again.
  for (;;) {
    const points = described(series, splits);
    const weakest = points.reduce<ChangePoint | null>(
      (w, c) => (magnitude(c) < settings.minRelative && (!w || magnitude(c) < magnitude(w)) ? c : w),
      null,
    );
    if (!weakest) return points;
    splits.splice(points.indexOf(weakest), 1);
  }
}
