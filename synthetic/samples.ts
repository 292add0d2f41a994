/** What one journey iteration records, attached to its Playwright result for the reporter. */
import type { PageSnapshot } from './collector.ts';

export const SAMPLES_ATTACHMENT = 'pitchey-perf-samples';

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
