import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../target/app.ts';
import { DEMO_PASSWORD, GENRES, seededEmail } from '../target/seed.ts';
import type { RunningTarget } from '../target/server.ts';
import { json, withTarget } from './helpers.ts';

interface Pitch {
  id: number;
  status: string;
  genre: string;
  createdAt: string;
  ndaCount: number;
  creatorId: number;
}
interface PitchList {
  items: Pitch[];
  page: number;
  limit: number;
  total: number;
  pages: number;
}

let running: RunningTarget;
const get = (path: string, init?: RequestInit) => fetch(`${running.url}${path}`, init);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${running.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function login(email: string): Promise<string> {
  const res = await post('/api/auth/login', { email, password: DEMO_PASSWORD });
  expect(res.status).toBe(200);
  return (await json<{ token: string }>(res)).token;
}

beforeAll(async () => {
  running = await withTarget();
});
afterAll(() => running.close());

describe('GET /api/pitches', () => {
  it('pages through pitches newest first, 20 by default', async () => {
    const res = await get('/api/pitches');
    expect(res.status).toBe(200);
    const body = await json<PitchList>(res);
    expect(body.items).toHaveLength(20);
    expect(body).toMatchObject({ page: 1, limit: 20, total: 5000, pages: 250 });
    const times = body.items.map((p) => Date.parse(p.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by status and genre, and pages do not overlap', async () => {
    const one = await json<PitchList>(await get('/api/pitches?status=published&genre=drama&page=1&limit=50'));
    const two = await json<PitchList>(await get('/api/pitches?status=published&genre=drama&page=2&limit=50'));
    expect(one.total).toBeGreaterThan(100);
    expect(one.total).toBeLessThan(5000);
    for (const p of [...one.items, ...two.items])
      expect(p).toMatchObject({ status: 'published', genre: 'drama' });
    const ids = new Set(one.items.map((p) => p.id));
    expect(two.items.some((p) => ids.has(p.id))).toBe(false);
  });

  it('treats empty parameters as no filter, as a browser form sends them', async () => {
    const body = await json<PitchList>(await get('/api/pitches?status=&genre='));
    expect(body.total).toBe(5000);
  });

  it('returns an empty page past the end', async () => {
    const body = await json<PitchList>(await get('/api/pitches?page=10000&limit=100'));
    expect(body.items).toEqual([]);
  });

  it.each([
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['status=deleted', 'status'],
    ['genre=opera', 'genre'],
    ['sort=views', '(root)'],
  ])('rejects %s with a 400 naming the field', async (query, field) => {
    const res = await get(`/api/pitches?${query}`);
    expect(res.status).toBe(400);
    const body = await json<{ error: string; details: { field: string }[] }>(res);
    expect(body.details.map((d) => d.field)).toContain(field);
  });

  it('covers every genre in the seed', async () => {
    for (const genre of GENRES) {
      const body = await json<PitchList>(await get(`/api/pitches?genre=${genre}&limit=1`));
      expect(body.total, genre).toBeGreaterThan(0);
    }
  });
});

describe('GET /api/pitches/:id and /api/trending', () => {
  it('returns one pitch, and a JSON 404 when missing', async () => {
    const res = await get('/api/pitches/42');
    expect(res.status).toBe(200);
    expect(await json<Pitch>(res)).toMatchObject({ id: 42 });
    const missing = await get('/api/pitches/999999');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect((await json<{ error: string }>(missing)).error).toMatch(/999999/);
    expect((await get('/api/pitches/abc')).status).toBe(400);
  });

  it('ranks published pitches by interest', async () => {
    const body = await json<{ items: (Pitch & { views: number })[] }>(await get('/api/trending'));
    expect(body.items).toHaveLength(10);
    for (const p of body.items) expect(p.status).toBe('published');
    const scores = body.items.map((p) => p.views + 50 * p.ndaCount);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await get('/api/nothing');
    expect(res.status).toBe(404);
    expect(await json(res)).toHaveProperty('error');
  });
});

describe('cache', () => {
  it('serves repeated reads from the cache with the roadmap TTLs', async () => {
    const first = await get('/api/pitches?genre=comedy&page=7');
    const second = await get('/api/pitches?genre=comedy&page=7');
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await second.json()).toEqual(await first.json());
    await get('/api/trending');
    const trending = await get('/api/trending');
    expect(trending.headers.get('x-cache')).toBe('HIT');
    expect(trending.headers.get('cache-control')).toBe('public, max-age=60');
    await get('/api/pitches/77');
    expect((await get('/api/pitches/77')).headers.get('x-cache')).toBe('HIT');
  });

  it('drops a pitch, the lists and trending when an NDA changes them', async () => {
    const token = await login(seededEmail('investor', 7));
    const auth = { authorization: `Bearer ${token}` };
    const mine = await json<{ items: { pitchId: number }[] }>(await get('/api/ndas', { headers: auth }));
    const requested = new Set(mine.items.map((n) => n.pitchId));
    const trending = await json<{ items: Pitch[] }>(await get('/api/trending'));
    const top = trending.items.find((p) => !requested.has(p.id)) as Pitch;
    const before = await json<Pitch>(await get(`/api/pitches/${top.id}`));
    expect((await get(`/api/pitches/${top.id}`)).headers.get('x-cache')).toBe('HIT');
    await get('/api/pitches?status=published');
    expect((await get('/api/pitches?status=published')).headers.get('x-cache')).toBe('HIT');

    expect((await post('/api/ndas', { pitchId: top.id }, auth)).status).toBe(201);

    const after = await get(`/api/pitches/${top.id}`);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect((await json<Pitch>(after)).ndaCount).toBe(before.ndaCount + 1);
    expect((await get('/api/trending')).headers.get('x-cache')).toBe('MISS');
    expect((await get('/api/pitches?status=published')).headers.get('x-cache')).toBe('MISS');
  });

  it('drops a pitch from the cache when its creator changes it', async () => {
    const pitch = await json<Pitch>(await get('/api/pitches/10'));
    const token = await loginById(pitch.creatorId);
    const patch = (auth: string, title: string) =>
      fetch(`${running.url}/api/pitches/10`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
        body: JSON.stringify({ title }),
      });
    expect((await patch(token, 'Renamed by its creator')).status).toBe(200);
    const after = await get('/api/pitches/10');
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect((await json<{ title: string }>(after)).title).toBe('Renamed by its creator');
    expect((await patch(await login(seededEmail('investor', 1)), 'Hijacked')).status).toBe(403);
    expect((await patch('forged', 'Hijacked')).status).toBe(401);
  });
});

/** Creators are seeded first, so the creator with user id n is creator{n}. */
async function loginById(id: number): Promise<string> {
  const token = await login(seededEmail('creator', id));
  const me = await json<{ id: number }>(
    await get('/api/users/me', { headers: { authorization: `Bearer ${token}` } }),
  );
  expect(me.id).toBe(id);
  return token;
}

describe('auth', () => {
  it('logs in with email and password: a bearer token and an HttpOnly session cookie', async () => {
    const res = await post('/api/auth/login', { email: seededEmail('investor', 1), password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    const body = await json<{ token: string; user: { role: string; email: string }; expiresIn: number }>(res);
    expect(body.token.length).toBeGreaterThan(20);
    expect(body.user).toMatchObject({ role: 'investor', email: 'investor1@pitchey.test' });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.expiresIn).toBe(3600);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${SESSION_COOKIE}=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Max-Age=3600/);
  });

  it('refuses a wrong password with 401 and a malformed body with 400', async () => {
    expect(
      (await post('/api/auth/login', { email: seededEmail('investor', 1), password: 'nope' })).status,
    ).toBe(401);
    expect(
      (await post('/api/auth/login', { email: 'nobody@pitchey.test', password: DEMO_PASSWORD })).status,
    ).toBe(401);
    expect((await post('/api/auth/login', { email: 'not-an-email' })).status).toBe(400);
    const raw = await fetch(`${running.url}/api/auth/login`, { method: 'POST', body: 'garbage' });
    expect(raw.status).toBe(400);
  });

  it('GET /api/users/me needs a session, by bearer token or cookie', async () => {
    expect((await get('/api/users/me')).status).toBe(401);
    expect((await get('/api/users/me', { headers: { authorization: 'Bearer forged' } })).status).toBe(401);
    const token = await login(seededEmail('production', 3));
    const byBearer = await get('/api/users/me', { headers: { authorization: `Bearer ${token}` } });
    expect(byBearer.status).toBe(200);
    expect(await json(byBearer)).toMatchObject({ role: 'production', email: 'production3@pitchey.test' });
    const byCookie = await get('/api/users/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect(byCookie.status).toBe(200);
  });
});

describe('NDAs', () => {
  it('requests an NDA and lists it as mine, with 401/400/404/409/403 as appropriate', async () => {
    const token = await login(seededEmail('investor', 2));
    const auth = { authorization: `Bearer ${token}` };
    const pitchId = 4999;
    expect((await post('/api/ndas', { pitchId })).status).toBe(401);
    expect((await post('/api/ndas', { pitch: 'x' }, auth)).status).toBe(400);
    expect((await post('/api/ndas', { pitchId: 999999 }, auth)).status).toBe(404);

    const created = await post('/api/ndas', { pitchId }, auth);
    expect(created.status).toBe(201);
    const { nda } = await json<{ nda: { pitchId: number; status: string } }>(created);
    expect(nda).toMatchObject({ pitchId, status: 'pending' });
    expect((await post('/api/ndas', { pitchId }, auth)).status).toBe(409);

    const mine = await json<{ items: { pitchId: number; userId: number }[] }>(
      await get('/api/ndas', { headers: auth }),
    );
    expect(mine.items[0]).toMatchObject({ pitchId });
    const me = await json<{ id: number }>(await get('/api/users/me', { headers: auth }));
    for (const n of mine.items) expect(n.userId).toBe(me.id);
    expect((await get('/api/ndas')).status).toBe(401);

    const pitch = await json<Pitch>(await get(`/api/pitches/${pitchId}`));
    const creator = await loginById(pitch.creatorId);
    expect((await post('/api/ndas', { pitchId }, { authorization: `Bearer ${creator}` })).status).toBe(403);
  });
});

describe('health', () => {
  it('/health answers without dependencies, /health/ready checks database and cache', async () => {
    const live = await get('/health');
    expect(live.status).toBe(200);
    expect(await json(live)).toEqual({ status: 'ok' });
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({
      status: 'ready',
      failing: [],
      components: { database: { status: 'ok' }, cache: { status: 'ok' } },
    });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('/health/detailed reports each component with latency, version, uptime and memory', async () => {
    const body = await json<{
      status: string;
      version: string;
      uptimeSeconds: number;
      memory: { rssBytes: number };
      components: Record<string, { status: string; latencyMs: number }>;
    }>(await get('/health/detailed'));
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(body.uptimeSeconds).toBeGreaterThan(0);
    expect(body.memory.rssBytes).toBeGreaterThan(1e6);
    for (const name of ['database', 'cache']) {
      expect(body.components[name]?.status).toBe('ok');
      expect(body.components[name]?.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('readiness is 503 naming the database when the database is unavailable', async () => {
    const broken = await withTarget();
    try {
      broken.target.db.close();
      const res = await fetch(`${broken.url}/health/ready`);
      expect(res.status).toBe(503);
      const body = await json<{ status: string; failing: string[] }>(res);
      expect(body).toMatchObject({ status: 'not_ready', failing: ['database'] });
      expect((await fetch(`${broken.url}/health`)).status).toBe(200);
      expect((await fetch(`${broken.url}/health/detailed`)).status).toBe(503);
    } finally {
      await broken.close();
    }
  });
});
