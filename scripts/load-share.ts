/**
 * One share of a distributed load run, as a pod of the Indexed Job runs it (deploy/k8s/) or
 * `npm run load:merge -- --local-shares N` here: iterations i ≡ index (mod shares) of the
 * scenario's schedule, interleaved as k6's execution segments are, from a start time shared by
 * every share; the result (encoded histograms) to --out for load:merge.
 *   --scenario NAME        (SCENARIO)
 *   --shares N             (SHARES)
 *   --index I              (JOB_COMPLETION_INDEX, set by Kubernetes for an Indexed Job)
 *   --barrier URL          (BARRIER_URL) wait there until every share is ready, then start together
 *   --serve-barrier        (SERVE_BARRIER=1) share 0 serves the barrier on the URL's port (the Job's way)
 *   --barrier-timeout S    (BARRIER_TIMEOUT) seconds to wait for the others; default 600
 *   --start-at EPOCH_MS    (START_AT) instead of a barrier: when every share starts (clocks in sync)
 *   --run-id ID            (RUN_ID) the same for every share of the run
 *   --out FILE             default <out-dir>/share-<index>.json
 *   --out-dir DIR          (OUT_DIR) default: the working directory
 *   --base-url URL         (BASE_URL) the deployment; remote needs --allow-remote (suites.load.maxRemoteRate caps it)
 *   --config FILE          default perf.config.ts; --profile NAME shapes the scenario (default: the config's)
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import { BARRIER_TIMEOUT_MS, joinBarrier, serveBarrier } from '../load/barrier.ts';
import { runEngine } from '../load/engines/run.ts';
import { loadScenarios, pickScenarios } from '../load/scenarios/registry.ts';
import { loginUserPool } from '../load/setup.ts';
import { shareResult } from '../load/share-result.ts';
import { guardRemote } from '../load/suite.ts';
import { parseBaseUrl } from './target.ts';

/** A start further ahead than this is a mistake (a clock off, seconds for milliseconds). */
const MAX_WAIT_MS = 10 * 60_000;

function integer(value: string | undefined, name: string, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min)
    throw new PerfError(`${name} ${value ?? '(not set)'}: an integer ≥ ${min}, please`);
  return n;
}

const cannotWrite = (out: string, error: unknown) =>
  new PerfError(
    `cannot write the share to ${out}: ${(error as Error).message} (--out, --out-dir or OUT_DIR)`,
  );

/** Makes the share's folder and checks this process may write there. */
async function writableFolder(out: string): Promise<void> {
  try {
    await mkdir(dirname(out), { recursive: true });
    await access(dirname(out), constants.W_OK);
  } catch (error) {
    throw cannotWrite(out, error);
  }
}

interface StartOptions {
  barrier?: string | undefined;
  'serve-barrier'?: boolean | undefined;
  'barrier-timeout'?: string | undefined;
  'start-at'?: string | undefined;
}

/** When this share starts (epoch ms, this machine's clock): from the barrier, START_AT or now. */
async function startTime(
  values: StartOptions,
  index: number,
  shares: number,
  signal: AbortSignal,
): Promise<number> {
  const barrier = values.barrier ?? process.env.BARRIER_URL;
  const startAtText = values['start-at'] ?? process.env.START_AT;
  if (barrier && startAtText)
    throw new PerfError('give a barrier (BARRIER_URL) or a start time (START_AT), not both');
  if (barrier) {
    const url = parseBaseUrl(barrier, '--barrier (BARRIER_URL)');
    const seconds = values['barrier-timeout'] ?? process.env.BARRIER_TIMEOUT;
    const timeoutMs =
      seconds === undefined ? BARRIER_TIMEOUT_MS : integer(seconds, '--barrier-timeout', 1) * 1000;
    const serve = values['serve-barrier'] || process.env.SERVE_BARRIER === '1';
    console.log(`share ${index} of ${shares}: ready, waiting at the start barrier ${url.origin}`);
    if (serve && index === 0) {
      if (!url.port) throw new PerfError(`--barrier ${barrier}: give the port share 0 serves it on`);
      // Share 0 hosts the barrier for every share (itself included) on the URL's port.
      const server = await serveBarrier({
        parties: shares,
        host: '0.0.0.0',
        port: Number(url.port),
        timeoutMs,
      });
      return joinBarrier({ url: server.url, share: index, of: shares, timeoutMs, signal });
    }
    return joinBarrier({ url: url.href, share: index, of: shares, timeoutMs, signal });
  }
  const startAt = Number(startAtText ?? Date.now());
  const wait = startAt - Date.now();
  if (!Number.isFinite(startAt) || wait > MAX_WAIT_MS)
    throw new PerfError(
      `--start-at ${startAt} is ${Math.round(wait / 1000)} s away: give an epoch in ms within 10 minutes`,
    );
  return startAt;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      shares: { type: 'string' },
      index: { type: 'string' },
      barrier: { type: 'string' },
      'serve-barrier': { type: 'boolean', default: false },
      'barrier-timeout': { type: 'string' },
      'start-at': { type: 'string' },
      'run-id': { type: 'string' },
      out: { type: 'string' },
      'out-dir': { type: 'string' },
      'base-url': { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      'exit-on-stdin-close': { type: 'boolean', default: false },
      config: { type: 'string', default: 'perf.config.ts' },
      profile: { type: 'string' },
    },
  });
  const config = await loadConfig(values.config);
  const shares = integer(values.shares ?? process.env.SHARES, '--shares (SHARES)', 1);
  const index = integer(
    values.index ?? process.env.JOB_COMPLETION_INDEX,
    '--index (JOB_COMPLETION_INDEX)',
    0,
  );
  if (index >= shares)
    throw new PerfError(`--index ${index} is not one of ${shares} shares (0…${shares - 1})`);
  const runId = values['run-id'] ?? process.env.RUN_ID;
  if (!runId) throw new PerfError('--run-id (RUN_ID) is required: the same id for every share of the run');
  const name = values.scenario ?? process.env.SCENARIO;
  if (!name) throw new PerfError('--scenario NAME (SCENARIO) is required');
  const base = values['base-url'] ?? process.env.BASE_URL;
  if (!base) throw new PerfError('--base-url (BASE_URL) is required: the deployment every share loads');
  const baseUrl = parseBaseUrl(base, '--base-url');
  const shape = resolveProfile(config, values.profile ?? config.profile).load;
  const [scenario] = pickScenarios(await loadScenarios(shape), [name]);
  if (!scenario) throw new PerfError(`no scenario "${name}"`);
  guardRemote(baseUrl, [scenario], {
    allowRemote: config.suites.load.allowRemote || Boolean(values['allow-remote']),
    maxRemoteRate: config.suites.load.maxRemoteRate,
  });
  // Checked before any load: a volume it cannot write to would otherwise lose the whole run.
  const out = values.out ?? join(values['out-dir'] ?? process.env.OUT_DIR ?? '.', `share-${index}.json`);
  await writableFolder(out);
  const tokens = scenario.users ? await loginUserPool(baseUrl, scenario.users) : [];
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  if (values['exit-on-stdin-close']) {
    // Spawned by load:merge --local-shares: if that parent dies (even by kill -9), stop too.
    process.stdin.on('end', () => stop.abort());
    process.stdin.resume();
  }
  let startAt: number;
  try {
    startAt = await startTime(values, index, shares, stop.signal);
    const wait = startAt - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: stop.signal });
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    console.error(`share ${index} of ${shares}: stopped before the start, nothing sent`);
    return 130;
  }
  const startedAt = new Date().toISOString();
  const result = await runEngine({
    baseUrl,
    scenario,
    tokens,
    signal: stop.signal,
    share: { index, of: shares },
    maxConnections: config.suites.load.maxConnections,
  });
  const share = shareResult({
    runId,
    scenario: scenario.name,
    definition: scenario,
    share: { index, of: shares },
    baseUrl: baseUrl.origin,
    startedAt,
    elapsedMs: result.elapsedMs,
    ...(result.stoppedBy ? { stoppedBy: result.stoppedBy } : {}),
    recorder: result.recorder.toState(),
    ...(result.generator ? { generator: result.generator } : {}),
  });
  try {
    await writeAtomic(out, `${JSON.stringify(share)}\n`);
  } catch (error) {
    throw cannotWrite(out, error);
  }
  console.log(
    `share ${index} of ${shares} (${scenario.name}, run ${runId}): ${result.recorder.requestCount} requests → ${out}`,
  );
  return stop.signal.aborted ? 130 : 0;
}

await runCli(main);
