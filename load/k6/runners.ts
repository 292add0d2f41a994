/**
 * The N runners of one k6-operator TestRun merged into one exact result. k6-operator runs a test
 * as N runner pods, each with `--execution-segment` and `--tag instance_id=<i> --tag
 * testrun_name=<name>`; our TestRun adds `--tag run_id=<id> --tag runners=<N>` and
 * `--out json=…ndjson.gz`. k6-operator merges no percentiles (k6-operator #812); here every
 * point of every runner goes into the same kind of accumulators, so the merged histograms equal
 * those of one file holding all the points, and thresholds are judged on the global figures.
 * checkRunners is pure; readK6Runners reads the files (streamed, one worker thread per core).
 */
import { realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import { runTask } from '../../core/ts-worker.ts';
import { sniffK6Source } from './import.ts';
import type { K6Import } from './model.ts';
import { K6ImportError } from './model.ts';
import { NdjsonState, type NdjsonTransfer, ndjsonImport, RUNNER_TAGS, type RunnerTag } from './ndjson.ts';

/** What one runner file's points say about where they came from. */
export interface RunnerFile {
  file: string;
  /** The values of each runner tag over the file's points (one each, for a runner's file). */
  tags: Record<RunnerTag, string[]>;
  points: number;
}

export interface RunnerCheck {
  /** The first note: how many runners of which run. */
  headline: string;
  /** What could not be checked. */
  notes: string[];
}

const list = (files: readonly RunnerFile[]) => files.map((f) => f.file).join(', ');
const single = (f: RunnerFile, tag: RunnerTag): string | undefined => f.tags[tag][0];

/** Files grouped by their value of a tag (undefined: the tag is absent), in order first met. */
function byValue(files: readonly RunnerFile[], tag: RunnerTag): Map<string | undefined, RunnerFile[]> {
  const groups = new Map<string | undefined, RunnerFile[]>();
  for (const f of files) groups.set(single(f, tag), [...(groups.get(single(f, tag)) ?? []), f]);
  return groups;
}

/** One value for the whole set, or an error listing which files carry which. */
function oneValue(files: readonly RunnerFile[], tag: RunnerTag, what: string): string | undefined {
  const groups = byValue(files, tag);
  if (groups.size <= 1) return [...groups.keys()][0];
  const parts = [...groups].map(
    ([value, fs]) => `${value === undefined ? `no ${tag} tag` : `${tag}=${value}`}: ${list(fs)}`,
  );
  throw new K6ImportError(
    `these files are not ${what} (${parts.join('; ')}): merge the runner files of one run only`,
  );
}

/**
 * Throws, naming the files, when they are not the distinct runners of one run: a file mixing
 * runners or runs, files of different TestRuns or runs, a runner given twice, or (when the
 * points carry `runners`=N and the set is `complete`) instance ids other than exactly 1..N.
 * Files without the tags are merged anyway; the notes say what could not be checked.
 */
export function checkRunners(files: readonly RunnerFile[], complete = true): RunnerCheck {
  for (const f of files) {
    for (const tag of RUNNER_TAGS) {
      if (f.tags[tag].length > 1)
        throw new K6ImportError(
          `${f.file}: its points carry several ${tag} values (${f.tags[tag].join(', ')}): give each runner's own --out json file, as it wrote it`,
        );
    }
  }
  const testrunName = oneValue(files, 'testrun_name', 'runners of one TestRun');
  const runId = oneValue(files, 'run_id', 'runners of one run');
  const runners = oneValue(
    files,
    'runners',
    'runners of one run (they disagree on how many runners there were)',
  );
  for (const [id, same] of byValue(files, 'instance_id')) {
    if (id !== undefined && same.length > 1)
      throw new K6ImportError(`${list(same)} are all runner instance_id=${id}: give each runner's file once`);
  }
  const ids = files.map((f) => single(f, 'instance_id'));
  const notes: string[] = [];
  if (runners !== undefined && ids.every((id) => id !== undefined)) {
    const n = Number(runners);
    if (!Number.isInteger(n) || n < 1)
      throw new K6ImportError(`${list(files)}: tag runners=${runners} is not a whole number of runners`);
    const outside = files.filter((f) => !isIdIn(single(f, 'instance_id'), n));
    if (outside.length)
      throw new K6ImportError(
        `${outside.map((f) => `${f.file} (instance_id=${single(f, 'instance_id')})`).join(', ')}: not one of the runners 1..${n} (runners=${n})`,
      );
    const missing = Array.from({ length: n }, (_, i) => String(i + 1)).filter((id) => !ids.includes(id));
    if (complete && missing.length)
      throw new K6ImportError(
        `runners=${n} but no file for instance_id ${missing.join(', ')} (given: ${files.map((f) => `${f.file} = ${single(f, 'instance_id')}`).join(', ')}): give every runner's --out json file`,
      );
  } else if (runners === undefined && ids.every((id) => id !== undefined)) {
    notes.push('no runners tag: whether every runner of the run is here could not be checked');
  }
  const absent = RUNNER_TAGS.filter((tag) => files.some((f) => single(f, tag) === undefined));
  if (absent.includes('instance_id') || absent.includes('testrun_name') || absent.includes('run_id'))
    notes.push(
      `${list(files)}: points without ${absent.join(', ')} tags: these files could not be checked to be distinct runners of one run (k6-operator tags instance_id and testrun_name; our TestRun adds run_id and runners)`,
    );
  const of = testrunName === undefined ? '' : ` of ${testrunName}`;
  const run = runId === undefined ? '' : ` (run ${runId})`;
  return { headline: `${files.length} k6 runners${of}${run} merged: exact, every point`, notes };
}

const isIdIn = (id: string | undefined, n: number): boolean =>
  id !== undefined && /^[1-9][0-9]*$/.test(id) && Number(id) <= n;

/** Refuses before any big read: the same file twice, or a summary among the runner files. */
async function checkPaths(paths: readonly string[]): Promise<void> {
  const real = await Promise.all(paths.map((p) => realpath(p).catch(() => p)));
  const twice = paths.filter((_, i) => real.indexOf(real[i] as string) !== i);
  if (twice.length)
    throw new K6ImportError(`${twice.join(', ')} given more than once: give each runner's file once`);
  const kinds = await Promise.all(paths.map(sniffK6Source));
  const summaries = paths.filter((_, i) => kinds[i] === 'summary');
  if (summaries.length)
    throw new K6ImportError(
      `${summaries.join(', ')}: a k6 summary (handleSummary data or --summary-export), not --out json NDJSON: a summary's percentiles cannot be merged: give each runner's --out json file`,
    );
}

/** Reads one runner's file on a worker thread; rejects with the reader's own error. */
async function readOnWorker(path: string, workers: Set<Worker>): Promise<NdjsonState> {
  let worker: Worker | undefined;
  try {
    const transfer = await runTask<NdjsonTransfer>(
      new URL('./read-worker.ts', import.meta.url),
      { path },
      (message) => new K6ImportError(message),
      (started) => {
        worker = started;
        workers.add(started);
      },
    );
    return NdjsonState.fromTransfer(transfer);
  } finally {
    if (worker) workers.delete(worker);
  }
}

/**
 * Several runners' `--out json` files (gzipped or not) → one import. Each file is streamed into
 * its own state on a worker thread, one per core; each state is checked against those read
 * before it as it arrives (a mixed set fails before every file is read, and the other readers
 * are stopped), then all are added up in the order given.
 */
export async function readK6Runners(paths: readonly string[]): Promise<K6Import> {
  if (paths.length === 0) throw new K6ImportError('no k6 runner files given');
  await checkPaths(paths);
  const workers = new Set<Worker>();
  const limit = pLimit(Math.max(1, Math.min(paths.length, availableParallelism())));
  const states: NdjsonState[] = [];
  const files: RunnerFile[] = [];
  try {
    await Promise.all(
      paths.map((path, index) =>
        limit(async () => {
          const state = await readOnWorker(path, workers);
          if (state.declared.size === 0) throw new K6ImportError(`${path}: no k6 Metric or Point lines`);
          states[index] = state;
          const tags = Object.fromEntries(
            RUNNER_TAGS.map((t) => [t, [...state.runner.values[t]]]),
          ) as RunnerFile['tags'];
          files[index] = { file: path, tags, points: state.points };
          checkRunners(
            files.filter((f) => f !== undefined),
            false,
          );
        }),
      ),
    );
  } catch (error) {
    limit.clearQueue();
    await Promise.all([...workers].map((w) => w.terminate()));
    throw error;
  }
  const { headline, notes } = checkRunners(files);
  const total = new NdjsonState(paths.join(', '));
  const gauges = new Set<string>();
  for (const state of states) {
    for (const [metric, declared] of state.declared) if (declared.type === 'gauge') gauges.add(metric);
    total.absorb(state);
  }
  const imported = ndjsonImport(total, headline);
  const perFile = files.map((f) => `${single(f, 'instance_id') ?? '?'}: ${f.file} (${f.points} points)`);
  imported.notes.splice(1, 0, ...notes, `runners: ${perFile.join(', ')}`);
  if (gauges.size)
    imported.notes.push(`gauges (${[...gauges].join(', ')}): the sum of the runners' last values`);
  return imported;
}
