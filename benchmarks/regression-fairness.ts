/**
 * `npm run bench:regression -- --only machine,paired`: does the verdict stay true when the
 * machine changes? (issue 11; docs/benchmarks.md)
 *
 *   machine: baselines of load, synthetic and Lighthouse taken on the idle machine, then the
 *            unchanged build measured again with two busy loops beside it (the machine 20–30 %
 *            slower), judged as the gate judges (calibration on): goal 0 regressions in every
 *            trial. The same runs judged without calibration (the CPU model string decides)
 *            show what the gate said before.
 *   paired:  two embedded targets measured interleaved (--compare-url): the target 25 % slower on
 *            one endpoint (load) or one page (synthetic, Lighthouse) → goal ≥ 95 % flagged;
 *            identical → ≤ 5 % flagged; both also with two busy loops running during the runs.
 *            Sizes are the pr profile's: load 100 req/s (50 a side) for 10 s, the visitor journey
 *            as many iterations a side as the pr profile, Lighthouse on home (desktop) as many runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselinesFromRun } from '../core/baseline-file.ts';
import { findBrowser } from '../core/browser.ts';
import { driftOf, effectiveCalibration } from '../core/calibration.ts';
import { probeMachine } from '../core/calibration-probe.ts';
import { type CompareOptions, compareRun, type MachineContext } from '../core/compare.ts';
import { BUILT_IN_PROFILES, loadConfig } from '../core/config.ts';
import { confirmRound, type PlannedSuite } from '../core/pipeline.ts';
import type { Calibration, Comparison } from '../core/results.ts';
import { machineInfo } from '../core/run-meta.ts';
import type { SuiteOutput } from '../core/suite.ts';
import { lighthouseSuite } from '../lighthouse/suite.ts';
import { loadSuite } from '../load/suite.ts';
import { syntheticSuite } from '../synthetic/suite.ts';
import { spawnTarget } from '../target/process.ts';
import { runOf, setFaults, suiteOf } from './bench-run.ts';
import { startHogs } from './hogs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'bench-fairness';
const config = await loadConfig(join(ROOT, 'perf.config.ts'));
const OPTIONS: CompareOptions = config.baselines;
const machine = machineInfo();
/** The pull-request profile: the sizes and settings the paired trials copy. */
const PR = BUILT_IN_PROFILES.pr as (typeof BUILT_IN_PROFILES)[string];
/** The busy loops of one paired trial stop by themselves after this (a trial takes 2–4 minutes). */
const TRIAL_LIMIT_MS = 15 * 60_000;
/** Journey iterations or Lighthouse runs a side in a paired trial: the pr profile's. */
const perSideOf = (suite: SuiteName) =>
  suite === 'synthetic' ? PR.synthetic.iterations : suite === 'lighthouse' ? PR.lighthouse.runs : 1;
const chromePath = findBrowser()?.path;

type SuiteName = 'load' | 'synthetic' | 'lighthouse';

interface Sides {
  base: string;
  reference?: string;
}

/** One measurement of a suite, as the gate runs it, on one URL or paired (with its confirmation round). */
async function measure(suite: SuiteName, sides: Sides, perSide: number): Promise<SuiteOutput> {
  const common = {
    baseUrl: new URL(sides.base),
    ...(sides.reference ? { compareUrl: new URL(sides.reference) } : {}),
    progress: { update() {} },
    signal: new AbortController().signal,
  };
  if (suite === 'load') {
    const profile = {
      ...(BUILT_IN_PROFILES.pr?.load as object),
      scenarios: ['average-load'],
      rate: 100,
      duration: '10s',
    };
    return loadSuite.run({ ...common, settings: { ...config.suites.load, profile } as never });
  }
  const reportDir = await mkdtemp(join(tmpdir(), `bench-${suite}-`));
  try {
    const [planned, settings] =
      suite === 'synthetic'
        ? [
            syntheticSuite as PlannedSuite['suite'],
            {
              ...config.suites.synthetic,
              projects: ['desktop'],
              journeys: ['visitor'],
              iterations: perSide,
              settleMs: PR.synthetic.settleMs,
              reportDir,
            },
          ]
        : [
            lighthouseSuite as PlannedSuite['suite'],
            {
              ...config.suites.lighthouse,
              pages: [{ name: 'home', path: '/' }],
              presets: ['desktop'],
              runs: perSide,
              audits: PR.lighthouse.audits,
              reportDir,
            },
          ];
    const run = (s: unknown) => planned.run({ ...common, settings: s });
    const output = await run(settings);
    return sides.reference ? await confirmRound(planned, settings, output, OPTIONS, run) : output;
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

/** Whether the output went through a confirmation round. */
const confirmed = (output: SuiteOutput) => output.notes.some((n) => n.startsWith('confirmation round: '));

/** The comparisons this suite's verdict rests on: API P95, page load per page, Lighthouse LCP. */
const KEY: Record<SuiteName, (c: Comparison) => boolean> = {
  load: (c) => c.item === 'average-load' && c.metric === 'http_req_duration' && c.stat === 'p(95)',
  synthetic: (c) => /› home$/.test(c.item) && c.metric === 'page_load',
  lighthouse: (c) => c.metric === 'lcp',
};

/** What failed, in short: the first few regressed metrics. */
const flaggedOn = (comparisons: Comparison[]) => {
  const names = regressionsOf(comparisons).map(
    (c) => `${c.item.replace(/^desktop visitor › /, '')} ${c.metric}`,
  );
  return names.length
    ? ` on ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` +${names.length - 3}` : ''}`
    : '';
};

const regressionsOf = (comparisons: Comparison[]) => comparisons.filter((c) => c.status === 'regression');
const show = (c: Comparison | undefined) =>
  c
    ? `${c.metric} ${c.stat} ${c.baseline?.toFixed(1)} → ${c.current?.toFixed(1)} ${c.status}${c.status === 'inconclusive' ? ` (${c.reason?.slice(0, 60)})` : ''}`
    : 'no comparison';

async function calibrate(url: string): Promise<Calibration> {
  return probeMachine({ targetUrl: new URL(url), ...(chromePath ? { chromePath } : {}) });
}

/** Per suite: how many trials would the gate fail with a regression, with and without calibration? */
async function machineBench(suites: SuiteName[], trials: Record<SuiteName, number>): Promise<void> {
  const target = await spawnTarget({ adminToken: TOKEN, faults: {} });
  try {
    console.log('## Slower machine, unchanged build (baselines idle, runs with two busy loops)\n');
    const faults: Record<SuiteName, unknown> = {
      load: { latency: [{ route: '/api/pitches/*', ms: 37.5, jitterMs: 5 }] },
      synthetic: { latency: [{ route: '/', ms: 200 }] },
      lighthouse: { latency: [{ route: '/', ms: 200 }] },
    };
    for (const suite of suites) {
      await setFaults(target.url, TOKEN, faults[suite]);
      const start = await calibrate(target.url);
      const baselineOutput = await measure(suite, { base: target.url }, suite === 'load' ? 1 : 6);
      const end = await calibrate(target.url);
      const baseline = baselinesFromRun(runOf(suiteOf(suite, baselineOutput.items), { start, end }));
      let withCalibration = 0;
      let withoutCalibration = 0;
      let judgedByMachine = 0;
      // Bounded, but long enough for every trial (each takes under 5 minutes).
      const hogs = startHogs(2, trials[suite] * 5 * 60_000);
      try {
        for (let i = 1; i <= trials[suite]; i++) {
          const runStart = await calibrate(target.url);
          const output = await measure(suite, { base: target.url }, suite === 'load' ? 1 : 6);
          const runEnd = await calibrate(target.url);
          const calibration = { start: runStart, end: runEnd };
          const context: MachineContext = {
            machine,
            calibration: effectiveCalibration(calibration),
            calibrationOptions: config.calibration,
          };
          const drift = driftOf(calibration, config.calibration);
          if (drift) context.drift = drift;
          const current = [suiteOf(suite, output.items)];
          const judged = compareRun(current, baseline, OPTIONS, context).comparisons;
          const plain = compareRun(current, baseline, OPTIONS, { machine }).comparisons;
          if (regressionsOf(judged).length) withCalibration++;
          if (regressionsOf(plain).length) withoutCalibration++;
          if (judged.some((c) => c.machine === 'other')) judgedByMachine++;
          const key = plain.find(KEY[suite]);
          console.log(
            `   ${suite} trial ${String(i).padStart(2)}: node CPU ${runStart.nodeCpu.value.toFixed(2)} vs ${start.nodeCpu.value.toFixed(2)} it/ms; ${show(key)}; gate: ${regressionsOf(judged).length} regressions (${judged.filter((c) => c.machine === 'other').length} other-machine inconclusive); without calibration: ${regressionsOf(plain).length} regressions`,
          );
        }
      } finally {
        await hogs.stop();
      }
      console.log(
        `   ${suite}: trials with a regression — with calibration ${withCalibration}/${trials[suite]} (goal 0: ${withCalibration === 0 ? 'MET' : 'NOT MET'}), without ${withoutCalibration}/${trials[suite]}; another machine recognised in ${judgedByMachine}/${trials[suite]}\n`,
      );
    }
  } finally {
    await target.stop();
  }
}

/** Paired: identical and 25 %-slower targets, idle and with two busy loops. */
async function pairedBench(
  suites: SuiteName[],
  trials: Record<SuiteName, number>,
  conditions: boolean[],
): Promise<void> {
  const base = await spawnTarget({ adminToken: TOKEN, faults: {} });
  const reference = await spawnTarget({ adminToken: TOKEN, faults: {} });
  try {
    console.log('## Paired runs (--compare-url), pr-profile sizes\n');
    for (const suite of suites) {
      // What "+25 %" means for each suite, measured on the reference's faults.
      const normal: unknown =
        suite === 'load'
          ? { latency: [{ route: '/api/pitches/*', ms: 37.5, jitterMs: 5 }] }
          : { latency: [{ route: '/', ms: 200 }] };
      let slower: unknown = { latency: [{ route: '/api/pitches/*', ms: 46.875, jitterMs: 6.25 }] };
      if (suite !== 'load') {
        await setFaults(base.url, TOKEN, normal);
        const probe = await measure(suite, { base: base.url }, perSideOf(suite));
        const home = probe.items.find((i) => (suite === 'synthetic' ? /› home$/.test(i.name) : true));
        const metric = home?.metrics[suite === 'synthetic' ? 'page_load' : 'lcp'];
        const value = metric?.type === 'trend' ? (metric.values.med ?? 0) : 0;
        slower = { latency: [{ route: '/', ms: 200 + 0.25 * value }] };
        console.log(
          `   ${suite}: home ${suite === 'synthetic' ? 'page load' : 'LCP'} ${value.toFixed(0)} ms with 200 ms on the document; slower = document ${(200 + 0.25 * value).toFixed(0)} ms (+25 %)`,
        );
      }
      for (const hogged of conditions) {
        const tally = { slower: 0, same: 0, verdicts: 0, runs: 0, confirmations: 0 };
        for (let i = 1; i <= trials[suite]; i++) {
          // Busy loops per trial, bounded by a trial's length: one set for the whole condition
          // outlived its 30-minute bound in a 10-trial run, and the last trials ran without.
          const hogs = hogged ? startHogs(2, TRIAL_LIMIT_MS) : undefined;
          try {
            const order = i % 2 ? (['same', 'slower'] as const) : (['slower', 'same'] as const);
            const seen: string[] = [];
            for (const which of order) {
              await setFaults(reference.url, TOKEN, normal);
              await setFaults(base.url, TOKEN, which === 'same' ? normal : slower);
              const started = performance.now();
              const output = await measure(
                suite,
                { base: base.url, reference: reference.url },
                perSideOf(suite),
              );
              const seconds = (performance.now() - started) / 1000;
              const refRun = runOf(suiteOf(suite, output.reference?.items ?? []));
              const judged = compareRun([suiteOf(suite, output.items)], baselinesFromRun(refRun), OPTIONS, {
                against: 'reference',
              }).comparisons;
              const key = judged.find(KEY[suite]);
              tally.runs++;
              if (key && key.status !== 'inconclusive') tally.verdicts++;
              if (regressionsOf(judged).length) tally[which]++;
              if (confirmed(output)) tally.confirmations++;
              seen.push(
                `${which} → ${regressionsOf(judged).length ? `flagged${flaggedOn(judged)}` : 'pass'} (${show(key)}, ${seconds.toFixed(0)} s${confirmed(output) ? ', confirmation round' : ''})`,
              );
            }
            const early = hogs?.ended() ? ` (WARNING: ${hogs.ended()} busy loop(s) ended early)` : '';
            console.log(
              `   ${suite}${hogged ? ' +hogs' : ''} trial ${String(i).padStart(2)}: ${seen.join('; ')}${early}`,
            );
          } finally {
            await hogs?.stop();
          }
        }
        const n = trials[suite];
        const met = tally.slower >= Math.ceil(n * 0.95) && tally.same <= Math.floor(n * 0.05);
        console.log(
          `   ${suite}${hogged ? ' with two busy loops' : ', idle'}: slower flagged ${tally.slower}/${n}, identical flagged ${tally.same}/${n}, a verdict on the key metric in ${tally.verdicts}/${tally.runs} runs, a confirmation round in ${tally.confirmations}/${tally.runs}: goal ${met ? 'MET' : 'NOT MET'}\n`,
        );
      }
    }
  } finally {
    await reference.stop();
    await base.stop();
  }
}

export async function fairnessBench(
  only: Set<string>,
  trials: Record<SuiteName, number>,
  suites: SuiteName[],
  /** Paired conditions: false idle, true with two busy loops. */
  conditions: boolean[] = [false, true],
) {
  console.log(
    `# Verdicts off the home machine (${new Date().toISOString().slice(0, 10)}), ${machine.cores} × ${machine.cpuModel}, node ${process.version}`,
  );
  console.log(
    `alpha ${OPTIONS.alpha}, percentiles ${OPTIONS.percentiles.join('/')}, minimum effect 10 %; calibration tolerance ±${config.calibration.tolerance * 100} % on ${config.calibration.figures.join(', ')}\n`,
  );
  if (only.has('machine')) await machineBench(suites, trials);
  if (only.has('paired')) await pairedBench(suites, trials, conditions);
}
