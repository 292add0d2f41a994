/**
 * reports/history.jsonl: one line per run with its key figures and verdict, so the HTML report
 * can draw the trend of the last runs. Appended (one short write per run), read tolerantly:
 * a damaged line is skipped, never fatal, since the history only draws a chart.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { effectiveCalibration, figureValues } from './calibration.ts';
import { KEY_STATS, statValue } from './metrics.ts';
import type { RunResult } from './results.ts';

export const historyEntrySchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  profile: z.string(),
  milestone: z.string(),
  baseUrl: z.string(),
  commit: z.string().optional(),
  status: z.enum(['pass', 'fail', 'error']),
  exitCode: z.number().int(),
  regressions: z.number().int().nonnegative(),
  /** "suite item metric stat" → value in the metric's unit (ms, ratio, score…). */
  metrics: z.record(z.string(), z.number()),
  /** The machine's calibration figures (start and end combined), to adjust for machine speed. */
  calibration: z.record(z.string(), z.number()).optional(),
  /** The calibration moved during the run: its figures are less trustworthy. */
  drift: z.boolean().optional(),
  /** A paired run (--compare-url): its figures are the base URL's. */
  compareUrl: z.string().optional(),
});

export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** Pure: the history line of a run. */
export function historyEntryOf(result: RunResult): HistoryEntry {
  const metrics: Record<string, number> = {};
  for (const suite of result.suites) {
    for (const item of suite.items) {
      for (const [name, stats] of Object.entries(KEY_STATS)) {
        const metric = item.metrics[name];
        if (!metric) continue;
        for (const stat of stats) {
          const value = statValue(metric, stat);
          if (value !== null && Number.isFinite(value))
            metrics[historyKey(suite.suite, item.name, name, stat)] = Number(value.toPrecision(6));
        }
      }
    }
  }
  // Every compared statistic too, so the nightly gate can judge each one against history.
  for (const c of result.comparisons) {
    if (c.current !== null && Number.isFinite(c.current))
      metrics[historyKey(c.suite, c.item, c.metric, c.stat)] = Number(c.current.toPrecision(6));
  }
  return {
    id: result.run.id,
    startedAt: result.run.startedAt,
    profile: result.run.profile,
    milestone: result.run.milestone,
    baseUrl: result.run.baseUrl,
    ...(result.run.git.commit ? { commit: result.run.git.commit } : {}),
    status: result.outcome.status,
    exitCode: result.outcome.exitCode,
    regressions: result.comparisons.filter((c) => c.status === 'regression').length,
    metrics,
    ...(result.run.calibration
      ? { calibration: figureValues(effectiveCalibration(result.run.calibration)) }
      : {}),
    ...(result.machine?.drift ? { drift: true } : {}),
    ...(result.run.compareUrl ? { compareUrl: result.run.compareUrl } : {}),
  };
}

/** The key of a statistic in history.jsonl. */
export const historyKey = (suite: string, item: string, metric: string, stat: string) =>
  `${suite} ${item} ${metric} ${stat}`;

export const historyPath = (reportsDir: string) => join(reportsDir, 'history.jsonl');

export async function appendHistory(reportsDir: string, entry: HistoryEntry): Promise<void> {
  await mkdir(reportsDir, { recursive: true });
  await appendFile(historyPath(reportsDir), `${JSON.stringify(entry)}\n`);
}

/** The last `limit` entries (oldest first); a missing file is an empty history. */
export async function readHistory(reportsDir: string, limit = 30): Promise<HistoryEntry[]> {
  const text = await readFile(historyPath(reportsDir), 'utf8').catch(() => '');
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = historyEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // A torn or hand-edited line: skip it, the chart loses one point.
    }
  }
  return entries.slice(-limit);
}
