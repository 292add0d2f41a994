/**
 * The embedded target's database: SQLite in memory, schema and seed at open, the roadmap's
 * indexes, and the queries the API and pages run. Every query lives here so a dropped index
 * shows up in every caller.
 */
import Database from 'better-sqlite3';
import type { Genre, PitchStatus, Role } from './seed.ts';
import { seedNdas, seedPitches, seedUsers } from './seed.ts';

/** The indexes the roadmap adds in week 1 ("Add critical indexes"). */
export const ROADMAP_INDEXES = {
  idx_pitches_status_created: 'CREATE INDEX idx_pitches_status_created ON pitches(status, created_at DESC)',
  idx_users_email: 'CREATE INDEX idx_users_email ON users(email)',
  idx_ndas_pitch_user: 'CREATE INDEX idx_ndas_pitch_user ON ndas(pitch_id, user_id)',
} as const;

const SCHEMA = `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('creator', 'investor', 'production')),
    password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE pitches (
    id INTEGER PRIMARY KEY, creator_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL,
    logline TEXT NOT NULL, genre TEXT NOT NULL, status TEXT NOT NULL, budget_usd INTEGER NOT NULL,
    views INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE ndas (
    id INTEGER PRIMARY KEY, pitch_id INTEGER NOT NULL REFERENCES pitches(id),
    user_id INTEGER NOT NULL REFERENCES users(id), status TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE sessions (
    token TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), expires_at INTEGER NOT NULL);
`;

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
}
export interface Pitch {
  id: number;
  creatorId: number;
  creatorName: string;
  title: string;
  logline: string;
  genre: Genre;
  status: PitchStatus;
  budgetUsd: number;
  views: number;
  ndaCount: number;
  createdAt: string;
}
export interface Nda {
  id: number;
  pitchId: number;
  pitchTitle: string;
  userId: number;
  status: string;
  createdAt: string;
}
export interface PitchFilter {
  status?: PitchStatus | undefined;
  genre?: Genre | undefined;
  page: number;
  limit: number;
}

const PITCH_COLUMNS = `p.id, p.creator_id AS creatorId, u.name AS creatorName, p.title, p.logline, p.genre,
  p.status, p.budget_usd AS budgetUsd, p.views,
  (SELECT COUNT(*) FROM ndas n WHERE n.pitch_id = p.id) AS ndaCount, p.created_at AS createdAt`;

type PitchRecord = Omit<Pitch, 'createdAt'> & { createdAt: number };
const toPitch = (row: PitchRecord): Pitch => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });
type NdaRecord = Omit<Nda, 'createdAt'> & { createdAt: number };
const toNda = (row: NdaRecord): Nda => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });

export class PitcheyDb {
  readonly sqlite: Database.Database;

  constructor(passwordHash: string) {
    this.sqlite = new Database(':memory:');
    // A server database has no automatic indexes: without this SQLite builds a transient index
    // for an unindexed join and hides the cost of a dropped roadmap index.
    this.sqlite.pragma('automatic_index = OFF');
    this.sqlite.exec(SCHEMA);
    this.seed(passwordHash);
    this.createIndexes();
  }

  private seed(passwordHash: string): void {
    const users = seedUsers();
    const pitches = seedPitches(users);
    const ndas = seedNdas(users, pitches);
    const insertUser = this.sqlite.prepare(
      'INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertPitch = this.sqlite.prepare(
      `INSERT INTO pitches (id, creator_id, title, logline, genre, status, budget_usd, views, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertNda = this.sqlite.prepare(
      'INSERT INTO ndas (pitch_id, user_id, status, created_at) VALUES (?, ?, ?, ?)',
    );
    this.sqlite.transaction(() => {
      for (const u of users) insertUser.run(u.id, u.email, u.name, u.role, passwordHash, u.createdAt);
      for (const p of pitches) {
        insertPitch.run(
          p.id,
          p.creatorId,
          p.title,
          p.logline,
          p.genre,
          p.status,
          p.budgetUsd,
          p.views,
          p.createdAt,
          p.createdAt,
        );
      }
      for (const n of ndas) insertNda.run(n.pitchId, n.userId, n.status, n.createdAt);
    })();
  }

  createIndexes(): void {
    for (const [name, sql] of Object.entries(ROADMAP_INDEXES)) {
      if (!this.hasIndex(name)) this.sqlite.exec(sql);
    }
  }

  dropIndexes(): void {
    for (const name of Object.keys(ROADMAP_INDEXES)) this.sqlite.exec(`DROP INDEX IF EXISTS ${name}`);
  }

  hasIndex(name: string): boolean {
    return (
      this.sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !==
      undefined
    );
  }

  /** The plan SQLite picks for the pitch list query: shows whether the roadmap index is used. */
  explainListPitches(filter: PitchFilter): string {
    const { sql, params } = listPitchesQuery(filter);
    const rows = this.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail).join('; ');
  }

  ping(): void {
    this.sqlite.prepare('SELECT 1').get();
  }

  get isOpen(): boolean {
    return this.sqlite.open;
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  countPitches(): number {
    return (this.sqlite.prepare('SELECT COUNT(*) AS n FROM pitches').get() as { n: number }).n;
  }

  listPitches(filter: PitchFilter): { items: Pitch[]; total: number } {
    const { sql, params, countSql } = listPitchesQuery(filter);
    const items = (this.sqlite.prepare(sql).all(...params) as PitchRecord[]).map(toPitch);
    const { n } = this.sqlite.prepare(countSql).get(...params.slice(0, -2)) as { n: number };
    return { items, total: n };
  }

  getPitch(id: number): Pitch | undefined {
    const row = this.sqlite
      .prepare(`SELECT ${PITCH_COLUMNS} FROM pitches p JOIN users u ON u.id = p.creator_id WHERE p.id = ?`)
      .get(id) as PitchRecord | undefined;
    return row && toPitch(row);
  }

  /** Live pitches ranked by interest: views plus NDA requests (an NDA weighs 50 views). */
  trending(limit = 10): Pitch[] {
    const rows = this.sqlite
      .prepare(
        `SELECT ${PITCH_COLUMNS} FROM pitches p JOIN users u ON u.id = p.creator_id
         WHERE p.status = 'published'
         ORDER BY p.views + 50 * (SELECT COUNT(*) FROM ndas n WHERE n.pitch_id = p.id) DESC, p.id
         LIMIT ?`,
      )
      .all(limit) as PitchRecord[];
    return rows.map(toPitch);
  }

  updatePitch(id: number, changes: { title?: string | undefined; status?: PitchStatus | undefined }): void {
    const current = this.sqlite.prepare('SELECT title, status FROM pitches WHERE id = ?').get(id) as
      | { title: string; status: string }
      | undefined;
    if (!current) return;
    this.sqlite
      .prepare('UPDATE pitches SET title = ?, status = ?, updated_at = ? WHERE id = ?')
      .run(changes.title ?? current.title, changes.status ?? current.status, Date.now(), id);
  }

  findUserByEmail(email: string): (User & { passwordHash: string }) | undefined {
    return this.sqlite
      .prepare('SELECT id, email, name, role, password_hash AS passwordHash FROM users WHERE email = ?')
      .get(email) as (User & { passwordHash: string }) | undefined;
  }

  getUser(id: number): User | undefined {
    return this.sqlite.prepare('SELECT id, email, name, role FROM users WHERE id = ?').get(id) as
      | User
      | undefined;
  }

  createSession(token: string, userId: number, expiresAt: number): void {
    this.sqlite
      .prepare('INSERT INTO sessions (token, user_id, expires_at) VALUES (?, ?, ?)')
      .run(token, userId, expiresAt);
  }

  sessionUser(token: string, now: number): User | undefined {
    return this.sqlite
      .prepare(
        `SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token = ? AND s.expires_at > ?`,
      )
      .get(token, now) as User | undefined;
  }

  hasNda(pitchId: number, userId: number): boolean {
    return (
      this.sqlite.prepare('SELECT 1 FROM ndas WHERE pitch_id = ? AND user_id = ?').get(pitchId, userId) !==
      undefined
    );
  }

  createNda(pitchId: number, userId: number): Nda {
    const now = Date.now();
    const { lastInsertRowid } = this.sqlite
      .prepare("INSERT INTO ndas (pitch_id, user_id, status, created_at) VALUES (?, ?, 'pending', ?)")
      .run(pitchId, userId, now);
    const nda = this.ndasWhere('n.id = ?', Number(lastInsertRowid))[0];
    if (!nda) throw new Error('NDA vanished after insert');
    return nda;
  }

  /** NDAs the user requested, newest first. */
  ndasOf(userId: number): Nda[] {
    return this.ndasWhere('n.user_id = ?', userId);
  }

  /** A creator's own pitches, newest first. */
  pitchesOf(creatorId: number): Pitch[] {
    const rows = this.sqlite
      .prepare(
        `SELECT ${PITCH_COLUMNS} FROM pitches p JOIN users u ON u.id = p.creator_id
         WHERE p.creator_id = ? ORDER BY p.created_at DESC`,
      )
      .all(creatorId) as PitchRecord[];
    return rows.map(toPitch);
  }

  /** The first trending pitch the user has not requested an NDA for (the dashboard suggests it). */
  suggestedPitchFor(userId: number): Pitch | undefined {
    return this.trending(50).find((p) => p.creatorId !== userId && !this.hasNda(p.id, userId));
  }

  private ndasWhere(where: string, param: number): Nda[] {
    const rows = this.sqlite
      .prepare(
        `SELECT n.id, n.pitch_id AS pitchId, p.title AS pitchTitle, n.user_id AS userId, n.status,
                n.created_at AS createdAt
         FROM ndas n JOIN pitches p ON p.id = n.pitch_id WHERE ${where} ORDER BY n.created_at DESC, n.id DESC`,
      )
      .all(param) as NdaRecord[];
    return rows.map(toNda);
  }
}

function listPitchesQuery(filter: PitchFilter): {
  sql: string;
  countSql: string;
  params: (string | number)[];
} {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.status) {
    where.push('p.status = ?');
    params.push(filter.status);
  }
  if (filter.genre) {
    where.push('p.genre = ?');
    params.push(filter.genre);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return {
    sql: `SELECT ${PITCH_COLUMNS} FROM pitches p JOIN users u ON u.id = p.creator_id ${whereSql}
          ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?`,
    countSql: `SELECT COUNT(*) AS n FROM pitches p ${whereSql}`,
    params: [...params, filter.limit, (filter.page - 1) * filter.limit],
  };
}
