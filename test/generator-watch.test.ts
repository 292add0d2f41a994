/**
 * The generator is not the platform: the open engine watches its own schedule and event loop,
 * opens connections as the load needs them up to a cap, leaves warm-up out of the figures, and
 * reports one line per distinct check failure. Against a local responder: asked for far more
 * than one thread can send it says "generator-bound"; within its means it does not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordMicros } from '../core/histogram.ts';
import { runOpenModel } from '../load/engines/open.ts';
import { type GeneratorStats, generatorBound, mergeGeneratorStats } from '../load/generator-watch.ts';
import { Recorder } from '../load/recorder.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';

/** Stats of `sends` sends, each as late as `lateMs` says for its index (ms). */
function stats(
  lateMs: (i: number) => number,
  extra: Partial<GeneratorStats> = {},
  sends = 1_000,
): GeneratorStats {
  const h = createHistogram();
  for (let i = 0; i < sends; i++) recordMicros(h, lateMs(i) * 1000);
  return { threads: 1, sends, lateness: encodeHistogram(h), busiest: 0.4, loopDelayP99Ms: 12, ...extra };
}

describe('generatorBound', () => {
  it('keeps quiet while sends leave on time, or late now and then as on a busy machine', () => {
    expect(
      generatorBound(
        stats(() => 0.3),
        500,
      ),
    ).toBeUndefined();
    // 4 % of sends 30 ms late (a scheduler's slice with busy neighbours): the rate is kept.
    expect(
      generatorBound(
        stats((i) => (i % 25 === 0 ? 30 : 0.5)),
        20,
      ),
    ).toBeUndefined();
    // A busy loop alone is not a limit: the engine's precise waits spin on setImmediate.
    expect(
      generatorBound(
        stats(() => 0.3, { busiest: 1 }),
        800,
      ),
    ).toBeUndefined();
    expect(generatorBound(undefined, 500)).toBeUndefined();
  });

  it('says so when the typical send is late (falling behind), or the tail is far behind', () => {
    // Falling behind: each send a little later than the one before.
    expect(
      generatorBound(
        stats((i) => i * 0.02),
        9_000,
      ),
    ).toMatch(
      /^generator-bound at 9,000 req\/s: sends left late against the schedule, median 10\.0 ms, P95 19 ms \(up to 20 ms; busiest of 1 thread 40 % busy, event-loop delay P99 12 ms\) — add workers \(suites\.load\.workers\) or run distributed; the target was not judged$/,
    );
    // 10 % of sends 80 ms late: bursts of lateness that shift the percentiles.
    expect(
      generatorBound(
        stats((i) => (i % 10 === 0 ? 80 : 0.5)),
        100,
      ),
    ).toMatch(/median 0\.5 ms, P95 80 ms/);
  });

  it('merges threads: sends add, lateness histograms merge, the busiest thread is shown', () => {
    const merged = mergeGeneratorStats([
      stats(() => 1, { busiest: 0.2 }),
      stats(() => 60, { busiest: 0.95 }),
    ]);
    expect(merged).toMatchObject({ threads: 2, sends: 2_000, busiest: 0.95 });
    expect(generatorBound(merged, 100)).toMatch(/P95 60 ms .*busiest of 2 threads 95 % busy/);
    expect(mergeGeneratorStats([])).toBeUndefined();
  });
});

describe('the recorder', () => {
  it('leaves warm-up out and folds repeated check failures into one line with a count', () => {
    const recorder = new Recorder();
    recorder.measureFromMs = 1_000;
    const outcome = (intendedMs: number, checkFailure?: string) => ({
      name: 'a',
      intendedMs,
      sentMs: intendedMs,
      doneMs: intendedMs + 5,
      status: 200,
      expected: true,
      bytes: 10,
      ...(checkFailure ? { checkFailure } : {}),
    });
    recorder.record(outcome(500, 'status 500'));
    for (let i = 0; i < 3; i++) recorder.record(outcome(1_000 + i, 'status 500'));
    recorder.record(outcome(1_500, 'missing field items'));
    expect(recorder.warmup).toBe(1);
    expect(recorder.requestCount).toBe(4);
    expect(recorder.checkNotes).toEqual(['a: status 500 (×3)', 'a: missing field items']);
    const merged = new Recorder();
    merged.merge(recorder.toState());
    merged.merge(recorder.toState());
    expect(merged.checkNotes).toEqual(['a: status 500 (×6)', 'a: missing field items (×2)']);
    expect(merged.warmup).toBe(2);
  });
});

describe('the open engine against a local responder', () => {
  let server: Server;
  let url: URL;
  let connections = 0;
  let delayMs = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      setTimeout(() => res.end('{}'), delayMs);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const scenario = (rate: number, duration: string, maxVUs: number) =>
    parseScenario({
      name: 'watch',
      executor: 'constant-arrival-rate',
      rate,
      duration,
      preAllocatedVUs: Math.min(maxVUs, 10),
      maxVUs,
      requests: [{ name: 'ok', weight: 1, path: '/' }],
    } as ScenarioInput);
  const run = (s: ReturnType<typeof scenario>, extra = {}) =>
    runOpenModel({ baseUrl: url, scenario: s, tokens: [], signal: new AbortController().signal, ...extra });

  it('opens connections as the load needs them, up to the cap; the rest wait and count late', async () => {
    delayMs = 100;
    connections = 0;
    // 200 req/s × 100 ms needs ~20 in flight; maxVUs would allow 2,000.
    const capped = await run(scenario(200, '2s', 2_000), { maxConnections: 5 });
    expect(connections).toBeLessThanOrEqual(5);
    const latency = capped.recorder.liveMetrics(2).http_req_duration;
    // Waiting for one of 5 connections (50 req/s at most) shows in the latency from the intended start.
    expect(latency?.type === 'trend' && latency.values.p95).toBeGreaterThan(500);
    connections = 0;
    await run(scenario(200, '2s', 2_000));
    expect(connections).toBeGreaterThan(5);
    expect(connections).toBeLessThan(200);
  }, 30_000);

  it('within its means it keeps the schedule; asked for 100,000 req/s it says it is the limit', async () => {
    delayMs = 0;
    const modest = await run(scenario(200, '2s', 100));
    expect(generatorBound(modest.generator, 200)).toBeUndefined();
    expect(modest.generator?.sends).toBeGreaterThan(350);
    const flood = await run(scenario(100_000, '2s', 1_000));
    expect(generatorBound(flood.generator, 100_000)).toMatch(/^generator-bound at 100,000 req\/s: /);
  }, 60_000);
});
