import { describe, expect, it } from 'vitest';
import { GENRES, ROLES, STATUSES, seedNdas, seedPitches, seedUsers } from '../target/seed.ts';

describe('seed', () => {
  const users = seedUsers();
  const pitches = seedPitches(users);
  const ndas = seedNdas(users, pitches);

  it('is deterministic', () => {
    const again = seedUsers();
    expect(again).toEqual(users);
    expect(seedPitches(again)).toEqual(pitches);
    expect(seedNdas(again, pitches)).toEqual(ndas);
  });

  it('has 1,000 users in every role and 5,000 pitches across statuses and genres', () => {
    expect(users).toHaveLength(1000);
    for (const role of ROLES) expect(users.filter((u) => u.role === role).length).toBeGreaterThan(100);
    expect(new Set(users.map((u) => u.email)).size).toBe(1000);
    expect(pitches.length).toBeGreaterThanOrEqual(5000);
    for (const status of STATUSES) expect(pitches.some((p) => p.status === status)).toBe(true);
    for (const genre of GENRES) expect(pitches.some((p) => p.genre === genre)).toBe(true);
  });

  it('has unique NDAs from investors and production companies on visible pitches', () => {
    expect(new Set(ndas.map((n) => `${n.pitchId}:${n.userId}`)).size).toBe(ndas.length);
    const roleOf = new Map(users.map((u) => [u.id, u.role]));
    const statusOf = new Map(pitches.map((p) => [p.id, p.status]));
    for (const n of ndas) {
      expect(roleOf.get(n.userId)).not.toBe('creator');
      expect(['published', 'funded']).toContain(statusOf.get(n.pitchId));
    }
  });
});
