/**
 * The Pitchey request mix, as people use the platform: mostly browsing pitches with status and
 * genre filters and pages, opening pitch details and trending, and an authenticated share
 * (sessions of a user pool: my NDAs, who am I, NDA requests).
 */
import { GENRES } from '../../target/seed.ts';
import type { ScenarioInput } from '../scenario.ts';

type Requests = ScenarioInput['requests'];

export const PITCHEY_MIX: Requests = [
  {
    name: 'pitches',
    weight: 35,
    path: '/api/pitches?status={status}&genre={genre}&page={page}&limit=20',
    vars: { status: ['published', 'funded'], genre: [...GENRES], page: { min: 1, max: 10 } },
    checks: { status: [200], jsonHas: ['items', 'total'] },
  },
  {
    name: 'pitches-all',
    weight: 10,
    path: '/api/pitches?page={page}',
    vars: { page: { min: 1, max: 50 } },
    checks: { status: [200], jsonHas: ['items'] },
  },
  {
    name: 'pitch',
    weight: 25,
    path: '/api/pitches/{id}',
    vars: { id: { min: 1, max: 5000 } },
    checks: { status: [200], jsonHas: ['id', 'title'] },
  },
  { name: 'trending', weight: 15, path: '/api/trending', checks: { status: [200], jsonHas: ['items'] } },
  {
    name: 'my-ndas',
    weight: 7,
    path: '/api/ndas',
    auth: true,
    checks: { status: [200], jsonHas: ['items'] },
  },
  { name: 'me', weight: 5, path: '/api/users/me', auth: true, checks: { status: [200], jsonHas: ['id'] } },
  {
    name: 'request-nda',
    weight: 3,
    method: 'POST',
    path: '/api/ndas',
    body: { pitchId: '{id}' },
    vars: { id: { min: 1, max: 5000 } },
    auth: true,
    // A repeated request for the same pitch is answered 409: expected, not an error.
    expectedStatuses: [201, 409],
    checks: { status: [201, 409] },
  },
];

/** The thresholds every Pitchey load scenario keeps, per request name (k6 syntax). */
export const PER_NAME_THRESHOLDS: Record<string, string[]> = {
  'http_req_duration{name:pitches}': ['p(95)<200'],
  'http_req_duration{name:pitch}': ['p(95)<200'],
  'http_req_duration{name:trending}': ['p(95)<200'],
};

/** Users logged in during setup; their sessions are reused by the authenticated requests. */
export const USER_POOL = 20;
