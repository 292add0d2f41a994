/** What one journey iteration records, attached to its Playwright result for the reporter. */
import { abbaSide, pairedTurns, SIDES, type Side } from '../core/paired.ts';
import type { PageSnapshot } from './collector.ts';

export const SAMPLES_ATTACHMENT = 'pitchey-perf-samples';

/** Paired mode: the test annotation (`{ type: 'side', description: 'base' | 'reference' }`) of an iteration. */
export const SIDE_ANNOTATION = 'side';

/** Paired mode: the annotation of an unmeasured warm-up iteration. */
export const WARM_UP_ANNOTATION = 'warm-up';

/**
 * Paired mode: the first copies visit each side once, unmeasured. The first visit of a
 * deployment pays for its cold start (a template compiled, a connection opened: TTFB +60 % seen
 * here), and in ABBA order that outlier would fall on one side only.
 */
export const WARM_UP_COPIES = SIDES.length;

/** Repeat-each copies for n measured iterations a side, warm-ups included. */
export const pairedCopies = (perSide: number): number => WARM_UP_COPIES + pairedTurns(perSide);

export interface PairedTurn {
  side: Side;
  warmUp: boolean;
}

/**
 * Paired mode (PERF_COMPARE_URL set beside PERF_BASE_URL): what a repeat-each copy measures —
 * the warm-ups (base, then reference), then the sides in ABBA order; Playwright runs all tests
 * of copy 0, then of copy 1… (one worker), so the sides interleave. Undefined outside paired mode.
 */
export function pairedTurn(
  repeatEachIndex: number,
  compareUrl = process.env.PERF_COMPARE_URL,
): PairedTurn | undefined {
  if (!compareUrl) return undefined;
  if (repeatEachIndex < WARM_UP_COPIES) return { side: SIDES[repeatEachIndex] as Side, warmUp: true };
  return { side: abbaSide(repeatEachIndex - WARM_UP_COPIES), warmUp: false };
}

export interface StepSample {
  name: string;
  ms: number;
  /** The page the step loaded, when it navigated. */
  page?: PageSnapshot;
  /** Interaction latency (INP) and final CLS of the page the step left or ended on. */
  inp?: number | null;
  cls?: number;
}

export interface IterationSamples {
  steps: StepSample[];
  /** Why the iteration failed, naming the step; absent when it passed. */
  failure?: string;
}
