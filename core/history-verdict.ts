/**
 * A metric against the recent history of runs (pure): a control limit in the worse direction,
 * center + k × spread. Nightly runs land on machines of different speed, so for times ('log'
 * scale) the center is the value expected on this run's machine: log(value) = a + b·log(speed),
 * b fitted by Theil–Sen, a the median intercept (both robust to a few bad nights). Without that,
 * a ±15 % machine swing widens the limit past the regressions it should catch. Rates ('linear'
 * scale) barely depend on the machine: their median. The spread comes from the residuals, and k
 * is widened as a Student-t prediction limit, since 5 to 20 runs estimate the center and spread
 * only roughly: a bare 3 × spread alarms on several percent of normal nights.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { median } from './stats.ts';

export interface HistoryPoint {
  id: string;
  startedAt: string;
  value: number;
  /** The machine's calibration figure in that run: higher = faster; null without calibration. */
  speed: number | null;
}

export interface HistoryOptions {
  /** N: the last N points are used. */
  runs: number;
  /** Control limit = center + k × spread. */
  k: number;
  /** Fewer points than this: 'insufficient'. */
  minRuns: number;
  /** A current speed beyond the history's range widened by this (relative) is not judged. */
  tolerance: number;
  /** Unit written after the figures in `reason` (e.g. 'ms'); none by default. */
  unit?: string;
}

export const DEFAULT_HISTORY_OPTIONS: HistoryOptions = { runs: 20, k: 3, minRuns: 5, tolerance: 0.1 };

export interface HistoryJudgement {
  status: 'outside' | 'within' | 'insufficient';
  /** Expected value on this run's machine. */
  center: number | null;
  /** The control limit in the worse direction (metric unit). */
  limit: number | null;
  /** Robust between-run spread (relative for 'log' scale, absolute for 'linear'). */
  spread: number | null;
  /** Fitted elasticity of the value on machine speed ('log' scale only; 0 when not adjusted). */
  slope: number | null;
  /** Points used. */
  runs: number;
  /** One sentence for the user, with figures. */
  reason: string;
}

/** MAD × 1.4826 estimates the standard deviation of normal data. */
const MAD_TO_SD = 1.4826;
/** Spread floors, so a constant history does not turn every tiny change into an alarm. */
const LOG_SPREAD_FLOOR = 0.01;
const LINEAR_SPREAD_FLOOR = 0.001;
/** Residuals beyond this many MAD-based spreads are bad nights, left out of the spread. */
const OUTLIER = 3.5;
/** Pairs of runs whose log-speeds differ less than this say nothing about the slope. */
const SAME_SPEED = 1e-3;

const figure = (value: number) => `${+value.toPrecision(3)}`;

/** Student's t distribution function for integer ν ≥ 1 (closed form, Abramowitz & Stegun 26.7.3–4). */
function tCdf(t: number, nu: number): number {
  const theta = Math.atan(t / Math.sqrt(nu));
  const cos2 = Math.cos(theta) ** 2;
  let term = nu % 2 ? Math.cos(theta) : 1;
  let sum = nu > 1 ? term : 0;
  for (let j = nu % 2 ? 3 : 2; j <= nu - 2; j += 2) {
    term *= ((j - 1) / j) * cos2;
    sum += term;
  }
  const central = nu % 2 ? (2 / Math.PI) * (theta + Math.sin(theta) * sum) : Math.sin(theta) * sum;
  return (1 + central) / 2;
}

/** The upper quantile p > 0.5 of Student's t with ν degrees of freedom, by bisection. */
function tQuantile(p: number, nu: number): number {
  let low = 0;
  let high = 1;
  while (tCdf(high, nu) < p) high *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (tCdf(mid, nu) < p) low = mid;
    else high = mid;
  }
  return high;
}

/**
 * How many spreads the limit lies from the center: k read as a one-sided normal tail (k = 3:
 * 0.135 %) and turned into the Student-t prediction limit of one new run, since the center, slope
 * and spread are themselves estimated from a few runs (`leverage`: the center's and slope's share
 * of the prediction variance). With 5 runs it is about 10, with 20 about 3.7.
 */
const multiplier = (k: number, df: number, leverage: number) =>
  tQuantile(normalCdf(k, 0, 1), Math.max(1, df)) * Math.sqrt(1 + leverage);

/**
 * The between-run spread of residuals: their root mean square (over df = kept − fitted), leaving
 * out bad nights beyond OUTLIER MAD-based spreads; floored. The MAD alone would be robust too,
 * but on 5 to 30 runs it is so noisy that a 3-spread limit alarms on 1 to 9 % of normal nights;
 * the trimmed RMS is nearly as precise as the standard deviation, and one bad night in the
 * history does not blind the limit for the next 20.
 */
function spreadOf(
  residuals: readonly number[],
  fitted: number,
  floor: number,
): { spread: number; df: number } {
  const center = median(residuals);
  const robust = Math.max(MAD_TO_SD * median(residuals.map((r) => Math.abs(r - center))), floor);
  const kept = residuals.filter((r) => Math.abs(r - center) <= OUTLIER * robust);
  const df = Math.max(1, kept.length - fitted);
  return { spread: Math.max(Math.sqrt(kept.reduce((s, r) => s + r * r, 0) / df), floor), df };
}

/** Theil–Sen: the median of pairwise slopes; null (no adjustment) with fewer than 3 usable pairs. */
function theilSen(x: readonly number[], y: readonly number[]): number | null {
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = (x[j] as number) - (x[i] as number);
      if (Math.abs(dx) >= SAME_SPEED) slopes.push(((y[j] as number) - (y[i] as number)) / dx);
    }
  }
  return slopes.length >= 3 ? median(slopes) : null;
}

const hasSpeed = (speed: number | null): speed is number => speed !== null && speed > 0;

interface LogFit {
  a: number;
  /** 0 when not adjusted. */
  b: number;
  /** Parameters fitted: 2 with a slope, 1 without. */
  fitted: number;
  /** log(speed) of each point (0 when not adjusted). */
  x: number[];
  residuals: number[];
}

/** log(value) = a + b·log(speed), b by Theil–Sen when `adjust`, a the median intercept. */
function fitLog(points: readonly HistoryPoint[], adjust: boolean): LogFit {
  const y = points.map((p) => Math.log(p.value));
  const x = points.map((p) => (adjust && hasSpeed(p.speed) ? Math.log(p.speed) : 0));
  const slope = adjust ? theilSen(x, y) : null;
  const b = slope ?? 0;
  const intercepts = y.map((v, i) => v - b * (x[i] as number));
  const a = median(intercepts);
  return { a, b, fitted: slope === null ? 1 : 2, x, residuals: intercepts.map((v) => v - a) };
}

/** The slope's share of the prediction variance at x0: (x0 − x̄)² / Σ(x − x̄)². */
function slopeLeverage(x: readonly number[], x0: number): number {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const sxx = x.reduce((s, v) => s + (v - mean) ** 2, 0);
  return sxx > 0 ? (x0 - mean) ** 2 / sxx : 0;
}

/** The median's variance is π/2 times the mean's: its share of the prediction variance. */
const centerLeverage = (n: number) => Math.PI / (2 * n);

/** The series machine-adjusted to one reference speed (for change-point detection and charts). */
export function machineAdjusted(points: readonly HistoryPoint[], scale: 'log' | 'linear'): number[] {
  const values = points.map((p) => p.value);
  if (scale === 'linear') return values;
  const fitted = points.filter((p) => hasSpeed(p.speed) && p.value > 0);
  if (!fitted.length) return values;
  const { b } = fitLog(fitted, true);
  const reference = median(fitted.map((p) => p.speed as number));
  return points.map((p) =>
    b !== 0 && hasSpeed(p.speed) && p.value > 0 ? p.value * (reference / p.speed) ** b : p.value,
  );
}

interface Limit {
  center: number;
  limit: number;
  /** How the limit was formed, e.g. "expected 350 ms on this machine + 3.7 × 5.9 %". */
  formed: string;
}

/** The judgement of `value` against a limit in the worse direction, with the sentence that says it. */
function judged(
  value: number,
  { center, limit, formed }: Limit,
  better: 'lower' | 'higher',
  runs: number,
  unit: string,
): Pick<HistoryJudgement, 'status' | 'reason' | 'center' | 'limit'> {
  const outside = better === 'lower' ? value > limit : value < limit;
  const side = better === 'lower' ? 'above' : 'below';
  const compared = outside ? (better === 'lower' ? '>' : '<') : better === 'lower' ? '≤' : '≥';
  const figures = `${figure(value)}${unit} ${compared} ${figure(limit)}${unit} = ${formed}`;
  return {
    status: outside ? 'outside' : 'within',
    center,
    limit,
    reason: `${outside ? side : 'within'} the limit of the last ${runs} runs (${figures})`,
  };
}

/** "3.7 × 5.9 % (k = 3 widened for 20 runs)". */
const widened = (k: number, m: number, spread: string, runs: number) =>
  `${+m.toPrecision(2)} × ${spread} (k = ${k} widened for ${runs} runs)`;

function judgeLog(
  current: { value: number; speed: number | null },
  points: readonly HistoryPoint[],
  better: 'lower' | 'higher',
  options: HistoryOptions,
): HistoryJudgement {
  const runs = points.length;
  const unit = options.unit ? ` ${options.unit}` : '';
  const speeds = points.map((p) => p.speed).filter(hasSpeed);
  if (hasSpeed(current.speed) && speeds.length) {
    const slowest = Math.min(...speeds);
    const fastest = Math.max(...speeds);
    if (
      current.speed < slowest * (1 - options.tolerance) ||
      current.speed > fastest * (1 + options.tolerance)
    ) {
      return {
        status: 'insufficient',
        center: null,
        limit: null,
        spread: null,
        slope: null,
        runs,
        reason: `no run in the history on a machine like this one: speed ${figure(current.speed)} vs ${figure(slowest)}–${figure(fastest)} in the last ${runs} runs`,
      };
    }
  }
  // Adjusted only when every run has a calibration: a run without one cannot be placed on the fit.
  const adjust = hasSpeed(current.speed) && speeds.length === runs;
  const fit = fitLog(points, adjust);
  const x0 = adjust ? Math.log(current.speed as number) : 0;
  const { spread, df } = spreadOf(fit.residuals, fit.fitted, LOG_SPREAD_FLOOR);
  const leverage = centerLeverage(runs) + (fit.fitted === 2 ? slopeLeverage(fit.x, x0) : 0);
  const m = multiplier(options.k, df, leverage);
  const center = Math.exp(fit.a + fit.b * x0);
  const sign = better === 'lower' ? 1 : -1;
  const limit = center * Math.exp(sign * m * spread);
  const where = adjust ? ' on this machine' : '';
  const formed = `expected ${figure(center)}${unit}${where} ${sign > 0 ? '+' : '−'} ${widened(options.k, m, `${(spread * 100).toFixed(1)} %`, runs)}`;
  return {
    ...judged(current.value, { center, limit, formed }, better, runs, unit),
    spread,
    slope: fit.b,
    runs,
  };
}

function judgeLinear(
  current: { value: number },
  points: readonly HistoryPoint[],
  better: 'lower' | 'higher',
  options: HistoryOptions,
): HistoryJudgement {
  const runs = points.length;
  const unit = options.unit ? ` ${options.unit}` : '';
  const values = points.map((p) => p.value);
  const center = median(values);
  const { spread, df } = spreadOf(
    values.map((v) => v - center),
    1,
    LINEAR_SPREAD_FLOOR,
  );
  const m = multiplier(options.k, df, centerLeverage(runs));
  const sign = better === 'lower' ? 1 : -1;
  const limit = center + sign * m * spread;
  const formed = `median ${figure(center)}${unit} ${sign > 0 ? '+' : '−'} ${widened(options.k, m, `${figure(spread)}${unit}`, runs)}`;
  return {
    ...judged(current.value, { center, limit, formed }, better, runs, unit),
    spread,
    slope: null,
    runs,
  };
}

/** A run's value against the history before it (oldest first, the current run not included). */
export function judgeAgainstHistory(
  current: { value: number; speed: number | null },
  history: readonly HistoryPoint[],
  better: 'lower' | 'higher',
  scale: 'log' | 'linear',
  options: Partial<HistoryOptions> = {},
): HistoryJudgement {
  const settings = { ...DEFAULT_HISTORY_OPTIONS, ...options };
  // Times are fitted on logs: a non-positive one is a broken measurement, not a point.
  const usable = history.filter((p) => Number.isFinite(p.value) && (scale === 'linear' || p.value > 0));
  const points = usable.slice(-Math.max(1, settings.runs));
  if (points.length < settings.minRuns) {
    return {
      status: 'insufficient',
      center: null,
      limit: null,
      spread: null,
      slope: null,
      runs: points.length,
      reason: `only ${points.length} earlier run${points.length === 1 ? '' : 's'} on record (${settings.minRuns} needed): run the nightly gate more often before history can judge`,
    };
  }
  return scale === 'log'
    ? judgeLog(current, points, better, settings)
    : judgeLinear(current, points, better, settings);
}
