/**
 * `npm run test:performance`: the gate. config → target → suites → results → verdict →
 * reports → exit code (DESIGN.md): 0 all pass · 1 a target exceeded · 2 could not measure.
 *
 *   --profile smoke|ci|nightly|capacity   how long and how often (default: the config's)
 *   --milestone NAME                      which roadmap targets judge (default: strictest)
 *   --base-url URL                        measure a deployment (also BASE_URL)
 *   --config FILE                         default perf.config.ts
 *   --suite NAME                          run only this suite (repeatable)
 *   --engine native|k6                    the load suite's engine (k6: a k6 binary runs the scenarios)
 *   --allow-remote                        allow load on a host that is not loopback (capped rate)
 *   --save-lhr PATH                       also write the first Lighthouse page's representative lhr
 *   --compare-url URL|embedded            paired mode: measure this reference interleaved with the
 *                                         base URL and judge the base against it (also COMPARE_URL)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { baselinesUsed, loadBaselineInput } from '../core/baselines.ts';
import { findBrowser } from '../core/browser.ts';
import { probeMachine } from '../core/calibration-probe.ts';
import { runCli } from '../core/cli.ts';
import { type Config, loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { readHistory } from '../core/history.ts';
import type { HistoryOptions } from '../core/history-verdict.ts';
import { onShutdown } from '../core/lifecycle.ts';
import { assembleResult, PAIRED_OPTIONS, type PlannedSuite, runSuites } from '../core/pipeline.ts';
import { consoleProgress, renderConsoleSummary } from '../core/report/console.ts';
import { writeReports } from '../core/report/write.ts';
import type { SuiteResult } from '../core/results.ts';
import { gitInfo, machineInfo, newRunId } from '../core/run-meta.ts';
import { loadTargets, milestoneTargets, parseRules, type ThresholdOverride } from '../core/targets.ts';
import { healthSuite } from '../health/suite.ts';
import { type LighthouseSettings, lighthouseSuite } from '../lighthouse/suite.ts';
import { type LoadSettings, loadSuite } from '../load/suite.ts';
import { type SyntheticSettings, syntheticSuite } from '../synthetic/suite.ts';
import { EMBEDDED, openTarget, parseBaseUrl, type SystemUnderTest } from './target.ts';

const USAGE =
  'usage: npm run test:performance -- [--profile smoke|ci|nightly|capacity|pr] [--milestone NAME] [--base-url URL] [--compare-url URL|embedded] [--config FILE] [--suite NAME] [--scenario NAME] [--engine native|k6] [--allow-remote] [--save-lhr PATH]';

/** A problem that stops the run before or while measuring: exit 2 with one line. */
class CannotMeasure extends PerfError {}

function cliArgs() {
  try {
    return parseArgs({
      options: {
        profile: { type: 'string' },
        milestone: { type: 'string' },
        'base-url': { type: 'string' },
        config: { type: 'string', default: 'perf.config.ts' },
        suite: { type: 'string', multiple: true },
        scenario: { type: 'string', multiple: true },
        engine: { type: 'string' },
        'allow-remote': { type: 'boolean', default: false },
        'save-lhr': { type: 'string' },
        'compare-url': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new CannotMeasure(`${(error as Error).message}\n${USAGE}`);
  }
}

type Args = ReturnType<typeof cliArgs>;

function planSuites(config: Config, profileName: string, args: Args, runDir: string): PlannedSuite[] {
  const only = args.suite;
  const profile = resolveProfile(config, profileName);
  const engine = args.engine ?? config.suites.load.engine;
  if (engine !== 'native' && engine !== 'k6') throw new CannotMeasure(`--engine ${engine}: use native or k6`);
  const load: LoadSettings = {
    ...config.suites.load,
    engine,
    allowRemote: config.suites.load.allowRemote || Boolean(args['allow-remote']),
    // --scenario NAME (repeatable) runs those instead of the profile's list.
    profile: args.scenario?.length ? { ...profile.load, scenarios: args.scenario } : profile.load,
  };
  const available: Record<string, PlannedSuite | undefined> = {
    health: config.suites.health.enabled
      ? { suite: healthSuite, settings: { ...config.suites.health, ...profile.health } }
      : undefined,
    load: config.suites.load.enabled ? { suite: loadSuite, settings: load } : undefined,
    synthetic: config.suites.synthetic.enabled
      ? {
          suite: syntheticSuite,
          settings: {
            ...config.suites.synthetic,
            ...profile.synthetic,
            // Playwright's own reports go beside the run's, so summary.md's links stay valid.
            reportDir: join(runDir, 'synthetic'),
          } satisfies SyntheticSettings,
        }
      : undefined,
    lighthouse: config.suites.lighthouse.enabled
      ? {
          suite: lighthouseSuite,
          settings: {
            ...config.suites.lighthouse,
            ...profile.lighthouse,
            reportDir: join(runDir, 'lighthouse'),
            saveLhr: args['save-lhr'],
          } satisfies LighthouseSettings,
        }
      : undefined,
  };
  for (const name of only ?? []) {
    if (!(name in available))
      throw new CannotMeasure(
        `--suite ${name}: no such suite (there are: ${Object.keys(available).join(', ')})`,
      );
    if (!available[name])
      throw new CannotMeasure(
        `--suite ${name}: the suite is disabled in the config (suites.${name}.enabled)`,
      );
  }
  return Object.entries(available)
    .filter(([name, planned]) => planned && (!only || only.includes(name)))
    .map(([, planned]) => planned as PlannedSuite);
}

function overridesFrom(config: Config, file: string): ThresholdOverride[] {
  return config.thresholds.map((t, i) => ({
    suite: t.suite,
    item: t.item,
    rules: parseRules(t.metrics, `${file} thresholds[${i}].metrics`, `config ${file}`),
  }));
}

/** The history options when this profile's runs are judged against history (the nightly gate). */
function historyFor(config: Config, profile: string): HistoryOptions | undefined {
  const { profiles, ...options } = config.baselines.history;
  return profiles.includes(profile) ? { ...options, tolerance: config.calibration.tolerance } : undefined;
}

async function main(): Promise<number> {
  const args = cliArgs();
  const config = await loadConfig(args.config);
  const profile = args.profile ?? config.profile;
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const planned = planSuites(config, profile, args, join(config.reportsDir, runId));
  const milestoneName = args.milestone ?? config.milestone;
  const milestone = milestoneTargets(await loadTargets(config.targetsFile), milestoneName);
  const overrides = overridesFrom(config, args.config);
  // Read before measuring: a corrupt baseline stops the run now, not after minutes of load.
  const baselines = await loadBaselineInput(config.baselines, profile);
  const given =
    (args['base-url'] && parseBaseUrl(args['base-url'], '--base-url')) ||
    (process.env.BASE_URL && parseBaseUrl(process.env.BASE_URL, 'BASE_URL')) ||
    (config.baseUrl && parseBaseUrl(config.baseUrl, `${args.config} baseUrl`)) ||
    undefined;

  const compareValue = args['compare-url'] ?? process.env.COMPARE_URL;
  const compareGiven =
    compareValue && compareValue !== EMBEDDED
      ? parseBaseUrl(compareValue, args['compare-url'] ? '--compare-url' : 'COMPARE_URL')
      : undefined;
  if (compareValue && args.engine === 'k6')
    throw new CannotMeasure('--compare-url: paired runs use the native engines, not --engine k6');
  const history = historyFor(config, profile);
  const historyEntries = history && !compareValue ? await readHistory(config.reportsDir, 1_000) : [];

  const started = performance.now();
  const aborter = new AbortController();
  const stopAborting = onShutdown(() => aborter.abort());
  let target: SystemUnderTest | undefined;
  let reference: SystemUnderTest | undefined;
  try {
    target = await openTarget(given, config.readyTimeoutMs);
    console.log(
      target.embedded
        ? `target: embedded Pitchey at ${target.url.origin} (pid ${target.pid}; set BASE_URL to measure a deployment)`
        : `target: ${target.url.origin}`,
    );
    if (compareValue) {
      reference = await openTarget(compareGiven, config.readyTimeoutMs, 'COMPARE_TARGET_FAULTS');
      console.log(
        `reference: ${reference.embedded ? `a second embedded Pitchey at ${reference.url.origin} (pid ${reference.pid})` : reference.url.origin} — paired: every metric of the target is judged against it`,
      );
    }
    console.log(
      `profile ${profile}, milestone ${milestoneName}, suites: ${planned.map((p) => p.suite.name).join(', ')}`,
    );
    const browser = planned.some((p) => p.suite.name === 'synthetic' || p.suite.name === 'lighthouse')
      ? findBrowser()?.path
      : undefined;
    const calibrate = async (when: string) => {
      if (!config.calibration.enabled || aborter.signal.aborted) return null;
      const progress = consoleProgress(`calibration ${when}`);
      progress.update(0, 0, 'measuring this machine (CPU in Node and the browser, timer, round trip)');
      try {
        return await probeMachine({
          targetUrl: (target as SystemUnderTest).url,
          ...(browser ? { chromePath: browser } : {}),
          repeats: config.calibration.repeats,
          signal: aborter.signal,
        });
      } finally {
        progress.end();
      }
    };
    const calibrationStart = await calibrate('at the start');
    const referenceSuites: SuiteResult[] = [];
    const suites = await runSuites(planned, {
      baseUrl: target.url,
      ...(reference
        ? { compareUrl: reference.url, reference: referenceSuites, confirm: PAIRED_OPTIONS }
        : {}),
      signal: aborter.signal,
      progress: (name) => consoleProgress(name),
    });
    const calibrationEnd = calibrationStart && (await calibrate('at the end').catch(() => null));
    const result = assembleResult(
      {
        id: runId,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: performance.now() - started,
        profile,
        milestone: milestoneName,
        baseUrl: target.url.origin,
        embeddedTarget: target.embedded,
        git: gitInfo(),
        machine: machineInfo(),
        ...(calibrationStart ? { calibration: { start: calibrationStart, end: calibrationEnd } } : {}),
        ...(reference ? { compareUrl: reference.url.origin } : {}),
      },
      suites,
      milestone,
      overrides,
      reference ? undefined : baselines,
      {
        ...(config.calibration.enabled ? { calibration: config.calibration } : {}),
        ...(reference ? { reference: { baseUrl: reference.url.origin, suites: referenceSuites } } : {}),
        ...(history ? { history: { entries: historyEntries, options: history } } : {}),
      },
    );
    const written = await writeReports(result, config.reportsDir, process.env, {
      baselines: baselinesUsed(baselines, result),
    });
    process.stdout.write(renderConsoleSummary(result));
    console.log(`reports: ${written.dir}/ (index.html, summary.md, summary.json, junit.xml)`);
    return result.outcome.exitCode;
  } finally {
    await reference?.stop();
    await target?.stop();
    await stopAborting();
  }
}

await runCli(main);
