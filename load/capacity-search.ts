/**
 * The capacity check's loop: the next rate from the search (core/capacity.ts), one step at it,
 * its verdict, until the knee is within the resolution, the generator is the limit, or the
 * time budget is spent. Bounded: at most MAX_STEPS steps and the budget, whichever first.
 */
import {
  type CollapseLimits,
  judgeStep,
  type Knee,
  kneeOf,
  nextRate,
  type SearchOptions,
  type StepTargets,
  type StepVerdict,
} from '../core/capacity.ts';
import { runStep, type StepResult, type StepRun } from './capacity-step.ts';

export interface SearchRun extends Omit<StepRun, 'rate'> {
  search: SearchOptions;
  targets: StepTargets;
  collapse: CollapseLimits;
  timeBudgetMs: number;
  onStep?(step: StepResult & StepVerdict, index: number): void;
}

export interface SearchResult {
  steps: (StepResult & StepVerdict)[];
  knee: Knee;
  /** Why the search ended before the knee was within the resolution, when it did. */
  cutShort?: 'time-budget' | 'generator-bound' | 'interrupted' | 'step-limit' | undefined;
}

const MAX_STEPS = 40;

export async function searchCapacity(run: SearchRun): Promise<SearchResult> {
  const steps: (StepResult & StepVerdict)[] = [];
  const started = performance.now();
  const tried = () => steps.map((s) => ({ rate: s.offeredRps, status: s.status }));
  let cutShort: SearchResult['cutShort'];
  for (let rate = nextRate([], run.search); rate !== undefined; rate = nextRate(tried(), run.search)) {
    const stepMs = run.warmupMs + run.plateauMs;
    if (run.signal.aborted) {
      cutShort = 'interrupted';
      break;
    }
    if (performance.now() - started + stepMs > run.timeBudgetMs) {
      cutShort = 'time-budget';
      break;
    }
    if (steps.length >= MAX_STEPS) {
      cutShort = 'step-limit';
      break;
    }
    const measured = await runStep({ ...run, rate });
    if (run.signal.aborted) {
      cutShort = 'interrupted';
      break;
    }
    const step = { ...measured, ...judgeStep(measured, run.targets, run.collapse) };
    steps.push(step);
    run.onStep?.(step, steps.length - 1);
    if (step.status === 'generator-bound') cutShort = 'generator-bound';
  }
  return { steps, knee: kneeOf(tried(), run.search), cutShort };
}
