/**
 * `npm run bench:capacity [-- --repeats 5 --trials 20 --hogs 0 --plateau 5s --warmup 2s]`: the
 * capacity check's acceptance figures.
 *   knees:     the embedded target with a known capacity (the capacity knob, K slots × 50 ms:
 *              100, 400 and 1,000 req/s): the knee and the USL's X_max against K/S, wall time;
 *   spread:    the 400 req/s setting `--repeats` times: median knee and its CV;
 *   generator: `--trials` short runs asking 100,000 req/s of one generator thread against a
 *              loopback responder (its own process): how many end generator-bound; and as many
 *              at 500 req/s, within its means: how many do not.
 * Steps are shorter than the check's defaults (2 s warm-up, 5 s plateau) to keep the run under
 * half an hour; `--hogs N` runs N busy loops beside it (a slower, noisier machine).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEFAULT_COLLAPSE, kneeOf, uslPointsOf } from '../core/capacity.ts';
import { parseDuration } from '../core/duration.ts';
import { fitUsl } from '../core/usl.ts';
import { searchCapacity } from '../load/capacity-search.ts';
import { runOpenModel } from '../load/engines/open.ts';
import { generatorBound } from '../load/generator-watch.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { shippedScenarios } from '../load/scenarios/index.ts';
import { loginUserPool } from '../load/setup.ts';
import { openTarget } from '../scripts/target.ts';
import { startHogs } from './hogs.ts';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    trials: { type: 'string', default: '20' },
    hogs: { type: 'string', default: '0' },
    warmup: { type: 'string', default: '2s' },
    plateau: { type: 'string', default: '5s' },
    only: { type: 'string' },
  },
});
const only = new Set((values.only ?? 'knees,spread,generator').split(','));
const SERVICE_MS = 50;
const TARGETS = { p95Ms: 300, p99Ms: 500, errorRate: 0.005 };
const template = shippedScenarios({
  rate: 100,
  duration: '30s',
  smokeIterations: 10,
  soakDuration: '1m',
  breakpointRate: 100,
})['average-load'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/** One capacity search on a fresh embedded target holding `slots` × SERVICE_MS. */
async function search(slots: number) {
  process.env.TARGET_FAULTS = JSON.stringify({ capacity: { concurrency: slots, serviceMs: SERVICE_MS } });
  const target = await openTarget(undefined, 10_000);
  try {
    const tokens = await loginUserPool(target.url, template.users);
    const options = { startRps: 25, growth: 2, resolution: 0.05, maxRps: 20_000, minRps: 1 };
    const started = performance.now();
    const result = await searchCapacity({
      baseUrl: target.url,
      template,
      tokens,
      signal: new AbortController().signal,
      workers: 1,
      maxConnections: 1_000,
      warmupMs: parseDuration(values.warmup as string) as number,
      plateauMs: parseDuration(values.plateau as string) as number,
      timeBudgetMs: 15 * 60_000,
      search: options,
      targets: TARGETS,
      collapse: DEFAULT_COLLAPSE,
    });
    const usl = fitUsl(uslPointsOf(result.steps));
    const knee = kneeOf(
      result.steps.map((s) => ({ rate: s.offeredRps, status: s.status })),
      options,
    );
    const trail = result.steps
      .map(
        (s) => `${s.offeredRps} ${s.status}${s.status === 'generator-bound' ? ` (${s.generatorBound})` : ''}`,
      )
      .join(', ');
    return { knee, usl, steps: result.steps.length, trail, seconds: (performance.now() - started) / 1000 };
  } finally {
    await target.stop();
    delete process.env.TARGET_FAULTS;
  }
}

/** The loopback responder of the load benchmark, in its own process. */
async function startResponder(): Promise<{ url: URL; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./responder.ts', import.meta.url).pathname],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the responder exited with ${code}`)));
  });
  return { url: new URL(`http://127.0.0.1:${port}/`), child };
}

async function generatorTrials(url: URL, rate: number, trials: number): Promise<number> {
  let bound = 0;
  for (let i = 0; i < trials; i++) {
    const scenario = parseScenario({
      name: 'flood',
      executor: 'constant-arrival-rate',
      rate,
      duration: '2s',
      preAllocatedVUs: 10,
      maxVUs: Math.max(50, rate),
      gracefulStop: '2s',
      requests: [{ name: 'ok', weight: 1, path: '/' }],
    } as ScenarioInput);
    const run = await runOpenModel({
      baseUrl: url,
      scenario,
      tokens: [],
      signal: new AbortController().signal,
      maxConnections: 1_000,
    });
    if (generatorBound(run.generator, rate)) bound++;
  }
  return bound;
}

const hogs = startHogs(Number(values.hogs));
try {
  console.log(
    `capacity bench: steps ${values.warmup} warm-up + ${values.plateau} plateau, hogs ${values.hogs}, targets P95 < ${TARGETS.p95Ms} ms, P99 < ${TARGETS.p99Ms} ms`,
  );
  if (only.has('knees'))
    for (const slots of [5, 20, 50]) {
      const truth = (slots / SERVICE_MS) * 1000;
      const r = await search(slots);
      console.log(
        `K/S ${truth} req/s: knee ${r.knee.capacityRps} (${pct(r.knee.capacityRps / truth - 1)}, goal ±10 %), ` +
          `USL X_max ${r.usl ? Math.round(r.usl.maxThroughput) : '–'} (${r.usl ? pct(r.usl.maxThroughput / truth - 1) : '–'}, goal ±15 %; R² ${r.usl?.rSquared.toFixed(3) ?? '–'}), ` +
          `${r.steps} steps, ${r.seconds.toFixed(0)} s\n  steps: ${r.trail}`,
      );
    }
  if (only.has('spread')) {
    const knees: number[] = [];
    for (let i = 0; i < Number(values.repeats); i++) knees.push((await search(20)).knee.capacityRps);
    const mean = knees.reduce((a, b) => a + b, 0) / knees.length;
    const sd = Math.sqrt(knees.reduce((a, k) => a + (k - mean) ** 2, 0) / Math.max(1, knees.length - 1));
    console.log(
      `spread at K/S 400 req/s over ${knees.length} runs: knees ${knees.join(', ')}; median ${median(knees)}, CV ${((sd / mean) * 100).toFixed(1)} %`,
    );
  }
  if (only.has('generator')) {
    const responder = await startResponder();
    try {
      const trials = Number(values.trials);
      const flood = await generatorTrials(responder.url, 100_000, trials);
      const modest = await generatorTrials(responder.url, 500, trials);
      console.log(
        `generator-bound at 100,000 req/s (one thread): ${flood}/${trials} trials; within its means (500 req/s): ${trials - modest}/${trials} not bound`,
      );
    } finally {
      responder.child.stdin?.end();
      responder.child.kill('SIGTERM');
    }
  }
} finally {
  await hogs.stop();
}
