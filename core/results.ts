/**
 * The one result schema every suite ends in, and the run around it. Versioned and validated
 * when read back, so reports, baselines and comparisons never guess at a shape.
 * Numbers that could not be computed are null (JSON has no NaN).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PerfError } from './errors.ts';

export const SCHEMA_VERSION = 1;

const num = z.number().nullable();

export const histogramSchema = z.object({
  encoding: z.literal('HdrHistogram-V2-compressed-base64'),
  /** Recorded value = value in the metric's unit × scale (ms metrics are recorded in µs: 1000). */
  scale: z.number().positive(),
  data: z.string().min(1),
});

export const trendSchema = z.object({
  type: z.literal('trend'),
  unit: z.enum(['ms', 'bytes', 'score', 'count', 'unitless']),
  count: z.number().int().nonnegative(),
  values: z.object({
    min: num,
    mean: num,
    med: num,
    p90: num,
    p95: num,
    p99: num,
    'p99.9': num,
    max: num,
  }),
  /** Percentiles that rest on fewer samples than they need (see minSamplesFor). */
  insufficient: z.array(z.string()),
  histogram: histogramSchema.optional(),
  /**
   * The per-iteration values in the metric's unit, kept where there are few (journeys, Lighthouse
   * runs): the regression test ranks them (Mann-Whitney U). Load latencies keep only the histogram.
   */
  samples: z.array(z.number()).optional(),
});

export const rateSchema = z.object({
  type: z.literal('rate'),
  unit: z.literal('ratio'),
  count: z.number().int().nonnegative(),
  /** Samples that were "true" (k6's wording): for http_req_failed, the failed requests. */
  passes: z.number().int().nonnegative(),
  fails: z.number().int().nonnegative(),
  rate: num,
  /** Why the true ones were true, e.g. { network: 1, timeout: 0, '5xx': 3 }. */
  byClass: z.record(z.string(), z.number().int().nonnegative()).optional(),
});

export const counterSchema = z.object({
  type: z.literal('counter'),
  unit: z.enum(['count', 'bytes']),
  count: z.number().int().nonnegative(),
  total: z.number(),
  ratePerSecond: num,
});

export const gaugeSchema = z.object({
  type: z.literal('gauge'),
  unit: z.enum(['ms', 'bytes', 'score', 'count', 'unitless']),
  count: z.number().int().nonnegative(),
  value: num,
});

export const metricSchema = z.discriminatedUnion('type', [
  trendSchema,
  rateSchema,
  counterSchema,
  gaugeSchema,
]);

/** Which roadmap target group judges an item: API latency/errors, page load, or uptime. */
export const targetGroupSchema = z.enum(['api', 'page', 'uptime', 'none']);

export const itemSchema = z.object({
  /** The measured thing: an endpoint, scenario, request name, journey step or page. */
  name: z.string().min(1),
  kind: z.enum(['endpoint', 'scenario', 'request', 'journey', 'step', 'page']),
  targets: targetGroupSchema,
  tags: z.record(z.string(), z.string()),
  metrics: z.record(z.string(), metricSchema),
  /** Per-second figures for plots: requests, errors and P95 (ms) in each second. */
  series: z
    .array(
      z.object({
        t: z.number().int().nonnegative(),
        requests: z.number().int(),
        errors: z.number().int(),
        p95: num,
      }),
    )
    .optional(),
});

export const suiteResultSchema = z.object({
  suite: z.string().min(1),
  /** "error": the suite could not measure (crashed, target gone); `error` says why. */
  status: z.enum(['measured', 'error']),
  error: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  items: z.array(itemSchema),
  notes: z.array(z.string()),
  /** The suite's own thresholds (e.g. a scenario's, in k6 syntax) for items matching `item`. */
  thresholds: z
    .array(z.object({ item: z.string(), metrics: z.record(z.string(), z.array(z.string()).min(1)) }))
    .default([]),
});

export const verdictSchema = z.object({
  suite: z.string(),
  item: z.string(),
  metric: z.string(),
  threshold: z.string(),
  origin: z.string(),
  status: z.enum(['pass', 'fail', 'inconclusive', 'error']),
  value: num,
  limit: z.number(),
  unit: z.string(),
  margin: num,
  samples: z.number().int().nonnegative(),
  reason: z.string().optional(),
});

/**
 * One metric compared with its committed baseline (core/compare.ts). Δ is current − baseline in
 * the metric's unit; `interval` is the confidence interval of Δ at 1 − alpha; `p` the one-sided
 * p-value that the metric got worse.
 */
export const comparisonSchema = z.object({
  suite: z.string(),
  item: z.string(),
  metric: z.string(),
  /** The statistic shown: "med", "p(95)", "rate". */
  stat: z.string(),
  unit: z.string(),
  /** Which way is better. */
  better: z.enum(['lower', 'higher']),
  status: z.enum(['pass', 'regression', 'improved', 'inconclusive']),
  method: z.enum(['mann-whitney', 'quantile', 'proportion']),
  baseline: num,
  current: num,
  delta: num,
  /** Δ / baseline (null when the baseline is 0). */
  relative: num,
  interval: z.tuple([num, num]).nullable(),
  p: num,
  alpha: z.number(),
  /** The smallest Δ that counts: max(relative × baseline, absolute). */
  minEffect: z.object({ relative: z.number(), absolute: z.number() }),
  samples: z.object({ baseline: z.number().int().nonnegative(), current: z.number().int().nonnegative() }),
  reason: z.string().optional(),
  /**
   * What the current run was compared with: a committed baseline (default), the reference
   * deployment measured in the same run (paired mode), or the recent history of runs.
   */
  against: z.enum(['baseline', 'reference', 'history']).optional(),
  /** Whether the calibration found the baseline's machine to be this one ("unknown": no calibration). */
  machine: z.enum(['same', 'other', 'unknown']).optional(),
  /** The history's judgement of this metric (nightly gate): its control limit and spread. */
  history: z
    .object({
      status: z.enum(['outside', 'within', 'insufficient']),
      center: num,
      limit: num,
      runs: z.number().int().nonnegative(),
      reason: z.string(),
    })
    .optional(),
});

/** A sustained shift found in the history of a metric (E-Divisive means over the last runs). */
export const changePointSchema = z.object({
  /** "suite item metric stat", as in history.jsonl. */
  key: z.string(),
  /** The first run of the new level. */
  runId: z.string(),
  startedAt: z.string(),
  before: z.number(),
  after: z.number(),
  relative: num,
  p: z.number(),
  unit: z.string(),
  better: z.enum(['lower', 'higher']),
});

/** Where the baselines came from and what had none (a warning, not a failure). */
export const baselineSummarySchema = z.object({
  dir: z.string(),
  /** Baseline files read, with when and where they were taken. */
  files: z.array(
    z.object({
      file: z.string(),
      suite: z.string(),
      group: z.string(),
      takenAt: z.string(),
      commit: z.string().optional(),
      profile: z.string(),
    }),
  ),
  /** Groups measured in this run without a baseline ("suite group"). */
  missing: z.array(z.string()),
  /** Why a comparison may be unfair: another profile, machine or target than the baseline's. */
  warnings: z.array(z.string()),
});

/**
 * One calibration figure: the median of a few repeats of a fixed measurement, and its spread
 * ((max − min) / median), so a reader can tell a slow machine from a noisy one.
 */
export const calibrationFigureSchema = z.object({
  value: z.number(),
  spread: z.number().nonnegative(),
  repeats: z.number().int().positive(),
});

/**
 * What the machine could do when a run measured it (core/calibration.ts): fixed CPU workloads in
 * Node (one thread, and every core at once, which sees a CPU quota) and in the browser (as
 * Lighthouse's benchmarkIndex), the lateness of a 1 ms timer, and the round trip of a trivial
 * request to the target. Figures that could not be taken (no browser, target down) are null.
 */
export const calibrationSchema = z.object({
  takenAt: z.string(),
  /** Iterations of a fixed workload per ms, one Node thread (higher = faster). */
  nodeCpu: calibrationFigureSchema,
  /** The same workload on every core at once, summed (higher = faster; sees a CPU quota). */
  nodeCpuAll: calibrationFigureSchema,
  /** The same workload in a headless Chromium page, per ms (higher = faster). */
  browserCpu: calibrationFigureSchema.nullable(),
  /** P99 lateness of a 1 ms timer, in ms (lower = steadier). */
  timerJitterMs: calibrationFigureSchema,
  /** Median round trip of GET /health on one keep-alive connection, in ms. */
  rttMs: calibrationFigureSchema.nullable(),
});

/** A run's calibration at its start and at its end (null when the run ended before it). */
export const runCalibrationSchema = z.object({
  start: calibrationSchema,
  end: calibrationSchema.nullable(),
});

export const runMetaSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().nonnegative(),
  profile: z.string(),
  milestone: z.string(),
  baseUrl: z.string(),
  embeddedTarget: z.boolean(),
  git: z.object({
    commit: z.string().optional(),
    branch: z.string().optional(),
    dirty: z.boolean().optional(),
  }),
  machine: z.object({
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    memoryBytes: z.number().positive(),
    nodeVersion: z.string(),
    platform: z.string(),
  }),
  /** The machine measured at the run's start and end (absent in runs before calibration). */
  calibration: runCalibrationSchema.optional(),
  /** Paired mode: the reference deployment measured interleaved with baseUrl (--compare-url). */
  compareUrl: z.string().optional(),
});

export const outcomeSchema = z.object({
  status: z.enum(['pass', 'fail', 'error']),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  /** One line: PASS, FAIL (n metrics) or ERROR (why). */
  line: z.string(),
});

export const runResultSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  run: runMetaSchema,
  suites: z.array(suiteResultSchema),
  verdicts: z.array(verdictSchema),
  /** Comparisons with the committed baselines (empty when none were read). */
  comparisons: z.array(comparisonSchema).default([]),
  baseline: baselineSummarySchema.optional(),
  /** Paired mode: the reference deployment's results, measured interleaved with the run's. */
  reference: z.object({ baseUrl: z.string(), suites: z.array(suiteResultSchema) }).optional(),
  /** What the machine's calibration says about the comparisons (machine match, drift in the run). */
  machine: z
    .object({
      /** The calibration moved between the run's start and end beyond the tolerance. */
      drift: z.string().optional(),
      notes: z.array(z.string()),
    })
    .optional(),
  /** Sustained shifts in the history of this run's metrics (the nightly gate's change points). */
  changePoints: z.array(changePointSchema).optional(),
  outcome: outcomeSchema,
});

export type Histogram = z.infer<typeof histogramSchema>;
export type TrendMetric = z.infer<typeof trendSchema>;
export type RateMetric = z.infer<typeof rateSchema>;
export type CounterMetric = z.infer<typeof counterSchema>;
export type GaugeMetric = z.infer<typeof gaugeSchema>;
export type Metric = z.infer<typeof metricSchema>;
export type TargetGroup = z.infer<typeof targetGroupSchema>;
export type Item = z.infer<typeof itemSchema>;
export type SuiteResult = z.infer<typeof suiteResultSchema>;
export type Verdict = z.infer<typeof verdictSchema>;
export type Comparison = z.infer<typeof comparisonSchema>;
export type ChangePointRecord = z.infer<typeof changePointSchema>;
export type BaselineSummary = z.infer<typeof baselineSummarySchema>;
export type RunMeta = z.infer<typeof runMetaSchema>;
export type CalibrationFigure = z.infer<typeof calibrationFigureSchema>;
export type Calibration = z.infer<typeof calibrationSchema>;
export type RunCalibration = z.infer<typeof runCalibrationSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
export type RunResult = z.infer<typeof runResultSchema>;

export class ResultSchemaError extends PerfError {}

/** Validates parsed JSON as a run result; `source` names the file for the error message. */
export function parseRunResult(value: unknown, source: string): RunResult {
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== SCHEMA_VERSION) {
    throw new ResultSchemaError(
      `${source}: schemaVersion ${JSON.stringify(version)} is not ${SCHEMA_VERSION}: re-run the suites with this version of pitchey-perf`,
    );
  }
  const result = runResultSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ResultSchemaError(
    `${source}: ${issue?.path.join('.') || '(root)'}: ${issue?.message} (and ${result.error.issues.length - 1} more)`,
  );
}

export async function readRunResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ResultSchemaError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ResultSchemaError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseRunResult(value, path);
}
