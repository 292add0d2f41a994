/**
 * `npm run capacity`: how much load does the platform carry within the milestone's targets,
 * and is it enough for the DAU milestone? Arrival-rate steps (warm-up discarded, one histogram
 * per plateau) grow geometrically from capacity.startRate, then bisect to capacity.resolution.
 *   --scenario NAME   the request mix (default capacity.scenario)
 *   --dau N           daily active users to size for (default capacity.dau)
 *   --milestone NAME  whose API targets judge a step (default capacity.milestone, the config's)
 *   --start-rate N    the first step (default capacity.startRate)
 *   --max-rate N      never offer more (required with --allow-remote)
 *   --allow-remote    a BASE_URL that is not loopback: you are about to load a real deployment
 *   --base-url URL    (also BASE_URL) default: the embedded target, started and stopped here
 *   --config FILE     default perf.config.ts
 * Writes reports/capacity/latest.json (go/no-go reads it), index.html, summary.md, junit.xml
 * and report.json.
 * Exit 0 pass, 1 short of the milestone or capacity lost, 2 inconclusive (generator-bound,
 * cut short undecided) or bad input.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  capacityOutcome,
  compareCapacity,
  errorRateOf,
  judgeHeadroom,
  stepTargetsOf,
  uslPointsOf,
} from '../core/capacity.ts';
import {
  CAPACITY_SCHEMA_VERSION,
  type CapacityResult,
  capacityResultPath,
  readCapacityResult,
} from '../core/capacity-result.ts';
import { runCli } from '../core/cli.ts';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { describeDemand, headroomLine, peakRps } from '../core/demand.ts';
import { parseDuration } from '../core/duration.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import { onShutdown } from '../core/lifecycle.ts';
import { renderCapacityHtml } from '../core/report/capacity-html.ts';
import { renderCapacityJunit } from '../core/report/capacity-junit.ts';
import { type CapacityReport, renderCapacityMarkdown } from '../core/report/capacity-md.ts';
import { gitInfo } from '../core/run-meta.ts';
import { loadTargets, milestoneTargets } from '../core/targets.ts';
import { fitUsl } from '../core/usl.ts';
import { searchCapacity } from '../load/capacity-search.ts';
import { loadScenarios, pickScenarios } from '../load/scenarios/registry.ts';
import { loginUserPool } from '../load/setup.ts';
import { isLoopback } from '../load/suite.ts';
import { openTarget, parseBaseUrl } from './target.ts';

class CapacityInputError extends PerfError {}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CapacityInputError(`${flag} ${value}: a positive number, please`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'perf.config.ts' },
      'base-url': { type: 'string' },
      scenario: { type: 'string' },
      dau: { type: 'string' },
      milestone: { type: 'string' },
      'max-rate': { type: 'string' },
      'start-rate': { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
    },
  });
  const config = await loadConfig(values.config as string);
  const settings = config.capacity;
  const dau = positive(values.dau, '--dau') ?? settings.dau;
  const maxRateFlag = positive(values['max-rate'], '--max-rate');
  const startRate = positive(values['start-rate'], '--start-rate') ?? settings.startRate;
  const milestone = values.milestone ?? settings.milestone ?? config.milestone;
  const targets = stepTargetsOf(milestoneTargets(await loadTargets(config.targetsFile), milestone).api);
  if (!targets)
    throw new CapacityInputError(
      `milestone "${milestone}" in ${config.targetsFile} has no API P95 target to judge a step by: pick another with --milestone`,
    );
  const shape = resolveProfile(config, config.profile).load;
  const [template] = pickScenarios(await loadScenarios(shape), [values.scenario ?? settings.scenario]);
  if (!template) throw new CapacityInputError('no scenario to send');

  const given =
    (values['base-url'] && parseBaseUrl(values['base-url'], '--base-url')) ||
    (process.env.BASE_URL && parseBaseUrl(process.env.BASE_URL, 'BASE_URL')) ||
    (config.baseUrl && parseBaseUrl(config.baseUrl, `${values.config} baseUrl`)) ||
    undefined;
  if (given && !isLoopback(given)) {
    if (!values['allow-remote'])
      throw new CapacityInputError(
        `refusing to load ${given.host}, which is not loopback: a capacity check drives a deployment to failure. Pass --allow-remote and --max-rate N if it is yours — with autoscaling off (or you measure your cloud bill) and cost in mind`,
      );
    if (maxRateFlag === undefined)
      throw new CapacityInputError(`--allow-remote needs an explicit --max-rate N (req/s) for ${given.host}`);
  }
  const maxRate = maxRateFlag ?? settings.maxRate;

  const target = await openTarget(given, config.readyTimeoutMs);
  const stop = new AbortController();
  onShutdown(async () => {
    stop.abort();
    await target.stop();
  });
  try {
    if (target.embedded)
      console.log(
        `measuring the embedded Pitchey at ${target.url.origin} (set BASE_URL to measure a deployment)`,
      );
    const tokens = template.users ? await loginUserPool(target.url, template.users) : [];
    const started = performance.now();
    const search = {
      startRps: Math.min(startRate, maxRate),
      growth: settings.growth,
      resolution: settings.resolution,
      maxRps: maxRate,
      minRps: Math.min(settings.minRate, maxRate),
    };
    const result = await searchCapacity({
      baseUrl: target.url,
      template,
      tokens,
      signal: stop.signal,
      workers: settings.workers,
      maxConnections: config.suites.load.maxConnections,
      warmupMs: parseDuration(settings.warmup) as number,
      plateauMs: parseDuration(settings.plateau) as number,
      timeBudgetMs: parseDuration(settings.timeBudget) as number,
      search,
      targets,
      collapse: settings.collapse,
      onStep: (s, i) =>
        console.log(
          `step ${i + 1}: ${s.offeredRps} req/s → ${s.achievedRps.toFixed(1)} carried, P95 ${s.p95Ms.toFixed(1)} ms, errors ${(100 * errorRateOf(s)).toFixed(2)} % — ${s.status}${s.reasons.length ? ` (${s.reasons.join('; ')})` : ''}`,
        ),
    });
    const usl = fitUsl(uslPointsOf(result.steps));
    const peak = peakRps(dau, settings.demand);
    const headroom = judgeHeadroom(result.knee.capacityRps, peak, dau, settings.minHeadroom);
    const file = capacityResultPath(config.reportsDir);
    const before = await readCapacityResult(file);
    // A local target starts on a new port each time: local results compare with each other.
    const sameDeployment = (url: string) =>
      url === target.url.origin || (isLoopback(new URL(url)) && isLoopback(target.url));
    const comparable = before && sameDeployment(before.baseUrl) && before.milestone === milestone;
    const previous =
      comparable && result.knee.bound !== 'searching'
        ? compareCapacity(
            { capacityRps: result.knee.capacityRps, resolution: result.knee.resolution },
            { capacityRps: before.capacityRps, resolution: settings.resolution },
            settings.regressionTolerance,
          )
        : undefined;
    const generator = result.steps.find((s) => s.status === 'generator-bound')?.generatorBound;
    const outcome = capacityOutcome(result.knee, result.cutShort, headroom, generator, previous);
    const measuredAt = new Date().toISOString();
    const commit = gitInfo()?.commit;
    const report: CapacityReport = {
      measuredAt,
      baseUrl: target.url.origin,
      commit,
      milestone,
      scenario: template.name,
      targets,
      resolution: settings.resolution,
      steps: result.steps.map((s) => ({ ...s, errorRate: errorRateOf(s) })),
      knee: result.knee,
      cutShort: result.cutShort,
      usl,
      demand: {
        dau,
        model: settings.demand,
        peakRps: peak,
        line: describeDemand(dau, settings.demand),
        milestones: headroomLine(result.knee.capacityRps, settings.demand),
      },
      headroom,
      minHeadroom: settings.minHeadroom,
      previous,
      outcome,
      wallSeconds: (performance.now() - started) / 1000,
    };
    const dir = join(config.reportsDir, 'capacity');
    await mkdir(dir, { recursive: true });
    const markdown = renderCapacityMarkdown(report);
    await writeAtomic(join(dir, 'summary.md'), markdown);
    await writeAtomic(join(dir, 'junit.xml'), renderCapacityJunit(report));
    await writeAtomic(join(dir, 'index.html'), renderCapacityHtml(report));
    await writeAtomic(
      join(dir, 'report.json'),
      `${JSON.stringify({ ...report, steps: result.steps.map(({ histogram: _h, ...s }) => s) }, null, 2)}\n`,
    );
    // Only a measured answer replaces the previous one (a generator-bound or undecided run does not).
    if (outcome.exitCode !== 2 && result.knee.bound !== 'searching') {
      const latest: CapacityResult = {
        schemaVersion: CAPACITY_SCHEMA_VERSION,
        measuredAt,
        ...(commit ? { commit } : {}),
        baseUrl: target.url.origin,
        milestone,
        dau,
        peakRps: peak,
        capacityRps: result.knee.capacityRps,
        headroom: headroom.headroom,
      };
      await writeAtomic(file, `${JSON.stringify(latest, null, 2)}\n`);
    }
    if (process.env.GITHUB_STEP_SUMMARY) await appendSummary(process.env.GITHUB_STEP_SUMMARY, markdown);
    console.log(`\n${markdown}`);
    console.log(`reports: ${join(dir, 'index.html')}, summary.md, junit.xml, report.json`);
    return outcome.exitCode;
  } finally {
    await target.stop();
  }
}

async function appendSummary(file: string, markdown: string): Promise<void> {
  const before = await readFile(file, 'utf8').catch(() => '');
  await writeAtomic(file, `${before}${markdown}`);
}

await runCli(main);
