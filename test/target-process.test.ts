import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnTarget } from '../target/process.ts';
import { isAlive } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../target/main.ts', import.meta.url));

/** Runs `npm run target` as a child and resolves once it says it listens. */
async function startMain(extraArgs: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout.on('data', (d: Buffer) => {
    output.text += d.toString();
  });
  await expect.poll(() => output.text, { timeout: 20_000 }).toContain('listening on');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('the target as a child process', () => {
  it('starts on a free loopback port, is ready, and is gone after stop', async () => {
    const child = await spawnTarget({ faults: { latency: [{ route: '/api/*', ms: 1 }] } });
    expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${child.url}/health/ready`)).status).toBe(200);
    await child.stop();
    expect(isAlive(child.pid)).toBe(false);
  });

  it('refuses bad fault knobs before starting, naming the variable and the field', async () => {
    await expect(spawnTarget({ faults: { errorRate: 7 } })).rejects.toThrow(/TARGET_FAULTS.*errorRate/);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const { child, output, exited } = await startMain();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.text).toContain('SIGTERM, shutting down');
  });

  it('exits by itself when its parent goes away (stdin closes)', async () => {
    const { child, exited } = await startMain(['--exit-on-stdin-close']);
    child.stdin.end();
    expect(await exited).toBe(0);
  });

  it('prints a usage error for a bad port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', 'eighty'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('port "eighty" is not a port number');
  });
});
