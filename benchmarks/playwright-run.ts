/**
 * Runs the journeys with Playwright as the synthetic suite does (the config's reporters, the perf
 * reporter among them) and returns its items and the wall time: shared by the benchmarks.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBrowser } from '../core/browser.ts';
import type { Item } from '../core/results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

export async function playwright(
  baseUrl: string,
  iterations: number,
  projects: string[],
  env: NodeJS.ProcessEnv = {},
  grep?: string,
): Promise<{ seconds: number; items: Item[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-synthetic-'));
  // No --reporter flag: it would replace the config's reporters, the perf reporter among them.
  const args = [
    CLI,
    'test',
    '--config',
    join(ROOT, 'playwright.config.ts'),
    '--repeat-each',
    String(iterations),
  ];
  for (const p of projects) args.push('--project', p);
  if (grep) args.push('--grep', grep);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        ...env,
        PERF_BASE_URL: baseUrl,
        CHROME_PATH: requireBrowser().path,
        PERF_SYNTHETIC_DIR: dir,
        PERF_SYNTHETIC_RESULT: join(dir, 'items.json'),
      },
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`playwright exited ${code}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  const { items } = JSON.parse(await readFile(join(dir, 'items.json'), 'utf8')) as { items: Item[] };
  await rm(dir, { recursive: true, force: true });
  return { seconds, items };
}
