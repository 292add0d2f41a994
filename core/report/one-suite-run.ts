/**
 * A run made of one suite measured elsewhere (a k6 import, merged distributed shares): judged
 * by the milestone's targets and the baselines, reported and summed up as the gate does.
 */
import { baselinesUsed, loadBaselineInput } from '../baselines.ts';
import type { Config } from '../config.ts';
import { assembleResult } from '../pipeline.ts';
import type { SuiteResult } from '../results.ts';
import { gitInfo, machineInfo, newRunId } from '../run-meta.ts';
import { loadTargets, milestoneTargets } from '../targets.ts';
import { renderConsoleSummary } from './console.ts';
import { writeReports } from './write.ts';

export interface OneSuiteRun {
  config: Config;
  suite: SuiteResult;
  profile: string;
  milestone: string;
  baseUrl: string;
  started: Date;
  durationMs: number;
  reportsDir?: string | undefined;
}

/** Writes the reports, prints the summary and returns the gate's exit code. */
export async function reportOneSuiteRun(run: OneSuiteRun): Promise<number> {
  const baselines = await loadBaselineInput(run.config.baselines, run.profile);
  const result = assembleResult(
    {
      id: newRunId(run.started),
      startedAt: run.started.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: run.durationMs,
      profile: run.profile,
      milestone: run.milestone,
      baseUrl: run.baseUrl,
      embeddedTarget: false,
      git: gitInfo(),
      machine: machineInfo(),
    },
    [run.suite],
    milestoneTargets(await loadTargets(run.config.targetsFile), run.milestone),
    [],
    baselines,
  );
  const written = await writeReports(result, run.reportsDir ?? run.config.reportsDir, process.env, {
    baselines: baselinesUsed(baselines, result),
  });
  process.stdout.write(renderConsoleSummary(result));
  console.log(`reports: ${written.dir}/ (index.html, summary.md, summary.json, junit.xml)`);
  return result.outcome.exitCode;
}
