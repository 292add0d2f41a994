/**
 * Paired mode's one shared rule (pure): which side measures turn i. ABBA order (A B B A A B B A…)
 * rather than alternating A B A B: a drift of the machine that is linear in time then hits both
 * sides equally within every block of four, and neither side is always first after a pause.
 */
export type Side = 'base' | 'reference';

export const SIDES: readonly Side[] = ['base', 'reference'];

/** The side of turn i (0-based) in ABBA order. */
export function abbaSide(i: number): Side {
  return ((i + 1) >> 1) & 1 ? 'reference' : 'base';
}

/** Turns needed for n measurements a side, in ABBA order. */
export const pairedTurns = (perSide: number): number => 2 * perSide;
