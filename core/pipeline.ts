/**
 * The pipeline's middle: run the suites one after another (never two measurements at once on
 * this machine), judge their results, and assemble the run result. Suites, the target and
 * the reports are passed in: this module does no other I/O.
 */
import { baselinesFromRun } from './baseline-file.ts';
import type { BaselineInput, LoadedBaseline } from './baselines.ts';
import { type CalibrationOptions, driftOf, effectiveCalibration, figureValues } from './calibration.ts';
import { type CompareOptions, compareRun, type MachineContext } from './compare.ts';
import { comparePaired, confirmationNote, leaningWorse, mergeItems } from './confirm.ts';
import type { HistoryEntry } from './history.ts';
import { findChangePoints, judgeWithHistory } from './history-compare.ts';
import type { HistoryOptions } from './history-verdict.ts';
import {
  type ChangePointRecord,
  type Comparison,
  parseRunResult,
  type RunMeta,
  type RunResult,
  SCHEMA_VERSION,
  type SuiteResult,
} from './results.ts';
import type { Progress, Suite, SuiteOutput } from './suite.ts';
import type { MilestoneTargets, ThresholdOverride } from './targets.ts';
import { judge, outcome } from './verdict.ts';

export interface PlannedSuite {
  // biome-ignore lint/suspicious/noExplicitAny: each planned suite carries its own settings type
  suite: Suite<any>;
  settings: unknown;
}

export interface RunSuitesOptions {
  baseUrl: URL;
  /** Paired mode: the reference deployment; its suites' results go to `reference`. */
  compareUrl?: URL;
  /** Paired mode: receives the reference side's result of each suite. */
  reference?: SuiteResult[];
  /**
   * Paired mode: how the sides will be judged; with it, a suite whose first round leans towards
   * a regression measures those journeys or pages once more (core/confirm.ts).
   */
  confirm?: CompareOptions;
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
      const context = {
        baseUrl: options.baseUrl,
        compareUrl: options.compareUrl,
        progress,
        signal: options.signal,
      };
      let output = await suite.run({ ...context, settings });
      if (options.confirm && output.reference && !options.signal.aborted)
        output = await confirmRound(suite, settings, output, options.confirm, (narrowed) =>
          suite.run({ ...context, settings: narrowed }),
        );
      if (options.compareUrl && !output.reference)
        throw new Error(`the ${suite.name} suite cannot measure a reference (--compare-url)`);
      if (output.reference)
        options.reference?.push({
          suite: suite.name,
          status: output.reference.items.length ? 'measured' : 'error',
          ...(output.reference.items.length ? {} : { error: 'the suite measured nothing on the reference' }),
          startedAt: startedAt.toISOString(),
          durationMs: performance.now() - started,
          items: output.reference.items,
          notes: output.reference.notes,
          thresholds: [],
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

/**
 * Paired mode: when the first round leans towards a regression somewhere, the suite measures
 * those journeys or pages again and the rounds are pooled (core/confirm.ts says why this keeps
 * the false-alarm rate). One round at most: the run stays bounded.
 */
export async function confirmRound(
  suite: PlannedSuite['suite'],
  settings: unknown,
  first: SuiteOutput,
  options: CompareOptions,
  run: (settings: unknown) => Promise<SuiteOutput>,
): Promise<SuiteOutput> {
  const reference = first.reference as NonNullable<SuiteOutput['reference']>;
  const leaning = leaningWorse(comparePaired(suite.name, first.items, reference.items, options));
  if (!leaning.length || !suite.narrow) return first;
  const names = new Set(leaning.map((c) => c.item));
  const narrowed = suite.narrow(
    settings,
    first.items.filter((i) => names.has(i.name)),
  );
  if (!narrowed) return first;
  const note = confirmationNote(leaning, narrowed.what);
  // A confirmation round that fails must not take the first round with it.
  const second = await run(narrowed.settings).catch(
    (error: unknown): SuiteOutput => ({
      items: [],
      notes: [`it failed: ${error instanceof Error ? error.message : String(error)}`],
    }),
  );
  if (!second.reference || !second.items.length)
    return {
      ...first,
      notes: [
        ...first.notes,
        `${note}; the confirmation round measured nothing (${second.notes[0] ?? 'no items'}): the first round stands`,
      ],
    };
  return {
    ...first,
    items: mergeItems(first.items, second.items),
    notes: [...first.notes, note, ...second.notes.map((n) => `confirmation round: ${n}`)],
    reference: {
      items: mergeItems(reference.items, second.reference.items),
      notes: [...reference.notes, ...second.reference.notes.map((n) => `confirmation round: ${n}`)],
    },
  };
}

/** Paired comparisons without a baselines config: the defaults of the baselines section. */
export const PAIRED_OPTIONS: CompareOptions = {
  alpha: 0.01,
  percentiles: [50, 95],
  minEffect: {},
  sameMachine: false,
};

/** The machine's word on the comparisons, one line each kind: how many were another machine's. */
function machineNotes(comparisons: Comparison[]): string[] {
  const other = comparisons.filter((c) => c.machine === 'other' && c.status === 'inconclusive');
  const unknown = comparisons.filter((c) => c.machine === 'unknown' && c.status === 'inconclusive');
  const notes: string[] = [];
  if (other.length) notes.push(`${other.length} comparisons inconclusive: ${other[0]?.reason}`);
  if (unknown.length) notes.push(`${unknown.length} comparisons inconclusive: ${unknown[0]?.reason}`);
  return notes;
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

/** What else judges a run besides its targets and baselines: the machine, a reference, history. */
export interface JudgeContext {
  /** How to match calibrations (config.calibration); without it the CPU model string decides. */
  calibration?: CalibrationOptions;
  /** Paired mode: the reference deployment's suites, measured interleaved with this run's. */
  reference?: { baseUrl: string; suites: SuiteResult[] };
  /** The nightly gate: earlier runs from history.jsonl and how to judge against them. */
  history?: { entries: HistoryEntry[]; options: HistoryOptions };
}

/** The reference side of a paired run as baseline files, so the same statistics judge it. */
function referenceAsBaselines(meta: RunMeta, reference: NonNullable<JudgeContext['reference']>) {
  return baselinesFromRun({
    schemaVersion: SCHEMA_VERSION,
    run: { ...meta, baseUrl: reference.baseUrl },
    suites: reference.suites,
    verdicts: [],
    comparisons: [],
    outcome: { status: 'pass', exitCode: 0, line: '' },
  });
}

/** Judges the suites, compares them with their baselines, and returns the validated run result. */
export function assembleResult(
  meta: RunMeta,
  suites: SuiteResult[],
  milestone: MilestoneTargets,
  overrides: ThresholdOverride[],
  baselines?: BaselineInput,
  context: JudgeContext = {},
): RunResult {
  const verdicts = judge(suites, milestone, overrides);
  const calibration = meta.calibration && effectiveCalibration(meta.calibration);
  const drift = meta.calibration && context.calibration && driftOf(meta.calibration, context.calibration);
  const machine: MachineContext = {
    machine: meta.machine,
    ...(calibration && context.calibration ? { calibration, calibrationOptions: context.calibration } : {}),
    ...(drift ? { drift } : {}),
  };
  const reference = context.reference;
  const compared = reference
    ? // Paired sides share the machine and its drift: a noisy neighbour cannot excuse a regression.
      compareRun(suites, referenceAsBaselines(meta, reference), baselines?.options ?? PAIRED_OPTIONS, {
        machine: meta.machine,
        against: 'reference',
      })
    : baselines
      ? compareRun(
          suites,
          baselines.loaded.map((l) => l.baseline),
          baselines.options,
          machine,
        )
      : undefined;
  const used = reference ? [] : (baselines?.loaded.filter((l) => compared?.used.includes(l.baseline)) ?? []);
  let comparisons = compared?.comparisons ?? [];
  let changePoints: ChangePointRecord[] | undefined;
  if (context.history && !reference) {
    const input = {
      entries: context.history.entries,
      options: context.history.options,
      figures: calibration && figureValues(calibration),
    };
    comparisons = judgeWithHistory(comparisons, meta, input);
    changePoints = findChangePoints(comparisons, meta, input);
  }
  return parseRunResult(
    {
      schemaVersion: SCHEMA_VERSION,
      run: meta,
      suites,
      verdicts,
      comparisons,
      ...(baselines && compared && !reference
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
      ...(reference ? { reference } : {}),
      ...(meta.calibration
        ? { machine: { ...(drift ? { drift } : {}), notes: machineNotes(comparisons) } }
        : {}),
      ...(changePoints ? { changePoints } : {}),
      outcome: outcome(verdicts, comparisons, baselines?.inconclusive),
    },
    'this run',
  );
}
