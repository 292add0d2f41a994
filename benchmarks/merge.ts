/**
 * `npm run bench:merge [-- --shares 64 --minutes 10 --rate 100]`: what merging a distributed
 * run costs — `--shares` share files of a `--minutes` run, each share `--rate` req/s over the
 * Pitchey mix's request names, written as load:share writes them, then read, checked and merged
 * as load:merge does (a worker thread per core) and on one thread. Prints the size of a share
 * file and both merges' times (median of 3).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../core/random.ts';
import { Recorder } from '../load/recorder.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { PITCHEY_MIX, USER_POOL } from '../load/scenarios/pitchey-mix.ts';
import { mergeShareFiles } from '../load/share-merge.ts';
import { checkShares, mergeShares, readShare, shareResult } from '../load/share-result.ts';

const { values } = parseArgs({
  options: {
    shares: { type: 'string', default: '64' },
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
  },
});
const SHARES = Number(values.shares);
const SECONDS = Number(values.minutes) * 60;
const RATE = Number(values.rate);
const scenario = parseScenario({
  name: 'average-load',
  executor: 'constant-arrival-rate',
  rate: RATE * SHARES,
  duration: `${SECONDS}s`,
  preAllocatedVUs: 10,
  requests: PITCHEY_MIX,
  users: USER_POOL,
} as ScenarioInput);
const names = PITCHEY_MIX.map((r) => r.name);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = await mkdtemp(join(tmpdir(), 'bench-merge-'));
try {
  const files: string[] = [];
  const built = performance.now();
  for (let index = 0; index < SHARES; index++) {
    const random = seededRandom(index + 1);
    const recorder = new Recorder();
    for (let i = 0; i < SECONDS * RATE; i++) {
      const intendedMs = (i / RATE) * 1000;
      const latency = 2 + random() * 30 + (random() < 0.01 ? 300 * random() : 0);
      recorder.record({
        name: names[i % names.length] as string,
        intendedMs,
        sentMs: intendedMs + random(),
        doneMs: intendedMs + latency,
        status: 200,
        expected: true,
        bytes: 2_000,
      });
    }
    const file = join(dir, `share-${index}.json`);
    const share = shareResult({
      runId: 'bench',
      scenario: scenario.name,
      definition: scenario,
      share: { index, of: SHARES },
      baseUrl: 'http://127.0.0.1:1',
      startedAt: new Date().toISOString(),
      elapsedMs: SECONDS * 1000,
      recorder: recorder.toState(),
    });
    await writeFile(file, JSON.stringify(share));
    files.push(file);
  }
  const size = (await stat(files[0] as string)).size;
  console.log(
    `${SHARES} shares of a ${values.minutes}-minute run at ${RATE} req/s each (${((SHARES * SECONDS * RATE) / 1e6).toFixed(1)} M requests), built in ${((performance.now() - built) / 1000).toFixed(0)} s`,
  );
  console.log(
    `share file: ${(size / 1024).toFixed(0)} KiB (${names.length} request names, ${SECONDS} per-second histograms)`,
  );
  const time = async (merge: () => Promise<number>) => {
    const times: number[] = [];
    let requests = 0;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      requests = await merge();
      times.push(performance.now() - start);
    }
    return { ms: median(times), requests };
  };
  const oneThread = await time(async () => {
    const shares = await Promise.all(files.map(async (file) => ({ file, share: await readShare(file) })));
    checkShares(shares);
    return mergeShares(shares.map((s) => s.share)).recorder.requestCount;
  });
  const threads = await time(async () => (await mergeShareFiles(files)).recorder.requestCount);
  if (threads.requests !== oneThread.requests)
    throw new Error('the two merges disagree on the request count');
  console.log(
    `merge (read, check, add) on one thread: median ${(oneThread.ms / 1000).toFixed(2)} s of 3 for ${oneThread.requests.toLocaleString('en-US')} requests`,
  );
  console.log(
    `merge as load:merge does it, a worker per core (${availableParallelism()}): median ${(threads.ms / 1000).toFixed(2)} s of 3 (${(oneThread.ms / threads.ms).toFixed(2)}× faster)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
