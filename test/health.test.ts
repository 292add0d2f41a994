import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateMetric, TrendMetric } from '../core/results.ts';
import type { SuiteOutput } from '../core/suite.ts';
import { checkHealthBody } from '../health/checks.ts';
import { type HealthSettings, healthSuite } from '../health/suite.ts';
import { type FaultInput, parseFaults } from '../target/faults.ts';
import type { RunningTarget } from '../target/server.ts';
import { withTarget } from './helpers.ts';

describe('checkHealthBody', () => {
  it.each([
    ['/health', 200, '{"status":"ok"}', undefined],
    ['/health', 200, '{"status":"starting"}', 'status is "starting", expected "ok"'],
    ['/health', 200, '<html>', 'the body is not JSON'],
    ['/health/ready', 200, '{"status":"ready","components":{"database":{"status":"ok"}}}', undefined],
    [
      '/health/ready',
      200,
      '{"status":"ready","components":{"cache":{"status":"slow"}}}',
      'components not ok: cache is "slow"',
    ],
    ['/health/ready', 200, '{"status":"ready"}', 'components not ok: (no "components" object)'],
    [
      '/health/ready',
      503,
      '{"status":"not_ready","components":{"database":{"status":"fail"},"cache":{"status":"ok"}}}',
      'HTTP 503: components not ok: database is "fail"',
    ],
    ['/health/detailed', 200, '{"status":"degraded","components":{}}', 'status is "degraded", expected "ok"'],
    ['/custom', 204, '', undefined],
    ['/custom', 404, '', 'HTTP 404'],
    ['/custom', 200, 'anything', undefined],
  ])('%s %d %s → %s', (path, status, body, expected) => {
    expect(checkHealthBody(path, status, body)).toBe(expected);
  });
});

describe('health suite', () => {
  let running: RunningTarget;
  beforeAll(async () => {
    running = await withTarget();
  });
  afterAll(() => running.close());

  const settings = (extra: Partial<HealthSettings> = {}): HealthSettings => ({
    enabled: true,
    endpoints: ['/health', '/health/ready', '/health/detailed'],
    timeoutMs: 2_000,
    requests: 40,
    ...extra,
  });
  const run = async (s: HealthSettings, faults: FaultInput = {}, url = running.url) => {
    running.target.applyFaults(parseFaults(faults, 'test'));
    const updates: number[] = [];
    const out = await healthSuite.run({
      baseUrl: new URL(url),
      settings: s,
      progress: { update: (done) => updates.push(done) },
      signal: new AbortController().signal,
    });
    running.target.applyFaults(parseFaults({}, 'test'));
    return { ...out, updates };
  };
  const metric = <T>(out: SuiteOutput, item: number, name: string) => out.items[item]?.metrics[name] as T;

  it('probes every endpoint N times, with latency, errors, checks and a live count', async () => {
    const out = await run(settings());
    expect(out.items.map((i) => i.name)).toEqual(['/health', '/health/ready', '/health/detailed']);
    expect(out.updates.at(-1)).toBe(120);
    for (let i = 0; i < 3; i++) {
      const duration = metric<TrendMetric>(out, i, 'http_req_duration');
      expect(duration.count).toBe(40);
      expect(duration.values.med).toBeGreaterThan(0);
      expect(duration.histogram?.data).toMatch(/^HISTF/);
      expect(metric<RateMetric>(out, i, 'http_req_failed')).toMatchObject({ passes: 0, count: 40, rate: 0 });
      expect(metric<RateMetric>(out, i, 'checks')).toMatchObject({ passes: 40, rate: 1 });
    }
    expect(out.notes).toEqual([]);
  });

  it('counts 5xx answers as failed requests and failed checks, still timing them', async () => {
    const out = await run(settings({ endpoints: ['/health'], requests: 200 }), {
      errorRate: 0.5,
      errorRoutes: ['/health'],
    });
    const failed = metric<RateMetric>(out, 0, 'http_req_failed');
    expect(failed.passes).toBeGreaterThan(60);
    expect(failed.byClass?.['5xx']).toBe(failed.passes);
    expect(metric<RateMetric>(out, 0, 'checks').fails).toBe(failed.passes);
    expect(metric<TrendMetric>(out, 0, 'http_req_duration').count).toBe(200);
    expect(out.notes[0]).toBe('/health: HTTP 500');
  });

  it('classifies timeouts (timed at the timeout) and network errors (not timed)', async () => {
    const slow = await run(settings({ endpoints: ['/health'], requests: 3, timeoutMs: 100 }), {
      latency: [{ route: '/health', ms: 400 }],
    });
    expect(metric<RateMetric>(slow, 0, 'http_req_failed').byClass).toMatchObject({ timeout: 3 });
    const timed = metric<TrendMetric>(slow, 0, 'http_req_duration');
    expect(timed.count).toBe(3);
    expect(timed.values.min).toBeGreaterThanOrEqual(99);
    expect(timed.values.max).toBeLessThan(400);

    const closed = await run(settings({ endpoints: ['/health'], requests: 2 }), {}, 'http://127.0.0.1:59999');
    expect(metric<RateMetric>(closed, 0, 'http_req_failed')).toMatchObject({
      passes: 2,
      byClass: { network: 2 },
    });
    expect(closed.notes[0]).toMatch(/\/health: network error: .*ECONNREFUSED/);
  });

  it('fails the readiness check, naming the component, when the database is down', async () => {
    const broken = await withTarget();
    try {
      broken.target.db.close();
      const out = await healthSuite.run({
        baseUrl: new URL(broken.url),
        settings: settings({ endpoints: ['/health', '/health/ready'], requests: 5 }),
        progress: { update: () => {} },
        signal: new AbortController().signal,
      });
      expect(metric<RateMetric>(out, 0, 'checks').rate).toBe(1);
      expect(metric<RateMetric>(out, 1, 'checks').rate).toBe(0);
      expect(out.notes[0]).toBe('/health/ready: HTTP 503: components not ok: database is "fail"');
    } finally {
      await broken.close();
    }
  });
});
