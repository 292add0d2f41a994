/**
 * `npm run load:k6-import -- <file> [<file> …] [--scenario NAME [--profile P]] [--milestone NAME]
 * [--config FILE] [--reports-dir DIR]`: judges a run made with k6 itself (handleSummary data,
 * --summary-export or --out json) by the roadmap's targets and its thresholds, and writes the same
 * reports with the same exit codes as the gate. Several files are the `--out json` files of one
 * k6-operator TestRun's runners: merged exactly (every point), judged on the global figures.
 * `--scenario` adds that scenario's thresholds (runners run with --no-thresholds).
 */
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { reportOneSuiteRun } from '../core/report/one-suite-run.ts';
import type { SuiteResult } from '../core/results.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { type K6Import, type K6Threshold, OVERALL_ITEM, readK6Results } from '../load/k6/import.ts';
import { uniqueThresholds } from '../load/k6/model.ts';
import { readK6Runners } from '../load/k6/runners.ts';
import type { Scenario } from '../load/scenario.ts';
import { loadScenarios, pickScenarios } from '../load/scenarios/registry.ts';

const USAGE =
  'usage: npm run load:k6-import -- <k6 results file> [<runner file> …] [--scenario NAME [--profile P]] [--milestone NAME] [--config FILE] [--reports-dir DIR]';

/** k6's thresholds as suite thresholds: untagged keys judge the whole run, tagged ones the items they name. */
function asSuiteThresholds(thresholds: K6Threshold[]): SuiteResult['thresholds'] {
  const whole: Record<string, string[]> = {};
  const tagged: Record<string, string[]> = {};
  for (const t of uniqueThresholds(thresholds)) {
    const target = t.metric.includes('{') ? tagged : whole;
    target[t.metric] = [...(target[t.metric] ?? []), t.expression];
  }
  return [
    ...(Object.keys(whole).length ? [{ item: OVERALL_ITEM, metrics: whole }] : []),
    ...(Object.keys(tagged).length ? [{ item: '*', metrics: tagged }] : []),
  ];
}

/** A scenario's thresholds in k6's own shape, to be judged like the ones k6 declared. */
function scenarioK6Thresholds(scenario: Scenario): K6Threshold[] {
  return Object.entries(scenario.thresholds).flatMap(([metric, entries]) =>
    entries.map((e) => ({ metric, expression: typeof e === 'string' ? e : e.threshold })),
  );
}

async function main(): Promise<number> {
  const { values, positionals: files } = parseArgs({
    allowPositionals: true,
    options: {
      milestone: { type: 'string' },
      config: { type: 'string', default: 'perf.config.ts' },
      'reports-dir': { type: 'string' },
      scenario: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  if (!files.length) throw new PerfError(USAGE);
  if (values.profile !== undefined && values.scenario === undefined)
    throw new PerfError(`--profile chooses the shape of a --scenario: give --scenario NAME too (${USAGE})`);
  const config = await loadConfig(values.config);
  const milestoneName = values.milestone ?? config.milestone;
  // An unknown milestone or scenario stops the import before any file is read.
  milestoneTargets(await loadTargets(config.targetsFile), milestoneName);
  const scenario =
    values.scenario === undefined
      ? undefined
      : pickScenarios(await loadScenarios(resolveProfile(config, values.profile ?? config.profile).load), [
          values.scenario,
        ])[0];
  const started = new Date();
  const imported: K6Import =
    files.length === 1 ? await readK6Results(files[0] as string) : await readK6Runners(files);
  const what = files.length === 1 ? files[0] : `${files.length} runner files (${files.join(', ')})`;
  const thresholds = [...imported.k6Thresholds, ...(scenario ? scenarioK6Thresholds(scenario) : [])];
  const suite: SuiteResult = {
    suite: 'k6',
    status: imported.items.length ? 'measured' : 'error',
    ...(imported.items.length ? {} : { error: `${what} holds no metrics` }),
    startedAt: started.toISOString(),
    durationMs: 0,
    items: imported.items,
    notes: [
      `imported from ${what} (${imported.format})`,
      ...(scenario ? [`thresholds of scenario "${scenario.name}" judged on the imported figures`] : []),
      ...imported.notes,
    ],
    thresholds: asSuiteThresholds(thresholds),
  };
  return reportOneSuiteRun({
    config,
    suite,
    profile: 'k6-import',
    milestone: milestoneName,
    baseUrl: 'k6',
    started,
    durationMs: 0,
    reportsDir: values['reports-dir'],
  });
}

await runCli(main);
