/**
 * An example of a user's scenario (README, "Scenarios are yours"): anonymous visitors who only
 * browse — filtered lists, pitch pages and trending — at the profile's rate. Run it with
 * `npm run test:performance -- --suite load --scenario browse-heavy`, size capacity on it with
 * `npm run capacity -- --scenario browse-heavy`; `npm run load:k6-export` writes it for k6.
 */
import { GENRES } from '../../target/seed.ts';
import type { ScenarioInput } from '../scenario.ts';
import { defineScenario } from './registry.ts';

export default defineScenario(
  (shape): ScenarioInput => ({
    name: 'browse-heavy',
    description: 'Anonymous visitors browsing: lists, pitch pages and trending, no sign-in.',
    executor: 'constant-arrival-rate',
    rate: shape.rate,
    timeUnit: '1s',
    duration: shape.duration,
    preAllocatedVUs: Math.max(10, Math.ceil(shape.rate / 10)),
    maxVUs: Math.max(50, Math.ceil(shape.rate)),
    requests: [
      {
        name: 'pitches',
        weight: 50,
        path: '/api/pitches?genre={genre}&page={page}&limit=20',
        vars: { genre: [...GENRES], page: { min: 1, max: 10 } },
        checks: { status: [200], jsonHas: ['items'] },
      },
      {
        name: 'pitch',
        weight: 35,
        path: '/api/pitches/{id}',
        vars: { id: { min: 1, max: 5000 } },
        checks: { status: [200, 404] },
        expectedStatuses: [200, 404],
      },
      { name: 'trending', weight: 15, path: '/api/trending', checks: { status: [200], jsonHas: ['items'] } },
    ],
    thresholds: { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.005'] },
  }),
);
