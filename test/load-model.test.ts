import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../core/duration.ts';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  recordMicros,
  summarize,
} from '../core/histogram.ts';
import { seededRandom } from '../core/random.ts';
import { dispatch } from '../load/dispatch.ts';
import { vuSteps } from '../load/engines/closed.ts';
import type { Clock } from '../load/engines/types.ts';
import { failedCheck, isExpectedStatus, prepare, weightedPicker } from '../load/mix.ts';
import { Recorder } from '../load/recorder.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { shippedScenarios } from '../load/scenarios/index.ts';
import { arrivalSchedule } from '../load/schedule.ts';

const base: ScenarioInput = {
  name: 'unit',
  executor: 'constant-arrival-rate',
  rate: 1000,
  duration: '5s',
  preAllocatedVUs: 10,
  requests: [{ name: 'a', weight: 1, path: '/a' }],
};
const arrival = (extra: Partial<ScenarioInput>) => parseScenario({ ...base, ...extra } as ScenarioInput);
const ramping = (extra: object) => {
  const { rate: _r, duration: _d, ...rest } = base as ScenarioInput & { rate: number; duration: string };
  return parseScenario({ ...rest, executor: 'ramping-arrival-rate', ...extra } as ScenarioInput);
};

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, value) => {
    expect(parseDuration(text)).toBe(value);
  });
  it('rejects what k6 rejects and formats back', () => {
    expect(parseDuration('30')).toBeUndefined();
    expect(parseDuration('1 m')).toBeUndefined();
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(250)).toBe('250ms');
  });
});

describe('scenario validation', () => {
  it.each([
    [
      { executor: 'externally-controlled' },
      /scenario "unit": executor "externally-controlled" is not one of constant-arrival-rate/,
    ],
    [{ duration: '5 seconds' }, /scenario "unit": duration: a k6 duration/],
    [{ executor: 'ramping-arrival-rate', stages: [{ target: 10 }] }, /stages\.0\.duration/],
    [
      { thresholds: { http_req_duration: ['p95<200'] } },
      /scenario "unit" thresholds\["http_req_duration"\]: "p95<200" is not a threshold/,
    ],
    [{ thresholds: { 'http req': ['rate<1'] } }, /not a metric name/],
    [{ maxVUs: 5 }, /maxVUs \(5\) is below preAllocatedVUs \(10\)/],
    [{ vus: 3 }, /unknown key "vus"/],
    [
      { requests: [{ name: 'x', weight: 1, path: '/p/{id}' }] },
      /requests\.0\.vars: placeholder \{id\} has no entry in vars/,
    ],
    [
      { requests: [{ name: 'x', weight: 1, path: '/me', auth: true }] },
      /users: requests with auth need a user pool/,
    ],
    [{ requests: [] }, /requests: /],
  ])('refuses %j naming the scenario and the field', (extra, message) => {
    expect(() => arrival(extra as Partial<ScenarioInput>)).toThrow(message);
  });

  it('ships the six Pitchey scenarios, valid for every profile shape', () => {
    const all = shippedScenarios({
      rate: 100,
      duration: '30s',
      smokeIterations: 100,
      soakDuration: '10m',
      breakpointRate: 1000,
    });
    expect(Object.keys(all)).toEqual(['smoke', 'average-load', 'stress', 'spike', 'soak', 'breakpoint']);
    expect(all.smoke.executor).toBe('per-vu-iterations');
    expect(all['average-load']).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 100,
      duration: '30s',
    });
    expect(all.breakpoint.thresholds.http_req_duration).toEqual([
      { threshold: 'p(95)<200', abortOnFail: true, delayAbortEval: '5s' },
    ]);
    expect(
      all.spike.executor === 'ramping-arrival-rate' && Math.max(...all.spike.stages.map((s) => s.target)),
    ).toBe(500);
  });
});

describe('request mix', () => {
  const requests = arrival({
    users: 2,
    requests: [
      {
        name: 'list',
        weight: 3,
        path: '/api/pitches?genre={genre}&page={page}',
        vars: { genre: ['drama', 'sci fi'], page: { min: 1, max: 3 } },
      },
      {
        name: 'nda',
        weight: 1,
        method: 'POST',
        path: '/api/ndas',
        body: { pitchId: '{id}', note: 'for {id}' },
        vars: { id: { min: 7, max: 7 } },
        auth: true,
        expectedStatuses: [201, 409],
        checks: { status: [201, 409], jsonHas: ['nda.id'] },
      },
    ],
  }).requests;

  it('picks by weight', () => {
    const pick = weightedPicker(requests);
    const random = seededRandom(5);
    const counts = { list: 0, nda: 0 };
    for (let i = 0; i < 10_000; i++) counts[pick(random()).name as 'list' | 'nda']++;
    expect(counts.list / 10_000).toBeCloseTo(0.75, 1);
  });

  it('fills placeholders, keeping a lone number a number, and encodes path values', () => {
    const random = seededRandom(1);
    const list = prepare(requests[0] as (typeof requests)[0], random);
    expect(list.path).toMatch(/^\/api\/pitches\?genre=(drama|sci%20fi)&page=[123]$/);
    const nda = prepare(requests[1] as (typeof requests)[0], random);
    expect(JSON.parse(nda.body as string)).toEqual({ pitchId: 7, note: 'for 7' });
  });

  it('judges expected statuses and checks', () => {
    const nda = requests[1] as (typeof requests)[0];
    expect(isExpectedStatus(nda, 409)).toBe(true);
    expect(isExpectedStatus(nda, 500)).toBe(false);
    expect(isExpectedStatus(requests[0] as (typeof requests)[0], 302)).toBe(true);
    expect(failedCheck(nda, 201, '{"nda":{"id":1}}')).toBeUndefined();
    expect(failedCheck(nda, 201, '{"nda":{}}')).toBe('JSON has no nda.id');
    expect(failedCheck(nda, 500, '')).toBe('status 500 not in 201/409');
    expect(failedCheck(nda, 201, 'oops')).toBe('body is not JSON');
  });
});

/** Counts per window of the given width over [0, durationMs). */
function windows(times: number[], width: number, durationMs: number): number[] {
  const counts = new Array(Math.ceil(durationMs / width)).fill(0);
  for (const t of times) if (t < durationMs) counts[Math.floor(t / width)]++;
  return counts;
}

describe('open-model schedule', () => {
  it('spreads 1,000 req/s over 5 s evenly: every 50-ms window holds 50 ± 10 %', () => {
    const schedule = arrivalSchedule(arrival({}));
    expect(schedule.total).toBe(5000);
    const times = Array.from({ length: schedule.total }, (_, i) => schedule.at(i) as number);
    for (const count of windows(times, 50, 5000)) {
      expect(count).toBeGreaterThanOrEqual(45);
      expect(count).toBeLessThanOrEqual(55);
    }
    expect(schedule.at(5000)).toBeUndefined();
  });

  it('ramps the rate linearly across stages, as k6 does', () => {
    const schedule = arrivalSchedule(
      ramping({
        startRate: 0,
        stages: [
          { duration: '10s', target: 100 },
          { duration: '10s', target: 100 },
          { duration: '5s', target: 0 },
        ],
      }),
    );
    // 0→100 over 10 s = 500, then 1,000, then 100→0 over 5 s = 250.
    expect(schedule.total).toBe(1750);
    const times = Array.from({ length: schedule.total }, (_, i) => schedule.at(i) as number);
    const perSecond = windows(times, 1000, 25_000);
    expect(perSecond[0]).toBeLessThan(10);
    expect(perSecond[9]).toBeGreaterThan(90);
    expect(perSecond.slice(10, 20).every((n) => n === 100)).toBe(true);
    expect(perSecond[24]).toBeLessThan(15);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('a fake clock that wakes late still releases every iteration, catching up at once', async () => {
    const schedule = arrivalSchedule(arrival({}));
    let now = 0;
    const random = seededRandom(3);
    // Wake-ups are 0-4 ms late, as a busy event loop's are.
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        now += Math.max(0, ms) + random() * 4;
      },
    };
    const released: number[] = [];
    const ticks: number[] = [];
    await dispatch({
      schedule,
      share: { index: 0, of: 1 },
      clock,
      start: 0,
      shouldStop: () => false,
      onDue: () => released.push(now),
      onTick: (t) => ticks.push(t),
    });
    expect(released).toHaveLength(5000);
    for (const count of windows(released, 50, 5000)) {
      expect(count).toBeGreaterThanOrEqual(45);
      expect(count).toBeLessThanOrEqual(55);
    }
    expect(ticks.length).toBeGreaterThanOrEqual(4);
  });

  it('splits iterations between workers without overlap', async () => {
    const schedule = arrivalSchedule(arrival({ duration: '1s' }));
    const all: number[] = [];
    for (let index = 0; index < 3; index++) {
      let now = 0;
      await dispatch({
        schedule,
        share: { index, of: 3 },
        clock: {
          now: () => now,
          sleep: async (ms) => {
            now += Math.max(ms, 0.01);
          },
        },
        start: 0,
        shouldStop: () => false,
        onDue: (t) => all.push(t),
        onTick: () => {},
      });
    }
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => schedule.at(i)));
  });
});

describe('closed-model steps', () => {
  it('turns ramping-vus into steps of constant VUs', () => {
    const steps = vuSteps(
      parseScenario({
        name: 'unit',
        requests: base.requests,
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { duration: '10s', target: 10 },
          { duration: '2s', target: 10 },
        ],
      } as unknown as ScenarioInput),
    );
    expect(steps.map((s) => s.vus)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10]);
    expect(steps.reduce((n, s) => n + s.durationMs, 0)).toBe(12_000);
  });
});

describe('recorder', () => {
  const outcome = (name: string, ms: number, extra = {}) => ({
    name,
    intendedMs: 0,
    sentMs: 0,
    doneMs: ms,
    expected: true,
    bytes: 10,
    status: 200,
    ...extra,
  });

  it('merging workers equals one recorder of all the samples', () => {
    const single = new Recorder();
    const parts = [new Recorder(), new Recorder(), new Recorder()];
    const random = seededRandom(11);
    for (let i = 0; i < 3000; i++) {
      const o = outcome(
        i % 2 ? 'a' : 'b',
        random() * 500,
        i % 97 === 0 ? { status: 503, expected: false } : {},
      );
      single.record(o);
      (parts[i % 3] as Recorder).record(o);
    }
    const merged = new Recorder();
    for (const p of parts) merged.merge(JSON.parse(JSON.stringify(p.toState())));
    // Encodings may differ in bucket-array size; what they hold must not.
    const comparable = (items: ReturnType<Recorder['toItems']>) =>
      JSON.parse(
        JSON.stringify(items, (key, value) =>
          key === 'histogram' ? summarize(decodeHistogram((value as { data: string }).data)) : value,
        ),
      );
    expect(comparable(merged.toItems('s', 5, true))).toEqual(comparable(single.toItems('s', 5, true)));
  });

  it('a histogram merged from parts equals the histogram of the whole', () => {
    const whole = createHistogram();
    const parts = [createHistogram(), createHistogram()];
    for (let v = 1; v <= 10_000; v++) {
      recordMicros(whole, v * 13);
      recordMicros(parts[v % 2] as ReturnType<typeof createHistogram>, v * 13);
    }
    const merged = createHistogram();
    for (const p of parts) merged.add(decodeHistogram(encodeHistogram(p)));
    expect(summarize(merged)).toEqual(summarize(whole));
  });

  it('keeps corrected and uncorrected latency, errors by class, and per-second series', () => {
    const r = new Recorder();
    r.record({ name: 'x', intendedMs: 0, sentMs: 900, doneMs: 1000, status: 200, expected: true, bytes: 5 });
    r.record({
      name: 'x',
      intendedMs: 1000,
      sentMs: 1000,
      doneMs: 1500,
      error: 'timeout',
      expected: false,
      bytes: 0,
    });
    r.record({
      name: 'x',
      intendedMs: 1200,
      sentMs: 1200,
      doneMs: 1201,
      error: 'network',
      expected: false,
      bytes: 0,
    });
    r.record({
      name: 'x',
      intendedMs: 1300,
      sentMs: 1300,
      doneMs: 1310,
      status: 404,
      expected: false,
      bytes: 5,
    });
    r.dropped = 2;
    const [scenario, item] = r.toItems('s', 2, true);
    const duration = item?.metrics.http_req_duration;
    const uncorrected = item?.metrics.http_req_duration_uncorrected;
    expect(duration?.type === 'trend' && duration.count).toBe(3); // the network error has no time
    expect(duration?.type === 'trend' && duration.values.max).toBeCloseTo(1000, -1);
    expect(uncorrected?.type === 'trend' && uncorrected.values.max).toBeCloseTo(500, -1);
    expect(item?.metrics.http_req_failed).toMatchObject({
      passes: 3,
      count: 4,
      byClass: { timeout: 1, network: 1, '4xx': 1, '5xx': 0 },
    });
    expect(scenario?.metrics.dropped_iterations).toMatchObject({ total: 2 });
    expect(scenario?.series?.map((s) => [s.t, s.requests, s.errors])).toEqual([
      [0, 0, 0],
      [1, 4, 3],
    ]);
  });
});
