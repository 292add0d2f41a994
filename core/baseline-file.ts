/**
 * The baseline file's shape and the pure rules around it: which measured thing an item belongs
 * to, and the files a run would give. Kept apart from core/baselines.ts (reading and writing) so
 * core/compare.ts can use them without an import circle.
 */
import { z } from 'zod';
import {
  type Item,
  type Metric,
  metricSchema,
  type RunResult,
  runCalibrationSchema,
  runMetaSchema,
} from './results.ts';

export const BASELINE_SCHEMA_VERSION = 1;

export const baselineFileSchema = z.object({
  schemaVersion: z.literal(BASELINE_SCHEMA_VERSION),
  suite: z.string().min(1),
  /** The measured thing the file holds: scenario, "project journey", "page preset", endpoint. */
  group: z.string().min(1),
  takenAt: z.string(),
  runId: z.string(),
  profile: z.string(),
  baseUrl: z.string(),
  embeddedTarget: z.boolean(),
  git: runMetaSchema.shape.git,
  machine: runMetaSchema.shape.machine,
  /** The machine measured when the baseline was taken (absent in baselines before calibration). */
  calibration: runCalibrationSchema.optional(),
  items: z.array(
    z.object({
      name: z.string().min(1),
      kind: z.string(),
      metrics: z.record(z.string(), metricSchema),
    }),
  ),
});

export type BaselineFile = z.infer<typeof baselineFileSchema>;
export type BaselineItem = BaselineFile['items'][number];

/** The measured thing an item belongs to: its scenario, its journey, or itself. */
export function groupOf(item: Pick<Item, 'name' | 'tags'>): string {
  if (item.tags.scenario) return item.tags.scenario;
  if (item.tags.journey)
    return item.tags.project ? `${item.tags.project} ${item.tags.journey}` : item.tags.journey;
  return item.name;
}

/** Six significant digits are far below any noise, and keep a file reviewable. */
const round = (v: number) => Number(v.toPrecision(6));

/** The metrics a comparison can use: trends and rates, with samples or a histogram, not both. */
function keptMetrics(metrics: Record<string, Metric>): Record<string, Metric> {
  const kept: Record<string, Metric> = {};
  for (const [name, metric] of Object.entries(metrics)) {
    if (metric.type === 'rate') kept[name] = metric;
    if (metric.type !== 'trend' || metric.count === 0) continue;
    if (metric.samples?.length) {
      const { histogram: _dropped, ...rest } = metric;
      kept[name] = { ...rest, samples: metric.samples.map(round) };
    } else if (metric.histogram) kept[name] = metric;
  }
  return kept;
}

/** Pure: the baseline files a run would give, one per suite and group, filtered by `wanted`. */
export function baselinesFromRun(
  result: RunResult,
  wanted: (suite: string, group: string) => boolean = () => true,
): BaselineFile[] {
  const files = new Map<string, BaselineFile>();
  for (const suite of result.suites) {
    if (suite.status !== 'measured') continue;
    for (const item of suite.items) {
      const group = groupOf(item);
      if (!wanted(suite.suite, group)) continue;
      const metrics = keptMetrics(item.metrics);
      if (!Object.keys(metrics).length) continue;
      const key = `${suite.suite}\0${group}`;
      let file = files.get(key);
      if (!file) {
        file = {
          schemaVersion: BASELINE_SCHEMA_VERSION,
          suite: suite.suite,
          group,
          takenAt: result.run.startedAt,
          runId: result.run.id,
          profile: result.run.profile,
          baseUrl: result.run.baseUrl,
          embeddedTarget: result.run.embeddedTarget,
          git: result.run.git,
          machine: result.run.machine,
          ...(result.run.calibration ? { calibration: result.run.calibration } : {}),
          items: [],
        };
        files.set(key, file);
      }
      file.items.push({ name: item.name, kind: item.kind, metrics });
    }
  }
  return [...files.values()];
}
