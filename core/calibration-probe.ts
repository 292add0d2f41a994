/**
 * Measures the machine a run runs on (the I/O side of calibration; core/calibration.ts judges):
 * a fixed CPU workload in Node (one thread, and on every core at once, which sees a CPU quota or
 * a busy neighbour) and in a headless Chromium page, the lateness of a 1 ms timer, and the round
 * trip of GET /health on the target. Each figure is the median of a few repeats and its spread.
 *
 * The workload is one plain-JS source string, so Node, the worker threads and the page run the
 * very same code (a function's toString() would carry the TypeScript loader's helpers, such as
 * esbuild's __name, into the page). A plain Node loop was steady to ±1 % at idle on these
 * machines, where Lighthouse's benchmarkIndex moved ±17 % (shared notes, measurement §8).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { chromium } from 'playwright-core';
import { Agent, request } from 'undici';
import { createHistogram, percentile, recordMicros } from './histogram.ts';
import type { Calibration, CalibrationFigure } from './results.ts';
import { median } from './stats.ts';

export interface ProbeOptions {
  /** The target's base URL: the round trip of GET /health on it (null figure when absent or failing). */
  targetUrl?: URL;
  /** A Chromium/Chrome executable: the browser figure (null when absent or it fails to launch). */
  chromePath?: string;
  /** Repeats of each figure (default 5). */
  repeats?: number;
  /** Length of one CPU repeat in ms (default 100); a timer-jitter repeat lasts 3 × windowMs. */
  windowMs?: number;
  signal?: AbortSignal;
}

/** Where the probe's time went, in ms (for benchmarks and the run's log). */
export interface ProbeTimings {
  totalMs: number;
  nodeCpuMs: number;
  nodeCpuAllMs: number;
  timerJitterMs: number;
  rttMs: number;
  /** The whole browser figure: launch, page, workload, close (0 without a browser). */
  browserMs: number;
  /** Of browserMs, the launch alone (null without a browser or when it failed to launch). */
  browserLaunchMs: number | null;
}

export interface ProbeReport {
  calibration: Calibration;
  timings: ProbeTimings;
  /** Why a figure is null (browser failed to launch, target unreachable), one line each. */
  notes: string[];
}

export const DEFAULT_REPEATS = 5;
export const DEFAULT_WINDOW_MS = 100;
/** JIT warm-up before the first window of each CPU figure. */
const WARMUP_MS = 30;
/** Iterations between two clock reads (about 30 µs of work here). */
const CHUNK = 20;
/** GET /health: warm-up requests, then requests per repeat. */
const RTT_WARMUP = 5;
const RTT_PER_REPEAT = 20;
const RTT_TIMEOUT_MS = 5_000;
/** The round-trip figure's time budget, whatever the target's speed (5 repeats of 20 on loopback take ~60 ms). */
const RTT_BUDGET_MS = 600;
const BROWSER_LAUNCH_TIMEOUT_MS = 15_000;

export const BROWSER_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The fixed workload, as plain JS: `iterations` rounds of integer arithmetic (xorshift32) and
 * float arithmetic (Math.sqrt, correctly rounded everywhere, so the result is the same in every
 * engine) over a small array. Nothing is allocated: a sort or a string build made it wobble by
 * 10–30 % from window to window (garbage collection), where a plain loop stays within 1–2 %.
 * Returns a checksum that depends on every round, so the JIT cannot drop the work.
 * Deterministic: same (iterations, seed), same sum.
 */
export const WORKLOAD_SOURCE = `function calibrationWork(iterations, seed) {
  var x = (seed | 0) || 0x9e3779b9;
  var f = 1.5;
  var acc = 0;
  var arr = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (var i = 0; i < iterations; i++) {
    for (var k = 0; k < 16; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      arr[k] = (arr[(k + 7) & 15] + (x & 1023)) & 65535;
      f = Math.sqrt(f * 1.0001 + (x & 255)) + k * 0.5;
    }
    acc = (acc * 31 + arr[i & 15] + ((f * 1000) | 0)) | 0;
  }
  return acc >>> 0;
}`;

/**
 * Runs the workload in windows, as plain JS (the same text in Node, workers and the page).
 * `startAt` (ms on `now()`'s clock) aligns the windows of several threads: until then it warms
 * up; window k ends at startAt + (k + 1) × windowMs. Returns each window's iterations per ms and
 * a checksum of all the work done (the "use the result" guard).
 */
const MEASURE_SOURCE = `function calibrationMeasure(work, now, startAt, windowMs, repeats, chunk) {
  var sink = 0;
  var seed = 1;
  while (now() < startAt) sink = (sink + work(chunk, seed++)) | 0;
  var rates = [];
  for (var r = 0; r < repeats; r++) {
    var begin = now();
    // Aligned with the other threads' windows, but never shorter than half a window (after a
    // preemption overran the last one).
    var end = Math.max(startAt + (r + 1) * windowMs, begin + windowMs / 2);
    var t = begin;
    var done = 0;
    while (t < end) {
      sink = (sink + work(chunk, seed++)) | 0;
      done += chunk;
      t = now();
    }
    rates.push(done / (t - begin));
  }
  return { rates: rates, checksum: sink >>> 0 };
}`;

interface Measured {
  rates: number[];
  checksum: number;
}

type WorkFn = (iterations: number, seed: number) => number;
type MeasureFn = (
  work: WorkFn,
  now: () => number,
  startAt: number,
  windowMs: number,
  repeats: number,
  chunk: number,
) => Measured;

// Both strings are our own constants: compiling them here is what keeps Node, the workers and
// the page on one identical piece of code.
const calibrationWork = new Function(`return (${WORKLOAD_SOURCE});`)() as WorkFn;
const calibrationMeasure = new Function(`return (${MEASURE_SOURCE});`)() as MeasureFn;

/** The workload's checksum for `iterations` rounds (deterministic; for tests and cross-checks). */
export function workloadChecksum(iterations: number, seed = 1): number {
  return calibrationWork(iterations, seed);
}

/** A worker: waits for the start time (epoch ms), measures, posts the rates back. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const work = (${WORKLOAD_SOURCE});
const measure = (${MEASURE_SOURCE});
const epochNow = () => performance.timeOrigin + performance.now();
work(${CHUNK}, 1);
parentPort.once('message', (m) => {
  parentPort.postMessage(measure(work, epochNow, m.startAt, m.windowMs, m.repeats, m.chunk));
});
parentPort.postMessage('ready');
`;

let liveWorkers = 0;

/** Worker threads of this module still running (0 whenever no probe is running). */
export function activeProbeWorkers(): number {
  return liveWorkers;
}

/** median, and (max − min) / median; 0 when the median is 0. */
export function figureOf(values: number[]): CalibrationFigure {
  if (values.length === 0) throw new RangeError('a calibration figure needs at least one repeat');
  const value = median(values);
  const spread = value > 0 ? (Math.max(...values) - Math.min(...values)) / value : 0;
  return { value, spread, repeats: values.length };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The calibration probe was aborted', 'AbortError');
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** A promise that rejects when the signal aborts, and the function that detaches it. */
function abortPromise(signal: AbortSignal | undefined): { promise: Promise<never>; detach: () => void } {
  if (!signal) return { promise: new Promise<never>(() => {}), detach: () => {} };
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, detach: () => signal.removeEventListener('abort', onAbort) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One thread, this one: a warm-up, then `repeats` windows back to back. */
function probeNodeCpu(repeats: number, windowMs: number): CalibrationFigure {
  const now = () => performance.now();
  const measured = calibrationMeasure(calibrationWork, now, now() + WARMUP_MS, windowMs, repeats, CHUNK);
  return figureOf(measured.rates);
}

interface CpuWorker {
  worker: Worker;
  ready: Promise<void>;
  result: Promise<Measured>;
}

function startCpuWorker(): CpuWorker {
  // execArgv [] keeps a TypeScript loader (tsx) out of the workers: they run plain JS.
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  liveWorkers++;
  worker.once('exit', () => liveWorkers--);
  let markReady = () => {};
  let deliver = (_: Measured) => {};
  let fail = (_: unknown) => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const result = new Promise<Measured>((resolve, reject) => {
    deliver = resolve;
    const failReady = fail;
    fail = (error) => {
      failReady(error);
      reject(error);
    };
  });
  ready.catch(() => {});
  result.catch(() => {});
  worker.on('message', (message: 'ready' | Measured) => {
    if (message === 'ready') markReady();
    else deliver(message);
  });
  worker.once('error', (error) => fail(error));
  worker.once('exit', (code) =>
    fail(new Error(`calibration worker exited before its result (code ${code})`)),
  );
  return { worker, ready, result };
}

/**
 * Every core at once: one worker per core, started together on aligned windows; per repeat the
 * sum of the workers' rates. Workers are terminated whatever happens.
 */
async function probeNodeCpuAll(
  repeats: number,
  windowMs: number,
  signal?: AbortSignal,
): Promise<CalibrationFigure> {
  const workers: CpuWorker[] = [];
  const aborted = abortPromise(signal);
  try {
    for (let i = 0; i < availableParallelism(); i++) workers.push(startCpuWorker());
    await Promise.race([Promise.all(workers.map((w) => w.ready)), aborted.promise]);
    // Epoch ms: each worker has its own performance.timeOrigin.
    const startAt = performance.timeOrigin + performance.now() + WARMUP_MS;
    for (const { worker } of workers) worker.postMessage({ startAt, windowMs, repeats, chunk: CHUNK });
    const all = await Promise.race([Promise.all(workers.map((w) => w.result)), aborted.promise]);
    const sums = Array.from({ length: repeats }, (_, r) =>
      all.reduce((sum, m) => sum + (m.rates[r] ?? Number.NaN), 0),
    );
    return figureOf(sums);
  } finally {
    aborted.detach();
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }
}

/**
 * P99 lateness of a chained setTimeout(…, 1), per repeat of `durationMs`. Lateness is measured
 * beyond the 1 ms asked for (never below 0); recorded in µs in an HdrHistogram.
 */
async function probeTimerJitter(
  repeats: number,
  durationMs: number,
  signal?: AbortSignal,
): Promise<CalibrationFigure> {
  const p99s: number[] = [];
  for (let r = 0; r < repeats; r++) {
    checkAborted(signal);
    const histogram = createHistogram();
    const end = performance.now() + durationMs;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const scheduled = performance.now();
        setTimeout(() => {
          const now = performance.now();
          recordMicros(histogram, Math.max(0, (now - scheduled - 1) * 1000));
          if (now < end && !signal?.aborted) tick();
          else resolve();
        }, 1);
      };
      tick();
    });
    checkAborted(signal);
    p99s.push(percentile(histogram, 99) / 1000);
  }
  return figureOf(p99s);
}

/** `${base}health`, also when the base URL's path has no trailing slash. */
export function healthUrl(base: URL): URL {
  const dir = new URL(base.href);
  if (!dir.pathname.endsWith('/')) dir.pathname += '/';
  dir.search = '';
  dir.hash = '';
  return new URL('health', dir);
}

/**
 * Round trips of GET /health on one keep-alive connection: warm-up, then per repeat the median of
 * RTT_PER_REPEAT requests. null (with the reason) on any network error or non-2xx answer.
 */
async function probeRtt(
  targetUrl: URL,
  repeats: number,
  signal?: AbortSignal,
): Promise<{ figure: CalibrationFigure | null; note?: string }> {
  const url = healthUrl(targetUrl);
  const agent = new Agent({
    connections: 1,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connectTimeout: RTT_TIMEOUT_MS,
    headersTimeout: RTT_TIMEOUT_MS,
    bodyTimeout: RTT_TIMEOUT_MS,
  });
  const once = async (): Promise<number> => {
    const started = performance.now();
    const res = await request(url, { method: 'GET', dispatcher: agent, signal });
    await res.body.dump();
    const ms = performance.now() - started;
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw new Error(`GET ${url.href}: HTTP ${res.statusCode}`);
    return ms;
  };
  // A slow target (a fault knob, a remote deployment) must not make the probe slow: each repeat
  // gets an equal share of a time budget, and at least one request.
  const deadline = performance.now() + RTT_BUDGET_MS;
  const share = RTT_BUDGET_MS / (repeats + 1);
  try {
    for (let i = 0; i < RTT_WARMUP && performance.now() < deadline - repeats * share; i++) await once();
    const medians: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const times: number[] = [];
      const until = Math.min(deadline, performance.now() + share);
      do times.push(await once());
      while (times.length < RTT_PER_REPEAT && performance.now() < until);
      medians.push(median(times));
    }
    return { figure: figureOf(medians) };
  } catch (error) {
    checkAborted(signal);
    return { figure: null, note: `rttMs: GET ${url.href} failed: ${(error as Error).message}` };
  } finally {
    await agent.destroy().catch(() => {});
  }
}

/**
 * The workload in a headless Chromium page (about:blank), same windows; the browser is closed
 * whatever happens. null (with the reason) when it fails to launch or to run the page.
 */
async function probeBrowserCpu(
  chromePath: string,
  repeats: number,
  windowMs: number,
  signal?: AbortSignal,
): Promise<{ figure: CalibrationFigure | null; launchMs: number | null; note?: string }> {
  checkAborted(signal);
  const aborted = abortPromise(signal);
  let launchMs: number | null = null;
  const launchStarted = performance.now();
  const launching = chromium.launch({
    executablePath: chromePath,
    headless: true,
    args: BROWSER_FLAGS,
    timeout: BROWSER_LAUNCH_TIMEOUT_MS,
  });
  let browser: Awaited<typeof launching>;
  try {
    browser = await Promise.race([launching, aborted.promise]);
  } catch (error) {
    aborted.detach();
    // An abort during launch: close the browser once it is up, then throw.
    launching.then((b) => b.close()).catch(() => {});
    checkAborted(signal);
    return {
      figure: null,
      launchMs: null,
      note: `browserCpu: ${chromePath} did not launch: ${firstLine(error)}`,
    };
  }
  launchMs = performance.now() - launchStarted;
  try {
    // A new page is about:blank already: a goto would only add ~0.1 s.
    const page = await Promise.race([browser.newPage(), aborted.promise]);
    const expression = `(${MEASURE_SOURCE})((${WORKLOAD_SOURCE}), () => performance.now(), performance.now() + ${WARMUP_MS}, ${windowMs}, ${repeats}, ${CHUNK})`;
    const measured = await Promise.race([page.evaluate<Measured>(expression), aborted.promise]);
    return { figure: figureOf(measured.rates), launchMs };
  } catch (error) {
    checkAborted(signal);
    return { figure: null, launchMs, note: `browserCpu: the page failed: ${firstLine(error)}` };
  } finally {
    aborted.detach();
    await browser.close().catch(() => {});
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? '';
}

/**
 * Measures this machine, with the timings of each part. Never throws for a missing or failing
 * browser or target (those figures are null, `notes` says why); throws only when aborted.
 * Order: the quiet figures first, the browser last, so its start and exit disturb nothing else.
 */
export async function probeMachineReport(options: ProbeOptions = {}): Promise<ProbeReport> {
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  const { signal } = options;
  const notes: string[] = [];
  const started = performance.now();
  const takenAt = new Date().toISOString();
  let mark = started;
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };

  checkAborted(signal);
  const timerJitter = await probeTimerJitter(repeats, windowMs, signal);
  const timerJitterMs = lap();

  checkAborted(signal);
  // Let the timer's last callback settle before a synchronous window takes the thread.
  await sleep(0);
  const nodeCpu = probeNodeCpu(repeats, windowMs);
  const nodeCpuMs = lap();

  checkAborted(signal);
  const nodeCpuAll = await probeNodeCpuAll(repeats, windowMs, signal);
  const nodeCpuAllMs = lap();

  checkAborted(signal);
  let rtt: CalibrationFigure | null = null;
  if (options.targetUrl) {
    const result = await probeRtt(options.targetUrl, repeats, signal);
    rtt = result.figure;
    if (result.note) notes.push(result.note);
  }
  const rttMs = lap();

  checkAborted(signal);
  let browserCpu: CalibrationFigure | null = null;
  let browserLaunchMs: number | null = null;
  if (options.chromePath) {
    const result = await probeBrowserCpu(options.chromePath, repeats, windowMs, signal);
    browserCpu = result.figure;
    browserLaunchMs = result.launchMs;
    if (result.note) notes.push(result.note);
  }
  const browserMs = lap();

  return {
    calibration: { takenAt, nodeCpu, nodeCpuAll, browserCpu, timerJitterMs: timerJitter, rttMs: rtt },
    timings: {
      totalMs: performance.now() - started,
      nodeCpuMs,
      nodeCpuAllMs,
      timerJitterMs,
      rttMs,
      browserMs,
      browserLaunchMs,
    },
    notes,
  };
}

/** Measures this machine (see probeMachineReport); the calibration alone. */
export async function probeMachine(options: ProbeOptions = {}): Promise<Calibration> {
  return (await probeMachineReport(options)).calibration;
}
