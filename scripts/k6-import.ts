/**
 * `npm run load:k6-import -- <file> [--milestone NAME] [--reports-dir DIR]`: judges a run made
 * with k6 itself (handleSummary data, --summary-export or --out json) by the roadmap's targets
 * and k6's own thresholds, and writes the same reports with the same exit codes as the gate.
 */
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { reportOneSuiteRun } from '../core/report/one-suite-run.ts';
import type { SuiteResult } from '../core/results.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { type K6Threshold, OVERALL_ITEM, readK6Results } from '../load/k6/import.ts';

/** k6's thresholds as suite thresholds: untagged keys judge the whole run, tagged ones the items they name. */
function asSuiteThresholds(thresholds: K6Threshold[]): SuiteResult['thresholds'] {
  const whole: Record<string, string[]> = {};
  const tagged: Record<string, string[]> = {};
  for (const t of thresholds) {
    const target = t.metric.includes('{') ? tagged : whole;
    target[t.metric] = [...(target[t.metric] ?? []), t.expression];
  }
  return [
    ...(Object.keys(whole).length ? [{ item: OVERALL_ITEM, metrics: whole }] : []),
    ...(Object.keys(tagged).length ? [{ item: '*', metrics: tagged }] : []),
  ];
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      milestone: { type: 'string' },
      config: { type: 'string', default: 'perf.config.ts' },
      'reports-dir': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    throw new PerfError(
      'usage: npm run load:k6-import -- <k6 results file> [--milestone NAME] [--reports-dir DIR]',
    );
  }
  const config = await loadConfig(values.config);
  const milestoneName = values.milestone ?? config.milestone;
  // An unknown milestone stops the import before the file is read.
  milestoneTargets(await loadTargets(config.targetsFile), milestoneName);
  const started = new Date();
  const imported = await readK6Results(file);
  const suite: SuiteResult = {
    suite: 'k6',
    status: imported.items.length ? 'measured' : 'error',
    ...(imported.items.length ? {} : { error: `${file} holds no metrics` }),
    startedAt: started.toISOString(),
    durationMs: 0,
    items: imported.items,
    notes: [`imported from ${file} (${imported.format})`, ...imported.notes],
    thresholds: asSuiteThresholds(imported.k6Thresholds),
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
