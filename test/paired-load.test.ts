/**
 * Paired mode of the health and load suites: two embedded targets measured interleaved in one
 * run, the reference's items named as the base's; the split of the work between the sides
 * (pure); and the guards (remote hosts, --engine k6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProfile } from '../core/config.ts';
import { abbaSide, type Side } from '../core/paired.ts';
import type { CounterMetric, Item, TrendMetric } from '../core/results.ts';
import type { SuiteOutput } from '../core/suite.ts';
import { type HealthSettings, healthSuite } from '../health/suite.ts';
import { dispatch } from '../load/dispatch.ts';
import { runAcrossWorkers } from '../load/engines/run.ts';
import type { Clock } from '../load/engines/types.ts';
import { abbaSlices, sideCapacity, splitSchedule } from '../load/paired.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { arrivalSchedule } from '../load/schedule.ts';
import { type LoadSettings, loadSuite, PairedEngineError, RemoteLoadError } from '../load/suite.ts';
import type { RunningTarget } from '../target/server.ts';
import { withTarget } from './helpers.ts';

const probeScenario = (extra: Partial<ScenarioInput> = {}) =>
  parseScenario({
    name: 'probe',
    executor: 'constant-arrival-rate',
    rate: 40,
    timeUnit: '1s',
    duration: '3s',
    preAllocatedVUs: 10,
    maxVUs: 50,
    gracefulStop: '5s',
    requests: [{ name: 'health', weight: 1, path: '/health' }],
    ...extra,
  } as ScenarioInput);

describe('the split between the sides (pure)', () => {
  it('the open model: each iteration of the one schedule goes to one side, ABBA, whatever the workers', () => {
    const schedule = arrivalSchedule(probeScenario({ rate: 41 }));
    expect(schedule.total).toBe(123);
    const all = Array.from({ length: schedule.total }, (_, i) => schedule.at(i) as number);
    for (const of of [1, 2, 3, 4, 5]) {
      const shares = Array.from({ length: of }, (_, index) => splitSchedule(schedule, { index, of }));
      const side = (s: Side) => shares.flatMap((share) => share[s]);
      // Which iteration goes where: abbaSide of its index in the whole schedule.
      for (const s of ['base', 'reference'] as const) {
        for (const { index } of side(s)) expect(abbaSide(index)).toBe(s);
      }
      // The union of both sides' intended times is the one schedule, each iteration once.
      const union = [...side('base'), ...side('reference')].sort((a, b) => a.index - b.index);
      expect(union.map((u) => u.index)).toEqual(all.map((_, i) => i));
      expect(union.map((u) => u.intendedMs)).toEqual(all);
      // Each side about half the schedule.
      expect(Math.abs(side('base').length - side('reference').length)).toBeLessThanOrEqual(1);
    }
    expect(
      splitSchedule(schedule)
        .base.slice(0, 4)
        .map((u) => u.index),
    ).toEqual([0, 3, 4, 7]);
  });

  it('the dispatch loop hands out global iteration indices, so a share keeps the ABBA rule', async () => {
    let now = 0;
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        now += Math.max(ms, 0.001);
      },
    };
    const schedule = arrivalSchedule(probeScenario({ rate: 10, duration: '2s' }));
    const seen: number[] = [];
    for (const index of [0, 1, 2]) {
      now = 0;
      await dispatch({
        schedule,
        share: { index, of: 3 },
        clock,
        start: 0,
        shouldStop: () => false,
        onDue: (intendedMs, i) => {
          expect(intendedMs).toBe(schedule.at(i));
          seen.push(i);
        },
        onTick: () => {},
      });
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('capacity per side: maxVUs each, shared by the workers that run the side', () => {
    expect(sideCapacity(50, 'base', { index: 0, of: 1 })).toBe(50);
    expect(sideCapacity(50, 'reference', { index: 0, of: 1 })).toBe(50);
    expect(sideCapacity(50, 'base', { index: 1, of: 2 })).toBe(25);
    // With 4 workers, worker 0 runs iterations 0, 4, 8…: base only.
    expect(sideCapacity(50, 'base', { index: 0, of: 4 })).toBe(25);
    expect(sideCapacity(50, 'reference', { index: 0, of: 4 })).toBe(1);
    expect(sideCapacity(50, 'reference', { index: 1, of: 4 })).toBe(25);
  });

  it('the closed model: four slices, base, reference, reference, base, half the step each', () => {
    const bySide = (slices: { side: Side; amount?: number }[], side: Side) =>
      slices.filter((s) => s.side === side).reduce((n, s) => n + (s.amount ?? 0), 0);
    const even = abbaSlices({ vus: 1, durationMs: 120_000, amount: 60 });
    expect(even.map((s) => [s.side, s.amount, s.durationMs])).toEqual([
      ['base', 15, 120_000],
      ['reference', 15, 120_000],
      ['reference', 15, 120_000],
      ['base', 15, 120_000],
    ]);
    for (const amount of [1, 2, 3, 7, 61]) {
      const slices = abbaSlices({ vus: 1, durationMs: 1, amount });
      expect(bySide(slices, 'base') + bySide(slices, 'reference')).toBe(amount);
      expect(Math.abs(bySide(slices, 'base') - bySide(slices, 'reference'))).toBeLessThanOrEqual(1);
    }
    expect(abbaSlices({ vus: 5, durationMs: 8000 }).map((s) => [s.side, s.durationMs])).toEqual([
      ['base', 2000],
      ['reference', 2000],
      ['reference', 2000],
      ['base', 2000],
    ]);
  });
});

const trend = (item: Item | undefined, name = 'http_req_duration') => item?.metrics[name] as TrendMetric;
const counter = (item: Item | undefined, name: string) =>
  (item?.metrics[name] as CounterMetric | undefined)?.total ?? Number.NaN;
const count = (item: Item | undefined) => counter(item, 'http_reqs');
const byName = (items: Item[], name: string) => items.find((i) => i.name === name);
const shape = (items: Item[]) =>
  items.map((i) => ({ name: i.name, kind: i.kind, tags: { ...i.tags, url: undefined } }));

describe('paired health', () => {
  let a: RunningTarget;
  let b: RunningTarget;
  beforeAll(async () => {
    [a, b] = await Promise.all([withTarget(), withTarget({ latency: [{ route: '/health', ms: 30 }] })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });
  const settings: HealthSettings = {
    enabled: true,
    endpoints: ['/health', '/health/ready'],
    timeoutMs: 2_000,
    requests: 30,
  };

  it('N requests a side, ABBA interleaved; +30 ms on the reference shows on its side only', async () => {
    const updates: number[] = [];
    const out = await healthSuite.run({
      baseUrl: new URL(a.url),
      compareUrl: new URL(b.url),
      settings,
      progress: { update: (done, total) => updates.push(done, total) },
      signal: new AbortController().signal,
    });
    const reference = out.reference as NonNullable<SuiteOutput['reference']>;
    expect(shape(reference.items)).toEqual(shape(out.items));
    expect(out.items.map((i) => i.name)).toEqual(['/health', '/health/ready']);
    expect(reference.items[0]?.tags?.url).toBe(`${b.url}/health`);
    for (const items of [out.items, reference.items]) {
      for (const item of items) {
        expect(trend(item).count).toBe(30);
        expect(item.metrics.checks).toMatchObject({ passes: 30, rate: 1 });
        expect(item.metrics.http_req_failed).toMatchObject({ passes: 0, count: 30 });
      }
    }
    expect(updates.slice(-2)).toEqual([120, 120]);
    const base = trend(byName(out.items, '/health')).values.med as number;
    const ref = trend(byName(reference.items, '/health')).values.med as number;
    console.info(`paired health /health P50: base ${base.toFixed(2)} ms, reference ${ref.toFixed(2)} ms`);
    expect(ref - base).toBeGreaterThanOrEqual(25);
    expect(out.notes).toEqual([]);
    expect(reference.notes).toEqual([]);
  });

  it('without a compare URL there is no reference side', async () => {
    const out = await healthSuite.run({
      baseUrl: new URL(a.url),
      settings: { ...settings, requests: 3 },
      progress: { update: () => {} },
      signal: new AbortController().signal,
    });
    expect(out).not.toHaveProperty('reference');
    expect(trend(out.items[0]).count).toBe(3);
  });
});

describe('paired load', () => {
  let a: RunningTarget;
  let b: RunningTarget;
  beforeAll(async () => {
    [a, b] = await Promise.all([withTarget(), withTarget({ latency: [{ route: '/api/pitches*', ms: 20 }] })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const profile: LoadProfile = {
    scenarios: ['average-load'],
    rate: 40,
    duration: '3s',
    smokeIterations: 40,
    soakDuration: '1m',
    breakpointRate: 100,
  };
  const settings = (extra: Partial<LoadSettings> = {}, shape: Partial<LoadProfile> = {}): LoadSettings => ({
    enabled: true,
    engine: 'native',
    workers: 1,
    maxConnections: 1_000,
    allowRemote: false,
    maxRemoteRate: 50,
    ...extra,
    profile: { ...profile, ...shape },
  });
  const runPaired = (s: LoadSettings, compareUrl: string = b.url) =>
    loadSuite.run({
      baseUrl: new URL(a.url),
      compareUrl: new URL(compareUrl),
      settings: s,
      progress: { update: () => {} },
      signal: new AbortController().signal,
    });

  it('open model: one schedule split between the sides; +20 ms on the pitch routes shows on theirs', async () => {
    const out = await runPaired(settings());
    const reference = out.reference as NonNullable<SuiteOutput['reference']>;
    expect(shape(reference.items)).toEqual(shape(out.items));
    const [own, other] = [out.items[0], reference.items[0]];
    expect(own).toMatchObject({ name: 'average-load', kind: 'scenario' });
    // 120 iterations in the schedule: 60 a side (none dropped on an idle machine).
    const dropped = (item: Item | undefined) => counter(item, 'dropped_iterations');
    expect(count(own) + dropped(own) + count(other) + dropped(other)).toBe(120);
    expect(Math.abs(count(own) - 60)).toBeLessThanOrEqual(1);
    expect(Math.abs(count(other) - 60)).toBeLessThanOrEqual(1);
    expect(out.notes[0]).toBe(
      'average-load: paired: each side gets every other request of the 40 req/s schedule (20 req/s each), in ABBA order',
    );
    for (const name of ['pitches', 'pitch']) {
      const base = trend(byName(out.items, `average-load ${name}`)).values.med as number;
      const ref = trend(byName(reference.items, `average-load ${name}`)).values.med as number;
      console.info(`paired load ${name} P50: base ${base.toFixed(2)} ms, reference ${ref.toFixed(2)} ms`);
      expect(ref - base).toBeGreaterThanOrEqual(15);
    }
    // The same requests were drawn on both sides: the same names with the same counts.
    expect(reference.items.map(count)).toEqual(out.items.map(count));
  });

  it('open model across two worker threads: each side its half, merged', async () => {
    const result = await runAcrossWorkers(
      {
        baseUrl: new URL(a.url),
        reference: { baseUrl: new URL(b.url), tokens: [] },
        scenario: probeScenario({ rate: 50, duration: '2s' }),
        tokens: [],
        signal: new AbortController().signal,
      },
      2,
    );
    const own = result.recorder.toItems('probe', result.elapsedMs / 1000, true);
    const other = result.reference?.recorder.toItems('probe', result.reference.elapsedMs / 1000, true) ?? [];
    expect(count(own[0])).toBe(50);
    expect(count(other[0])).toBe(50);
    expect(trend(own[0]).count).toBe(50);
  });

  it('closed model (smoke): ABBA slices, each side half the iterations', async () => {
    const out = await runPaired(settings({}, { scenarios: ['smoke'], smokeIterations: 40 }));
    const reference = out.reference as NonNullable<SuiteOutput['reference']>;
    expect(shape(reference.items)).toEqual(shape(out.items));
    expect(count(out.items[0])).toBe(20);
    expect(count(reference.items[0])).toBe(20);
    expect(out.items[0]?.metrics.checks).toMatchObject({ rate: 1 });
    expect(reference.items[0]?.metrics.checks).toMatchObject({ rate: 1 });
    expect(out.notes[0]).toMatch(/^smoke: paired: run in four slices in ABBA order/);
  });

  it('without a compare URL there is no reference side', async () => {
    const out = await loadSuite.run({
      baseUrl: new URL(a.url),
      settings: settings({}, { scenarios: ['smoke'], smokeIterations: 10 }),
      progress: { update: () => {} },
      signal: new AbortController().signal,
    });
    expect(out).not.toHaveProperty('reference');
    expect(count(out.items[0])).toBe(10);
  });

  it('refuses a remote compare URL without --allow-remote, and --engine k6', async () => {
    await expect(runPaired(settings(), 'https://prod.example.com')).rejects.toThrow(RemoteLoadError);
    await expect(runPaired(settings(), 'https://prod.example.com')).rejects.toThrow(
      /refusing to send load to prod\.example\.com, which is not loopback/,
    );
    await expect(runPaired(settings({ engine: 'k6' }))).rejects.toThrow(PairedEngineError);
    await expect(runPaired(settings({ engine: 'k6' }))).rejects.toThrow(/--engine k6 cannot measure paired/);
  });
});
