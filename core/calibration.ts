/**
 * What a run's calibration says about its comparisons (pure). "Same machine" is decided by the
 * figures the machine measured (core/calibration-probe.ts), not by its CPU model string: two VMs
 * with one model string were 25 % apart here (shared notes, measurement §8). A deciding figure
 * further than the tolerance from the baseline's means another machine, whatever its spread: a
 * machine too noisy to be shown the same is not judged as the same.
 */
import type { Calibration, CalibrationFigure, RunCalibration } from './results.ts';

export type FigureName = 'nodeCpu' | 'nodeCpuAll' | 'browserCpu' | 'timerJitterMs' | 'rttMs';

export interface CalibrationOptions {
  /** Relative difference beyond which a figure says "another machine" (0.1 = ±10 %). */
  tolerance: number;
  /** The figures that decide; the others are shown only. */
  figures: FigureName[];
}

export const FIGURES: Record<FigureName, { label: string; unit: string; better: 'higher' | 'lower' }> = {
  nodeCpu: { label: 'node CPU', unit: 'it/ms', better: 'higher' },
  nodeCpuAll: { label: 'node CPU, all cores', unit: 'it/ms', better: 'higher' },
  browserCpu: { label: 'browser CPU', unit: 'it/ms', better: 'higher' },
  timerJitterMs: { label: 'timer jitter P99', unit: 'ms', better: 'lower' },
  rttMs: { label: 'request round trip', unit: 'ms', better: 'lower' },
};

export interface FigureDifference {
  figure: FigureName;
  current: number;
  baseline: number;
  /** current / baseline − 1 */
  relative: number;
  /** Beyond the tolerance and the figures' own spread. */
  differs: boolean;
}

export interface MachineMatch {
  /** true: same machine within the tolerance; false: another; null: nothing to decide on. */
  same: boolean | null;
  differences: FigureDifference[];
  /** One sentence with the figures, for a comparison's reason. */
  reason: string;
}

/** One calibration from a run's start and end: the geometric mean of each figure (pure). */
export function effectiveCalibration(run: RunCalibration): Calibration {
  const end = run.end;
  if (!end) return run.start;
  const mean = (a: CalibrationFigure | null, b: CalibrationFigure | null): CalibrationFigure | null =>
    a && b
      ? {
          value: Math.sqrt(a.value * b.value),
          spread: Math.max(a.spread, b.spread),
          repeats: a.repeats + b.repeats,
        }
      : (a ?? b);
  return {
    takenAt: run.start.takenAt,
    nodeCpu: mean(run.start.nodeCpu, end.nodeCpu) as CalibrationFigure,
    nodeCpuAll: mean(run.start.nodeCpuAll, end.nodeCpuAll) as CalibrationFigure,
    browserCpu: mean(run.start.browserCpu, end.browserCpu),
    timerJitterMs: mean(run.start.timerJitterMs, end.timerJitterMs) as CalibrationFigure,
    rttMs: mean(run.start.rttMs, end.rttMs),
  };
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3));

/** The differences of the deciding figures between two calibrations. */
export function differences(
  current: Calibration,
  baseline: Calibration,
  options: CalibrationOptions,
): FigureDifference[] {
  const result: FigureDifference[] = [];
  for (const figure of options.figures) {
    const c = current[figure];
    const b = baseline[figure];
    if (!c || !b || !(b.value > 0)) continue;
    const relative = c.value / b.value - 1;
    // A noisy figure is no excuse: a machine that cannot be shown to be the same is not.
    result.push({
      figure,
      current: c.value,
      baseline: b.value,
      relative,
      differs: Math.abs(relative) > options.tolerance,
    });
  }
  return result;
}

function describe(d: FigureDifference): string {
  const { label, unit, better } = FIGURES[d.figure];
  const slower = better === 'higher' ? d.relative < 0 : d.relative > 0;
  const pct = Math.abs(d.relative * 100).toFixed(0);
  return `${label} ${fmt(d.current)} vs ${fmt(d.baseline)} ${unit} (${pct} % ${slower ? 'slower' : 'faster'})`;
}

/** Is the run's machine the baseline's? With the figures, either way. */
export function matchMachine(
  current: Calibration,
  baseline: Calibration | undefined,
  options: CalibrationOptions,
): MachineMatch {
  if (!baseline)
    return {
      same: null,
      differences: [],
      reason:
        'the baseline carries no calibration (taken before pitchey-perf measured machines): re-take it here with npm run baselines:update',
    };
  const diffs = differences(current, baseline, options);
  if (!diffs.length)
    return { same: null, differences: diffs, reason: 'no calibration figure in common with the baseline' };
  const differing = diffs.filter((d) => d.differs);
  if (!differing.length)
    return {
      same: true,
      differences: diffs,
      reason: `same machine within ±${(options.tolerance * 100).toFixed(0)} %: ${diffs.map(describe).join(', ')}`,
    };
  const worst = differing.reduce((a, b) => (Math.abs(b.relative) > Math.abs(a.relative) ? b : a));
  const slower = FIGURES[worst.figure].better === 'higher' ? worst.relative < 0 : worst.relative > 0;
  return {
    same: false,
    differences: diffs,
    reason: `this machine is ${Math.abs(worst.relative * 100).toFixed(0)} % ${slower ? 'slower' : 'faster'} than the baseline's: ${differing.map(describe).join(', ')} — re-take baselines here, or compare paired (--compare-url)`,
  };
}

/** Did the machine change between the run's start and its end? The sentence if so. */
export function driftOf(run: RunCalibration, options: CalibrationOptions): string | undefined {
  if (!run.end) return undefined;
  const moved = differences(run.end, run.start, options).filter((d) => d.differs);
  if (!moved.length) return undefined;
  return `the machine changed during this run (a busy neighbour?): ${moved
    .map((d) => `${FIGURES[d.figure].label} ${fmt(d.baseline)} at the start, ${fmt(d.current)} at the end`)
    .join(', ')} — its comparisons may be unfair`;
}

/**
 * The machine's speed for a suite's history (higher = faster): Node's one-thread CPU figure for
 * every suite. The browser's figure would fit the browser suites better in theory, but it wobbles
 * by ±15–20 % from probe to probe where Node's stays within ±2 %, and a noisy speed blurs the
 * fit more than a slightly wrong one. null when the run measured none.
 */
export function speedFor(_suite: string, figures: FigureValues | undefined): number | null {
  return figures?.nodeCpu ?? null;
}

/** A calibration's values alone, as history.jsonl keeps them. */
export type FigureValues = Partial<Record<FigureName, number>>;

export function figureValues(calibration: Calibration): FigureValues {
  const values: FigureValues = {};
  for (const name of Object.keys(FIGURES) as FigureName[]) {
    const figure = calibration[name];
    if (figure) values[name] = Number(figure.value.toPrecision(4));
  }
  return values;
}

/** One line per figure for reports: "node CPU 4.61 it/ms (±1 %)", start → end when both. */
export function calibrationLines(run: RunCalibration): string[] {
  const lines: string[] = [];
  for (const [name, { label, unit }] of Object.entries(FIGURES) as [
    FigureName,
    (typeof FIGURES)[FigureName],
  ][]) {
    const start = run.start[name];
    const end = run.end?.[name] ?? null;
    if (!start && !end) {
      lines.push(`${label}: not measured`);
      continue;
    }
    const show = (f: CalibrationFigure) => `${fmt(f.value)} ${unit} (±${(f.spread * 50).toFixed(0)} %)`;
    lines.push(`${label}: ${start ? show(start) : 'not measured'}${end ? ` → ${show(end)} at the end` : ''}`);
  }
  return lines;
}
