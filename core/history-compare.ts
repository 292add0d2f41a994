/**
 * The nightly gate's second opinion (pure): each comparison with a baseline judged again against
 * the recent history of comparable runs (reports/history.jsonl), machine-adjusted through each
 * run's calibration. A regression stands only when the run is also outside the between-run
 * spread (night-to-night variance that one baseline run cannot show); a comparison the
 * baseline could not judge (another machine) is judged by the history alone. Change points mark
 * where a sustained shift began. Methods: Perfherder's and Otava's windows of history, a robust
 * control limit, E-Divisive means (shared notes, measurement §4 and §8).
 */
import { type FigureValues, speedFor } from './calibration.ts';
import { changePoints } from './changepoint.ts';
import type { HistoryEntry } from './history.ts';
import { historyKey } from './history.ts';
import {
  DEFAULT_HISTORY_OPTIONS,
  type HistoryOptions,
  type HistoryPoint,
  judgeAgainstHistory,
  machineAdjusted,
} from './history-verdict.ts';
import type { ChangePointRecord, Comparison, RunMeta } from './results.ts';

export interface HistoryInput {
  /** Earlier runs, oldest first (this run not among them). */
  entries: HistoryEntry[];
  options: HistoryOptions;
  /** This run's calibration figures (start and end combined). */
  figures: FigureValues | undefined;
}

/** Runs that measured the same thing the same way: same profile and target, not paired. */
export function comparableEntries(entries: readonly HistoryEntry[], meta: RunMeta): HistoryEntry[] {
  return entries.filter(
    (e) =>
      e.id !== meta.id &&
      e.profile === meta.profile &&
      e.status !== 'error' &&
      !e.compareUrl &&
      !e.drift &&
      (e.baseUrl === meta.baseUrl || isEmbedded(e.baseUrl, meta)),
  );
}

// The embedded target listens on a new port every run: every loopback origin of an embedded run is one target.
const isEmbedded = (baseUrl: string, meta: RunMeta) =>
  meta.embeddedTarget && /^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl);

/** Times scale with the machine (log scale, speed-adjusted); rates, sizes and scores do not. */
const scaleOf = (unit: string): 'log' | 'linear' => (unit === 'ms' ? 'log' : 'linear');

function pointsFor(entries: readonly HistoryEntry[], key: string, suite: string): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (const e of entries) {
    const value = e.metrics[key];
    if (value === undefined) continue;
    points.push({ id: e.id, startedAt: e.startedAt, value, speed: speedFor(suite, e.calibration) });
  }
  return points;
}

/** Each comparison with a baseline, judged again with the history. */
export function judgeWithHistory(
  comparisons: Comparison[],
  meta: RunMeta,
  input: HistoryInput,
): Comparison[] {
  const entries = comparableEntries(input.entries, meta);
  return comparisons.map((c) => {
    if (c.against !== 'baseline' || c.current === null) return c;
    const key = historyKey(c.suite, c.item, c.metric, c.stat);
    const judgement = judgeAgainstHistory(
      { value: c.current, speed: speedFor(c.suite, input.figures) },
      pointsFor(entries, key, c.suite),
      c.better,
      scaleOf(c.unit),
      { ...input.options, unit: c.unit },
    );
    const history: Comparison['history'] = {
      status: judgement.status,
      center: judgement.center,
      limit: judgement.limit,
      runs: judgement.runs,
      reason: judgement.reason,
    };
    if (c.status === 'regression') {
      if (judgement.status === 'within')
        return {
          ...c,
          history,
          status: 'pass',
          reason: `worse than the baseline, but within the between-run spread: ${judgement.reason}`,
        };
      return { ...c, history, reason: `history: ${judgement.reason}` };
    }
    // The baseline is another machine's: the machine-adjusted history may still judge.
    if (c.status === 'inconclusive' && c.machine && c.machine !== 'same' && judgement.center !== null) {
      if (judgement.status === 'insufficient') return { ...c, history };
      const worseBy = c.better === 'lower' ? c.current - judgement.center : judgement.center - c.current;
      const needed = Math.max(c.minEffect.relative * Math.abs(judgement.center), c.minEffect.absolute);
      const regressed = judgement.status === 'outside' && worseBy > needed;
      return {
        ...c,
        history,
        against: 'history',
        baseline: judgement.center,
        delta: c.current - judgement.center,
        relative: judgement.center !== 0 ? (c.current - judgement.center) / Math.abs(judgement.center) : null,
        interval: null,
        p: null,
        status: regressed ? 'regression' : 'pass',
        reason: `${regressed ? 'outside' : 'within'} the history on a machine like this one (the baseline's is another): ${judgement.reason}`,
      };
    }
    return { ...c, history };
  });
}

/** How many runs change-point detection looks back on (Hunter's window is 50). */
const CHANGE_POINT_WINDOW = 50;

/**
 * Sustained shifts in each compared statistic's history, this run included, over the
 * machine-adjusted series; one noisy night is not a change point (segments of 3 at least).
 */
export function findChangePoints(
  comparisons: Comparison[],
  meta: RunMeta,
  input: HistoryInput,
): ChangePointRecord[] {
  const entries = comparableEntries(input.entries, meta).slice(-(CHANGE_POINT_WINDOW - 1));
  const found: ChangePointRecord[] = [];
  const seen = new Set<string>();
  for (const c of comparisons) {
    const key = historyKey(c.suite, c.item, c.metric, c.stat);
    if (seen.has(key) || c.current === null) continue;
    seen.add(key);
    const points = [
      ...pointsFor(entries, key, c.suite),
      { id: meta.id, startedAt: meta.startedAt, value: c.current, speed: speedFor(c.suite, input.figures) },
    ];
    if (points.length < 2 * 3) continue;
    const series = machineAdjusted(points, scaleOf(c.unit));
    for (const cp of changePoints(series)) {
      const at = points[cp.index];
      if (!at) continue;
      found.push({
        key,
        runId: at.id,
        startedAt: at.startedAt,
        before: cp.before,
        after: cp.after,
        relative: cp.relative,
        p: cp.p,
        unit: c.unit,
        better: c.better,
      });
    }
  }
  return found;
}

export { DEFAULT_HISTORY_OPTIONS };
