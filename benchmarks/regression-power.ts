/**
 * `npm run bench:regression [-- --trials 20 --only load,synthetic,overhead,machine,paired]`: does
 * the regression verdict catch a real slowdown and leave an unchanged build alone, on this
 * machine — and off it (machine, paired: benchmarks/regression-fairness.ts;
 * `--browser-trials N` sets their synthetic and Lighthouse trials, `--suites` which suites,
 * `--conditions idle,busy` which paired conditions)?
 *
 * Each trial measures a baseline, the same build again, and a build 25 % slower on one thing,
 * then judges both against the baseline exactly as the gate does (compareRun, default options):
 * "flagged" means the gate would fail the run on a regression, anywhere in the suite.
 *   load:      average-load (100 req/s, 8 s, open model) where /api/pitches/{id} takes 40 ± 5 ms
 *              (injected: the embedded target answers in ~1 ms, below any minimum effect), slowed
 *              to 50 ± 6.25 ms.
 *   synthetic: the visitor journey (desktop, 10 iterations) where the home page's document takes
 *              200 ms (injected), slowed to 250 + 25 % of the rest of its load.
 *   overhead:  the time the comparison and the reports add to a run the size of the ci profile.
 * Goals (issue 7): ≥ 19 of 20 slower runs flagged, ≤ 1 of 20 unchanged runs flagged; < 2 s added.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BaselineFile, baselinesFromRun } from '../core/baselines.ts';
import { type CompareOptions, compareRun } from '../core/compare.ts';
import { BUILT_IN_PROFILES, loadConfig } from '../core/config.ts';
import { assembleResult } from '../core/pipeline.ts';
import { writeReports } from '../core/report/write.ts';
import type { Item, RunResult, SuiteResult, TrendMetric } from '../core/results.ts';
import { machineInfo } from '../core/run-meta.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { loadSuite } from '../load/suite.ts';
import { spawnTarget } from '../target/process.ts';
import { runOf, setFaults, suiteOf } from './bench-run.ts';
import { playwright } from './playwright-run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'bench-regression';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    only: { type: 'string', default: 'load,synthetic,overhead,machine,paired' },
    'browser-trials': { type: 'string' },
    suites: { type: 'string', default: 'load,synthetic,lighthouse' },
    /** Paired trials: idle, with two busy loops, or both. */
    conditions: { type: 'string', default: 'idle,busy' },
  },
});
const trials = Number(values.trials);
const only = new Set(values.only?.split(','));

const config = await loadConfig(join(ROOT, 'perf.config.ts'));
const OPTIONS: CompareOptions = config.baselines;
const machine = machineInfo();

/** What the gate would say: the regressions found against the baseline. */
function regressions(current: SuiteResult, baseline: BaselineFile[]): string[] {
  return compareRun([current], baseline, OPTIONS, { machine })
    .comparisons.filter((c) => c.status === 'regression')
    .map(
      (c) =>
        `${c.item} ${c.metric} ${c.stat} ${c.baseline?.toFixed(1)} → ${c.current?.toFixed(1)} (p ${c.p?.toExponential(1)})`,
    );
}

interface Tally {
  slowerFlagged: number;
  sameFlagged: number;
  examples: string[];
}

async function trialsOf(
  name: string,
  url: string,
  faults: { base: unknown; slower: unknown },
  measure: () => Promise<SuiteResult>,
  label: (s: SuiteResult) => string,
): Promise<Tally> {
  const tally: Tally = { slowerFlagged: 0, sameFlagged: 0, examples: [] };
  for (let i = 1; i <= trials; i++) {
    await setFaults(url, TOKEN, faults.base);
    const baseline = baselinesFromRun(runOf(await measure()));
    // Alternate the order so a drift of the machine during a trial favours neither.
    const order = i % 2 ? ['same', 'slower'] : ['slower', 'same'];
    const found: Record<string, string[]> = {};
    const seen: Record<string, string> = {};
    for (const which of order) {
      await setFaults(url, TOKEN, which === 'same' ? faults.base : faults.slower);
      const current = await measure();
      found[which] = regressions(current, baseline);
      seen[which] = label(current);
    }
    if (found.slower?.length) tally.slowerFlagged++;
    if (found.same?.length) {
      tally.sameFlagged++;
      tally.examples.push(`trial ${i} unchanged build flagged: ${found.same.slice(0, 2).join('; ')}`);
    }
    if (!found.slower?.length) tally.examples.push(`trial ${i} slower build missed (${seen.slower})`);
    console.log(
      `   ${name} trial ${String(i).padStart(2)}: same ${seen.same} → ${found.same?.length ? 'FLAGGED' : 'pass'}; slower ${seen.slower} → ${found.slower?.length ? `flagged (${found.slower.length})` : 'MISSED'}`,
    );
  }
  return tally;
}

function report(name: string, tally: Tally): void {
  const met =
    tally.slowerFlagged >= Math.ceil(trials * 0.95) && tally.sameFlagged <= Math.floor(trials * 0.05);
  console.log(
    `   ${name}: slower flagged ${tally.slowerFlagged}/${trials}, unchanged flagged ${tally.sameFlagged}/${trials}: goal ${met ? 'MET' : 'NOT MET'}`,
  );
  for (const line of tally.examples) console.log(`     ${line}`);
}

const p = (item: Item | undefined, metric: string, stat: 'med' | 'p95') =>
  (item?.metrics[metric] as TrendMetric | undefined)?.values[stat] ?? Number.NaN;

const ON_THIS_MACHINE = ['load', 'synthetic', 'overhead'];
const target = ON_THIS_MACHINE.some((o) => only.has(o))
  ? await spawnTarget({ adminToken: TOKEN, faults: {} })
  : undefined;
const url = target?.url ?? '';
try {
  console.log(
    `# Regression detection power (${new Date().toISOString().slice(0, 10)}), ${machine.cores} × ${machine.cpuModel}, node ${process.version}`,
  );
  console.log(
    `alpha ${OPTIONS.alpha}, percentiles ${OPTIONS.percentiles.join('/')}, minimum effect 10 % and 5 ms\n`,
  );

  if (only.has('load')) {
    const profile = {
      ...(BUILT_IN_PROFILES.smoke?.load as never as object),
      scenarios: ['average-load'],
      rate: 100,
      duration: '8s',
    };
    const measure = async () => {
      const output = await loadSuite.run({
        baseUrl: new URL(url),
        settings: { ...config.suites.load, profile } as never,
        progress: { update() {} },
        signal: new AbortController().signal,
      });
      return suiteOf('load', output.items);
    };
    console.log('1. load: /api/pitches/{id} 40 → 50 ms (+25 %)');
    const tally = await trialsOf(
      'load',
      url,
      {
        base: { latency: [{ route: '/api/pitches/*', ms: 37.5, jitterMs: 5 }] },
        slower: { latency: [{ route: '/api/pitches/*', ms: 46.875, jitterMs: 6.25 }] },
      },
      measure,
      (s) => {
        const pitch = s.items.find((i) => i.name === 'average-load pitch');
        return `pitch P50 ${p(pitch, 'http_req_duration', 'med').toFixed(1)} ms P95 ${p(pitch, 'http_req_duration', 'p95').toFixed(1)} ms`;
      },
    );
    report('load', tally);
  }

  if (only.has('synthetic')) {
    const measure = async () =>
      suiteOf('synthetic', (await playwright(url, 10, ['desktop'], {}, 'visitor')).items);
    // Calibrate: the home page's load with 200 ms injected, so "slower" adds 25 % of all of it.
    await setFaults(url, TOKEN, { latency: [{ route: '/', ms: 200 }] });
    const calibration = await measure();
    const homeLoad = p(
      calibration.items.find((i) => i.name === 'desktop visitor › home'),
      'page_load',
      'med',
    );
    const slowerMs = 200 + 0.25 * homeLoad;
    console.log(
      `\n2. synthetic: the home page's load ${homeLoad.toFixed(0)} ms → +25 % (document 200 → ${slowerMs.toFixed(0)} ms)`,
    );
    const tally = await trialsOf(
      'synthetic',
      url,
      { base: { latency: [{ route: '/', ms: 200 }] }, slower: { latency: [{ route: '/', ms: slowerMs }] } },
      measure,
      (s) =>
        `home page_load P50 ${p(
          s.items.find((i) => i.name === 'desktop visitor › home'),
          'page_load',
          'med',
        ).toFixed(0)} ms`,
    );
    report('synthetic', tally);
  }

  if (only.has('overhead')) {
    // A result the size of a ci run: the latest one when there is one.
    const latest = join(ROOT, config.reportsDir, 'latest', 'summary.json');
    const result = JSON.parse(await readFile(latest, 'utf8')) as RunResult;
    const baselines = baselinesFromRun(result);
    const milestone = milestoneTargets(await loadTargets(join(ROOT, config.targetsFile)), 'strictest');
    const reports = await mkdtemp(join(tmpdir(), 'bench-reports-'));
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const judged = assembleResult(result.run, result.suites, milestone, [], {
        dir: 'baselines',
        loaded: baselines.map((baseline, n) => ({ file: `b${n}.json`, baseline })),
        options: OPTIONS,
        inconclusive: 'warn',
      });
      await writeReports(judged, reports, {}, { baselines });
      times.push(performance.now() - started);
      size = judged.comparisons.length;
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[2] as number;
    console.log(
      `\n3. comparison + reports on ${latest.replace(ROOT, '')} (profile ${result.run.profile}, ${result.suites.reduce((n, s) => n + s.items.length, 0)} items, ${size} comparisons): median of 5 ${(median / 1000).toFixed(2)} s (goal < 2 s: ${median < 2000 ? 'MET' : 'NOT MET'})`,
    );
    await rm(reports, { recursive: true, force: true });
  }
} finally {
  await target?.stop();
}

if (only.has('machine') || only.has('paired')) {
  const { fairnessBench } = await import('./regression-fairness.ts');
  const browserTrials = Number(values['browser-trials'] ?? trials);
  await fairnessBench(
    only,
    { load: trials, synthetic: browserTrials, lighthouse: browserTrials },
    (values.suites ?? '').split(',') as ('load' | 'synthetic' | 'lighthouse')[],
    (values.conditions ?? '').split(',').map((c) => c === 'busy'),
  );
}
