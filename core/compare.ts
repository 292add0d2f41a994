/**
 * The regression verdict (pure): each metric of a run against the same metric of its committed
 * baseline. A metric regressed when it is worse by more than a minimum effect (relative and
 * absolute, so noise on tiny values cannot fail a run) AND the one-sided test says so at alpha:
 * Mann-Whitney U on per-iteration samples, the percentile test on latency histograms, Fisher's
 * exact test on rates. Too few samples for the test to ever reach alpha is "inconclusive".
 */
import { type BaselineFile, type BaselineItem, groupOf } from './baseline-file.ts';
import { type CalibrationOptions, effectiveCalibration, matchMachine } from './calibration.ts';
import { decodeHistogram, histogramBins } from './histogram.ts';
import type { Calibration, Comparison, Metric, RateMetric, SuiteResult, TrendMetric } from './results.ts';
import {
  type Bin,
  mannWhitneyGreater,
  median,
  proportionDifferenceInterval,
  proportionGreater,
  quantileGreater,
  quantileInterval,
  quantileOf,
  shiftInterval,
  smallestQuantileP,
  smallestUTestP,
} from './stats.ts';

export interface Effect {
  relative: number;
  absolute: number;
}

export interface CompareOptions {
  alpha: number;
  /** Percentiles compared for histogram-only trends. */
  percentiles: number[];
  /** Minimum effects by metric name, over the defaults by unit. */
  minEffect: Record<string, Partial<Effect>>;
  /**
   * Judge only against baselines taken on the same machine (the calibration decides; the CPU
   * model and count when a run has none): on another machine a difference may be the machine's,
   * so those comparisons are inconclusive.
   */
  sameMachine: boolean;
}

/** The machine that measured, as far as comparisons care. */
export interface MachineClass {
  cpuModel: string;
  cores: number;
}

/** Default minimum effects: 10 %, and an absolute floor in the metric's unit. */
const FLOOR_BY_UNIT: Record<string, number> = {
  ms: 5,
  bytes: 1024,
  count: 1,
  score: 0.01,
  unitless: 0.01,
  ratio: 0.001,
};

/** Metrics that are not the system's performance: compared never. */
const NOT_COMPARED = new Set(['benchmark_index', 'http_req_duration_uncorrected']);

/** Higher is better for scores and check pass rates; lower for everything else. */
export function betterOf(metric: string): Comparison['better'] {
  return metric === 'checks' || /(^|_)score$/.test(metric) ? 'higher' : 'lower';
}

export function effectFor(metric: string, unit: string, options: CompareOptions): Effect {
  const own = options.minEffect[metric] ?? {};
  return { relative: own.relative ?? 0.1, absolute: own.absolute ?? FLOOR_BY_UNIT[unit] ?? 0 };
}

interface Test {
  stat: string;
  method: Comparison['method'];
  baseline: number;
  current: number;
  interval: [number | null, number | null] | null;
  /** The minimum effect in the metric's unit for this statistic's baseline value. */
  needed: number;
  /** One-sided p that current is worse / better than baseline by more than `needed`. */
  pWorse: number;
  pBetter: number;
  smallestP: number;
  samples: Comparison['samples'];
}

function decide(
  test: Test,
  context: { suite: string; item: string; metric: string; unit: string },
  options: CompareOptions,
  effect: Effect,
): Comparison {
  const better = betterOf(context.metric);
  const delta = test.current - test.baseline;
  const worse = better === 'lower' ? delta : -delta;
  const needed = test.needed;
  const base = {
    ...context,
    stat: test.stat,
    better,
    method: test.method,
    baseline: test.baseline,
    current: test.current,
    delta,
    relative: test.baseline !== 0 ? delta / Math.abs(test.baseline) : null,
    interval: test.interval,
    alpha: options.alpha,
    minEffect: effect,
    samples: test.samples,
  };
  if (test.smallestP > options.alpha) {
    return {
      ...base,
      status: 'inconclusive',
      p: null,
      reason: `too few samples (${test.samples.baseline} baseline, ${test.samples.current} current): the ${test.method} test cannot reach p ≤ ${options.alpha}`,
    };
  }
  if (worse > needed && test.pWorse <= options.alpha)
    return { ...base, status: 'regression', p: test.pWorse };
  if (-worse > needed && test.pBetter <= options.alpha)
    return { ...base, status: 'improved', p: test.pBetter };
  const p = worse >= 0 ? test.pWorse : test.pBetter;
  const reason =
    Math.abs(worse) > needed
      ? `${worse > 0 ? 'worse' : 'better'} by more than the minimum effect, but not significantly (p = ${p.toPrecision(2)} > ${options.alpha})`
      : `within the minimum effect (|Δ| ≤ ${+needed.toPrecision(3)} ${context.unit})`;
  return { ...base, status: 'pass', p, reason };
}

/** The minimum effect for a baseline value: max(relative × |value|, absolute). */
type Needed = (baselineValue: number) => number;

export const minimumEffect = (effect: Effect, baselineValue: number): number =>
  Math.max(effect.relative * Math.abs(baselineValue), effect.absolute);

const shifted = (values: readonly number[], by: number) => values.map((v) => v - by);

/**
 * Worse "by more than the minimum effect", tested as such: current − m against baseline, so a
 * small shift of the whole machine between two runs cannot pass for a regression.
 */
function samplesTest(
  current: number[],
  baseline: number[],
  better: Comparison['better'],
  alpha: number,
  needed: Needed,
): Test {
  const m = needed(median(baseline));
  const up = mannWhitneyGreater(shifted(current, m), baseline).p;
  const down = mannWhitneyGreater(shifted(baseline, m), current).p;
  return {
    needed: m,
    stat: 'med',
    method: 'mann-whitney',
    baseline: median(baseline),
    current: median(current),
    interval: shiftInterval(current, baseline, alpha).interval,
    pWorse: better === 'lower' ? up : down,
    pBetter: better === 'lower' ? down : up,
    smallestP: smallestUTestP(current.length, baseline.length),
    samples: { baseline: baseline.length, current: current.length },
  };
}

function binsOf(metric: TrendMetric): Bin[] {
  const histogram = metric.histogram;
  if (!histogram) return [];
  return histogramBins(decodeHistogram(histogram.data)).map((b) => ({
    value: b.value / histogram.scale,
    count: b.count,
  }));
}

const shiftedBins = (bins: readonly Bin[], by: number) =>
  bins.map((b) => ({ value: b.value - by, count: b.count }));

function quantileTest(
  current: Bin[],
  baseline: Bin[],
  percentile: number,
  better: Comparison['better'],
  alpha: number,
  needed: Needed,
): Test {
  const q = percentile / 100;
  const [cLow, cHigh] = quantileInterval(current, q, alpha);
  const [bLow, bHigh] = quantileInterval(baseline, q, alpha);
  const m = needed(quantileOf(baseline, q));
  const up = quantileGreater(shiftedBins(current, m), baseline, q);
  const down = quantileGreater(shiftedBins(baseline, m), current, q);
  const nc = current.reduce((s, b) => s + b.count, 0);
  const nb = baseline.reduce((s, b) => s + b.count, 0);
  return {
    needed: m,
    stat: percentile === 50 ? 'med' : `p(${percentile})`,
    method: 'quantile',
    baseline: quantileOf(baseline, q),
    current: quantileOf(current, q),
    // Δ's interval from the two percentile intervals (each at 1 − alpha/2 per side).
    interval: [
      cLow !== null && bHigh !== null ? cLow - bHigh : null,
      cHigh !== null && bLow !== null ? cHigh - bLow : null,
    ],
    pWorse: better === 'lower' ? up : down,
    pBetter: better === 'lower' ? down : up,
    smallestP: Math.max(smallestQuantileP(nc, nb, q), smallestQuantileP(nb, nc, q)),
    samples: { baseline: nb, current: nc },
  };
}

function rateTest(
  current: RateMetric,
  baseline: RateMetric,
  better: Comparison['better'],
  alpha: number,
  needed: number,
): Test {
  const up = proportionGreater(current.passes, current.count, baseline.passes, baseline.count);
  const down = proportionGreater(baseline.passes, baseline.count, current.passes, current.count);
  const [low, high] = proportionDifferenceInterval(
    current.passes,
    current.count,
    baseline.passes,
    baseline.count,
    alpha,
  );
  return {
    // Rates are tested as they are: the minimum effect applies to the observed Δ only.
    needed,
    stat: 'rate',
    method: 'proportion',
    baseline: baseline.passes / baseline.count,
    current: current.passes / current.count,
    interval: [low, high],
    pWorse: better === 'lower' ? up : down,
    pBetter: better === 'lower' ? down : up,
    // Fisher's exact test at its strongest (every current sample true, no baseline one): as U's.
    smallestP: smallestUTestP(current.count, baseline.count),
    samples: { baseline: baseline.count, current: current.count },
  };
}

/** The tests one metric gets, or none when the two are not comparable. */
function testsFor(
  name: string,
  current: Metric,
  baseline: Metric,
  options: CompareOptions,
  effect: Effect,
): Test[] {
  const better = betterOf(name);
  const needed: Needed = (value) => minimumEffect(effect, value);
  if (current.type === 'rate' && baseline.type === 'rate') {
    if (!current.count || !baseline.count) return [];
    return [rateTest(current, baseline, better, options.alpha, needed(baseline.passes / baseline.count))];
  }
  if (current.type !== 'trend' || baseline.type !== 'trend' || !current.count || !baseline.count) return [];
  if (current.samples?.length && baseline.samples?.length)
    return [samplesTest(current.samples, baseline.samples, better, options.alpha, needed)];
  const c = binsOf(current);
  const b = binsOf(baseline);
  if (!c.length || !b.length) return [];
  return options.percentiles.map((p) => quantileTest(c, b, p, better, options.alpha, needed));
}

export function compareItem(
  suite: string,
  item: { name: string; metrics: Record<string, Metric> },
  baseline: BaselineItem,
  options: CompareOptions,
): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const [name, current] of Object.entries(item.metrics)) {
    const before = baseline.metrics[name];
    if (!before || NOT_COMPARED.has(name)) continue;
    const effect = effectFor(name, current.unit, options);
    for (const test of testsFor(name, current, before, options, effect)) {
      comparisons.push(
        decide(test, { suite, item: item.name, metric: name, unit: current.unit }, options, effect),
      );
    }
  }
  return comparisons;
}

export interface RunComparison {
  comparisons: Comparison[];
  /** "suite group" measured in this run with no baseline. */
  missing: string[];
  /** The baseline files this run was compared with. */
  used: BaselineFile[];
}

const machineOf = (m: MachineClass) => `${m.cores} × ${m.cpuModel}`;

/** What the run knows about its machine, for deciding which baselines it may judge against. */
export interface MachineContext {
  /** The machine class: decides only when the run has no calibration (an import, calibration off). */
  machine?: MachineClass;
  /** This run's calibration (start and end combined) and how to match it. */
  calibration?: Calibration;
  calibrationOptions?: CalibrationOptions;
  /** The calibration moved during the run: a regression is then inconclusive, with this reason. */
  drift?: string;
  /** Committed baselines (the machine is checked) or the paired reference (same machine, same time). */
  against?: 'baseline' | 'reference';
}

/** Whether this run's machine is the baseline file's, and why not. */
function machineVerdict(
  file: BaselineFile,
  context: MachineContext,
): { machine: NonNullable<Comparison['machine']>; reason?: string } {
  if (context.against === 'reference') return { machine: 'same' };
  if (context.calibration && context.calibrationOptions) {
    const match = matchMachine(
      context.calibration,
      file.calibration && effectiveCalibration(file.calibration),
      context.calibrationOptions,
    );
    if (match.same === true) return { machine: 'same' };
    return { machine: match.same === false ? 'other' : 'unknown', reason: match.reason };
  }
  if (context.machine && machineOf(file.machine) !== machineOf(context.machine))
    return {
      machine: 'other',
      reason: `the baseline was taken on ${machineOf(file.machine)}, this run on ${machineOf(context.machine)}: re-take it on this machine class (or set baselines.sameMachine: false)`,
    };
  return { machine: context.machine ? 'same' : 'unknown' };
}

/** Compares every measured item that has a baseline; lists the groups that have none. */
export function compareRun(
  suites: SuiteResult[],
  baselines: BaselineFile[],
  options: CompareOptions,
  context: MachineContext = {},
): RunComparison {
  const byGroup = new Map(baselines.map((b) => [`${b.suite}\0${b.group}`, b]));
  const comparisons: Comparison[] = [];
  const missing = new Set<string>();
  const used = new Set<BaselineFile>();
  const against = context.against ?? 'baseline';
  for (const suite of suites) {
    if (suite.status !== 'measured') continue;
    for (const item of suite.items) {
      const group = groupOf(item);
      const file = byGroup.get(`${suite.suite}\0${group}`);
      const before = file?.items.find((i) => i.name === item.name);
      if (!file || !before) {
        if (!file) missing.add(`${suite.suite} ${group}`);
        continue;
      }
      used.add(file);
      const { machine, reason } = machineVerdict(file, context);
      const unfair = options.sameMachine && machine !== 'same' ? reason : undefined;
      for (const c of compareItem(suite.suite, item, before, options)) {
        if (unfair) comparisons.push({ ...c, against, machine, status: 'inconclusive', reason: unfair });
        else if (context.drift && c.status === 'regression')
          comparisons.push({ ...c, against, machine, status: 'inconclusive', reason: context.drift });
        else comparisons.push({ ...c, against, machine });
      }
    }
  }
  return { comparisons, missing: [...missing], used: [...used] };
}
