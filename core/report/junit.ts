/** junit.xml: one testcase per judged metric, the numbers in each failure's message. */
import { XMLBuilder } from 'fast-xml-parser';
import type { RunResult, Verdict } from '../results.ts';
import { formatThreshold, formatValue } from './format.ts';

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

export function renderJunit(result: RunResult): string {
  const suites = [...new Set(result.verdicts.map((v) => v.suite))].map((name) => {
    const verdicts = result.verdicts.filter((v) => v.suite === name);
    const suite = result.suites.find((s) => s.suite === name);
    return {
      '@_name': name,
      '@_tests': verdicts.length,
      '@_failures': verdicts.filter((v) => v.status === 'fail').length,
      '@_errors': verdicts.filter((v) => v.status === 'error' || v.status === 'inconclusive').length,
      '@_time': ((suite?.durationMs ?? 0) / 1000).toFixed(3),
      '@_timestamp': suite?.startedAt ?? result.run.startedAt,
      testcase: verdicts.map(testcase),
    };
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  const body = builder.build({
    testsuites: {
      '@_name': `pitchey-perf ${result.run.profile}`,
      '@_tests': result.verdicts.length,
      '@_failures': result.verdicts.filter((v) => v.status === 'fail').length,
      '@_errors': result.verdicts.filter((v) => v.status === 'error' || v.status === 'inconclusive').length,
      '@_time': (result.run.durationMs / 1000).toFixed(3),
      testsuite: suites,
    },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
