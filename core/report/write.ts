/**
 * Writes a run's reports into reports/<run-id>/ and points reports/latest at it. Every file is
 * written to a temporary name and renamed, so a reader never sees half a report.
 */
import { appendFile, cp, lstat, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaselineFile } from '../baselines.ts';
import { writeAtomic } from '../files.ts';
import { appendHistory, historyEntryOf, readHistory } from '../history.ts';
import type { RunResult } from '../results.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

/** Points `latest` at the run: a symlink where the system allows one, else a copy. */
async function pointLatest(reportsDir: string, runId: string): Promise<void> {
  const latest = join(reportsDir, 'latest');
  const temporary = join(reportsDir, `.latest-${process.pid}`);
  try {
    await rm(temporary, { force: true });
    await symlink(runId, temporary, 'dir');
    await rm(latest, { recursive: true, force: true }).catch(() => undefined);
    await rename(temporary, latest);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
    const stat = await lstat(latest).catch(() => undefined);
    if (stat) await rm(latest, { recursive: true, force: true });
    await cp(join(reportsDir, runId), latest, { recursive: true });
  }
}

export interface WrittenReports {
  dir: string;
  files: { json: string; markdown: string; junit: string; html: string };
}

export interface ReportExtras {
  /** The baseline files the run was compared with, for the HTML report's distributions. */
  baselines?: BaselineFile[];
  /** How many past runs the HTML report's trend draws. */
  historyLength?: number;
}

export async function writeReports(
  result: RunResult,
  reportsDir: string,
  env = process.env,
  extras: ReportExtras = {},
): Promise<WrittenReports> {
  const dir = join(reportsDir, result.run.id);
  await mkdir(dir, { recursive: true });
  const files = {
    json: join(dir, 'summary.json'),
    markdown: join(dir, 'summary.md'),
    junit: join(dir, 'junit.xml'),
    html: join(dir, 'index.html'),
  };
  const markdown = renderMarkdown(result);
  await writeAtomic(files.json, `${JSON.stringify(result, null, 2)}\n`);
  await writeAtomic(files.markdown, markdown);
  await writeAtomic(files.junit, renderJunit(result));
  await appendHistory(reportsDir, historyEntryOf(result));
  const history = await readHistory(reportsDir, extras.historyLength ?? 30);
  await writeAtomic(files.html, renderHtml({ result, baselines: extras.baselines ?? [], history }));
  await pointLatest(reportsDir, result.run.id);
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return { dir, files };
}
