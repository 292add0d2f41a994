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
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { baselinesUsed, loadBaselineInput } from '../core/baselines.ts';
import { runCli } from '../core/cli.ts';
import { type Config, loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { onShutdown } from '../core/lifecycle.ts';
import { assembleResult, type PlannedSuite, runSuites } from '../core/pipeline.ts';
import { consoleProgress, renderConsoleSummary } from '../core/report/console.ts';
import { writeReports } from '../core/report/write.ts';
import { gitInfo, machineInfo, newRunId } from '../core/run-meta.ts';
import { loadTargets, milestoneTargets, parseRules, type ThresholdOverride } from '../core/targets.ts';
import { healthSuite } from '../health/suite.ts';
import { type LighthouseSettings, lighthouseSuite } from '../lighthouse/suite.ts';
import { type LoadSettings, loadSuite } from '../load/suite.ts';
import { type SyntheticSettings, syntheticSuite } from '../synthetic/suite.ts';
import { openTarget, parseBaseUrl, type SystemUnderTest } from './target.ts';

const USAGE =
  'usage: npm run test:performance -- [--profile smoke|ci|nightly|capacity] [--milestone NAME] [--base-url URL] [--config FILE] [--suite NAME] [--engine native|k6] [--allow-remote] [--save-lhr PATH]';

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
        engine: { type: 'string' },
        'allow-remote': { type: 'boolean', default: false },
        'save-lhr': { type: 'string' },
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
    profile: profile.load,
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

  const started = performance.now();
  const aborter = new AbortController();
  const stopAborting = onShutdown(() => aborter.abort());
  let target: SystemUnderTest | undefined;
  try {
    target = await openTarget(given, config.readyTimeoutMs);
    console.log(
      target.embedded
        ? `target: embedded Pitchey at ${target.url.origin} (pid ${target.pid}; set BASE_URL to measure a deployment)`
        : `target: ${target.url.origin}`,
    );
    console.log(
      `profile ${profile}, milestone ${milestoneName}, suites: ${planned.map((p) => p.suite.name).join(', ')}`,
    );
    const suites = await runSuites(planned, {
      baseUrl: target.url,
      signal: aborter.signal,
      progress: (name) => consoleProgress(name),
    });
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
      },
      suites,
      milestone,
      overrides,
      baselines,
    );
    const written = await writeReports(result, config.reportsDir, process.env, {
      baselines: baselinesUsed(baselines, result),
    });
    process.stdout.write(renderConsoleSummary(result));
    console.log(`reports: ${written.dir}/ (index.html, summary.md, summary.json, junit.xml)`);
    return result.outcome.exitCode;
  } finally {
    await target?.stop();
    await stopAborting();
  }
}

await runCli(main);
