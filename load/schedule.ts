/**
 * The open model's schedule (pure): when iteration i is meant to start, in ms from the
 * scenario's start, spread evenly along the arrival rate as wrk2 does, never in bursts per
 * second. Ramping stages interpolate the rate linearly, as k6's ramping-arrival-rate does.
 */
import { ms, type Scenario } from './scenario.ts';

interface Segment {
  start: number; // ms from scenario start
  length: number; // ms
  /** Iterations per ms at the segment's start and its change per ms. */
  rate: number;
  slope: number;
  /** Iterations scheduled before the segment. */
  before: number;
}

export interface Schedule {
  durationMs: number;
  /** Total iterations the schedule holds. */
  total: number;
  /** Intended start of iteration i (0-based), or undefined past the end. */
  at(i: number): number | undefined;
}

function segments(scenario: Scenario): Segment[] {
  if (scenario.executor === 'constant-arrival-rate') {
    const perMs = scenario.rate / ms(scenario.timeUnit);
    return [{ start: 0, length: ms(scenario.duration), rate: perMs, slope: 0, before: 0 }];
  }
  if (scenario.executor !== 'ramping-arrival-rate')
    throw new Error(`${scenario.executor} has no arrival schedule`);
  const unit = ms(scenario.timeUnit);
  const result: Segment[] = [];
  let start = 0;
  let from = scenario.startRate / unit;
  let before = 0;
  for (const stage of scenario.stages) {
    const length = ms(stage.duration);
    const to = stage.target / unit;
    const slope = length > 0 ? (to - from) / length : 0;
    result.push({ start, length, rate: from, slope, before });
    before += from * length + (slope * length * length) / 2;
    start += length;
    from = to;
  }
  return result;
}

/** Time into a segment at which `n` iterations have accumulated: solves rate·t + slope·t²/2 = n. */
function timeFor(segment: Segment, n: number): number {
  const { rate, slope } = segment;
  if (Math.abs(slope) < 1e-15) return rate > 0 ? n / rate : Number.POSITIVE_INFINITY;
  const discriminant = rate * rate + 2 * slope * n;
  if (discriminant < 0) return Number.POSITIVE_INFINITY;
  return (-rate + Math.sqrt(discriminant)) / slope;
}

export function arrivalSchedule(scenario: Scenario): Schedule {
  const parts = segments(scenario);
  const last = parts.at(-1) as Segment;
  const durationMs = last.start + last.length;
  const accumulated = last.before + last.rate * last.length + (last.slope * last.length * last.length) / 2;
  // Floating error must not add or lose an iteration at the end.
  const total = Math.ceil(accumulated - 1e-6);
  return {
    durationMs,
    total,
    at(i) {
      if (i < 0 || i >= total) return undefined;
      const segment = parts.findLast((s) => s.before <= i + 1e-9) ?? (parts[0] as Segment);
      const t = timeFor(segment, i - segment.before);
      return Number.isFinite(t) ? Math.min(segment.start + t, durationMs) : undefined;
    },
  };
}
