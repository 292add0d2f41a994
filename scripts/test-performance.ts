/**
 * `npm run test:performance`: the main job. Until the gate's pipeline lands (config, suites,
 * verdict, reports), it runs what exists: the embedded target (or BASE_URL) and a health probe
 * of the roadmap's three health endpoints.
 * Exit codes (DESIGN.md): 0 all pass · 1 a check failed · 2 could not measure.
 */
import { parseArgs } from 'node:util';
import { type ChildTarget, spawnTarget, waitForReady } from '../target/process.ts';

const HEALTH_ENDPOINTS = ['/health', '/health/ready', '/health/detailed'] as const;
const SAMPLES = 20;

class CannotMeasure extends Error {}

function baseUrlFrom(value: string | undefined, source: string): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {}
  throw new CannotMeasure(
    `${source}="${value}" is not an http(s) URL: use e.g. BASE_URL=https://staging.example.com`,
  );
}

async function probe(base: URL, path: string) {
  const times: number[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    times.push(performance.now() - start);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  times.sort((a, b) => a - b);
  return {
    path,
    statuses,
    medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
    maxMs: times.at(-1) ?? Number.NaN,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'base-url': { type: 'string' } } });
  const given =
    baseUrlFrom(values['base-url'], '--base-url') ?? baseUrlFrom(process.env.BASE_URL, 'BASE_URL');
  let child: ChildTarget | undefined;
  try {
    let base: URL;
    if (given) {
      base = given;
      console.log(`target: ${base.origin} (BASE_URL)`);
      await waitForReady(base.href, 10_000).catch((error: Error) => {
        throw new CannotMeasure(error.message);
      });
    } else {
      child = await spawnTarget();
      base = new URL(child.url);
      console.log(`target: embedded Pitchey at ${base.origin} (set BASE_URL to measure a deployment)`);
    }
    let failed = 0;
    console.log(`\nhealth probe, ${SAMPLES} sequential requests per endpoint`);
    for (const path of HEALTH_ENDPOINTS) {
      const r = await probe(base, path);
      const bad = [...r.statuses].filter(([status]) => status !== 200).reduce((n, [, count]) => n + count, 0);
      failed += bad;
      const statuses = [...r.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
      console.log(
        `  ${bad ? 'FAIL' : 'ok  '} ${path.padEnd(18)} median ${r.medianMs.toFixed(2)} ms  max ${r.maxMs.toFixed(2)} ms  [${statuses}]`,
      );
    }
    console.log(
      failed ? `\n${failed} health request(s) did not answer 200` : '\nall health endpoints answered 200',
    );
    return failed ? 1 : 0;
  } finally {
    await child?.stop();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`cannot measure: ${message}`);
  process.exitCode = 2;
}
