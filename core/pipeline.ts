/**
 * The pipeline's middle: run the suites one after another (never two measurements at once on
 * this machine), judge their results, and assemble the run result. Suites, the target and
 * the reports are passed in: this module does no other I/O.
 */
import { parseRunResult, type RunMeta, type RunResult, SCHEMA_VERSION, type SuiteResult } from './results.ts';
import type { Progress, Suite } from './suite.ts';
import type { MilestoneTargets, ThresholdOverride } from './targets.ts';
import { judge, outcome } from './verdict.ts';

export interface PlannedSuite {
  // biome-ignore lint/suspicious/noExplicitAny: each planned suite carries its own settings type
  suite: Suite<any>;
  settings: unknown;
}

export interface RunSuitesOptions {
  baseUrl: URL;
  signal: AbortSignal;
  progress(suite: string): Progress & { end(): void };
}

export async function runSuites(planned: PlannedSuite[], options: RunSuitesOptions): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  for (const { suite, settings } of planned) {
    if (options.signal.aborted) break;
    const startedAt = new Date();
    const started = performance.now();
    const progress = options.progress(suite.name);
    try {
      const output = await suite.run({
        baseUrl: options.baseUrl,
        settings,
        progress,
        signal: options.signal,
      });
      results.push({
        suite: suite.name,
        status: output.items.length ? 'measured' : 'error',
        ...(output.items.length ? {} : { error: 'the suite measured nothing' }),
        startedAt: startedAt.toISOString(),
        durationMs: performance.now() - started,
        items: output.items,
        notes: output.notes,
        thresholds: output.thresholds ?? [],
      });
    } catch (error) {
      results.push({
        suite: suite.name,
        status: 'error',
        error: error instanceof Error ? error.message : String(error),
        startedAt: startedAt.toISOString(),
        durationMs: performance.now() - started,
        items: [],
        notes: [],
        thresholds: [],
      });
    } finally {
      progress.end();
    }
  }
  return results;
}

/** Judges the suites and returns the validated run result (a schema slip fails here, loudly). */
export function assembleResult(
  meta: RunMeta,
  suites: SuiteResult[],
  milestone: MilestoneTargets,
  overrides: ThresholdOverride[],
): RunResult {
  const verdicts = judge(suites, milestone, overrides);
  return parseRunResult(
    { schemaVersion: SCHEMA_VERSION, run: meta, suites, verdicts, outcome: outcome(verdicts) },
    'this run',
  );
}
