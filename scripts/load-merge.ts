/**
 * `npm run load:merge -- share-*.json`: the shares of one distributed run as one result — the
 * recorders' encoded HDR histograms added (exact global percentiles, not per runner), judged by
 * the milestone's targets and the scenario's thresholds, reported like any run, same exit codes.
 * `npm run load:merge -- --local-shares N --scenario NAME` runs the N shares here first, as the
 * Indexed Job would (one process each, started together by a barrier), on the embedded target unless BASE_URL.
 * Shares of different runs, scenarios or schema versions, or an incomplete set: exit 2, naming files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { onShutdown } from '../core/lifecycle.ts';
import { reportOneSuiteRun } from '../core/report/one-suite-run.ts';
import type { SuiteResult } from '../core/results.ts';
import { serveBarrier } from '../load/barrier.ts';
import { generatorBound } from '../load/generator-watch.ts';
import { peakRatePerSecond } from '../load/scenario.ts';
import { loadScenarios, pickScenarios } from '../load/scenarios/registry.ts';
import { mergeShareFiles } from '../load/share-merge.ts';
import { ShareMergeError, scenarioHash } from '../load/share-result.ts';
import { scenarioOutput, scenarioThresholds } from '../load/suite.ts';
import { openTarget, parseBaseUrl } from './target.ts';

const SHARE_SCRIPT = fileURLToPath(new URL('./load-share.ts', import.meta.url));
/** Local shares only need to load and log in: a minute is plenty, and ends a stuck run. */
const LOCAL_BARRIER_TIMEOUT_MS = 60_000;
/** Runs N share processes here, started together by a barrier this process serves; resolves with their files. */
async function runLocalShares(
  n: number,
  scenario: string,
  baseUrl: URL,
  config: string,
  profile: string,
): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pitchey-shares-'));
  const runId = `local-${Date.now()}`;
  const barrier = await serveBarrier({ parties: n, timeoutMs: LOCAL_BARRIER_TIMEOUT_MS });
  const children = Array.from({ length: n }, (_, index) =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        SHARE_SCRIPT,
        '--config',
        resolve(config),
        '--profile',
        profile,
        '--out',
        join(dir, `share-${index}.json`),
        '--exit-on-stdin-close',
      ],
      {
        env: {
          ...process.env,
          SCENARIO: scenario,
          SHARES: String(n),
          JOB_COMPLETION_INDEX: String(index),
          BARRIER_URL: barrier.url,
          BARRIER_TIMEOUT: String(LOCAL_BARRIER_TIMEOUT_MS / 1000),
          RUN_ID: runId,
          BASE_URL: baseUrl.href,
        },
        // stdin open: a share stops when this process is gone, even by kill -9.
        stdio: ['pipe', 'inherit', 'inherit'],
      },
    ),
  );
  const stopAll = onShutdown(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
  try {
    const codes = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) =>
            child.once('exit', (code, signal) => {
              // One share failing fails the run: the others would only wait at the barrier.
              if (code !== 0)
                for (const other of children) if (other.exitCode === null) other.kill('SIGTERM');
              resolve(code === null ? `stopped by ${signal}` : `exited ${code}`);
            }),
          ),
      ),
    );
    const failed = codes.map((how, i) => `share ${i} ${how}`).filter((line) => !line.endsWith(' exited 0'));
    if (failed.length) throw new PerfError(`${failed.join(', ')}: nothing merged`);
  } finally {
    await stopAll();
    await barrier.close();
  }
  return Array.from({ length: n }, (_, i) => join(dir, `share-${i}.json`));
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', default: 'perf.config.ts' },
      milestone: { type: 'string' },
      profile: { type: 'string' },
      'reports-dir': { type: 'string' },
      'local-shares': { type: 'string' },
      scenario: { type: 'string' },
      'base-url': { type: 'string' },
    },
  });
  const config = await loadConfig(values.config);
  const profile = values.profile ?? config.profile;
  let files = positionals;
  let baseUrlText: string | undefined;
  if (values['local-shares'] !== undefined) {
    const n = Number(values['local-shares']);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new PerfError(`--local-shares ${values['local-shares']}: 1 to 64`);
    if (!values.scenario) throw new PerfError('--local-shares needs --scenario NAME');
    if (files.length) throw new PerfError('--local-shares runs the shares itself: give no share files');
    const given =
      (values['base-url'] && parseBaseUrl(values['base-url'], '--base-url')) ||
      (process.env.BASE_URL && parseBaseUrl(process.env.BASE_URL, 'BASE_URL')) ||
      undefined;
    const target = await openTarget(given, config.readyTimeoutMs);
    onShutdown(target.stop);
    baseUrlText = target.url.origin;
    try {
      files = await runLocalShares(n, values.scenario, target.url, values.config as string, profile);
    } finally {
      await target.stop();
    }
  }
  if (!files.length)
    throw new PerfError(
      'usage: npm run load:merge -- share-0.json share-1.json … | --local-shares N --scenario NAME',
    );

  const { headers: shares, ...merged } = await mergeShareFiles(files);
  const first = shares[0]?.share;
  if (!first) throw new ShareMergeError('no share files to merge');
  const [scenario] = pickScenarios(await loadScenarios(resolveProfile(config, profile).load), [
    first.scenario,
  ]);
  if (!scenario || scenarioHash(scenario) !== first.scenarioHash)
    throw new ShareMergeError(
      `${shares[0]?.file}: scenario "${first.scenario}" was defined differently when the shares ran: merge with the same config, profile and scenario files`,
    );
  const bound = generatorBound(merged.generator, peakRatePerSecond(scenario) ?? 0);
  const own = scenarioOutput(scenario, merged.recorder, merged.elapsedMs, merged.stoppedBy);
  const started = new Date(Math.min(...shares.map((s) => Date.parse(s.share.startedAt))));
  const suite: SuiteResult = bound
    ? {
        suite: 'load',
        status: 'error',
        error: `scenario "${scenario.name}": ${bound}`,
        startedAt: started.toISOString(),
        durationMs: merged.elapsedMs,
        items: [],
        notes: [],
        thresholds: [],
      }
    : {
        suite: 'load',
        status: own.items.length ? 'measured' : 'error',
        ...(own.items.length ? {} : { error: 'the shares measured nothing' }),
        startedAt: started.toISOString(),
        durationMs: merged.elapsedMs,
        items: own.items,
        notes: [
          `${shares.length} shares of run ${first.runId} merged (exact: HDR histograms add)`,
          ...own.notes,
        ],
        thresholds: scenarioThresholds(scenario),
      };
  return reportOneSuiteRun({
    config,
    suite,
    profile: `distributed-${profile}`,
    milestone: values.milestone ?? config.milestone,
    baseUrl: baseUrlText ?? first.baseUrl,
    started,
    durationMs: merged.elapsedMs,
    reportsDir: values['reports-dir'],
  });
}

await runCli(main);
