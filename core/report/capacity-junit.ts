/**
 * The capacity check as junit.xml (pure): its criteria are the testcases — the headroom over
 * the DAU peak and the capacity against the previous result — with the steps as output. A step
 * above the knee fails by design, so steps are never testcases of their own.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { CapacityReport } from './capacity-md.ts';

export function renderCapacityJunit(r: CapacityReport): string {
  const steps = r.steps
    .map((s) => `${s.offeredRps} req/s: ${s.status}${s.reasons.length ? ` (${s.reasons.join('; ')})` : ''}`)
    .join('\n');
  const undecided = r.outcome.exitCode === 2;
  const headroom = {
    '@_name': `capacity ≥ ${r.minHeadroom}× the ${r.demand.dau}-DAU peak`,
    '@_classname': 'pitchey-perf.capacity',
    ...(undecided
      ? { error: { '@_message': r.outcome.line, '@_type': 'inconclusive', '#text': r.outcome.line } }
      : r.headroom.status === 'fail'
        ? { failure: { '@_message': r.headroom.line, '@_type': 'headroom', '#text': r.headroom.line } }
        : {}),
    'system-out': `${r.headroom.line}\n${r.demand.line}\n${steps}`,
  };
  const cases: object[] = [headroom];
  if (r.previous)
    cases.push({
      '@_name': 'capacity vs the previous result',
      '@_classname': 'pitchey-perf.capacity.baseline',
      ...(r.previous.status === 'regression'
        ? { failure: { '@_message': r.previous.line, '@_type': 'regression', '#text': r.previous.line } }
        : { 'system-out': r.previous.line }),
    });
  const failures =
    (r.headroom.status === 'fail' && !undecided ? 1 : 0) + (r.previous?.status === 'regression' ? 1 : 0);
  const suite = {
    '@_name': 'capacity',
    '@_tests': cases.length,
    '@_failures': failures,
    '@_errors': undecided ? 1 : 0,
    '@_time': r.wallSeconds.toFixed(3),
    '@_timestamp': r.measuredAt,
    testcase: cases,
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  const body = builder.build({
    testsuites: {
      '@_name': 'pitchey-perf capacity',
      '@_tests': cases.length,
      '@_failures': failures,
      '@_errors': suite['@_errors'],
      testsuite: [suite],
    },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
