/**
 * The pipeline's middle: run the suites one after another (never two measurements at once on
 * this machine), judge their results, and assemble the run result. Suites, the target and
 * the reports are passed in: this module does no other I/O.
 */
import type { BaselineInput, LoadedBaseline } from './baselines.ts';
import { compareRun } from './compare.ts';
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

/** Why comparing this run with a baseline may be unfair: a different profile, target or machine. */
export function fairnessWarnings(meta: RunMeta, used: LoadedBaseline[]): string[] {
  const warnings = new Set<string>();
  for (const { file, baseline } of used) {
    if (baseline.baseUrl !== meta.baseUrl && !(baseline.embeddedTarget && meta.embeddedTarget))
      warnings.add(`${file} was taken against ${baseline.baseUrl}, this run measures ${meta.baseUrl}`);
    if (baseline.profile !== meta.profile)
      warnings.add(`${file} was taken with profile ${baseline.profile}, this run is ${meta.profile}`);
  }
  return [...warnings];
}

/** Judges the suites, compares them with their baselines, and returns the validated run result. */
export function assembleResult(
  meta: RunMeta,
  suites: SuiteResult[],
  milestone: MilestoneTargets,
  overrides: ThresholdOverride[],
  baselines?: BaselineInput,
): RunResult {
  const verdicts = judge(suites, milestone, overrides);
  const compared = baselines
    ? compareRun(
        suites,
        baselines.loaded.map((l) => l.baseline),
        baselines.options,
        meta.machine,
      )
    : undefined;
  const used = baselines?.loaded.filter((l) => compared?.used.includes(l.baseline)) ?? [];
  const comparisons = compared?.comparisons ?? [];
  return parseRunResult(
    {
      schemaVersion: SCHEMA_VERSION,
      run: meta,
      suites,
      verdicts,
      comparisons,
      ...(baselines && compared
        ? {
            baseline: {
              dir: baselines.dir,
              files: used.map(({ file, baseline }) => ({
                file,
                suite: baseline.suite,
                group: baseline.group,
                takenAt: baseline.takenAt,
                ...(baseline.git.commit ? { commit: baseline.git.commit } : {}),
                profile: baseline.profile,
              })),
              missing: compared.missing,
              warnings: fairnessWarnings(meta, used),
            },
          }
        : {}),
      outcome: outcome(verdicts, comparisons, baselines?.inconclusive),
    },
    'this run',
  );
}
