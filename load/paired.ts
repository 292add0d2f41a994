/**
 * Paired mode for load (pure): how one scenario is split between the base deployment and the
 * reference. The open model hands iteration i of the one arrival schedule to abbaSide(i) (so
 * each side gets every other request, in ABBA order); the closed model runs short slices of
 * the scenario in ABBA order (base, reference, reference, base).
 */
import { abbaSide, SIDES, type Side } from '../core/paired.ts';
import type { Schedule } from './schedule.ts';

export type Share = { index: number; of: number };

/** Slices of a closed-model step in paired mode, in this order. */
export const SLICE_SIDES: readonly Side[] = ['base', 'reference', 'reference', 'base'];

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/**
 * How many requests a side may have in flight in this share (worker) of a paired open-model
 * run: maxVUs in proportion to the side's iterations the share runs. Without workers that is
 * maxVUs for each side, as an unpaired run has; with 2 workers half each; with 4, worker 0 runs
 * only base iterations (0, 4, 8, … are all "base" in ABBA order) and gets half the base's.
 */
export function sideCapacity(maxVUs: number, side: Side, share: Share): number {
  const period = (4 * share.of) / gcd(4, share.of);
  let mine = 0;
  let all = 0;
  for (let i = 0; i < period; i++) {
    if (abbaSide(i) !== side) continue;
    all++;
    if (i % share.of === share.index) mine++;
  }
  return Math.max(1, Math.ceil((maxVUs * mine) / all));
}

/**
 * The iterations of a schedule that a share runs, by side (for tests and notes): iteration
 * i ≡ index (mod of) of the schedule, on abbaSide(i), at its intended time.
 */
export function splitSchedule(
  schedule: Schedule,
  share: Share = { index: 0, of: 1 },
): Record<Side, { index: number; intendedMs: number }[]> {
  const out = Object.fromEntries(SIDES.map((s) => [s, []])) as unknown as Record<
    Side,
    { index: number; intendedMs: number }[]
  >;
  for (let i = share.index; i < schedule.total; i += share.of) {
    out[abbaSide(i)].push({ index: i, intendedMs: schedule.at(i) as number });
  }
  return out;
}

/**
 * A closed-model step as ABBA slices: a fixed number of iterations (`amount`) is cut into four
 * near-equal parts (part k holds iterations ⌊kA/4⌋ … ⌊(k+1)A/4⌋ − 1; empty parts are left out),
 * a duration into four quarters. Each side gets half of the step.
 */
export function abbaSlices<T extends { durationMs: number; amount?: number }>(
  step: T,
): (T & { side: Side })[] {
  const { amount } = step;
  if (amount !== undefined) {
    return SLICE_SIDES.map((side, k) => ({
      ...step,
      side,
      amount: Math.floor(((k + 1) * amount) / 4) - Math.floor((k * amount) / 4),
    })).filter((slice) => (slice.amount as number) > 0);
  }
  return SLICE_SIDES.map((side) => ({ ...step, side, durationMs: step.durationMs / 4 }));
}

/** Calls a run's tick on each side's recorder; a reason found on the reference says so. */
export function tickSides<R>(
  onTick: ((recorder: R, elapsedMs: number) => string | undefined) | undefined,
  sides: readonly { side: Side; recorder: R }[],
  elapsedMs: number,
): string | undefined {
  for (const { side, recorder } of sides) {
    const reason = onTick?.(recorder, elapsedMs);
    if (reason) return side === 'base' ? reason : `${reason} (on the reference deployment)`;
  }
  return undefined;
}
