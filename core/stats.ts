/**
 * The statistics of the regression verdict (pure). Written by hand where no npm library does it
 * right: the Mann-Whitney U test with an exact null distribution under ties (small samples of
 * journeys and Lighthouse runs tie often, e.g. a request count), its Hodges-Lehmann interval, and
 * a distribution-free comparison of percentiles from histograms. Distribution functions come
 * from stdlib. Methods after benchstat and Pinpoint (shared notes, measurement §4).
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import hypergeometricCdf from '@stdlib/stats-base-dists-hypergeometric-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Exact null distributions are used up to this many pairs; beyond, the normal approximation. */
const EXACT_MAX_PAIRS = 400;

/** C(n, k) as a float (exact up to 2^53, then close enough for probabilities). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let result = 1;
  for (let i = 1; i <= m; i++) result = (result * (n - m + i)) / i;
  return result;
}

export const median = (values: readonly number[]): number => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Sizes of the runs of equal values in the pooled, sorted samples. */
function tieGroups(pooled: number[]): number[] {
  const sorted = [...pooled].sort((a, b) => a - b);
  const sizes: number[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    sizes.push(j - i);
    i = j;
  }
  return sizes;
}

/** U of `x` over `y`: pairs with x > y, plus half the ties. */
export function uStatistic(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

/**
 * The exact null distribution of 2U for n1 values of x among tie groups: every choice of which
 * pooled values are x is equally likely. Returns counts indexed by 2U (a dynamic programme over
 * the groups, in ascending order: x values in a group beat the y values of every group before it
 * and tie with the y values of their own).
 */
function exactDistribution(groups: number[], n1: number): Float64Array {
  const n2 = groups.reduce((a, b) => a + b, 0) - n1;
  const width = 2 * n1 * n2 + 1;
  // ways[k][u2]: ways to have picked k x values so far with 2U = u2.
  let ways = Array.from({ length: n1 + 1 }, () => new Float64Array(width));
  (ways[0] as Float64Array)[0] = 1;
  let seen = 0;
  for (const t of groups) {
    const next = Array.from({ length: n1 + 1 }, () => new Float64Array(width));
    for (let k = 0; k <= Math.min(n1, seen); k++) {
      const row = ways[k] as Float64Array;
      const yBefore = seen - k;
      if (yBefore < 0 || yBefore > n2) continue;
      for (let j = 0; j <= t && k + j <= n1; j++) {
        const yHere = t - j;
        if (yBefore + yHere > n2) continue;
        const add = 2 * j * yBefore + j * yHere;
        const times = choose(t, j);
        const target = next[k + j] as Float64Array;
        for (let u2 = 0; u2 + add < width; u2++) {
          const w = row[u2] as number;
          if (w) target[u2 + add] = (target[u2 + add] as number) + w * times;
        }
      }
    }
    ways = next;
    seen += t;
  }
  return ways[n1] as Float64Array;
}

export interface UTest {
  u: number;
  /** One-sided: the probability, if both came from one distribution, of a U at least this large. */
  p: number;
  exact: boolean;
}

/**
 * One-sided Mann-Whitney U: does `x` tend to be larger than `y`? Exact (with ties) up to
 * EXACT_MAX_PAIRS pairs, else normal with tie and continuity corrections. All values equal gives
 * p = 1: zero variance is a result (no difference), not a division by zero.
 */
export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): UTest {
  const n1 = x.length;
  const n2 = y.length;
  if (!n1 || !n2) return { u: Number.NaN, p: Number.NaN, exact: false };
  const u = uStatistic(x, y);
  const groups = tieGroups([...x, ...y]);
  if (n1 * n2 <= EXACT_MAX_PAIRS) {
    const counts = exactDistribution(groups, n1);
    let total = 0;
    let tail = 0;
    const u2 = Math.round(2 * u);
    counts.forEach((c, i) => {
      total += c;
      if (i >= u2) tail += c;
    });
    return { u, p: Math.min(1, tail / total), exact: true };
  }
  const n = n1 + n2;
  const tieTerm = groups.reduce((s, t) => s + t ** 3 - t, 0) / (n * (n - 1));
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm);
  if (variance <= 0) return { u, p: 1, exact: false };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { u, p: 1 - normalCdf(z, 0, 1), exact: false };
}

/** The smallest one-sided p any data can give with these sample sizes (all x above all y). */
export function smallestUTestP(n1: number, n2: number): number {
  if (!n1 || !n2) return 1;
  return 1 / choose(n1 + n2, n1);
}

/**
 * The Hodges-Lehmann shift of x over y (median of all pairwise differences) and its
 * distribution-free interval at confidence 1 − alpha (Moses): the k-th smallest and largest
 * differences, k from the null distribution of U without ties. An end is null when the samples
 * are too small to bound it.
 */
export function shiftInterval(
  x: readonly number[],
  y: readonly number[],
  alpha: number,
): { estimate: number; interval: [number | null, number | null] } {
  const differences: number[] = [];
  for (const a of x) for (const b of y) differences.push(a - b);
  differences.sort((a, b) => a - b);
  const pairs = differences.length;
  if (!pairs) return { estimate: Number.NaN, interval: [null, null] };
  const estimate = median(differences);
  // k: the largest count with P(U < k) ≤ alpha / 2.
  let k = 0;
  if (pairs <= EXACT_MAX_PAIRS) {
    const counts = exactDistribution(
      Array.from({ length: x.length + y.length }, () => 1),
      x.length,
    );
    const total = counts.reduce((a, b) => a + b, 0);
    let below = 0;
    for (let u = 0; u <= pairs; u++) {
      // Without ties 2U is even: index 2u holds U = u.
      below += counts[2 * u] as number;
      if (below / total > alpha / 2) break;
      k = u + 1;
    }
  } else {
    const n = x.length + y.length;
    const z = normalQuantile(1 - alpha / 2, 0, 1);
    k = Math.floor(pairs / 2 - z * Math.sqrt((pairs * (n + 1)) / 12));
  }
  if (k < 1) return { estimate, interval: [null, null] };
  return { estimate, interval: [differences[k - 1] as number, differences[pairs - k] as number] };
}

/** A histogram as ascending distinct values with their counts. */
export interface Bin {
  value: number;
  count: number;
}

/** The value at 1-based rank r of the binned sample. */
function valueAtRank(bins: readonly Bin[], r: number): number {
  let seen = 0;
  for (const b of bins) {
    seen += b.count;
    if (seen >= r) return b.value;
  }
  return (bins[bins.length - 1] as Bin).value;
}

const countOf = (bins: readonly Bin[]) => bins.reduce((s, b) => s + b.count, 0);

/**
 * The distribution-free (order statistic) interval of the q-quantile at confidence 1 − alpha:
 * [X(l), X(u)] with l the largest rank such that P(Bin(n, q) < l) ≤ alpha/2, u the smallest with
 * P(Bin(n, q) ≥ u) ≤ alpha/2. An end is null when n is too small to bound it.
 */
export function quantileInterval(
  bins: readonly Bin[],
  q: number,
  alpha: number,
): [number | null, number | null] {
  const n = countOf(bins);
  if (!n) return [null, null];
  const gamma = alpha / 2;
  let lower = binomialQuantile(gamma, n, q);
  while (lower >= 0 && binomialCdf(lower, n, q) > gamma) lower--;
  // lower is now the largest c with P(Bin ≤ c) ≤ gamma; the rank is c + 1.
  let upper = binomialQuantile(1 - gamma, n, q);
  while (upper <= n && 1 - binomialCdf(upper - 1, n, q) > gamma) upper++;
  return [lower >= 0 ? valueAtRank(bins, lower + 1) : null, upper <= n ? valueAtRank(bins, upper) : null];
}

/** The q-quantile by nearest rank, as HdrHistogram's getValueAtPercentile. */
export function quantileOf(bins: readonly Bin[], q: number): number {
  const n = countOf(bins);
  if (!n) return Number.NaN;
  return valueAtRank(bins, Math.max(1, Math.ceil(q * n)));
}

/**
 * One-sided test that x's q-quantile is above y's, consistent with the two intervals above: at
 * level alpha it rejects exactly when x's interval lies wholly above y's. For a cut c, x's
 * quantile is above c with p = P(Bin(nx, q) ≤ #x ≤ c), y's is at or below c with
 * p = P(Bin(ny, q) ≥ #y ≤ c); p is twice the best cut's larger p (Bonferroni over the two sides).
 */
export function quantileGreater(x: readonly Bin[], y: readonly Bin[], q: number): number {
  const nx = countOf(x);
  const ny = countOf(y);
  if (!nx || !ny) return Number.NaN;
  const cuts = [...new Set([...x.map((b) => b.value), ...y.map((b) => b.value)])].sort((a, b) => a - b);
  let best = 1;
  let ix = 0;
  let iy = 0;
  let belowX = 0;
  let belowY = 0;
  for (const cut of cuts) {
    while (ix < x.length && (x[ix] as Bin).value <= cut) belowX += (x[ix++] as Bin).count;
    while (iy < y.length && (y[iy] as Bin).value <= cut) belowY += (y[iy++] as Bin).count;
    const pX = binomialCdf(belowX, nx, q);
    const pY = belowY > 0 ? 1 - binomialCdf(belowY - 1, ny, q) : 1;
    best = Math.min(best, Math.max(pX, pY));
  }
  return Math.min(1, 2 * best);
}

/** The smallest p quantileGreater can give with these sample sizes. */
export function smallestQuantileP(nx: number, ny: number, q: number): number {
  if (!nx || !ny) return 1;
  return Math.min(1, 2 * Math.max((1 - q) ** nx, q ** ny));
}

/**
 * One-sided Fisher exact test: is x's proportion of "true" samples higher than y's? The
 * hypergeometric tail of x's count given both totals.
 */
export function proportionGreater(xTrue: number, xCount: number, yTrue: number, yCount: number): number {
  const total = xCount + yCount;
  const trues = xTrue + yTrue;
  if (!xCount || !yCount) return Number.NaN;
  if (xTrue === 0) return 1;
  return Math.max(0, 1 - hypergeometricCdf(xTrue - 1, total, trues, xCount));
}

/** Wilson's score interval of a proportion at confidence 1 − alpha. */
function wilson(k: number, n: number, z: number): [number, number] {
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Newcombe's interval of the difference of two proportions (x − y), sound at 0 and 1. */
export function proportionDifferenceInterval(
  xTrue: number,
  xCount: number,
  yTrue: number,
  yCount: number,
  alpha: number,
): [number, number] {
  const z = normalQuantile(1 - alpha / 2, 0, 1);
  const px = xTrue / xCount;
  const py = yTrue / yCount;
  const [lx, ux] = wilson(xTrue, xCount, z);
  const [ly, uy] = wilson(yTrue, yCount, z);
  const d = px - py;
  return [d - Math.sqrt((px - lx) ** 2 + (uy - py) ** 2), d + Math.sqrt((ux - px) ** 2 + (py - ly) ** 2)];
}
