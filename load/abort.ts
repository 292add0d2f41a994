/**
 * abortOnFail: during a run, thresholds marked abortOnFail are evaluated about once a second
 * on the live metrics (after their delayAbortEval); the first to fail stops the scenario and
 * is named as the reason.
 */
import { parseMetricKey, parseThreshold } from '../core/threshold.ts';
import { evaluate } from '../core/verdict.ts';
import type { Recorder } from './recorder.ts';
import { ms, type Scenario } from './scenario.ts';

interface Watched {
  key: string;
  metric: string;
  name: string | undefined;
  expression: string;
  threshold: ReturnType<typeof parseThreshold>;
  delayMs: number;
}

/** The watcher for a scenario, or undefined when none of its thresholds aborts. */
export function abortWatcher(
  scenario: Scenario,
): ((recorder: Recorder, elapsedMs: number) => string | undefined) | undefined {
  const watched: Watched[] = [];
  for (const [key, entries] of Object.entries(scenario.thresholds)) {
    const { metric, tags } = parseMetricKey(key, `scenario "${scenario.name}"`);
    for (const entry of entries) {
      if (typeof entry === 'string' || !entry.abortOnFail) continue;
      watched.push({
        key,
        metric,
        name: tags.name,
        expression: entry.threshold,
        threshold: parseThreshold(entry.threshold, `scenario "${scenario.name}"`),
        delayMs: entry.delayAbortEval ? ms(entry.delayAbortEval) : 0,
      });
    }
  }
  if (!watched.length) return undefined;
  return (recorder, elapsedMs) => {
    for (const w of watched) {
      if (elapsedMs < w.delayMs) continue;
      const metrics = w.name
        ? recorder.liveNameMetrics(w.name, elapsedMs / 1000)
        : recorder.liveMetrics(elapsedMs / 1000);
      const result = evaluate(metrics?.[w.metric], w.metric, w.threshold);
      if (result.status === 'fail') {
        return `abortOnFail: threshold "${w.expression}" on ${w.key} failed at ${(elapsedMs / 1000).toFixed(1)} s (value ${result.value?.toFixed(3)})`;
      }
    }
    return undefined;
  };
}
