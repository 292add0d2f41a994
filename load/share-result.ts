/**
 * One share of a distributed run (a pod of the Indexed Job, or a local process): what it
 * measured as the recorder's state (encoded HDR histograms, which add exactly), and what it
 * belongs to — the run, the scenario (by a hash of its definition), its index among `of`. A
 * merge takes every share of one run and one scenario exactly once, or refuses, naming files.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PerfError } from '../core/errors.ts';
import { type GeneratorStats, mergeGeneratorStats } from './generator-watch.ts';
import { Recorder, type RecorderState } from './recorder.ts';
import type { Scenario } from './scenario.ts';

export const SHARE_SCHEMA_VERSION = 1;
const KIND = 'pitchey-perf-load-share';

const shareSchema = z
  .object({
    schemaVersion: z.number().int(),
    kind: z.literal(KIND),
    runId: z.string().min(1),
    scenario: z.string().min(1),
    /** sha256 of the scenario's definition: shares of different definitions never merge. */
    scenarioHash: z.string().regex(/^[0-9a-f]{64}$/),
    share: z.object({ index: z.number().int().min(0), of: z.number().int().min(1) }).strict(),
    baseUrl: z.string(),
    startedAt: z.string(),
    elapsedMs: z.number().nonnegative(),
    stoppedBy: z.string().optional(),
    recorder: z.custom<RecorderState>(
      (v) => typeof v === 'object' && v !== null && 'names' in v && 'seconds' in v,
      'a recorder state (names, seconds)',
    ),
    generator: z.custom<GeneratorStats>().optional(),
  })
  .strict();

export type ShareResult = z.infer<typeof shareSchema>;

export class ShareMergeError extends PerfError {}

export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex');
}

export function shareResult(
  input: Omit<ShareResult, 'schemaVersion' | 'kind' | 'scenarioHash'> & {
    definition: Scenario;
  },
): ShareResult {
  const { definition, ...rest } = input;
  return { ...rest, schemaVersion: SHARE_SCHEMA_VERSION, kind: KIND, scenarioHash: scenarioHash(definition) };
}

export async function readShare(file: string): Promise<ShareResult> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ShareMergeError(`${file} is not a share result: ${(error as Error).message}`);
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== SHARE_SCHEMA_VERSION)
    throw new ShareMergeError(
      `${file}: schema version ${String(version)}, this merge reads ${SHARE_SCHEMA_VERSION}: merge it with the pitchey-perf that wrote it`,
    );
  const parsed = shareSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ShareMergeError(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** What a share says of itself, without what it measured: enough to check a set of shares. */
export type ShareHeader = Omit<ShareResult, 'recorder' | 'generator'>;
/** What merges: a share's measurements, or several shares' already merged. */
export type SharePart = Pick<ShareResult, 'recorder' | 'elapsedMs' | 'stoppedBy' | 'generator'>;

export function shareHeader(share: ShareResult): ShareHeader {
  const { recorder: _recorder, generator: _generator, ...header } = share;
  return header;
}

/** Every share of one run and one scenario definition, each index once; else an error naming files. */
export function checkShares(shares: readonly { file: string; share: ShareHeader }[]): void {
  if (!shares.length) throw new ShareMergeError('no share files to merge');
  const [first] = shares as [{ file: string; share: ShareHeader }];
  for (const { file, share } of shares) {
    const differs = (what: string, a: string | number, b: string | number) =>
      new ShareMergeError(
        `${file} and ${first.file} are of different ${what} (${a} vs ${b}): merge the shares of one run only`,
      );
    if (share.runId !== first.share.runId) throw differs('runs', share.runId, first.share.runId);
    if (share.scenario !== first.share.scenario)
      throw differs('scenarios', share.scenario, first.share.scenario);
    if (share.scenarioHash !== first.share.scenarioHash)
      throw differs(
        `definitions of scenario ${share.scenario}`,
        share.scenarioHash.slice(0, 12),
        first.share.scenarioHash.slice(0, 12),
      );
    if (share.share.of !== first.share.share.of)
      throw differs('splits', share.share.of, first.share.share.of);
  }
  const of = first.share.share.of;
  const seen = new Map<number, string>();
  for (const { file, share } of shares) {
    const twice = seen.get(share.share.index);
    if (twice) throw new ShareMergeError(`${file} and ${twice} are both share ${share.share.index} of ${of}`);
    if (share.share.index >= of)
      throw new ShareMergeError(`${file}: share ${share.share.index} of ${of} does not exist`);
    seen.set(share.share.index, file);
  }
  const missing = Array.from({ length: of }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length)
    throw new ShareMergeError(
      `shares ${missing.join(', ')} of ${of} are missing (have ${[...seen.values()].join(', ')}): a partial merge would under-count the load`,
    );
}

/** The shares as one run: recorders merged exactly, the longest elapsed time, generator stats merged. */
export function mergeShares(shares: readonly SharePart[]): {
  recorder: Recorder;
  elapsedMs: number;
  stoppedBy: string | undefined;
  generator: GeneratorStats | undefined;
} {
  const recorder = new Recorder();
  for (const s of shares) recorder.merge(s.recorder);
  return {
    recorder,
    elapsedMs: Math.max(...shares.map((s) => s.elapsedMs)),
    stoppedBy: shares.find((s) => s.stoppedBy)?.stoppedBy,
    generator: mergeGeneratorStats(shares.flatMap((s) => (s.generator ? [s.generator] : []))),
  };
}
