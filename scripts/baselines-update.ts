/**
 * `npm run baselines:update [-- --suite NAME] [--only GLOB] [--from DIR|FILE] [--dry-run]`:
 * turns a run's results (default: reports/latest) into the committed baselines, one file per
 * measured thing, and prints what changed (old → new). Never automatic: this command is the
 * only writer. A run that could not measure cannot become a baseline.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type BaselineFile,
  baselinePath,
  baselinesFromRun,
  describeChanges,
  parseBaseline,
  writeBaselines,
} from '../core/baselines.ts';
import { runCli } from '../core/cli.ts';
import { loadConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { readRunResult } from '../core/results.ts';
import { globMatch } from '../core/targets.ts';

const USAGE =
  'usage: npm run baselines:update -- [--suite NAME]… [--only GLOB]… [--from reports/<run-id>] [--dry-run] [--config FILE]';

function args() {
  try {
    return parseArgs({
      options: {
        suite: { type: 'string', multiple: true },
        only: { type: 'string', multiple: true },
        from: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        config: { type: 'string', default: 'perf.config.ts' },
      },
    }).values;
  } catch (error) {
    throw new PerfError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** The existing file for comparison; a corrupt one is being replaced, which is the fix. */
async function existing(path: string): Promise<BaselineFile | 'corrupt' | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseBaseline(JSON.parse(text), path);
  } catch {
    return 'corrupt';
  }
}

async function main(): Promise<number> {
  const values = args();
  const config = await loadConfig(values.config);
  const from = values.from ?? join(config.reportsDir, 'latest');
  const summary = (await stat(from).catch(() => undefined))?.isDirectory()
    ? join(from, 'summary.json')
    : from;
  const result = await readRunResult(summary);
  if (result.outcome.status === 'error') {
    throw new PerfError(
      `${summary}: the run could not measure (${result.outcome.line}): it cannot become a baseline; fix the cause and run again`,
    );
  }
  if (result.run.compareUrl) {
    throw new PerfError(
      `${summary}: a paired run (--compare-url ${result.run.compareUrl}) measured two deployments at half the load each: it cannot become a baseline; take baselines from a run without --compare-url`,
    );
  }
  // A baseline from a machine that changed while it measured is suspect, but refusing it would
  // leave a noisy CI without baselines: say so, and keep both calibrations in the file.
  if (result.machine?.drift)
    console.warn(`warning: ${result.machine.drift}: consider a run on a quiet machine for the baseline`);
  const suites = values.suite;
  const only = values.only;
  for (const name of suites ?? []) {
    if (!result.suites.some((s) => s.suite === name))
      throw new PerfError(
        `--suite ${name}: ${summary} has no such suite (it has: ${result.suites.map((s) => s.suite).join(', ')})`,
      );
  }
  const files = baselinesFromRun(
    result,
    (suite, group) =>
      (!suites || suites.includes(suite)) && (!only || only.some((pattern) => globMatch(pattern, group))),
  );
  if (!files.length)
    throw new PerfError(
      `${summary}: nothing matches${suites ? ` --suite ${suites.join(', ')}` : ''}${only ? ` --only ${only.join(', ')}` : ''}: nothing written`,
    );
  const dir = config.baselines.dir;
  console.log(
    `baselines from run ${result.run.id} (profile ${result.run.profile}, ${result.run.git.commit?.slice(0, 12) ?? 'no commit'}${result.run.git.dirty ? ', uncommitted changes' : ''}):`,
  );
  for (const file of files) {
    const path = baselinePath(dir, file.profile, file.suite, file.group);
    const before = await existing(path);
    console.log(describeChanges(path, before, file));
  }
  const failed = result.verdicts.filter((v) => v.status === 'fail').length;
  if (failed)
    console.log(
      `note: this run failed ${failed} target${failed === 1 ? '' : 's'}; its figures become the baseline all the same`,
    );
  const regressions = result.comparisons.filter((c) => c.status === 'regression').length;
  if (regressions)
    console.log(
      `note: accepting ${regressions} regression${regressions === 1 ? '' : 's'} as the new baseline`,
    );
  if (values['dry-run']) {
    console.log(`dry run: ${files.length} file${files.length === 1 ? '' : 's'} not written`);
    return 0;
  }
  const written = await writeBaselines(dir, files);
  console.log(
    `wrote ${written.length} baseline file${written.length === 1 ? '' : 's'}: commit them to make them the reference`,
  );
  return 0;
}

await runCli(main);
