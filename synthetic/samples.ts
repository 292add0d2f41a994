/** What one journey iteration records, attached to its Playwright result for the reporter. */
import { abbaSide, type Side } from '../core/paired.ts';
import type { PageSnapshot } from './collector.ts';

export const SAMPLES_ATTACHMENT = 'pitchey-perf-samples';

/** Paired mode: the test annotation (`{ type: 'side', description: 'base' | 'reference' }`) of an iteration. */
export const SIDE_ANNOTATION = 'side';

/**
 * Paired mode (PERF_COMPARE_URL set beside PERF_BASE_URL): the side a repeat-each copy measures,
 * in ABBA order; Playwright runs all tests of copy 0, then of copy 1… (one worker), so the sides
 * interleave. Undefined outside paired mode.
 */
export function pairedSide(
  repeatEachIndex: number,
  compareUrl = process.env.PERF_COMPARE_URL,
): Side | undefined {
  return compareUrl ? abbaSide(repeatEachIndex) : undefined;
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
