/**
 * `npm run bench:lighthouse`: seconds per page-run of our Lighthouse runner, and stability:
 * the coefficient of variation of the median score and median LCP over 5 repeated suite runs
 * (3 runs each, the home page, mobile), against the plain `lighthouse` CLI run the same way.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Result as Lhr } from 'lighthouse';
import { requireBrowser } from '../core/browser.ts';
import { figuresOf, median } from '../lighthouse/metrics.ts';
import { launchBrowser, runLighthouse } from '../lighthouse/runner.ts';
import { spawnTarget } from '../target/process.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LH_CLI = join(ROOT, 'node_modules', 'lighthouse', 'cli', 'index.js');
const SUITE_RUNS = 5;
const RUNS = 3;

function cv(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) / mean;
}

async function ours(url: string, chromePath: string) {
  const seconds: number[] = [];
  const browser = await launchBrowser(chromePath);
  try {
    const figures = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await runLighthouse(url, 'mobile', browser);
      seconds.push(run.ms / 1000);
      figures.push(figuresOf(run.lhr));
    }
    return {
      score: median(figures.map((f) => f.score ?? Number.NaN)),
      lcp: median(figures.map((f) => f.lcp ?? Number.NaN)),
      seconds,
    };
  } finally {
    await browser.close();
  }
}

async function cli(url: string, chromePath: string) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-lh-'));
  const seconds: number[] = [];
  const figures = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const out = join(dir, `run-${i}.json`);
      const started = performance.now();
      await exec(
        process.execPath,
        [
          LH_CLI,
          url,
          '--only-categories=performance',
          '--output=json',
          `--output-path=${out}`,
          '--quiet',
          '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage',
        ],
        { env: { ...process.env, CHROME_PATH: chromePath }, timeout: 120_000 },
      );
      seconds.push((performance.now() - started) / 1000);
      figures.push(figuresOf(JSON.parse(await readFile(out, 'utf8')) as Lhr));
    }
    return {
      score: median(figures.map((f) => f.score ?? Number.NaN)),
      lcp: median(figures.map((f) => f.lcp ?? Number.NaN)),
      seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const target = await spawnTarget();
const chromePath = requireBrowser().path;
const url = `${target.url}/`;
try {
  console.log(
    `# Lighthouse benchmark (${new Date().toISOString().slice(0, 10)}), node ${process.version}, home page, mobile\n`,
  );
  for (const [label, fn] of [
    ['our runner (one Chromium per suite run)', ours],
    ['plain lighthouse CLI (Chromium per run)', cli],
  ] as const) {
    const scores: number[] = [];
    const lcps: number[] = [];
    const seconds: number[] = [];
    for (let i = 0; i < SUITE_RUNS; i++) {
      const r = await fn(url, chromePath);
      scores.push(r.score);
      lcps.push(r.lcp);
      seconds.push(...r.seconds);
    }
    console.log(`${label}:`);
    console.log(
      `  seconds per page-run: median ${median(seconds).toFixed(2)} (min ${Math.min(...seconds).toFixed(2)}, max ${Math.max(...seconds).toFixed(2)})`,
    );
    console.log(`  median score per suite run: ${scores.join(', ')}: CV ${cv(scores).toFixed(4)}`);
    console.log(
      `  median LCP per suite run: ${lcps.map((v) => v.toFixed(0)).join(', ')} ms: CV ${cv(lcps).toFixed(4)}`,
    );
  }
} finally {
  await target.stop();
}
setTimeout(() => process.exit(), 500).unref();
