import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultInput, parseFaults } from '../target/faults.ts';
import type { RunningTarget } from '../target/server.ts';
import { json, median, timedGets, withTarget } from './helpers.ts';

const ADMIN_TOKEN = 'test-admin-token';
let running: RunningTarget;
const set = (faults: FaultInput) => running.target.applyFaults(parseFaults(faults, 'test'));

beforeAll(async () => {
  running = await withTarget({}, ADMIN_TOKEN);
});
afterEach(() => set({}));
afterAll(() => running.close());

describe('fault knobs', () => {
  it('a 200 ms latency knob moves the median by 200 ± 20 ms, on the matching route only', async () => {
    const url = `${running.url}/api/trending`;
    await timedGets(url, 5); // warm the cache and the connections
    const clean = median((await timedGets(url, 40, 20)).map((r) => r.ms));
    set({ latency: [{ route: '/api/trending', ms: 200 }] });
    const slow = median((await timedGets(url, 40, 20)).map((r) => r.ms));
    expect(slow - clean).toBeGreaterThanOrEqual(180);
    expect(slow - clean).toBeLessThanOrEqual(220);
    const other = median((await timedGets(`${running.url}/api/pitches/1`, 20, 10)).map((r) => r.ms));
    expect(other).toBeLessThan(100);
  });

  it('jitter spreads the added latency over [ms, ms + jitterMs]', async () => {
    set({ latency: [{ route: '/health', ms: 50, jitterMs: 100 }] });
    const times = (await timedGets(`${running.url}/health`, 40, 20)).map((r) => r.ms);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(49);
    expect(Math.max(...times)).toBeLessThan(200);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(40);
  });

  it('an error rate of 10 % gives 10 ± 3 % 5xx over 1,000 requests', async () => {
    set({ errorRate: 0.1 });
    const results = await timedGets(`${running.url}/health`, 1000, 20);
    const errors = results.filter((r) => r.status >= 500).length;
    expect(errors).toBeGreaterThanOrEqual(70);
    expect(errors).toBeLessThanOrEqual(130);
    expect(results.filter((r) => r.status === 200).length).toBe(1000 - errors);
  });

  it('errors only where errorRoutes says', async () => {
    set({ errorRate: 1, errorRoutes: ['/api/*'] });
    expect((await fetch(`${running.url}/api/trending`)).status).toBe(500);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });

  it('a stall holds every response until it ends', async () => {
    set({ stall: { ms: 400 } });
    const results = await timedGets(`${running.url}/health`, 10, 10);
    for (const r of results) expect(r.ms).toBeGreaterThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const after = await timedGets(`${running.url}/health`, 5, 5);
    for (const r of after) expect(r.ms).toBeLessThan(100);
  });

  it('a periodic stall pauses responses every period', async () => {
    set({ stall: { ms: 150, everyMs: 300 } });
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const [r] = await timedGets(`${running.url}/health`, 1, 1);
      times.push(r?.ms ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(times.filter((t) => t > 50).length).toBeGreaterThanOrEqual(2);
    expect(times.filter((t) => t < 20).length).toBeGreaterThanOrEqual(2);
  });

  it('cache off: every read is a MISS', async () => {
    set({ cacheOff: true });
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${running.url}/api/trending`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${running.url}/health/ready`)).status).toBe(200);
  });

  it('dropped indexes: the pitch list scans the table and trending gets slower', async () => {
    const filter = { status: 'published' as const, page: 2, limit: 20 };
    expect(running.target.db.explainListPitches(filter)).toContain('USING INDEX idx_pitches_status_created');
    set({ cacheOff: true });
    const url = `${running.url}/api/trending`;
    const indexed = median((await timedGets(url, 10, 1)).map((r) => r.ms));
    set({ cacheOff: true, dropIndexes: true });
    expect(running.target.db.explainListPitches(filter)).not.toContain('idx_pitches_status_created');
    expect(running.target.db.hasIndex('idx_users_email')).toBe(false);
    const dropped = median((await timedGets(url, 10, 1)).map((r) => r.ms));
    expect(dropped).toBeGreaterThan(indexed * 5);
    set({});
    expect(running.target.db.hasIndex('idx_ndas_pitch_user')).toBe(true);
  });
});

describe('admin endpoint', () => {
  const admin = (method: string, body?: unknown, token = ADMIN_TOKEN) =>
    fetch(`${running.url}/admin/faults`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('sets, reads and clears knobs at run time with the token', async () => {
    const put = await admin('PUT', { errorRate: 1, errorRoutes: ['/api/trending'] });
    expect(put.status).toBe(200);
    expect((await fetch(`${running.url}/api/trending`)).status).toBe(500);
    expect(await json(await admin('GET'))).toMatchObject({ errorRate: 1 });
    expect((await admin('DELETE')).status).toBe(200);
    expect((await fetch(`${running.url}/api/trending`)).status).toBe(200);
  });

  it('refuses a wrong token and invalid knobs, naming the field', async () => {
    expect((await admin('GET', undefined, 'wrong')).status).toBe(401);
    const bad = await admin('PUT', { errorRate: 2 });
    expect(bad.status).toBe(400);
    expect((await json<{ error: string }>(bad)).error).toMatch(/errorRate/);
  });

  it('stays reachable during a stall, so the stall can be lifted', async () => {
    await admin('PUT', { stall: { ms: 10_000 } });
    const start = performance.now();
    expect((await admin('DELETE')).status).toBe(200);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('is off (404) when no token is configured', async () => {
    const plain = await withTarget();
    try {
      expect((await fetch(`${plain.url}/admin/faults`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
