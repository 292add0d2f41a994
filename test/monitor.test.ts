/**
 * The monitor against the embedded target's fault knobs and a local webhook receiver: runs are
 * driven one by one (runCheck), so every count below is exact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import type { ResolvedCheck } from '../monitor/checks.ts';
import { Monitor } from '../monitor/monitor.ts';
import { parseFaults } from '../target/faults.ts';
import type { RunningTarget } from '../target/server.ts';
import { withTarget } from './helpers.ts';
import { type Receiver, startReceiver } from './receiver.ts';

let dir: string;
let target: RunningTarget;
let receiver: Receiver;
const monitors: Monitor[] = [];
const logs: string[] = [];

function open(
  monitorSection: Record<string, unknown> = {},
  now?: () => number,
  probe?: ConstructorParameters<typeof Monitor>[0]['probe'],
): Monitor {
  const config = parseConfig(
    {
      monitor: {
        checks: [
          {
            name: 'api-trending',
            type: 'http',
            url: '/api/trending',
            every: '30s',
            assertions: ['[STATUS] == 200', 'len([BODY].items) > 0'],
            // Far above a loaded machine's answer (cold start included), far below the latency knob's.
            degradedAfter: '400ms',
          },
          { name: 'health-ready', type: 'health', url: '/health/ready', every: '30s' },
        ],
        retry: { strategy: 'none' },
        incidents: { failureThreshold: 3, successThreshold: 2 },
        channels: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook` }],
        ...monitorSection,
      },
    },
    'test config',
  );
  const monitor = new Monitor({
    config,
    baseUrl: new URL(target.url),
    database: join(dir, 'monitor.db'),
    log: (line) => logs.push(line),
    ...(now ? { now } : {}),
    ...(probe ? { probe } : {}),
  });
  monitors.push(monitor);
  return monitor;
}

const check = (monitor: Monitor, name = 'api-trending') =>
  monitor.checks.find((c) => c.name === name) as ResolvedCheck;

async function runs(monitor: Monitor, n: number, name = 'api-trending') {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await monitor.runCheck(check(monitor, name), performance.now()));
  await monitor.outbox.pump();
  return out;
}

const faults = (input: Record<string, unknown>) => target.target.applyFaults(parseFaults(input, 'test'));
const events = () =>
  receiver.accepted().map((r) => `${r.json.event}:${(r.json.check as { check: string }).check}`);

beforeEach(async () => {
  logs.length = 0;
  dir = await mkdtemp(join(tmpdir(), 'monitor-'));
  target = await withTarget();
  // The first answers of a fresh process are slow (JIT): not what these tests measure.
  for (let i = 0; i < 3; i++) await fetch(`${target.url}/api/trending`).then((r) => r.text());
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const m of monitors.splice(0)) await m.stop().catch(() => undefined);
  await receiver.close();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

describe('monitor', () => {
  it('an error-rate knob opens one incident after N failures; clearing it resolves it after M passes', async () => {
    const monitor = open();
    expect((await runs(monitor, 2)).map((r) => r.state.last)).toEqual(['pass', 'pass']);
    faults({ errorRate: 1, errorRoutes: ['/api/trending'] });
    const failing = await runs(monitor, 5);
    expect(failing.map((r) => r.attempts[0]?.httpStatus)).toEqual([500, 500, 500, 500, 500]);
    expect(failing[0]?.attempts[0]?.failedAssertion).toBe('[STATUS] == 200');
    const stored = monitor.store.attempts('api-trending')[0];
    expect(stored?.ttfbMs).toBeGreaterThan(0);
    expect(stored?.ttfbMs).toBeLessThanOrEqual(stored?.durationMs as number);
    expect(events()).toEqual(['trigger:api-trending']);
    faults({});
    await runs(monitor, 1);
    expect(events()).toEqual(['trigger:api-trending']);
    await runs(monitor, 3);
    expect(events()).toEqual(['trigger:api-trending', 'resolve:api-trending']);
    const [trigger, resolve] = receiver.accepted().map((r) => r.json.incident as { id: string });
    expect(resolve?.id).toBe(trigger?.id);
    expect(monitor.store.incidents().length).toBe(1);
    expect(monitor.store.attempts('api-trending').length).toBe(11);
  });

  it('a latency knob gives degraded, not failed, and no incident', async () => {
    const monitor = open();
    faults({ latency: [{ route: '/api/trending', ms: 600 }] });
    const out = await runs(monitor, 4);
    expect(out.map((r) => r.state.last)).toEqual(['degraded', 'degraded', 'degraded', 'degraded']);
    expect(out[0]?.attempts[0]?.message).toMatch(/slower than 400 ms/);
    expect(receiver.received).toEqual([]);
  });

  it('a restart mid-incident still gives exactly one resolve', async () => {
    const first = open();
    faults({ errorRate: 1 });
    await runs(first, 3);
    expect(events()).toEqual(['trigger:api-trending']);
    await first.stop();
    // Recovered while the monitor was down.
    faults({});
    const second = open();
    expect(second.stateOf('api-trending').incident).toBeDefined();
    await runs(second, 4);
    expect(events()).toEqual(['trigger:api-trending', 'resolve:api-trending']);
  });

  it('during maintenance nothing is delivered, results are kept and marked, uptime is unchanged', async () => {
    const now = Date.now();
    const monitor = open({
      maintenance: [
        {
          name: 'deploy',
          start: new Date(now - 60_000).toISOString(),
          end: new Date(now + 3_600_000).toISOString(),
        },
      ],
    });
    faults({ errorRate: 1 });
    await runs(monitor, 5);
    expect(receiver.received).toEqual([]);
    const attempts = monitor.store.attempts('api-trending');
    expect(attempts.map((a) => a.maintenance)).toEqual(Array(5).fill('deploy'));
    expect(attempts.every((a) => a.outcome === 'fail')).toBe(true);
    const rollups = monitor.store.rollups('hour', 0, now + 3_600_000, 'api-trending');
    expect(rollups.reduce((n, r) => n + r.excluded, 0)).toBe(5);
    expect(rollups.reduce((n, r) => n + r.failed + r.passed, 0)).toBe(0);
    expect(monitor.stateOf('api-trending').consecutiveFailed).toBe(0);
  });

  it('a receiver answering 500 then 200 gets the alert once', async () => {
    receiver.script.push(500);
    const monitor = open({ incidents: { failureThreshold: 1, successThreshold: 1 } });
    faults({ errorRate: 1 });
    await runs(monitor, 1);
    expect(receiver.received.map((r) => r.status)).toEqual([500]);
    expect(monitor.store.pendingDeliveries()[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/HTTP 500/),
    });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await monitor.outbox.pump();
    expect(receiver.received.map((r) => r.status)).toEqual([500, 202]);
    expect(events()).toEqual(['trigger:api-trending']);
    await monitor.outbox.pump();
    expect(receiver.received.length).toBe(2);
    expect(monitor.store.deliveries()[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries stay visible: a run that passes on its second attempt keeps the failed one', async () => {
    const monitor = open({ retry: { strategy: 'fixed', maxAttempts: 3, baseBackoff: '10ms' } });
    // Every other answer fails (seeded): the retry passes.
    faults({ errorRate: 0.5, errorRoutes: ['/api/trending'], seed: 3 });
    const out = await runs(monitor, 6);
    const retried = out.find((r) => r.attempts.length > 1 && r.state.last === 'pass');
    expect(retried).toBeDefined();
    expect(retried?.attempts[0]?.outcome).toBe('fail');
    expect(retried?.attempts.at(-1)?.message).toMatch(/^passed on attempt \d after \d failed/);
    const stored = monitor.store.attempts('api-trending');
    expect(stored.length).toBe(out.reduce((n, r) => n + r.attempts.length, 0));
  });

  it('when the monitor itself is offline (no canary answers) it records that and pages no one', async () => {
    const monitor = open({ canary: ['http://127.0.0.1:9/'], incidents: { failureThreshold: 1 } });
    await target.close();
    const out = await runs(monitor, 3);
    expect(out.every((r) => r.attempts[0]?.offline === true)).toBe(true);
    expect(out[0]?.attempts[0]?.message).toMatch(/monitor itself is offline/);
    expect(receiver.received).toEqual([]);
    expect(monitor.stateOf('api-trending').incident).toBeUndefined();
    target = await withTarget();
  });

  it('the health check reuses the health suite body check', async () => {
    const monitor = open();
    const [ok] = await runs(monitor, 1, 'health-ready');
    expect(ok?.attempts[0]?.outcome).toBe('pass');
    faults({ errorRate: 1, errorRoutes: ['/health/ready'] });
    const [run] = await runs(monitor, 1, 'health-ready');
    expect(run?.attempts[0]).toMatchObject({ outcome: 'fail', httpStatus: 500, errorClass: 'http' });
    expect(run?.attempts[0]?.message).toMatch(/^HTTP 500: components not ok/);
  });

  it('a full disk delays the records, not the alerts; once there is room everything lands, in order', async () => {
    const monitor = open({ incidents: { failureThreshold: 2, successThreshold: 1 } });
    await runs(monitor, 1);
    const db = monitor.store.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    faults({ errorRate: 1 });
    // Fill the last free pages, so the next run's write cannot fit.
    for (let i = 0; i < 200 && monitor.unwritten === 0; i++) await runs(monitor, 1);
    expect(monitor.unwritten).toBeGreaterThan(0);
    expect(logs.some((l) => /storage refused a write \(database or disk is full\)/.test(l))).toBe(true);
    expect(events()).toEqual(['trigger:api-trending']);
    faults({});
    await runs(monitor, 1);
    expect(events()).toEqual(['trigger:api-trending', 'resolve:api-trending']);
    expect(monitor.flush()).toBe(false);
    db.pragma('max_page_count = 1073741823');
    expect(monitor.flush()).toBe(true);
    const runsMade = monitor.store.attempts('api-trending').length;
    expect(monitor.store.incidents().map((i) => i.resolvedAt !== undefined)).toEqual([true]);
    expect(monitor.store.deliveries().map((d) => `${d.event}:${d.status}`)).toEqual([
      'trigger:sent',
      'resolve:sent',
    ]);
    expect(monitor.store.attempts('api-trending').at(-1)?.outcome).toBe('pass');
    expect(runsMade).toBeGreaterThan(3);
  });

  it('a clock that jumps (back an hour, on a day) neither storms reminders nor loses the resolve', async () => {
    let now = Date.parse('2026-12-01T12:00:00Z');
    const monitor = open(
      { incidents: { failureThreshold: 2, successThreshold: 2, reminderEvery: '10m' } },
      () => now,
    );
    faults({ errorRate: 1 });
    await runs(monitor, 2);
    now -= 3_600_000;
    await runs(monitor, 2);
    now += 86_400_000;
    await runs(monitor, 3);
    faults({});
    await runs(monitor, 2);
    expect(events()).toEqual(['trigger:api-trending', 'reminder:api-trending', 'resolve:api-trending']);
  });

  it('secrets stay in the environment: not in storage, not in logs, when a delivery fails', async () => {
    const secret = 'T0KEN-SHOULD-NOT-LEAK';
    process.env.TEST_SLACK_URL = `http://127.0.0.1:9/services/${secret}`;
    process.env.TEST_PD_KEY = `PD-${secret}`;
    try {
      const monitor = open({
        incidents: { failureThreshold: 1 },
        channels: [
          { name: 'slack', type: 'slack', urlEnv: 'TEST_SLACK_URL' },
          {
            name: 'pd',
            type: 'pagerduty',
            routingKeyEnv: 'TEST_PD_KEY',
            url: 'http://127.0.0.1:9/v2/enqueue',
          },
        ],
      });
      faults({ errorRate: 1 });
      await runs(monitor, 1);
      expect(monitor.store.deliveries().map((d) => `${d.channel}:${d.attempts}`)).toEqual([
        'slack:1',
        'pd:1',
      ]);
      await monitor.stop();
      const { readFile, readdir } = await import('node:fs/promises');
      for (const file of await readdir(dir))
        expect((await readFile(join(dir, file))).includes(secret)).toBe(false);
      expect(logs.join('\n')).not.toContain(secret);
      expect(logs.join('\n')).toMatch(/not delivered/);
    } finally {
      delete process.env.TEST_SLACK_URL;
      delete process.env.TEST_PD_KEY;
    }
  });

  it('a run that fails while the monitor stops (browsers closed under it) is not recorded; one that passes is', async () => {
    const slow = (outcome: 'pass' | 'fail') => async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return {
        outcome,
        durationMs: 300,
        ...(outcome === 'fail' ? { errorClass: 'browser' as const, message: 'browser closed' } : {}),
      };
    };
    const failing = open({}, undefined, slow('fail'));
    const run = failing.runCheck(check(failing), performance.now());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await failing.stop();
    expect((await run).events).toEqual([]);
    expect(
      logs.some((l) => /run ended failing while stopping \(browser closed\): not recorded/.test(l)),
    ).toBe(true);
    const passing = open({}, undefined, slow('pass'));
    const ok = passing.runCheck(check(passing), performance.now());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await passing.stop();
    expect((await ok).state.last).toBe('pass');
    const { MonitorStore } = await import('../monitor/store.ts');
    const store = MonitorStore.open(join(dir, 'monitor.db'));
    expect(store.attempts('api-trending').map((a) => a.outcome)).toEqual(['pass']);
    store.close();
    // A run still queued for its slot when the monitor stops is not started at all.
    const queued = open({}, undefined, slow('pass'));
    const never = queued.runCheck(check(queued), performance.now());
    await queued.stop();
    expect((await never).attempts).toEqual([]);
  });
});
