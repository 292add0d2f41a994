/**
 * Where each SLO stands now: its SLI, budget and burn rate over the report windows (1 h, 1 d,
 * 7 d, 30 d, the calendar month so far and the month before) and the alert windows, read from
 * the store's rollups. The arithmetic is slo.ts's; this only gathers the counts.
 */

import type { CheckCounts } from './slo.ts';
import {
  ALERT_WINDOWS,
  type BurnRule,
  firingRules,
  monthStart,
  REPORT_WINDOWS,
  type Slo,
  sloCounts,
  WINDOWS,
  type WindowName,
  type WindowStatus,
  windowStatus,
} from './slo.ts';
import type { MonitorStore } from './store.ts';

export interface SloStatus {
  slo: Slo;
  /** By window: "1h", "1d", "7d", "30d", "month" (UTC month to date), "previous-month", and the alert windows. */
  windows: Record<string, WindowStatus>;
  /** Burn rate by alert window. */
  burn: Record<string, number>;
  /** The burn-rate rules firing now. */
  firing: BurnRule[];
}

export type WindowCounts = Map<string, ReadonlyMap<string, CheckCounts>>;

/** The windows' bounds at `now`. */
export function windowBounds(
  now: number,
  names: readonly string[],
): Map<string, { from: number; to: number }> {
  const bounds = new Map<string, { from: number; to: number }>();
  for (const name of names) {
    if (name === 'month') bounds.set(name, { from: monthStart(now), to: now + 1 });
    else if (name === 'previous-month') bounds.set(name, { from: monthStart(now, 1), to: monthStart(now) });
    else bounds.set(name, { from: now + 1 - WINDOWS[name as WindowName], to: now + 1 });
  }
  return bounds;
}

export const STATUS_WINDOWS = [...new Set([...REPORT_WINDOWS, ...ALERT_WINDOWS, 'month', 'previous-month'])];

/** Each window's per-check counts (one pass over the rollups per window). */
export function readWindowCounts(
  store: MonitorStore,
  now: number,
  names: readonly string[] = STATUS_WINDOWS,
): WindowCounts {
  const out: WindowCounts = new Map();
  for (const [name, { from, to }] of windowBounds(now, names)) out.set(name, store.windowCounts(from, to));
  return out;
}

/** The SLOs' status from the windows' counts (pure). */
export function evaluateSlos(slos: readonly Slo[], counts: WindowCounts): SloStatus[] {
  return slos.map((slo) => {
    const windows: Record<string, WindowStatus> = {};
    for (const [name, perCheck] of counts)
      windows[name] = windowStatus(name, sloCounts(slo, perCheck), slo.objective);
    const burn: Record<string, number> = {};
    for (const name of ALERT_WINDOWS) burn[name] = windows[name]?.burnRate ?? 0;
    return { slo, windows, burn, firing: firingRules(burn) };
  });
}

export function sloStatuses(
  store: MonitorStore,
  slos: readonly Slo[],
  now: number,
  names?: readonly string[],
): SloStatus[] {
  return evaluateSlos(slos, readWindowCounts(store, now, names));
}
