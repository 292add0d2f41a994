/**
 * The verdict engine: results and target rules in, one verdict per threshold out. Pure, no I/O
 * (in the manner of Lighthouse CI's assertions). A missing or NaN metric is a failure to
 * measure ("error"), never a pass; a pass resting on too few samples is "inconclusive".
 */
import { decodeHistogram, minSamplesFor, percentile } from './histogram.ts';
import type { Comparison, Item, Metric, Outcome, SuiteResult, Verdict } from './results.ts';
import type { MilestoneTargets, TargetRule, ThresholdOverride } from './targets.ts';
import { parseRules, rulesFor } from './targets.ts';
import { compare, margin, type Threshold } from './threshold.ts';

const VALID: Record<Metric['type'], string> = {
  trend: 'avg, min, max, med, p(N)',
  rate: 'rate',
  counter: 'count, rate',
  gauge: 'value',
};

type Evaluation = Pick<Verdict, 'status' | 'value' | 'unit' | 'margin' | 'samples' | 'reason'>;

/** The value a threshold's aggregation reads from a metric, or a reason it cannot. */
function aggregate(metric: Metric, t: Threshold): number | string {
  switch (metric.type) {
    case 'trend': {
      if (t.percentile !== undefined) {
        if (metric.histogram) {
          return percentile(decodeHistogram(metric.histogram.data), t.percentile) / metric.histogram.scale;
        }
        const key = t.percentile === 50 ? 'med' : (`p${t.percentile}` as keyof typeof metric.values);
        return (
          metric.values[key] ??
          `p(${t.percentile}) is not in the result and there is no histogram to compute it from`
        );
      }
      const field = { avg: 'mean', min: 'min', max: 'max', med: 'med' }[t.aggregation as string] as
        | keyof typeof metric.values
        | undefined;
      if (field) return metric.values[field] ?? Number.NaN;
      break;
    }
    case 'rate':
      if (t.aggregation === 'rate') return metric.rate ?? Number.NaN;
      break;
    case 'counter':
      if (t.aggregation === 'count') return metric.total;
      if (t.aggregation === 'rate') return metric.ratePerSecond ?? Number.NaN;
      break;
    case 'gauge':
      if (t.aggregation === 'value') return metric.value ?? Number.NaN;
      break;
  }
  return `${t.aggregation} does not apply to a ${metric.type} metric (use ${VALID[metric.type]})`;
}

/** Samples needed before a pass can be trusted; see minSamplesFor for percentiles. */
function samplesNeeded(metric: Metric, t: Threshold): number {
  if (metric.type === 'trend') return t.percentile !== undefined ? minSamplesFor(t.percentile) : 1;
  if (metric.type === 'rate') {
    // rate<x: enough samples that a single true one would show (≥ 1/x); rate>x: ≥ 1/(1−x).
    if (t.operator.startsWith('<') && t.limit > 0) return Math.ceil(1 / t.limit - 1e-9);
    if (t.operator.startsWith('>') && t.limit < 1) return Math.ceil(1 / (1 - t.limit) - 1e-9);
  }
  return 1;
}

export function evaluate(metric: Metric | undefined, metricName: string, t: Threshold): Evaluation {
  if (!metric) {
    return {
      status: 'error',
      value: null,
      unit: '',
      margin: null,
      samples: 0,
      reason: `not measured: no ${metricName} in the result`,
    };
  }
  const base = { unit: metric.unit, samples: metric.count };
  // A counter or gauge at zero is a measurement; a trend or rate without samples is not.
  if (metric.count === 0 && (metric.type === 'trend' || metric.type === 'rate'))
    return {
      ...base,
      status: 'error',
      value: null,
      margin: null,
      reason: `not measured: ${metricName} has no samples`,
    };
  const value = aggregate(metric, t);
  if (typeof value === 'string')
    return { ...base, status: 'error', value: null, margin: null, reason: value };
  if (!Number.isFinite(value)) {
    return {
      ...base,
      status: 'error',
      value: null,
      margin: null,
      reason: `not measured: ${t.aggregation} of ${metricName} is not a number`,
    };
  }
  const passed = compare(value, t.operator, t.limit);
  const needed = samplesNeeded(metric, t);
  const result = { ...base, value, margin: margin(value, t.operator, t.limit) };
  if (!passed) return { ...result, status: 'fail' };
  if (metric.count < needed) {
    return {
      ...result,
      status: 'inconclusive',
      reason: `${t.aggregation} needs at least ${needed} samples to pass, has ${metric.count}`,
    };
  }
  return { ...result, status: 'pass' };
}

function judgeItem(suite: string, item: Item, rules: TargetRule[]): Verdict[] {
  return rules.flatMap((rule) =>
    rule.thresholds.map((t) => ({
      suite,
      item: item.name,
      metric: rule.keyText,
      threshold: t.source,
      origin: rule.origin,
      limit: t.limit,
      ...evaluate(item.metrics[rule.key.metric], rule.key.metric, t),
    })),
  );
}

export function judge(
  suites: SuiteResult[],
  milestone: MilestoneTargets,
  overrides: ThresholdOverride[] = [],
): Verdict[] {
  return suites.flatMap((suite): Verdict[] => {
    if (suite.status === 'error') {
      return [
        {
          suite: suite.suite,
          item: '(suite)',
          metric: '(all)',
          threshold: '(all)',
          origin: 'suite',
          status: 'error',
          value: null,
          limit: 0,
          unit: '',
          margin: null,
          samples: 0,
          reason: `the suite could not measure: ${suite.error ?? 'unknown error'}`,
        },
      ];
    }
    // The suite's own thresholds add to the roadmap's; the config's overrides come last and replace.
    const own: ThresholdOverride[] = suite.thresholds.map((t, i) => ({
      suite: suite.suite,
      item: t.item,
      rules: parseRules(t.metrics, `${suite.suite} suite thresholds[${i}]`, `${suite.suite} ${t.item}`),
      add: true,
    }));
    const all = [...own, ...overrides];
    return suite.items.flatMap((item) =>
      judgeItem(suite.suite, item, rulesFor(suite.suite, item, milestone, all)),
    );
  });
}

/**
 * The run's outcome and exit code. Anything not measured makes it an error (2), even beside a
 * failure, because the result is incomplete; otherwise a target failure or a regression is 1; a
 * run whose passes rest on too few samples, or that judged nothing, is 2: never 0 when something
 * was not measured. Inconclusive comparisons with a baseline fail only when the config says so.
 */
export function outcome(
  verdicts: Verdict[],
  comparisons: Comparison[] = [],
  inconclusiveComparisons: 'warn' | 'fail' = 'warn',
): Outcome {
  const count = (status: Verdict['status']) => verdicts.filter((v) => v.status === status).length;
  const errors = verdicts.filter((v) => v.status === 'error');
  const overTarget = count('fail');
  const regressions = comparisons.filter(
    (c) => c.status === 'regression' || (c.status === 'inconclusive' && inconclusiveComparisons === 'fail'),
  ).length;
  const failed = overTarget + regressions;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const why = [
    overTarget ? `${overTarget} over target` : '',
    regressions ? plural(regressions, 'regression') : '',
  ]
    .filter(Boolean)
    .join(', ');
  const failLine = `FAIL (${plural(failed, 'metric')}${regressions ? `: ${why}` : ''})`;
  if (errors.length) {
    const first = errors[0] as Verdict;
    return {
      status: 'error',
      exitCode: 2,
      line: `ERROR (${errors.length} not measured: ${first.suite} ${first.item} ${first.metric}: ${first.reason})${failed ? `; also ${failLine}` : ''}`,
    };
  }
  if (failed) return { status: 'fail', exitCode: 1, line: failLine };
  const inconclusive = count('inconclusive');
  if (inconclusive) {
    return {
      status: 'error',
      exitCode: 2,
      line: `ERROR (${inconclusive} inconclusive: too few samples to pass; use a longer profile or more requests)`,
    };
  }
  if (!verdicts.length)
    return {
      status: 'error',
      exitCode: 2,
      line: 'ERROR (nothing was judged: no suite produced a metric with a target)',
    };
  const compared = comparisons.length ? `; ${plural(comparisons.length, 'comparison')} with baselines` : '';
  return { status: 'pass', exitCode: 0, line: `PASS (${plural(verdicts.length, 'metric')}${compared})` };
}
