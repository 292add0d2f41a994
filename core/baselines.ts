/**
 * Committed baselines: one file per measured thing (a load scenario with its requests, a journey
 * with its steps and pages, a Lighthouse page × preset, a health endpoint), under
 * baselines/<profile>/<suite>/, holding what the regression tests need: encoded histograms for
 * latencies, per-iteration samples for journeys and Lighthouse runs, counts for rates. Written
 * only by `npm run baselines:update`, atomically; read and validated before a run compares.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BASELINE_SCHEMA_VERSION, type BaselineFile, baselineFileSchema } from './baseline-file.ts';
import type { CompareOptions } from './compare.ts';
import type { BaselinesConfig } from './config.ts';
import { PerfError } from './errors.ts';
import { writeAtomic } from './files.ts';
import { KEY_STATS, statValue } from './metrics.ts';
import { formatValue } from './report/format.ts';
import type { RunResult } from './results.ts';

export {
  BASELINE_SCHEMA_VERSION,
  type BaselineFile,
  type BaselineItem,
  baselineFileSchema,
  baselinesFromRun,
  groupOf,
} from './baseline-file.ts';

export class BaselineError extends PerfError {}

/** A file name for a group: lower case, safe on every file system ("/health/ready" → "health-ready"). */
export function slugOf(group: string): string {
  return (
    group
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'item'
  );
}

export function baselinePath(dir: string, profile: string, suite: string, group: string): string {
  return join(dir, slugOf(profile), slugOf(suite), `${slugOf(group)}.json`);
}

/** JSON with arrays of numbers on one line: a reviewer reads a metric, not 30 lines of samples. */
export function formatBaseline(file: BaselineFile): string {
  const text = JSON.stringify(file, null, 2).replace(
    /\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g,
    (_m, inner) => `[${(inner as string).split(/,\s*/).join(', ')}]`,
  );
  return `${text}\n`;
}

export interface LoadedBaseline {
  file: string;
  baseline: BaselineFile;
}

/** Validates one file's JSON; the error names the file and the field, and what to do. */
export function parseBaseline(value: unknown, file: string): BaselineFile {
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== BASELINE_SCHEMA_VERSION) {
    throw new BaselineError(
      `${file}: schemaVersion ${JSON.stringify(version)} is not ${BASELINE_SCHEMA_VERSION}: re-create it with npm run baselines:update, or remove it`,
    );
  }
  const result = baselineFileSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BaselineError(
    `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}: the baseline is corrupt; restore it from git or re-create it with npm run baselines:update`,
  );
}

/** Every baseline of a profile (baselines/<profile>/<suite>/*.json); none is an empty list. */
export async function readBaselines(dir: string, profile: string): Promise<LoadedBaseline[]> {
  const root = join(dir, slugOf(profile));
  const suites = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new BaselineError(`cannot read ${root}: ${error.message}`);
  });
  const loaded: LoadedBaseline[] = [];
  for (const suite of suites.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const names = (await readdir(join(root, suite.name))).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      const file = join(root, suite.name, name);
      let value: unknown;
      try {
        value = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new BaselineError(
          `${file} is not valid JSON (${(error as Error).message}): restore it from git or re-create it with npm run baselines:update`,
        );
      }
      loaded.push({ file, baseline: parseBaseline(value, file) });
    }
  }
  return loaded;
}

/** Writes each file atomically; returns the paths, relative to `cwd` for display. */
export async function writeBaselines(
  dir: string,
  files: BaselineFile[],
  cwd = process.cwd(),
): Promise<string[]> {
  const paths = files.map((f) => baselinePath(dir, f.profile, f.suite, f.group));
  const clash = paths.findIndex((p, i) => paths.indexOf(p) !== i);
  if (clash >= 0)
    throw new BaselineError(
      `two measured things share the file ${paths[clash]}: rename one of "${files[paths.indexOf(paths[clash] as string)]?.group}" and "${files[clash]?.group}"`,
    );
  const written: string[] = [];
  for (const [i, file] of files.entries()) {
    const path = paths[i] as string;
    await mkdir(join(path, '..'), { recursive: true });
    await writeAtomic(path, formatBaseline(file));
    written.push(relative(cwd, path));
  }
  return written;
}

/** Pure: what an update does to one file, "old → new" for each item's headline figures. */
export function describeChanges(
  path: string,
  before: BaselineFile | 'corrupt' | undefined,
  after: BaselineFile,
): string {
  const state = before === undefined ? 'new' : before === 'corrupt' ? 'replaces a corrupt file' : 'updated';
  const lines = [
    `${path} (${state}${before && before !== 'corrupt' ? `, was ${before.takenAt.slice(0, 10)}` : ''})`,
  ];
  for (const item of after.items) {
    const old = before && before !== 'corrupt' ? before.items.find((i) => i.name === item.name) : undefined;
    const parts: string[] = [];
    for (const [name, stats] of Object.entries(KEY_STATS)) {
      const metric = item.metrics[name];
      if (!metric) continue;
      for (const stat of stats) {
        const now = statValue(metric, stat);
        if (now === null) continue;
        const previous = old?.metrics[name] ? statValue(old.metrics[name], stat) : null;
        const change =
          previous !== null && previous !== 0
            ? ` (${now >= previous ? '+' : '−'}${Math.abs(((now - previous) / previous) * 100).toFixed(1)} %)`
            : '';
        parts.push(
          `${name} ${stat} ${previous === null ? '' : `${formatValue(previous, metric.unit)} → `}${formatValue(now, metric.unit)}${change}`,
        );
      }
    }
    lines.push(
      `  ${item.name}${old || !before || before === 'corrupt' ? '' : ' (new item)'}: ${parts.join('; ') || `${Object.keys(item.metrics).length} metrics`}`,
    );
  }
  return lines.join('\n');
}

/** What a run compares with: the baselines of its profile, read and validated, and the options. */
export interface BaselineInput {
  dir: string;
  loaded: LoadedBaseline[];
  options: CompareOptions;
  inconclusive: 'warn' | 'fail';
}

/** Reads a profile's baselines when comparisons are on (a corrupt one throws, naming the file). */
export async function loadBaselineInput(
  config: BaselinesConfig,
  profile: string,
): Promise<BaselineInput | undefined> {
  if (!config.enabled) return undefined;
  return {
    dir: config.dir,
    loaded: await readBaselines(config.dir, profile),
    options: config,
    inconclusive: config.inconclusive,
  };
}

/** The baseline files a judged run was compared with, for the HTML report. */
export function baselinesUsed(input: BaselineInput | undefined, result: RunResult): BaselineFile[] {
  const used = new Set(result.baseline?.files.map((f) => f.file));
  return (input?.loaded ?? []).filter((l) => used.has(l.file)).map((l) => l.baseline);
}
