/**
 * The capacity check's verdicts (pure): each step judged on its own plateau, the next rate to
 * try (geometric growth to the first failure, then bisection between the last pass and the
 * first failure to a resolution), the knee, the headroom over a DAU milestone's peak, and the
 * comparison with the previous capacity result.
 * A step judged alone, not cumulatively as k6 judges a ramp (grafana/k6 #1136): the early
 * low-load samples of a ramp would otherwise carry the P95 of a failing rate.
 */

import type { TargetRule } from './targets.ts';

export interface StepTargets {
  p95Ms: number;
  p99Ms?: number | undefined;
  /** Failed requests / requests, at most. */
  errorRate: number;
}

/**
 * A milestone's API targets as a step's: the P95 (required), P99 and error rate of the whole
 * mix (rules tagged for one endpoint judge that endpoint in a load run, not a capacity step).
 */
export function stepTargetsOf(api: readonly TargetRule[]): StepTargets | undefined {
  let p95Ms: number | undefined;
  let p99Ms: number | undefined;
  let errorRate: number | undefined;
  for (const rule of api) {
    if (Object.keys(rule.key.tags).length) continue;
    for (const t of rule.thresholds) {
      if (!t.operator.startsWith('<')) continue;
      if (rule.key.metric === 'http_req_duration' && t.percentile === 95)
        p95Ms = Math.min(p95Ms ?? t.limit, t.limit);
      if (rule.key.metric === 'http_req_duration' && t.percentile === 99)
        p99Ms = Math.min(p99Ms ?? t.limit, t.limit);
      if (rule.key.metric === 'http_req_failed' && t.aggregation === 'rate')
        errorRate = Math.min(errorRate ?? t.limit, t.limit);
    }
  }
  return p95Ms === undefined ? undefined : { p95Ms, p99Ms, errorRate: errorRate ?? 0.01 };
}

export interface CollapseLimits {
  /** More errors than this share is a collapse: stop growing, bisect. */
  errorRate: number;
  /** A P95 past this multiple of its target is a collapse. */
  latencyFactor: number;
}

export const DEFAULT_COLLAPSE: CollapseLimits = { errorRate: 0.05, latencyFactor: 10 };

/** What one step measured over its plateau (warm-up left out). */
export interface StepMeasure {
  /** The step's arrival rate, req/s. */
  offeredRps: number;
  /** Requests that completed (answered or failed) per second of the plateau, whenever sent. */
  achievedRps: number;
  requests: number;
  failed: number;
  /** Iterations due that never started (no connection free, or the step ended first). */
  dropped: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Set when the generator could not keep the schedule: the step says nothing of the target. */
  generatorBound?: string | undefined;
}

export type StepStatus = 'pass' | 'fail' | 'collapse' | 'generator-bound';

export interface StepVerdict {
  status: StepStatus;
  /** What failed, or why the step is inconclusive; empty on a pass. */
  reasons: string[];
}

/** Iterations dropped beyond this share of those due fail the step: the load was not carried. */
export const MAX_DROPPED_SHARE = 0.01;
/** Achieved below this share of the offered rate fails the step. */
export const MIN_ACHIEVED_SHARE = 0.95;

export function errorRateOf(step: Pick<StepMeasure, 'requests' | 'failed'>): number {
  return step.requests > 0 ? step.failed / step.requests : 0;
}

export function judgeStep(
  step: StepMeasure,
  targets: StepTargets,
  collapse: CollapseLimits = DEFAULT_COLLAPSE,
): StepVerdict {
  if (step.generatorBound) return { status: 'generator-bound', reasons: [step.generatorBound] };
  const reasons: string[] = [];
  const errors = errorRateOf(step);
  if (step.requests === 0) reasons.push('no request completed');
  if (step.p95Ms > targets.p95Ms) reasons.push(`P95 ${fmt(step.p95Ms)} ms > ${fmt(targets.p95Ms)} ms`);
  if (targets.p99Ms !== undefined && step.p99Ms > targets.p99Ms)
    reasons.push(`P99 ${fmt(step.p99Ms)} ms > ${fmt(targets.p99Ms)} ms`);
  if (errors > targets.errorRate) reasons.push(`errors ${pct(errors)} > ${pct(targets.errorRate)}`);
  const due = step.requests + step.dropped;
  if (due > 0 && step.dropped / due > MAX_DROPPED_SHARE)
    reasons.push(`${step.dropped} of ${due} iterations dropped (${pct(step.dropped / due)})`);
  if (step.achievedRps < MIN_ACHIEVED_SHARE * step.offeredRps)
    reasons.push(`carried ${fmt(step.achievedRps)} of ${fmt(step.offeredRps)} req/s`);
  if (!reasons.length) return { status: 'pass', reasons };
  const collapsed =
    step.requests === 0 || errors > collapse.errorRate || step.p95Ms > collapse.latencyFactor * targets.p95Ms;
  return { status: collapsed ? 'collapse' : 'fail', reasons };
}

export interface SearchOptions {
  startRps: number;
  /** Each step before the first failure is this multiple of the last. */
  growth: number;
  /** Bisect until (first failure − last pass) / last pass is at most this. */
  resolution: number;
  /** Never offer more than this. */
  maxRps: number;
  /** Never offer less than this (searching down from a failing start). */
  minRps: number;
}

export interface TriedStep {
  rate: number;
  status: StepStatus;
}

export interface Knee {
  /** The highest passing rate below the lowest failing one (0 when none passed). */
  capacityRps: number;
  /** The lowest failing rate above it, when one was found. */
  failedAtRps?: number | undefined;
  /** (failedAt − capacity) / capacity: how far the true knee may lie above the answer. */
  resolution?: number | undefined;
  /** found: between a pass and a failure; above-max: maxRps passed; below-min: minRps failed. */
  bound: 'found' | 'above-max' | 'below-min' | 'searching';
}

export function kneeOf(steps: readonly TriedStep[], options: SearchOptions): Knee {
  const failing = steps.filter((s) => s.status === 'fail' || s.status === 'collapse').map((s) => s.rate);
  const failedAt = failing.length ? Math.min(...failing) : undefined;
  const passing = steps
    .filter((s) => s.status === 'pass' && (failedAt === undefined || s.rate < failedAt))
    .map((s) => s.rate);
  const capacityRps = passing.length ? Math.max(...passing) : 0;
  if (failedAt === undefined)
    return { capacityRps, bound: capacityRps >= options.maxRps ? 'above-max' : 'searching' };
  if (!capacityRps)
    return {
      capacityRps,
      failedAtRps: failedAt,
      bound: failedAt <= options.minRps ? 'below-min' : 'searching',
    };
  const resolution = (failedAt - capacityRps) / capacityRps;
  return {
    capacityRps,
    failedAtRps: failedAt,
    resolution,
    bound: resolution <= options.resolution ? 'found' : 'searching',
  };
}

/** The next rate to offer, or undefined when the search is over (or cannot go on). */
export function nextRate(steps: readonly TriedStep[], options: SearchOptions): number | undefined {
  if (!steps.length) return Math.min(options.startRps, options.maxRps);
  if (steps.some((s) => s.status === 'generator-bound')) return undefined;
  const knee = kneeOf(steps, options);
  if (knee.bound !== 'searching') return undefined;
  const tried = new Set(steps.map((s) => s.rate));
  let next: number;
  if (knee.failedAtRps === undefined) next = Math.min(knee.capacityRps * options.growth, options.maxRps);
  else if (!knee.capacityRps) next = Math.max(knee.failedAtRps / options.growth, options.minRps);
  // Geometric midpoint: the rates span orders of magnitude, and a knee is a ratio apart.
  else next = Math.sqrt(knee.capacityRps * knee.failedAtRps);
  next = roundRate(next);
  return tried.has(next) ? undefined : next;
}

/** Three significant figures: a rate finer than that is below what a step can tell apart. */
export function roundRate(rate: number): number {
  if (rate <= 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(rate)) - 2);
  return Math.max(1, Math.round(rate / magnitude) * magnitude);
}

export interface HeadroomVerdict {
  headroom: number;
  status: 'pass' | 'fail';
  line: string;
}

/** Capacity against a DAU milestone's peak: below `minimum` × the peak fails. */
export function judgeHeadroom(
  capacityRps: number,
  peak: number,
  dau: number,
  minimum: number,
): HeadroomVerdict {
  const headroom = peak > 0 ? capacityRps / peak : Number.POSITIVE_INFINITY;
  const status = headroom >= minimum ? 'pass' : 'fail';
  return {
    headroom,
    status,
    line: `capacity ${fmt(capacityRps)} req/s = ${headroom.toFixed(1)}× the ${dau.toLocaleString('en-US')}-DAU peak (${fmt(peak)} req/s)${status === 'fail' ? `: below the ${minimum}× required` : ''}`,
  };
}

export interface CapacityComparison {
  status: 'pass' | 'regression' | 'improved';
  previousRps: number;
  change: number;
  line: string;
}

/**
 * Against the previous result: lost capacity beyond both searches' resolutions (each knee may
 * lie up to one resolution above its answer) and `tolerance` is a regression.
 */
export function compareCapacity(
  current: { capacityRps: number; resolution?: number | undefined },
  previous: { capacityRps: number; resolution?: number | undefined },
  tolerance: number,
): CapacityComparison {
  const change = previous.capacityRps > 0 ? current.capacityRps / previous.capacityRps - 1 : 0;
  const slack = tolerance + (current.resolution ?? 0) + (previous.resolution ?? 0);
  const status = change < -slack ? 'regression' : change > slack ? 'improved' : 'pass';
  const sign = change >= 0 ? '+' : '−';
  return {
    status,
    previousRps: previous.capacityRps,
    change,
    line: `${fmt(current.capacityRps)} req/s against ${fmt(previous.capacityRps)} before (${sign}${pct(Math.abs(change))}; beyond ±${pct(slack)} counts)`,
  };
}

function fmt(value: number): string {
  return value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toPrecision(3).replace(/\.?0+$/, '');
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)} %`;
}

export interface CapacityOutcome {
  exitCode: 0 | 1 | 2;
  line: string;
}

/**
 * The check's answer: 2 when the generator was the limit, or when a search cut short leaves
 * the headroom undecided; 1 when the capacity is short of the milestone (or lost against the
 * previous result); 0 otherwise. A search cut short still answers when its lower bound suffices.
 */
export function capacityOutcome(
  knee: Knee,
  cutShort: string | undefined,
  headroom: HeadroomVerdict,
  generator: string | undefined,
  previous: CapacityComparison | undefined,
): CapacityOutcome {
  const complete = knee.bound !== 'searching';
  if (generator)
    return headroom.status === 'pass'
      ? {
          exitCode: 0,
          line: `PASS: ${headroom.line} (at least: the generator reached its limit first — ${generator})`,
        }
      : { exitCode: 2, line: `INCONCLUSIVE: ${generator}` };
  if (!complete && headroom.status === 'fail')
    return {
      exitCode: 2,
      line: `CANNOT TELL: the search ended early (${cutShort ?? 'unfinished'}) at ${headroom.line}; raise capacity.timeBudget`,
    };
  const atLeast = complete ? '' : ' (at least: the search ended early)';
  if (headroom.status === 'fail') return { exitCode: 1, line: `FAIL: ${headroom.line}` };
  if (previous?.status === 'regression')
    return { exitCode: 1, line: `FAIL: capacity lost: ${previous.line}` };
  return { exitCode: 0, line: `PASS: ${headroom.line}${atLeast}` };
}

/**
 * The steps the USL is fitted to, as Little's-law points (concurrency = throughput × mean
 * latency). Only steady steps: a collapsed step's queue grows for as long as it lasts, so its
 * "concurrency" measures the step's length, not the platform; a generator-bound one measured the
 * generator.
 */
export function uslPointsOf(
  steps: readonly { status: StepStatus; requests?: number; achievedRps: number; meanMs: number }[],
): { concurrency: number; throughput: number }[] {
  return steps
    .filter(
      (s) => (s.status === 'pass' || s.status === 'fail') && s.achievedRps > 0 && Number.isFinite(s.meanMs),
    )
    .map((s) => ({ concurrency: (s.achievedRps * s.meanMs) / 1000, throughput: s.achievedRps }));
}
