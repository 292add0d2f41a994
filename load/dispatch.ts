/**
 * The open model's clock loop: releases each iteration of the schedule when its intended time
 * has come (catching up at once after a late wake-up, so the rate holds), and ticks about
 * once a second. Separate from the HTTP side so it can be tested on a fake clock.
 */
import type { Clock } from './engines/types.ts';
import type { Schedule } from './schedule.ts';

export interface DispatchOptions {
  schedule: Schedule;
  share: { index: number; of: number };
  clock: Clock;
  /** clock.now() at the scenario's start. */
  start: number;
  shouldStop(): boolean;
  /** Iteration `index` of the schedule is due (its index in the whole schedule, not the share). */
  onDue(intendedMs: number, index: number): void;
  onTick(elapsedMs: number): void;
}

export async function dispatch(o: DispatchOptions): Promise<void> {
  const elapsed = () => o.clock.now() - o.start;
  let i = o.share.index;
  let lastTick = 0;
  while (!o.shouldStop()) {
    const now = elapsed();
    let due = o.schedule.at(i);
    while (due !== undefined && due <= now) {
      o.onDue(due, i);
      i += o.share.of;
      due = o.schedule.at(i);
    }
    if (now - lastTick >= 1000) {
      lastTick = now;
      o.onTick(now);
    }
    if (due === undefined) return;
    await o.clock.sleep(Math.min(due - elapsed(), 1000 - (elapsed() - lastTick)));
  }
}
