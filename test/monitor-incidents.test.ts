import { describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  advance,
  type CheckState,
  INITIAL_STATE,
  type IncidentPolicy,
  type Outcome,
  tick,
} from '../monitor/incidents.ts';
import { NO_RETRY, retryDelayMs } from '../monitor/retry.ts';

const POLICY: IncidentPolicy = {
  failureThreshold: 3,
  failingForMs: 0,
  successThreshold: 2,
  reminderEveryMs: 0,
  alertOnDegraded: false,
};

/** Feeds runs 30 s apart; returns every event and the final state. */
function play(outcomes: Outcome[], policy = POLICY, start: CheckState = INITIAL_STATE, t0 = 1_000_000) {
  let state = start;
  const events: AlertEvent[] = [];
  outcomes.forEach((outcome, i) => {
    const at = t0 + i * 30_000;
    const out = advance(
      state,
      { outcome, at, message: outcome === 'pass' ? '' : `${outcome} at ${i}` },
      policy,
      (t) => `c@${t}`,
    );
    state = out.state;
    events.push(...out.events);
  });
  return { state, events, types: events.map((e) => e.type) };
}

describe('incident state machine', () => {
  it('opens after N consecutive failures and resolves after M passes: one trigger, one resolve', () => {
    const { types, events, state } = play([
      'pass',
      'fail',
      'fail',
      'pass',
      'fail',
      'fail',
      'fail',
      'fail',
      'fail',
      'pass',
      'fail',
      'pass',
      'pass',
      'pass',
    ]);
    expect(types).toEqual(['trigger', 'resolve']);
    expect(events[0]?.incident.id).toBe(`c@${1_000_000 + 6 * 30_000}`);
    expect(events[0]?.message).toBe('fail at 6');
    expect(events[1]?.incident.id).toBe(events[0]?.incident.id);
    expect(events[1]).toMatchObject({ durationMs: 6 * 30_000 });
    expect(state.incident).toBeUndefined();
  });

  it('degraded is not failed: no incident unless degraded alerts are on, then a warning that escalates in place', () => {
    expect(play(['degraded', 'degraded', 'degraded', 'degraded']).types).toEqual([]);
    const policy = { ...POLICY, alertOnDegraded: true };
    const { events } = play(
      ['degraded', 'degraded', 'degraded', 'fail', 'fail', 'fail', 'pass', 'pass'],
      policy,
    );
    expect(events.map((e) => `${e.type}:${e.incident.severity}`)).toEqual([
      'trigger:degraded',
      'trigger:failed',
      'resolve:failed',
    ]);
    expect(new Set(events.map((e) => e.incident.id)).size).toBe(1);
  });

  it('a failed incident is not resolved by degraded runs when degraded alerts are on', () => {
    const policy = { ...POLICY, alertOnDegraded: true };
    expect(play(['fail', 'fail', 'fail', 'degraded', 'degraded', 'degraded'], policy).types).toEqual([
      'trigger',
    ]);
    expect(play(['fail', 'fail', 'fail', 'degraded', 'degraded'], POLICY).types).toEqual([
      'trigger',
      'resolve',
    ]);
  });

  it('opens after T minutes failing even before N runs', () => {
    const policy = { ...POLICY, failureThreshold: 10, failingForMs: 60_000 };
    const { types, events } = play(['fail', 'fail', 'fail'], policy);
    expect(types).toEqual(['trigger']);
    expect(events[0]?.at).toBe(1_000_000 + 60_000);
  });

  it('reminds at the interval while open, one at a time however far the clock jumps', () => {
    const policy = { ...POLICY, reminderEveryMs: 60_000 };
    const { types, state } = play(['fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail'], policy);
    // Opened at run 3 (t=60 s); runs at 90…180 s: reminders at 120 and 180 s.
    expect(types).toEqual(['trigger', 'reminder', 'reminder']);
    expect(state.incident?.reminders).toBe(2);
    const jumped = tick(state, 1_000_000 + 86_400_000, policy);
    expect(jumped.events.map((e) => e.type)).toEqual(['reminder']);
    expect(tick(jumped.state, 1_000_000 + 86_400_000 + 1_000, policy).events).toEqual([]);
    // A clock jumping back re-anchors the reminder instead of holding it for a day.
    const back = tick(jumped.state, 1_000_000, policy);
    expect(back.events).toEqual([]);
    expect(tick(back.state, 1_000_000 + 60_000, policy).events.map((e) => e.type)).toEqual(['reminder']);
  });

  it('picks up from a stored state: recovered while down resolves exactly once', () => {
    const open = play(['fail', 'fail', 'fail']).state;
    const restored = JSON.parse(JSON.stringify(open)) as CheckState;
    const { types } = play(['pass', 'pass', 'pass', 'pass'], POLICY, restored, 5_000_000);
    expect(types).toEqual(['resolve']);
  });
});

describe('retry policy', () => {
  const base = { maxAttempts: 4, baseBackoffMs: 1_000, maxBackoffMs: 3_000, onlyNetworkErrors: false };
  it('waits as the strategy says, up to the cap and the attempt count', () => {
    const delays = (strategy: 'fixed' | 'linear' | 'exponential') =>
      [2, 3, 4, 5].map((n) => retryDelayMs({ ...base, strategy }, n, 'http'));
    expect(delays('fixed')).toEqual([1_000, 1_000, 1_000, undefined]);
    expect(delays('linear')).toEqual([1_000, 2_000, 3_000, undefined]);
    expect(delays('exponential')).toEqual([1_000, 2_000, 3_000, undefined]);
    expect(retryDelayMs(NO_RETRY, 2, 'network')).toBeUndefined();
  });
  it('retries only network errors and timeouts when asked', () => {
    const policy = { ...base, strategy: 'fixed' as const, onlyNetworkErrors: true };
    expect(retryDelayMs(policy, 2, 'assertion')).toBeUndefined();
    expect(retryDelayMs(policy, 2, 'timeout')).toBe(1_000);
    expect(retryDelayMs(policy, 2, 'network')).toBe(1_000);
  });
});
