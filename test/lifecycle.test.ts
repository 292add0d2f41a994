import { describe, expect, it } from 'vitest';
import { onShutdown } from '../core/lifecycle.ts';

describe('onShutdown', () => {
  it('holds signal handlers only while something is registered, and runs each cleanup once', async () => {
    const before = process.listenerCount('SIGINT');
    let runs = 0;
    const stop = onShutdown(() => {
      runs++;
    });
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    await stop();
    await stop();
    expect(runs).toBe(1);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('on a signal', () => {
  it('runs the cleanups one after another, `first` ones first, then the latest registered first; a repeat within a second is the same signal', async () => {
    const { execFile } = await import('node:child_process');
    const script = `
      import { exitOnSignalWith, onShutdown } from './core/lifecycle.ts';
      const wait = (ms) => new Promise((r) => setTimeout(r, ms));
      onShutdown(async () => { await wait(50); console.log('target'); });
      onShutdown(async () => { await wait(200); console.log('monitor'); }, { first: true });
      onShutdown(async () => { console.log('browser'); });
      exitOnSignalWith(0);
      setInterval(() => {}, 1000);
      setTimeout(() => { process.kill(process.pid, 'SIGINT'); process.kill(process.pid, 'SIGINT'); }, 100);
    `;
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: new URL('..', import.meta.url).pathname,
        timeout: 20_000,
      });
      let stdout = '';
      child.stdout?.on('data', (c) => {
        stdout += c;
      });
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    expect(result.stdout.trim().split('\n')).toEqual(['monitor', 'browser', 'target']);
    expect(result.code).toBe(0);
  });
});
