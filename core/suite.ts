/** The contract every suite (health, load, synthetic, lighthouse) fulfils for the pipeline. */
import type { Item, SuiteResult } from './results.ts';

export interface Progress {
  /** A live count: `done` of `total` (0 when unknown), and what is being measured now. */
  update(done: number, total: number, detail?: string): void;
}

export interface SuiteContext<Settings> {
  baseUrl: URL;
  /**
   * Paired mode: the reference deployment. The suite measures both interleaved (ABBA order for
   * iterations and runs, alternating requests for load) so drift of the machine hits both alike,
   * and returns the reference's items under `reference`, named as the base URL's.
   */
  compareUrl?: URL | undefined;
  settings: Settings;
  progress: Progress;
  /** Aborted on Ctrl-C or when the run must stop: stop measuring and return. */
  signal: AbortSignal;
}

export interface SuiteOutput {
  items: Item[];
  notes: string[];
  /** The suite's own thresholds in k6 syntax, for the items named (a glob), e.g. a scenario's. */
  thresholds?: SuiteResult['thresholds'];
  /** Paired mode: the reference deployment's items (same names as `items`) and notes. */
  reference?: { items: Item[]; notes: string[] };
}

export interface Suite<Settings> {
  name: string;
  run(context: SuiteContext<Settings>): Promise<SuiteOutput>;
  /**
   * Paired mode's confirmation round (core/confirm.ts): settings that measure again just what
   * the given items belong to (their journeys, their pages), reports in a folder of their own;
   * undefined when the suite cannot. Suites without it are never measured twice.
   */
  narrow?(settings: Settings, items: readonly Item[]): { settings: Settings; what: string } | undefined;
}
