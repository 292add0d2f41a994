/**
 * When each check runs. Interval checks run on a monotonic clock (performance.now), phase-
 * shifted so checks of one interval are spread evenly over it instead of firing together, and
 * a wall clock that jumps does not move them. Cron checks run on croner, in their timezone
 * (croner handles DST and clock jumps). A check never overlaps itself: a slot that comes while
 * its previous run still runs is skipped and counted. Every start records its lateness.
 * Hand-written for intervals because croner's intervals are a minimum gap on a per-second
 * pattern, with no phase offset.
 */
import { Cron } from 'croner';
import type { Schedule } from './checks.ts';

export interface ScheduledCheck {
  name: string;
  schedule: Schedule;
  /** Runs the check; the scheduler awaits it to know the check is free again. */
  run(dueAt: number): Promise<void>;
}

export interface ScheduleStats {
  /** Start minus due time (ms) of every run started, by check. */
  lateness: number[];
  skipped: number;
  started: number;
}

/** Offsets that spread the checks of each interval evenly over it (pure). */
export function spreadOffsets(checks: readonly { name: string; schedule: Schedule }[]): Map<string, number> {
  const byInterval = new Map<number, string[]>();
  for (const c of checks)
    if (c.schedule.intervalMs !== undefined)
      byInterval.set(c.schedule.intervalMs, [...(byInterval.get(c.schedule.intervalMs) ?? []), c.name]);
  const offsets = new Map<string, number>();
  for (const [interval, names] of byInterval)
    names.forEach((name, i) => {
      offsets.set(name, Math.floor((interval * i) / names.length));
    });
  return offsets;
}

export class Scheduler {
  readonly stats: ScheduleStats = { lateness: [], skipped: 0, started: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly crons: Cron[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly checks: readonly ScheduledCheck[],
    private readonly onError: (check: string, error: unknown) => void,
  ) {}

  start(): void {
    const offsets = spreadOffsets(this.checks);
    const origin = performance.now();
    for (const check of this.checks) {
      const { intervalMs, cron, timezone } = check.schedule;
      if (intervalMs !== undefined) this.every(check, intervalMs, origin + (offsets.get(check.name) ?? 0));
      else if (cron)
        this.crons.push(
          new Cron(cron, { timezone, protect: true, catch: (error) => this.onError(check.name, error) }, () =>
            this.fire(check, performance.now()),
          ),
        );
    }
  }

  private every(check: ScheduledCheck, intervalMs: number, firstDue: number): void {
    const arm = (due: number) => {
      if (this.stopped) return;
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.fire(check, due);
          // The next slot after now: a late or skipped slot is not made up in a burst.
          const now = performance.now();
          let next = due + intervalMs;
          if (next <= now) next += Math.ceil((now - next) / intervalMs) * intervalMs;
          arm(next);
        },
        Math.max(0, due - performance.now()),
      );
      this.timers.add(timer);
    };
    arm(firstDue);
  }

  private fire(check: ScheduledCheck, due: number): void {
    if (this.stopped) return;
    if (this.running.has(check.name)) {
      this.stats.skipped++;
      return;
    }
    const run = (async () => {
      try {
        await check.run(due);
      } catch (error) {
        this.onError(check.name, error);
      } finally {
        this.running.delete(check.name);
      }
    })();
    this.running.set(check.name, run);
  }

  /** Called by a check when it actually starts (after any concurrency queue): its lateness. */
  started(due: number): void {
    this.stats.started++;
    this.stats.lateness.push(performance.now() - due);
  }

  /** Stops scheduling (the runs under way go on: their owner waits for them). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const cron of this.crons) cron.stop();
  }
}
