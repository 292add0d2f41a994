/**
 * scripts/health-monitor.sh as a user runs it: `once` exit codes, `status`, and the long-running
 * `monitor` process — SIGTERM stops it cleanly (exit 0, no process left), kill -9 loses nothing
 * it stored and a restart resolves the open incident exactly once.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitorStore } from '../monitor/store.ts';
import { parseFaults } from '../target/faults.ts';
import type { RunningTarget } from '../target/server.ts';
import { isAlive, withTarget } from './helpers.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'health-monitor.sh');
const run = promisify(execFile);

let dir: string;
let target: RunningTarget;
let receiver: Receiver;

async function writeConfig(name: string, monitor: Record<string, unknown>): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `export default ${JSON.stringify({ monitor })};\n`);
  return file;
}

const httpChecks = (every = '30s') => [
  { name: 'health', type: 'health', url: '/health', every },
  { name: 'api-trending', type: 'http', url: '/api/trending', every, assertions: ['[STATUS] == 200'] },
];

async function once(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(SCRIPT, ['once', ...args], {
      env: { ...process.env, BASE_URL: '', MONITOR_DB: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function startMonitor(
  config: string,
  db: string,
  baseUrl = target.url,
  env: NodeJS.ProcessEnv = {},
): ChildProcess & { output: string[] } {
  const child = spawn(SCRIPT, ['monitor', '--config', config, '--db', db], {
    // Any free port for the status page: tests run side by side.
    env: { ...process.env, BASE_URL: baseUrl, MONITOR_DB: '', MONITOR_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout?.on('data', (c: Buffer) => child.output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => child.output.push(c.toString()));
  return child;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

function readStore<T>(db: string, read: (store: MonitorStore) => T): T {
  const store = MonitorStore.open(db);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monitor-cli-'));
  target = await withTarget();
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.close();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

describe('health-monitor.sh', () => {
  it('once: 0 when every check passes, on the embedded target when no BASE_URL is set', async () => {
    const config = await writeConfig('ok.config.mjs', { checks: httpChecks() });
    const result = await once(['--config', config, '--db', join(dir, 'once.db')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/monitoring the embedded Pitchey/);
    expect(result.stdout).toMatch(/2 checks: 2 passed/);
    const status = await run(SCRIPT, ['status', '--config', config, '--db', join(dir, 'once.db')]);
    expect(status.stdout).toMatch(/api-trending\s+pass/);
    expect(status.stdout).toMatch(/open incidents: none/);
  });

  it('once: 1 when a check fails (BASE_URL), 2 when it cannot run (bad config, corrupt database)', async () => {
    const config = await writeConfig('fail.config.mjs', { checks: httpChecks() });
    target.target.applyFaults(parseFaults({ errorRate: 1, errorRoutes: ['/api/trending'] }, 'test'));
    try {
      const failed = await once(['--config', config, '--db', join(dir, 'fail.db')], { BASE_URL: target.url });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/fail\s+api-trending.*\[STATUS\] == 200: \[STATUS\] is 500/);
    } finally {
      target.target.applyFaults(parseFaults({}, 'test'));
    }
    const bad = await writeConfig('bad.config.mjs', {
      checks: [
        { name: 'api', type: 'http', url: '/api/trending', every: '30s', assertions: ['[STATU] == 200'] },
      ],
    });
    const badResult = await once(['--config', bad], { BASE_URL: target.url });
    expect(badResult.code).toBe(2);
    expect(badResult.stderr).toMatch(
      /bad\.config\.mjs: monitor\.checks\.0\.assertions\.0: "\[STATU\] == 200": unknown placeholder/,
    );
    const corrupt = join(dir, 'corrupt.db');
    await writeFile(corrupt, 'garbage'.repeat(1000));
    const corruptResult = await once(['--config', config, '--db', corrupt], { BASE_URL: target.url });
    expect(corruptResult.code).toBe(2);
    expect(corruptResult.stderr).toMatch(/corrupt\.db cannot be used as the monitor's database/);
  });

  it('monitor: SIGTERM stops it cleanly (exit 0) and leaves no process behind, the embedded target included', async () => {
    const config = await writeConfig('run.config.mjs', { checks: httpChecks('1s') });
    const db = join(dir, 'run.db');
    const child = startMonitor(config, db, '');
    await until('two runs of each check', () =>
      readStore(db, (s) => s.attempts().length >= 4 && s.getMeta('heartbeat')),
    ).catch((error) => {
      throw new Error(`${(error as Error).message}: ${child.output.join('')}`);
    });
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    const output = child.output.join('');
    expect(output).toMatch(/monitor stopped/);
    expect(isAlive(child.pid as number)).toBe(false);
    const embedded = output.match(/embedded Pitchey at (http:\/\/\S+)/)?.[1] as string;
    expect(embedded).toBeDefined();
    await expect(fetch(`${embedded}/health`)).rejects.toThrow();
  }, 60_000);

  it('monitor: kill -9 mid-incident loses nothing stored; after a restart the incident resolves exactly once', async () => {
    const config = await writeConfig('kill.config.mjs', {
      checks: httpChecks('1s'),
      retry: { strategy: 'none' },
      incidents: { failureThreshold: 2, successThreshold: 2 },
      channels: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook` }],
    });
    const db = join(dir, 'kill.db');
    target.target.applyFaults(parseFaults({ errorRate: 1, errorRoutes: ['/api/trending'] }, 'test'));
    const first = startMonitor(config, db);
    try {
      await until('the trigger', () => receiver.accepted().some((r) => r.json.event === 'trigger'));
      const before = readStore(db, (s) => s.attempts().length);
      first.kill('SIGKILL');
      await exited(first);
      // Nothing stored is lost, the open incident is on disk.
      expect(readStore(db, (s) => s.attempts().length)).toBeGreaterThanOrEqual(before);
      expect(readStore(db, (s) => s.incidents({ open: true }).map((i) => i.check))).toEqual(['api-trending']);
    } finally {
      target.target.applyFaults(parseFaults({}, 'test'));
    }
    const second = startMonitor(config, db);
    try {
      await until('the resolve', () => receiver.accepted().some((r) => r.json.event === 'resolve'));
      // A few more runs: nothing more is sent.
      const runs = readStore(db, (s) => s.attempts().length);
      await until('more runs', () => readStore(db, (s) => s.attempts().length >= runs + 4));
      // Delivery is at least once: a kill between the receiver's answer and the record of it
      // sends that trigger again after the restart, with the same X-Pitchey-Delivery key, which
      // a receiver drops. Counted as a receiver counts them, nothing is lost or doubled.
      const seen = new Map<string, unknown>();
      for (const r of receiver.accepted()) {
        const key = r.headers['x-pitchey-delivery'];
        expect(typeof key).toBe('string');
        if (!seen.has(key as string)) seen.set(key as string, r.json.event);
      }
      expect([...seen.values()]).toEqual(['trigger', 'resolve']);
      expect(readStore(db, (s) => s.incidents({ open: true }))).toEqual([]);
    } finally {
      second.kill('SIGTERM');
      expect((await exited(second)).code).toBe(0);
    }
  }, 90_000);

  it('monitor: serves the status page, /metrics and /healthz while it runs; a taken port is a clear error', async () => {
    const config = await writeConfig('serve.config.mjs', { checks: httpChecks('1s') });
    const db = join(dir, 'serve.db');
    const child = startMonitor(config, db);
    try {
      const base = await until(
        'the served URL',
        () => child.output.join('').match(/status page (http:\S+)/)?.[1],
      );
      expect(new URL(base).hostname).toBe('127.0.0.1');
      await until('two runs of each check', () => readStore(db, (s) => s.attempts().length >= 4));

      const page = await fetch(base);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toMatch(/<meta http-equiv="refresh" content="60">/);
      expect(html).toMatch(/api-trending/);

      const scrape = await fetch(`${base}metrics`);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusTextFormat(await scrape.text());
      const success = families.find((f) => f.name === 'probe_success');
      expect(success?.metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ labels: expect.objectContaining({ check: 'api-trending' }), value: '1' }),
          expect.objectContaining({ labels: expect.objectContaining({ check: 'health' }), value: '1' }),
        ]),
      );
      const runs = families.find((f) => f.name === 'pitchey_check_runs_total');
      const passes = runs?.metrics.find(
        (m) => m.labels?.check === 'health' && m.labels?.outcome === 'pass',
      ) as { value: string };
      expect(Number(passes.value)).toBeGreaterThanOrEqual(2);
      const open = await fetch(`${base}metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      });
      expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
      expect((await open.text()).trimEnd().endsWith('# EOF')).toBe(true);

      const health = await fetch(`${base}healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', staleAfterSeconds: 60 });
      expect((await fetch(`${base}nothing`)).status).toBe(404);
      expect((await fetch(base, { method: 'POST' })).status).toBe(405);

      // A second monitor on the same port says which port and what to do.
      const second = startMonitor(config, join(dir, 'serve2.db'), target.url, {
        MONITOR_PORT: new URL(base).port,
      });
      expect((await exited(second)).code).toBe(2);
      expect(second.output.join('')).toMatch(
        /127\.0\.0\.1:\d+ is in use \(another monitor\?\): set monitor\.port in the config or MONITOR_PORT/,
      );
      expect(isAlive(second.pid as number)).toBe(false);
    } finally {
      child.kill('SIGTERM');
      expect((await exited(child)).code).toBe(0);
    }
    const base = child.output.join('').match(/status page (http:\S+)/)?.[1] as string;
    await expect(fetch(base)).rejects.toThrow();
  }, 90_000);
});
