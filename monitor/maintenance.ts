/**
 * Maintenance windows (pure but for croner's calendar arithmetic): one-off (start and end) or
 * recurring (a cron expression in a timezone, and a duration), for all checks or the ones
 * named (names or globs). In a window the checks still run and their results are kept, marked,
 * and left out of uptime; no alert goes out and the incident counters stand still.
 */
import { Cron } from 'croner';
import { globMatch } from '../core/targets.ts';

export type MaintenanceWindow =
  | { name: string; checks?: string[] | undefined; start: string; end: string }
  | {
      name: string;
      checks?: string[] | undefined;
      cron: string;
      durationMs: number;
      timezone?: string | undefined;
    };

function appliesTo(window: MaintenanceWindow, check: string): boolean {
  return !window.checks || window.checks.some((glob) => globMatch(glob, check));
}

function covers(window: MaintenanceWindow, at: number): boolean {
  if ('start' in window) return at >= Date.parse(window.start) && at < Date.parse(window.end);
  // The most recent start at or before `at` (its own second included), then its duration.
  const cron = new Cron(window.cron, { timezone: window.timezone, paused: true });
  const [previous] = cron.previousRuns(1, new Date(at + 1000));
  return previous !== undefined && at >= previous.getTime() && at < previous.getTime() + window.durationMs;
}

/** The window `check` is in at `at` (its name), or undefined. */
export function maintenanceAt(
  windows: readonly MaintenanceWindow[],
  check: string,
  at: number,
): string | undefined {
  return windows.find((w) => appliesTo(w, check) && covers(w, at))?.name;
}

/** Throws with the reason when a window cannot be read (bad cron, bad timezone, end before start). */
export function validateWindow(window: MaintenanceWindow): void {
  if ('start' in window) {
    const start = Date.parse(window.start);
    const end = Date.parse(window.end);
    if (Number.isNaN(start)) throw new Error(`start "${window.start}" is not an ISO date`);
    if (Number.isNaN(end)) throw new Error(`end "${window.end}" is not an ISO date`);
    if (end <= start) throw new Error('end must come after start');
    return;
  }
  new Cron(window.cron, { timezone: window.timezone, paused: true }).nextRun();
}
