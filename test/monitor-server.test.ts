/**
 * The monitor's HTTP face on a store whose heartbeat the test sets: /healthz says stale after a
 * minute, a burst of page loads shares one render, and a failing render is a logged 500 that
 * does not take the server down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { resolveChecks } from '../monitor/checks.ts';
import { MonitorMetrics } from '../monitor/metrics.ts';
import { healthz, type MonitorServer, startMonitorServer, urlOf } from '../monitor/server.ts';
import { MonitorStore } from '../monitor/store.ts';
import type { MonitorView } from '../monitor/view.ts';

const NOW = Date.UTC(2026, 11, 1, 14, 37, 12);

describe('healthz', () => {
  it('is ok up to a minute after the heartbeat, stale after, and never without one', () => {
    expect(healthz(NOW - 60_000, NOW)).toEqual({
      code: 200,
      body: {
        status: 'ok',
        heartbeatAt: new Date(NOW - 60_000).toISOString(),
        ageSeconds: 60,
        staleAfterSeconds: 60,
      },
    });
    expect(healthz(NOW - 60_001, NOW)).toMatchObject({
      code: 503,
      body: { status: 'stale', ageSeconds: 60 },
    });
    expect(healthz(undefined, NOW)).toMatchObject({
      code: 503,
      body: { status: 'never', heartbeatAt: null },
    });
  });

  it('brackets an IPv6 host in the URL', () => {
    expect(urlOf('::1', 9464).href).toBe('http://[::1]:9464/');
    expect(urlOf('127.0.0.1', 0).href).toBe('http://127.0.0.1:0/');
  });
});

describe('startMonitorServer', () => {
  let dir: string;
  let store: MonitorStore;
  let server: MonitorServer | undefined;
  let views: number;
  let broken: boolean;
  const logged: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'monitor-server-'));
    store = MonitorStore.open(join(dir, 'monitor.db'));
    views = 0;
    broken = false;
    logged.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const checks = resolveChecks(
    parseConfig(
      { monitor: { checks: [{ name: 'health', type: 'health', url: '/health', every: '30s' }] } },
      'perf.config.ts',
    ).monitor,
    new URL('https://pitchey.example'),
  );
  const view = (): MonitorView => {
    views++;
    if (broken) throw new Error('the disk went away');
    return { store, checks, slos: [], now: NOW, origin: 'https://pitchey.example' };
  };
  const start = async () => {
    server = await startMonitorServer({
      host: '127.0.0.1',
      port: 0,
      view,
      metrics: new MonitorMetrics(),
      log: (line) => logged.push(line),
      refreshSeconds: 30,
    });
    return server.url;
  };

  it('answers /healthz from the stored heartbeat: 503 never, 200 fresh, 503 stale', async () => {
    const url = await start();
    expect((await fetch(new URL('/healthz', url))).status).toBe(503);
    store.setMeta('heartbeat', String(NOW - 5_000));
    const fresh = await fetch(new URL('/healthz', url));
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('cache-control')).toBe('no-store');
    expect(await fresh.json()).toMatchObject({ status: 'ok', ageSeconds: 5 });
    store.setMeta('heartbeat', String(NOW - 120_000));
    const stale = await fetch(new URL('/healthz', url));
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ status: 'stale', ageSeconds: 120 });
  });

  it('renders the page once for a burst of loads, with the refresh asked for', async () => {
    const url = await start();
    const pages = await Promise.all(Array.from({ length: 5 }, () => fetch(url).then((r) => r.text())));
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]).toMatch(/<meta http-equiv="refresh" content="30">/);
    expect(views).toBe(1);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('turns a failing render into a logged 500 and goes on serving', async () => {
    const url = await start();
    broken = true;
    const failed = await fetch(new URL('/metrics', url));
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('internal error: the disk went away\n');
    expect(logged.join('\n')).toMatch(/GET \/metrics failed: Error: the disk went away/);
    broken = false;
    expect((await fetch(new URL('/metrics', url))).status).toBe(200);
  });

  it('a read-only connection serves every route while the writer holds runs not yet rolled up', async () => {
    store.recordRun(
      [{ check: 'health', runId: 'r1', attempt: 1, startedAt: NOW - 1_000, durationMs: 12, outcome: 'pass' }],
      undefined,
      [],
      [],
    );
    store.setMeta('heartbeat', String(NOW - 1_000));
    const writer = store;
    store = MonitorStore.openReader(join(dir, 'monitor.db'));
    try {
      const url = await start();
      for (const path of ['/', '/metrics', '/healthz']) {
        const res = await fetch(new URL(path, url));
        expect(`${path} ${res.status}`).toBe(`${path} 200`);
      }
      expect(logged).toEqual([]);
      expect(() => store.setMeta('x', '1')).toThrow(/readonly/);
      // The run reaches the reader's windows with the writer's roll-up.
      expect(store.windowCounts(NOW - 60_000, NOW).get('health')).toBeUndefined();
      writer.rollUp();
      expect(store.windowCounts(NOW - 60_000, NOW).get('health')).toMatchObject({ total: 1, good: 1 });
    } finally {
      writer.close();
    }
  });
});
