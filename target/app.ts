/**
 * The embedded Pitchey: builds the database, cache and fault knobs and wires the HTTP routes
 * (API, pages, static assets, health, admin) on one Hono app.
 */
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import {
  blockingScript,
  CLIENT_SCRIPT,
  heroImage,
  ICON_SVG,
  oversizedHeroImage,
  STYLESHEET,
} from './assets.ts';
import { hashPassword, newSessionToken, verifyPassword } from './auth.ts';
import { CACHE_TTL_SECONDS, TtlCache } from './cache.ts';
import { type Pitch, PitcheyDb, type User } from './db.ts';
import { type FaultConfig, Faults, isActive, parseFaults } from './faults.ts';
import { browsePage, dashboardPage, homePage, loginPage, notFoundPage, pitchPage } from './pages.ts';
import { DEMO_PASSWORD, GENRES, STATUSES } from './seed.ts';

export const TARGET_VERSION = '0.1.0';
export const SESSION_COOKIE = 'pitchey_session';
const MAX_PAGE_SIZE = 100;

export interface TargetOptions {
  faults?: FaultConfig;
  /** Enables /admin/faults when set: requests must carry `Authorization: Bearer <token>`. */
  adminToken?: string | undefined;
}

export interface Target {
  app: Hono;
  db: PitcheyDb;
  cache: TtlCache;
  faults: Faults;
  applyFaults(config: FaultConfig): void;
  close(): void;
}

const listQuery = z
  .object({
    status: z.enum(STATUSES).optional(),
    genre: z.enum(GENRES).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  })
  .strict();
const loginBody = z.object({ email: z.string().email(), password: z.string().min(1) });
const ndaBody = z.object({ pitchId: z.number().int().positive() });
const pitchPatch = z
  .object({ title: z.string().min(1).max(200).optional(), status: z.enum(STATUSES).optional() })
  .strict();

function invalid(c: Context, error: z.ZodError, what: string) {
  return c.json(
    {
      error: `invalid ${what}`,
      details: error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message })),
    },
    400,
  );
}

/** Empty query values (`?status=`) mean "no filter", as a browser form sends them. */
function queryWithoutBlanks(c: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function createTarget(options: TargetOptions = {}): Promise<Target> {
  // One hash for every seeded user (same demo password): hashing 1,000 passwords with scrypt
  // would add seconds to every start for no measurement value.
  const db = new PitcheyDb(await hashPassword(DEMO_PASSWORD));
  const cache = new TtlCache();
  const faults = new Faults(options.faults ?? parseFaults({}, 'defaults'));
  const startedAt = Date.now();

  function applyFaults(config: FaultConfig): void {
    faults.replace(config);
    cache.enabled = !config.cacheOff;
    if (config.cacheOff) cache.clear();
    if (config.dropIndexes) db.dropIndexes();
    else db.createIndexes();
  }
  applyFaults(faults.config);

  function currentUser(c: Context): User | undefined {
    const bearer = c.req.header('authorization')?.match(/^Bearer (.+)$/i)?.[1];
    const token = bearer ?? getCookie(c, SESSION_COOKIE);
    if (!token) return undefined;
    return cache.read(`session:${token}`, CACHE_TTL_SECONDS.session, [`session:${token}`], () =>
      db.sessionUser(token, Date.now()),
    ).value;
  }

  async function login(email: string, password: string): Promise<{ token: string; user: User } | undefined> {
    const found = db.findUserByEmail(email.toLowerCase());
    if (!found || !(await verifyPassword(password, found.passwordHash))) return undefined;
    const token = newSessionToken();
    db.createSession(token, found.id, Date.now() + CACHE_TTL_SECONDS.session * 1000);
    const { passwordHash: _, ...user } = found;
    return { token, user };
  }

  function startSession(c: Context, token: string): void {
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: CACHE_TTL_SECONDS.session,
    });
  }

  function cached(c: Context, hit: boolean, maxAge: number): void {
    c.header('X-Cache', hit ? 'HIT' : 'MISS');
    c.header('Cache-Control', `public, max-age=${maxAge}`);
  }

  const trending = () =>
    cache.read('trending', CACHE_TTL_SECONDS.trending, ['trending'], () => db.trending(10));
  const pitchById = (id: number) =>
    cache.read(`pitch:${id}`, CACHE_TTL_SECONDS.pitches, [`pitch:${id}`], () => db.getPitch(id) ?? null);

  const app = new Hono();

  // Fault knobs act before any handler; /admin stays reachable so a stall can be lifted.
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/admin/')) return next();
    const stall = faults.stallRemainingMs();
    if (stall > 0) await sleep(stall);
    await faults.serve(c.req.path, sleep);
    const latency = faults.addedLatencyMs(c.req.path);
    if (latency > 0) await sleep(latency);
    if (faults.shouldFail(c.req.path)) return c.json({ error: 'injected fault: server error' }, 500);
    return next();
  });

  app.onError((error, c) => {
    console.error(`pitchey target: ${c.req.method} ${c.req.path} failed:`, error);
    return c.json({ error: 'internal server error' }, 500);
  });

  // ---- API ----
  app.get('/api/pitches', (c) => {
    const query = listQuery.safeParse(queryWithoutBlanks(c));
    if (!query.success) return invalid(c, query.error, 'query parameters');
    const key = `pitches:${JSON.stringify(query.data)}`;
    const { value, hit } = cache.read(key, CACHE_TTL_SECONDS.pitches, ['pitches'], () =>
      db.listPitches(query.data),
    );
    cached(c, hit, CACHE_TTL_SECONDS.pitches);
    const { page, limit } = query.data;
    return c.json({
      items: value.items,
      page,
      limit,
      total: value.total,
      pages: Math.ceil(value.total / limit),
    });
  });

  app.get('/api/pitches/:id', (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || id < 1) return c.json({ error: 'pitch id must be a positive integer' }, 400);
    const { value, hit } = pitchById(id);
    if (!value) return c.json({ error: `pitch ${id} not found` }, 404);
    cached(c, hit, CACHE_TTL_SECONDS.pitches);
    return c.json(value);
  });

  app.patch('/api/pitches/:id', async (c) => {
    const user = currentUser(c);
    if (!user) return c.json({ error: 'log in first: POST /api/auth/login' }, 401);
    const id = Number(c.req.param('id'));
    const pitch = Number.isInteger(id) ? db.getPitch(id) : undefined;
    if (!pitch) return c.json({ error: `pitch ${c.req.param('id')} not found` }, 404);
    if (pitch.creatorId !== user.id) return c.json({ error: 'only the pitch creator can change it' }, 403);
    const body = pitchPatch.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalid(c, body.error, 'pitch changes');
    db.updatePitch(id, body.data);
    cache.invalidate(`pitch:${id}`, 'pitches', 'trending');
    return c.json(db.getPitch(id));
  });

  app.get('/api/trending', (c) => {
    const { value, hit } = trending();
    cached(c, hit, CACHE_TTL_SECONDS.trending);
    return c.json({ items: value });
  });

  app.post('/api/auth/login', async (c) => {
    const body = loginBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalid(c, body.error, 'login body (expected JSON {"email", "password"})');
    const session = await login(body.data.email, body.data.password);
    if (!session) return c.json({ error: 'wrong email or password' }, 401);
    startSession(c, session.token);
    c.header('Cache-Control', 'no-store');
    return c.json({ token: session.token, user: session.user, expiresIn: CACHE_TTL_SECONDS.session });
  });

  app.get('/api/users/me', (c) => {
    const user = currentUser(c);
    c.header('Cache-Control', 'private, no-store');
    if (!user) return c.json({ error: 'log in first: POST /api/auth/login' }, 401);
    return c.json(user);
  });

  app.post('/api/ndas', async (c) => {
    const user = currentUser(c);
    if (!user) return c.json({ error: 'log in first: POST /api/auth/login' }, 401);
    const body = ndaBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalid(c, body.error, 'NDA request (expected JSON {"pitchId"})');
    const pitch = db.getPitch(body.data.pitchId);
    if (!pitch) return c.json({ error: `pitch ${body.data.pitchId} not found` }, 404);
    if (pitch.creatorId === user.id)
      return c.json({ error: 'you cannot request an NDA for your own pitch' }, 403);
    if (db.hasNda(pitch.id, user.id))
      return c.json({ error: `NDA for pitch ${pitch.id} already requested` }, 409);
    const nda = db.createNda(pitch.id, user.id);
    // The pitch's NDA count and the trending order both change.
    cache.invalidate(`pitch:${pitch.id}`, 'trending', 'pitches');
    return c.json({ nda }, 201);
  });

  app.get('/api/ndas', (c) => {
    const user = currentUser(c);
    c.header('Cache-Control', 'private, no-store');
    if (!user) return c.json({ error: 'log in first: POST /api/auth/login' }, 401);
    return c.json({ items: db.ndasOf(user.id) });
  });

  app.all('/api/*', (c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));

  // ---- Health, as the roadmap deploys it ----
  const noStore = (c: Context) => c.header('Cache-Control', 'no-store');

  app.get('/health', (c) => {
    noStore(c);
    return c.json({ status: 'ok' });
  });

  function checkComponents() {
    const timed = (check: () => void) => {
      const start = performance.now();
      try {
        check();
        return { status: 'ok' as const, latencyMs: performance.now() - start };
      } catch (error) {
        return {
          status: 'fail' as const,
          latencyMs: performance.now() - start,
          error: (error as Error).message,
        };
      }
    };
    return {
      database: timed(() => db.ping()),
      cache: timed(() => {
        if (!cache.probe()) throw new Error('cache probe read back nothing');
      }),
    };
  }

  app.get('/health/ready', (c) => {
    noStore(c);
    const components = checkComponents();
    const failing = Object.entries(components)
      .filter(([, v]) => v.status !== 'ok')
      .map(([k]) => k);
    return c.json(
      { status: failing.length ? 'not_ready' : 'ready', failing, components },
      failing.length ? 503 : 200,
    );
  });

  app.get('/health/detailed', (c) => {
    noStore(c);
    const components = checkComponents();
    const healthy = Object.values(components).every((v) => v.status === 'ok');
    const memory = process.memoryUsage();
    return c.json(
      {
        status: healthy ? 'ok' : 'degraded',
        version: TARGET_VERSION,
        uptimeSeconds: (Date.now() - startedAt) / 1000,
        memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal },
        components: {
          database: { ...components.database, pitches: healthy ? db.countPitches() : undefined },
          cache: { ...components.cache, enabled: cache.enabled, ...cache.stats() },
        },
        faultsActive: isActive(faults.config),
      },
      healthy ? 200 : 503,
    );
  });

  // ---- Static assets ----
  const immutable = 'public, max-age=31536000, immutable';
  app.get('/static/app.css', (c) =>
    c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': immutable }),
  );
  app.get('/static/app.js', (c) =>
    c.body(CLIENT_SCRIPT, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': immutable,
    }),
  );
  app.get('/static/icon.svg', (c) =>
    c.body(ICON_SVG, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': immutable }),
  );
  app.get('/static/hero.png', (c) =>
    c.body(new Uint8Array(heroImage()), 200, { 'Content-Type': 'image/png', 'Cache-Control': immutable }),
  );
  app.get('/static/hero-large.png', (c) =>
    c.body(new Uint8Array(oversizedHeroImage()), 200, {
      'Content-Type': 'image/png',
      'Cache-Control': 'no-cache',
    }),
  );
  app.get('/static/block.js', (c) => {
    const ms = Math.min(30_000, Math.max(0, Number(c.req.query('ms')) || 0));
    return c.body(blockingScript(ms), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-store',
    });
  });

  // ---- Pages ----
  const pageFaults = (c: Context) => faults.pageFaults(c.req.path);
  const page = (c: Context) => c.header('Cache-Control', 'private, no-cache');

  app.get('/', (c) => {
    page(c);
    return c.html(homePage(trending().value, currentUser(c), pageFaults(c)));
  });

  app.get('/browse', (c) => {
    page(c);
    const query = listQuery.safeParse({ ...queryWithoutBlanks(c), limit: '24' });
    const filter = query.success ? query.data : listQuery.parse({ limit: '24' });
    const key = `pitches:${JSON.stringify(filter)}`;
    const { value } = cache.read(key, CACHE_TTL_SECONDS.pitches, ['pitches'], () => db.listPitches(filter));
    return c.html(
      browsePage({ ...value, ...filter }, currentUser(c), pageFaults(c)),
      query.success ? 200 : 400,
    );
  });

  app.get('/pitch/:id', (c) => {
    page(c);
    const id = Number(c.req.param('id'));
    const pitch: Pitch | null = Number.isInteger(id) && id > 0 ? pitchById(id).value : null;
    if (!pitch) return c.html(notFoundPage(`There is no pitch ${c.req.param('id')}.`, pageFaults(c)), 404);
    const user = currentUser(c);
    return c.html(pitchPage(pitch, user, user ? db.hasNda(pitch.id, user.id) : false, pageFaults(c)));
  });

  const safeNext = (next: unknown) =>
    typeof next === 'string' && /^\/(?!\/)/.test(next) ? next : '/dashboard';

  app.get('/login', (c) => {
    page(c);
    return c.html(loginPage(safeNext(c.req.query('next')), undefined, pageFaults(c)));
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const session = await login(String(form.email ?? ''), String(form.password ?? ''));
    if (!session) return c.html(loginPage(next, 'Wrong email or password.', pageFaults(c)), 401);
    startSession(c, session.token);
    return c.redirect(next, 303);
  });

  app.get('/dashboard', (c) => {
    page(c);
    const user = currentUser(c);
    if (!user) return c.redirect('/login?next=/dashboard', 302);
    const view = {
      ndas: db.ndasOf(user.id),
      suggested: user.role === 'creator' ? undefined : db.suggestedPitchFor(user.id),
      myPitches: user.role === 'creator' ? db.pitchesOf(user.id) : [],
    };
    return c.html(dashboardPage(user, view, pageFaults(c)));
  });

  // ---- Admin: fault knobs at run time, only when a token is configured ----
  app.all('/admin/*', async (c, next) => {
    if (!options.adminToken)
      return c.json({ error: 'admin endpoint disabled: start with TARGET_ADMIN_TOKEN set' }, 404);
    if (c.req.header('authorization') !== `Bearer ${options.adminToken}`) {
      return c.json({ error: 'admin endpoint needs Authorization: Bearer <TARGET_ADMIN_TOKEN>' }, 401);
    }
    return next();
  });
  app.get('/admin/faults', (c) => c.json(faults.config));
  app.put('/admin/faults', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    try {
      applyFaults(parseFaults(body, 'PUT /admin/faults body'));
    } catch (error) {
      return c.json({ error: (error as Error).message }, 400);
    }
    return c.json(faults.config);
  });
  app.delete('/admin/faults', (c) => {
    applyFaults(parseFaults({}, 'defaults'));
    return c.json(faults.config);
  });

  app.notFound((c) => c.html(notFoundPage(`Nothing at ${c.req.path}.`, pageFaults(c)), 404));

  return { app, db, cache, faults, applyFaults, close: () => db.close() };
}
