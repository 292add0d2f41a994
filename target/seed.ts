/**
 * Deterministic seed data for the embedded Pitchey: the same rows on every start, so runs are
 * comparable. Pure: produces rows, writes nothing.
 */
import { integerBetween, pick, seededRandom } from '../core/random.ts';

export const ROLES = ['creator', 'investor', 'production'] as const;
export type Role = (typeof ROLES)[number];

export const STATUSES = ['draft', 'published', 'in_review', 'funded', 'archived'] as const;
export type PitchStatus = (typeof STATUSES)[number];

export const GENRES = [
  'drama',
  'comedy',
  'thriller',
  'horror',
  'sci-fi',
  'documentary',
  'animation',
  'romance',
  'action',
  'fantasy',
] as const;
export type Genre = (typeof GENRES)[number];

/** Every seeded user signs in with this password (the embedded target is a test system). */
export const DEMO_PASSWORD = 'pitchey-demo';

export const SEED_SIZES = { users: 1000, pitches: 5000, ndas: 2500 } as const;
const ROLE_COUNTS: Record<Role, number> = { creator: 400, investor: 450, production: 150 };

/** Fixed clock for created_at values, so the seed does not depend on when the target starts. */
export const SEED_EPOCH_MS = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
}
export interface PitchRow {
  id: number;
  creatorId: number;
  title: string;
  logline: string;
  genre: Genre;
  status: PitchStatus;
  budgetUsd: number;
  views: number;
  createdAt: number;
}
export interface NdaRow {
  pitchId: number;
  userId: number;
  status: 'pending' | 'approved' | 'rejected';
  createdAt: number;
}

/** The email of the n-th (1-based) seeded user of a role, e.g. investor1@pitchey.test. */
export function seededEmail(role: Role, n: number): string {
  return `${role}${n}@pitchey.test`;
}

const FIRST = [
  'Ada',
  'Bea',
  'Cal',
  'Dev',
  'Eli',
  'Fay',
  'Gus',
  'Hal',
  'Ivy',
  'Jo',
  'Kai',
  'Lou',
  'Mo',
  'Nia',
];
const LAST = ['Okafor', 'Ngata', 'Silva', 'Moreau', 'Tanaka', 'Ivanova', 'Dube', 'Kowalski', 'Haddad'];
const ADJECTIVES = ['Silent', 'Broken', 'Golden', 'Last', 'Hidden', 'Electric', 'Northern', 'Paper', 'Red'];
const NOUNS = ['Harbour', 'Signal', 'Orchard', 'Kingdom', 'Frequency', 'Winter', 'Engine', 'Garden', 'Tide'];

export function seedUsers(seed = 1): UserRow[] {
  const random = seededRandom(seed);
  const users: UserRow[] = [];
  for (const role of ROLES) {
    for (let n = 1; n <= ROLE_COUNTS[role]; n++) {
      users.push({
        id: users.length + 1,
        email: seededEmail(role, n),
        name: `${pick(random, FIRST)} ${pick(random, LAST)}`,
        role,
        createdAt: SEED_EPOCH_MS - integerBetween(random, 0, YEAR_MS),
      });
    }
  }
  return users;
}

export function seedPitches(users: readonly UserRow[], seed = 2): PitchRow[] {
  const random = seededRandom(seed);
  const creators = users.filter((u) => u.role === 'creator');
  const pitches: PitchRow[] = [];
  for (let id = 1; id <= SEED_SIZES.pitches; id++) {
    const genre = pick(random, GENRES);
    // Most pitches are live; a realistic minority are drafts, in review, funded or archived.
    const roll = random();
    const status: PitchStatus =
      roll < 0.6
        ? 'published'
        : roll < 0.72
          ? 'draft'
          : roll < 0.84
            ? 'in_review'
            : roll < 0.92
              ? 'funded'
              : 'archived';
    pitches.push({
      id,
      creatorId: pick(random, creators).id,
      title: `The ${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${id}`,
      logline: `A ${genre} about ${pick(random, ['a family', 'a detective', 'two rivals', 'a city', 'a robot'])} facing ${pick(random, ['a storm', 'the past', 'an impossible deal', 'the end of the world', 'a secret'])}.`,
      genre,
      status,
      budgetUsd: integerBetween(random, 50, 20_000) * 1000,
      views: Math.floor(random() ** 3 * 50_000),
      createdAt: SEED_EPOCH_MS - integerBetween(random, 0, YEAR_MS),
    });
  }
  return pitches;
}

export function seedNdas(users: readonly UserRow[], pitches: readonly PitchRow[], seed = 3): NdaRow[] {
  const random = seededRandom(seed);
  const requesters = users.filter((u) => u.role !== 'creator');
  const visible = pitches.filter((p) => p.status === 'published' || p.status === 'funded');
  const seen = new Set<string>();
  const ndas: NdaRow[] = [];
  while (ndas.length < SEED_SIZES.ndas) {
    const pitch = pick(random, visible);
    const user = pick(random, requesters);
    const key = `${pitch.id}:${user.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ndas.push({
      pitchId: pitch.id,
      userId: user.id,
      status: pick(random, ['pending', 'pending', 'approved', 'rejected'] as const),
      createdAt: pitch.createdAt + integerBetween(random, 0, 30 * 24 * 3600 * 1000),
    });
  }
  return ndas;
}
