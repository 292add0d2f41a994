/**
 * The shipped Pitchey scenarios: smoke, average-load, stress, spike, soak and breakpoint.
 * Their shape (rates, durations) comes from the profile, never their thresholds.
 */
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { parseScenario, type Scenario, type ScenarioInput } from '../scenario.ts';
import { PER_NAME_THRESHOLDS, PITCHEY_MIX, USER_POOL } from './pitchey-mix.ts';

export interface LoadShape {
  /** The average arrival rate, requests per second. */
  rate: number;
  /** How long average-load, stress and spike last. */
  duration: string;
  /** Iterations of the smoke scenario's single VU. */
  smokeIterations: number;
  /** How long soak lasts (nightly). */
  soakDuration: string;
  /** The rate breakpoint ramps up to. */
  breakpointRate: number;
}

export const SCENARIO_NAMES = ['smoke', 'average-load', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** A part of a duration, rounded to whole seconds (k6 durations read best that way). */
const part = (duration: string, fraction: number) =>
  formatDuration(Math.max(1000, Math.round(((parseDuration(duration) as number) * fraction) / 1000) * 1000));

/** Room for latency: at most this many requests in flight before new ones wait (maxVUs). */
const vusFor = (rate: number) => ({
  preAllocatedVUs: Math.max(10, Math.ceil(rate / 10)),
  maxVUs: Math.max(50, Math.ceil(rate)),
});

const common = { requests: PITCHEY_MIX, users: USER_POOL };

export function scenarioInputs(shape: LoadShape): Record<ScenarioName, ScenarioInput> {
  const { rate, duration } = shape;
  return {
    smoke: {
      ...common,
      name: 'smoke',
      description: 'One VU walks the mix: every request must answer correctly.',
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: shape.smokeIterations,
      maxDuration: '2m',
      thresholds: { checks: ['rate==1'], http_req_failed: ['rate==0'] },
    },
    'average-load': {
      ...common,
      name: 'average-load',
      description: 'The usual arrival rate, held: the roadmap targets must hold.',
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration,
      ...vusFor(rate),
      thresholds: { ...PER_NAME_THRESHOLDS, checks: ['rate>0.99'] },
    },
    stress: {
      ...common,
      name: 'stress',
      description: 'Twice the usual rate, ramped up, held and ramped down.',
      executor: 'ramping-arrival-rate',
      startRate: Math.ceil(rate / 2),
      timeUnit: '1s',
      stages: [
        { duration: part(duration, 0.2), target: rate * 2 },
        { duration: part(duration, 0.6), target: rate * 2 },
        { duration: part(duration, 0.2), target: Math.ceil(rate / 2) },
      ],
      ...vusFor(rate * 2),
      thresholds: { ...PER_NAME_THRESHOLDS, checks: ['rate>0.99'] },
    },
    spike: {
      ...common,
      name: 'spike',
      description: 'A sudden burst to five times the usual rate, and back.',
      executor: 'ramping-arrival-rate',
      startRate: rate,
      timeUnit: '1s',
      stages: [
        { duration: part(duration, 0.3), target: rate },
        { duration: part(duration, 0.1), target: rate * 5 },
        { duration: part(duration, 0.2), target: rate * 5 },
        { duration: part(duration, 0.1), target: rate },
        { duration: part(duration, 0.3), target: rate },
      ],
      ...vusFor(rate * 5),
      thresholds: { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] },
    },
    soak: {
      ...common,
      name: 'soak',
      description: 'The usual rate for a long time (nightly): leaks and drift show here.',
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: shape.soakDuration,
      ...vusFor(rate),
      thresholds: { ...PER_NAME_THRESHOLDS, checks: ['rate>0.99'] },
    },
    breakpoint: {
      ...common,
      name: 'breakpoint',
      description: 'The arrival rate ramps up until a threshold breaks (capacity).',
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      stages: [{ duration, target: shape.breakpointRate }],
      ...vusFor(shape.breakpointRate),
      thresholds: {
        http_req_duration: [{ threshold: 'p(95)<200', abortOnFail: true, delayAbortEval: '5s' }],
        http_req_failed: [{ threshold: 'rate<0.005', abortOnFail: true, delayAbortEval: '5s' }],
      },
    },
  };
}

/** The shipped scenarios for a shape, validated. */
export function shippedScenarios(shape: LoadShape): Record<ScenarioName, Scenario> {
  const inputs = scenarioInputs(shape);
  return Object.fromEntries(SCENARIO_NAMES.map((name) => [name, parseScenario(inputs[name])])) as Record<
    ScenarioName,
    Scenario
  >;
}
