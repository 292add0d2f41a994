/** The monitor writes its heartbeat every 5 s: a minute without one means it is not running. */
export const HEARTBEAT_STALE_MS = 60_000;

/** Whether a heartbeat written at `at` (epoch ms) says the monitor is running at `now`. */
export const isBeating = (at: number | undefined, now: number): boolean =>
  at !== undefined && now - at <= HEARTBEAT_STALE_MS;
