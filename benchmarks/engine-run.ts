/**
 * Runs one scenario on our engines (`runEngine`) in a process of its own, so the benchmark can
 * pin it to one core, and prints the figures as one `ENGINE_JSON {...}` line. Used by
 * `npm run bench:load`; the argument is a JSON job:
 *
 *   { "url": "http://127.0.0.1:1234", "scenario": { k6-style scenario },
 *     "warmupSeconds"?: n,      first runs the same scenario this long, unmeasured (JIT, sockets)
 *     "sendWindowMs"?: n,       counts requests sent per window (open model's onSend hook)
 *     "stall"?: { "atMs": n, "ms": n }   sends GET /__stall?ms=… to the responder at atMs }
 *
 * Exits when its stdin closes, so it cannot outlive the benchmark that spawned it.
 */
import { request } from 'node:http';
import { runEngine } from '../load/engines/run.ts';
import type { EngineRun } from '../load/engines/types.ts';
import type { Recorder } from '../load/recorder.ts';
import { OPEN_MODEL, parseScenario, type ScenarioInput } from '../load/scenario.ts';

export interface EngineJob {
  url: string;
  scenario: ScenarioInput;
  warmupSeconds?: number;
  sendWindowMs?: number;
  stall?: { atMs: number; ms: number };
}

export interface EngineFigures {
  requests: number;
  elapsedMs: number;
  /** Answered without error per second: the throughput (dropped iterations may be recorded as failed). */
  requestsPerSecond: number;
  failed: number;
  dropped: number;
  /** ms, from the intended send time (corrected) and from the actual one. */
  p50: number | null;
  p99: number | null;
  uncorrectedP50: number | null;
  uncorrectedP99: number | null;
  /** CPU seconds per second of the run (1 = one core busy all along). */
  cpu: number;
  sendCounts?: number[];
  /** ms from the run's start at which the stall trigger was sent and answered. */
  stallSentMs?: number;
  stallAnsweredMs?: number;
}

interface TrendLike {
  type: string;
  values?: Record<string, number | null>;
  passes?: number;
  count?: number;
}

function trend(metrics: Record<string, TrendLike>, key: string, value: string): number | null {
  return metrics[key]?.values?.[value] ?? null;
}

function figures(recorder: Recorder, elapsedMs: number, open: boolean): EngineFigures {
  const [item] = recorder.toItems('bench', elapsedMs / 1000, open);
  const metrics = (item?.metrics ?? {}) as Record<string, TrendLike>;
  const requests = recorder.requestCount;
  const failed = metrics.http_req_failed?.passes ?? 0;
  return {
    requests,
    elapsedMs,
    requestsPerSecond: (requests - failed) / (elapsedMs / 1000),
    failed,
    dropped: recorder.dropped,
    p50: trend(metrics, 'http_req_duration', 'med'),
    p99: trend(metrics, 'http_req_duration', 'p99'),
    uncorrectedP50: trend(metrics, 'http_req_duration_uncorrected', 'med'),
    uncorrectedP99: trend(metrics, 'http_req_duration_uncorrected', 'p99'),
    cpu: 0,
  };
}

/** GET /__stall on a connection of its own; resolves with when it was sent and answered. */
function triggerStall(
  url: string,
  ms: number,
  since: () => number,
): Promise<{ sent: number; answered: number }> {
  return new Promise((resolve, reject) => {
    const sent = since();
    const req = request(new URL(`/__stall?ms=${ms}`, url), { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ sent, answered: since() }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function runJob(job: EngineJob): Promise<EngineFigures> {
  const baseUrl = new URL(job.url);
  const signal = new AbortController().signal;
  const base = { baseUrl, tokens: [], signal, onTick: () => undefined };
  if (job.warmupSeconds && 'duration' in job.scenario) {
    const warmup = parseScenario({ ...job.scenario, duration: `${job.warmupSeconds}s` });
    await runEngine({ ...base, scenario: warmup });
  }
  const scenario = parseScenario(job.scenario);
  const open = OPEN_MODEL.includes(scenario.executor);
  const counts: number[] = [];
  const windowMs = job.sendWindowMs;
  let start = performance.now();
  let firstSend = true;
  const run: EngineRun = {
    ...base,
    scenario,
    onSend(sentMs) {
      // The engine's own start, exactly: its elapsed() was read just before this call.
      if (firstSend) {
        start = performance.now() - sentMs;
        firstSend = false;
      }
      if (windowMs) {
        const w = Math.floor(sentMs / windowMs);
        counts[w] = (counts[w] ?? 0) + 1;
      }
    },
  };
  let stall: Promise<{ sent: number; answered: number }> | undefined;
  const stallTimer =
    job.stall &&
    setTimeout(() => {
      stall = triggerStall(job.url, job.stall?.ms ?? 0, () => performance.now() - start);
    }, job.stall.atMs);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await runEngine(run);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  clearTimeout(stallTimer);
  const out = figures(result.recorder, result.elapsedMs, open);
  // Over the wall time: the engine's elapsedMs stops at duration + gracefulStop.
  out.cpu = (cpu.user + cpu.system) / 1000 / wallMs;
  if (windowMs) out.sendCounts = Array.from({ length: counts.length }, (_, i) => counts[i] ?? 0);
  if (stall) {
    const { sent, answered } = await stall;
    out.stallSentMs = sent;
    out.stallAnsweredMs = answered;
  }
  return out;
}

const raw = process.argv[2];
if (!raw) {
  console.error('usage: tsx benchmarks/engine-run.ts \'{"url": …, "scenario": {…}}\'');
  process.exit(2);
}
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
try {
  const out = await runJob(JSON.parse(raw) as EngineJob);
  process.stdout.write(`ENGINE_JSON ${JSON.stringify(out)}\n`);
  process.exit(0);
} catch (error) {
  console.error((error as Error).stack ?? error);
  process.exit(1);
}
