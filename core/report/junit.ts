/** junit.xml: one testcase per judged metric, the numbers in each failure's message. */
import { XMLBuilder } from 'fast-xml-parser';
import type { Comparison, RunResult, Verdict } from '../results.ts';
import {
  comparedMetric,
  formatDelta,
  formatInterval,
  formatP,
  formatThreshold,
  formatValue,
} from './format.ts';

function message(v: Verdict): string {
  const measured = `${v.metric} ${v.threshold.replace(/\s+/g, '')}: measured ${formatValue(v.value, v.unit)}, target ${formatThreshold(v)}`;
  const margin = v.margin === null ? '' : `, margin ${formatValue(v.margin, v.unit)}`;
  return `${measured}${margin} (${v.samples} samples)${v.reason ? `: ${v.reason}` : ''}`;
}

function testcase(v: Verdict) {
  const base = { '@_name': `${v.item} ${v.metric} ${v.threshold}`, '@_classname': `pitchey-perf.${v.suite}` };
  switch (v.status) {
    case 'pass':
      return base;
    case 'fail':
      return { ...base, failure: { '@_message': message(v), '@_type': 'threshold', '#text': message(v) } };
    case 'error':
      return { ...base, error: { '@_message': message(v), '@_type': 'not-measured', '#text': message(v) } };
    case 'inconclusive':
      return { ...base, error: { '@_message': message(v), '@_type': 'inconclusive', '#text': message(v) } };
  }
}

function comparisonMessage(c: Comparison): string {
  return `${comparedMetric(c)}: baseline ${formatValue(c.baseline, c.unit)}, current ${formatValue(c.current, c.unit)}, Δ ${formatDelta(c)}, interval ${formatInterval(c)}, p = ${formatP(c.p)} (${c.method}, alpha ${c.alpha})${c.reason ? `: ${c.reason}` : ''}`;
}

/** A regression is a failure; an inconclusive comparison is reported, and fails only by config. */
function comparisonTestcase(c: Comparison) {
  const base = {
    '@_name': `${c.item} ${comparedMetric(c)} vs baseline`,
    '@_classname': `pitchey-perf.${c.suite}.baseline`,
  };
  if (c.status === 'regression')
    return {
      ...base,
      failure: { '@_message': comparisonMessage(c), '@_type': 'regression', '#text': comparisonMessage(c) },
    };
  return { ...base, 'system-out': comparisonMessage(c) };
}

export function renderJunit(result: RunResult): string {
  const names = [...new Set([...result.verdicts, ...result.comparisons].map((v) => v.suite))];
  const suites = names.map((name) => {
    const verdicts = result.verdicts.filter((v) => v.suite === name);
    const comparisons = result.comparisons.filter((c) => c.suite === name);
    const suite = result.suites.find((s) => s.suite === name);
    return {
      '@_name': name,
      '@_tests': verdicts.length + comparisons.length,
      '@_failures':
        verdicts.filter((v) => v.status === 'fail').length +
        comparisons.filter((c) => c.status === 'regression').length,
      '@_errors': verdicts.filter((v) => v.status === 'error' || v.status === 'inconclusive').length,
      '@_time': ((suite?.durationMs ?? 0) / 1000).toFixed(3),
      '@_timestamp': suite?.startedAt ?? result.run.startedAt,
      testcase: [...verdicts.map(testcase), ...comparisons.map(comparisonTestcase)],
    };
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  const body = builder.build({
    testsuites: {
      '@_name': `pitchey-perf ${result.run.profile}`,
      '@_tests': result.verdicts.length + result.comparisons.length,
      '@_failures':
        result.verdicts.filter((v) => v.status === 'fail').length +
        result.comparisons.filter((c) => c.status === 'regression').length,
      '@_errors': result.verdicts.filter((v) => v.status === 'error' || v.status === 'inconclusive').length,
      '@_time': (result.run.durationMs / 1000).toFixed(3),
      testsuite: suites,
    },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
