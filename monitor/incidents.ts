/**
 * A check's state and its incidents (pure): the runs go in, the alerts come out.
 * An incident opens after N consecutive failed runs (or T minutes failing), reminds at an
 * interval while open, and resolves after M consecutive passing runs — Gatus's failure and
 * success thresholds, Checkly's degraded state and reminders. One outage is one incident: one
 * trigger, its reminders, one resolve. A degraded incident (optional) escalates to a failed one
 * in place (the same incident, a second trigger at the higher severity).
 * The caller stores the returned state with the run in one transaction, so a restart picks up
 * where it stopped: a check that recovered while the monitor was down resolves exactly once.
 */
export type Outcome = 'pass' | 'degraded' | 'fail';

export interface IncidentPolicy {
  /** N: consecutive failed runs that open an incident. */
  failureThreshold: number;
  /** T: or this long failing (first failed run to now), whichever comes first; 0 = off. */
  failingForMs: number;
  /** M: consecutive passing runs that resolve it. */
  successThreshold: number;
  /** Reminders while an incident is open; 0 = none. */
  reminderEveryMs: number;
  /** Degraded runs open (warning) incidents too; otherwise degraded counts as passing. */
  alertOnDegraded: boolean;
}

export interface OpenIncident {
  id: string;
  severity: 'degraded' | 'failed';
  openedAt: number;
  /** When the last trigger or reminder was made. */
  lastNotifiedAt: number;
  reminders: number;
  /** Why it opened (the failing run's message). */
  cause: string;
}

export interface CheckState {
  last: Outcome | 'unknown';
  lastRunAt: number;
  consecutiveFailed: number;
  /** Consecutive runs that were degraded or failed. */
  consecutiveNotPassing: number;
  consecutivePassing: number;
  /** Start of the current failing streak. */
  failingSince?: number | undefined;
  incident?: OpenIncident | undefined;
}

/** How many runs in a row have had the check's latest outcome (0 before any). */
export function streakOf(state: CheckState | undefined): number {
  if (!state) return 0;
  if (state.last === 'fail') return state.consecutiveFailed;
  if (state.last === 'pass') return state.consecutivePassing;
  return state.consecutiveNotPassing;
}

export const INITIAL_STATE: CheckState = {
  last: 'unknown',
  lastRunAt: 0,
  consecutiveFailed: 0,
  consecutiveNotPassing: 0,
  consecutivePassing: 0,
};

export type AlertEvent =
  | { type: 'trigger'; incident: OpenIncident; at: number; message: string }
  | { type: 'reminder'; incident: OpenIncident; at: number; message: string }
  | { type: 'resolve'; incident: OpenIncident; at: number; message: string; durationMs: number };

export interface Run {
  outcome: Outcome;
  at: number;
  /** What went wrong (empty for a pass). */
  message: string;
}

/** Whether a run counts towards resolving the incident: degraded passes unless degraded alerts. */
function recovers(outcome: Outcome, policy: IncidentPolicy): boolean {
  return outcome === 'pass' || (outcome === 'degraded' && !policy.alertOnDegraded);
}

/** Reminder due: at most one per call, whatever the clock did (a jump forward is not a burst). */
function reminder(state: CheckState, now: number, policy: IncidentPolicy): AlertEvent | undefined {
  const incident = state.incident;
  if (!incident || policy.reminderEveryMs <= 0) return undefined;
  if (now - incident.lastNotifiedAt < policy.reminderEveryMs) return undefined;
  incident.lastNotifiedAt = now;
  incident.reminders++;
  return {
    type: 'reminder',
    incident: { ...incident },
    at: now,
    message: `still ${incident.severity}: ${incident.cause}`,
  };
}

/** One run of a check: its new state and what to send. Runs in maintenance must not come here. */
export function advance(
  previous: CheckState,
  run: Run,
  policy: IncidentPolicy,
  newId: (at: number) => string,
): { state: CheckState; events: AlertEvent[] } {
  const failed = run.outcome === 'fail';
  const passing = run.outcome === 'pass';
  const state: CheckState = {
    last: run.outcome,
    lastRunAt: run.at,
    consecutiveFailed: failed ? previous.consecutiveFailed + 1 : 0,
    consecutiveNotPassing: passing ? 0 : previous.consecutiveNotPassing + 1,
    consecutivePassing: recovers(run.outcome, policy) ? previous.consecutivePassing + 1 : 0,
    failingSince: failed ? (previous.failingSince ?? run.at) : undefined,
    incident: previous.incident ? { ...previous.incident } : undefined,
  };
  // A clock that jumped back must not hold reminders (or "failing for T") hostage.
  if (state.incident && state.incident.lastNotifiedAt > run.at) state.incident.lastNotifiedAt = run.at;
  if (state.failingSince !== undefined && state.failingSince > run.at) state.failingSince = run.at;

  const events: AlertEvent[] = [];
  const failedEnough =
    state.consecutiveFailed >= policy.failureThreshold ||
    (policy.failingForMs > 0 &&
      state.failingSince !== undefined &&
      run.at - state.failingSince >= policy.failingForMs);
  const degradedEnough =
    policy.alertOnDegraded && !failed && state.consecutiveNotPassing >= policy.failureThreshold;

  if (!state.incident) {
    if (failedEnough || degradedEnough) {
      const severity = failedEnough ? 'failed' : 'degraded';
      state.incident = {
        id: newId(run.at),
        severity,
        openedAt: run.at,
        lastNotifiedAt: run.at,
        reminders: 0,
        cause: run.message,
      };
      events.push({ type: 'trigger', incident: { ...state.incident }, at: run.at, message: run.message });
    }
    return { state, events };
  }

  const incident = state.incident;
  if (incident.severity === 'degraded' && failedEnough) {
    incident.severity = 'failed';
    incident.cause = run.message;
    incident.lastNotifiedAt = run.at;
    events.push({ type: 'trigger', incident: { ...incident }, at: run.at, message: run.message });
  } else if (state.consecutivePassing >= policy.successThreshold) {
    events.push({
      type: 'resolve',
      incident: { ...incident },
      at: run.at,
      message: `recovered after ${state.consecutivePassing} passing run${state.consecutivePassing > 1 ? 's' : ''}`,
      durationMs: Math.max(0, run.at - incident.openedAt),
    });
    state.incident = undefined;
  } else {
    const due = reminder(state, run.at, policy);
    if (due) events.push(due);
  }
  return { state, events };
}

/** Between runs (a timer): a reminder if one is due. */
export function tick(
  previous: CheckState,
  now: number,
  policy: IncidentPolicy,
): { state: CheckState; events: AlertEvent[] } {
  if (!previous.incident) return { state: previous, events: [] };
  const state = { ...previous, incident: { ...previous.incident } };
  if (state.incident.lastNotifiedAt > now) state.incident.lastNotifiedAt = now;
  const due = reminder(state, now, policy);
  return { state, events: due ? [due] : [] };
}
