/**
 * The monitor's storage: SQLite (better-sqlite3, WAL). Attempts (kept retentionDays), per-minute,
 * per-hour and per-day (UTC) rollups holding encoded HDR latency histograms (any window's P95 is
 * exact: the histograms merge) and, per latency SLO threshold, the answers within it (counted
 * from the runs themselves, so a latency SLI is exact and a 30-day window sums a few hundred
 * rows instead of decoding thousands of histograms), check states, SLO alert states, incidents
 * and the delivery outbox.
 * A run is stored in one transaction with the state and the alerts it led to, so kill -9 loses at
 * most what was in flight, and an alert promised is an alert stored.
 * A corrupt file, or one written by a newer schema, stops start-up (StoreError, exit 2).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PerfError } from '../core/errors.ts';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  histogramBins,
  mergeHistograms,
  recordMicros,
} from '../core/histogram.ts';
import type { AlertEvent, CheckState, OpenIncident, Outcome } from './incidents.ts';
import type { ErrorClass } from './retry.ts';
import type { CheckCounts, SloAlertState } from './slo.ts';

export const SCHEMA_VERSION = 2;

export class StoreError extends PerfError {}

export interface Attempt {
  check: string;
  runId: string;
  /** 1 for the first attempt of a run, 2 for its first retry… */
  attempt: number;
  startedAt: number;
  durationMs: number;
  ttfbMs?: number | undefined;
  outcome: Outcome;
  httpStatus?: number | undefined;
  errorClass?: ErrorClass | undefined;
  /** The assertion that failed, as written in the config. */
  failedAssertion?: string | undefined;
  message?: string | undefined;
  /** The cache's answer (X-Cache, CF-Cache-Status), lower-cased: hit, miss, dynamic… */
  cache?: string | undefined;
  /** The maintenance window the run fell in. */
  maintenance?: string | undefined;
  /** The monitor itself was offline (its canary failed): not the check's fault. */
  offline?: boolean | undefined;
}

/** An alert for one channel, as the outbox holds it. */
export interface Delivery {
  /** Stable id (a UUID): sent as X-Pitchey-Delivery, so a receiver can drop a duplicate. */
  key: string;
  incidentId: string;
  check: string;
  channel: string;
  event: AlertEvent['type'];
  /** The body without secrets (they are added when it is sent). */
  payload: string;
  status: 'pending' | 'sent' | 'rejected' | 'abandoned';
  attempts: number;
  nextAt: number;
  lastError?: string | undefined;
  createdAt: number;
  sentAt?: number | undefined;
}

export interface IncidentRow {
  id: string;
  check: string;
  severity: OpenIncident['severity'];
  openedAt: number;
  resolvedAt?: number | undefined;
  cause: string;
  reminders: number;
}

export interface Rollup {
  check: string;
  /** Start of the minute (or hour), epoch ms. */
  start: number;
  runs: number;
  passed: number;
  degraded: number;
  failed: number;
  /** Runs in maintenance or while the monitor was offline: not in uptime. */
  excluded: number;
  cacheHits: number;
  cacheLookups: number;
  /** Counted runs that got an answer: the histogram's count. */
  answered: number;
  /** Latency of the counted runs, encoded HDR (µs). */
  histogram: string;
}

export type Period = 'minute' | 'hour' | 'day';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const PERIODS: readonly [Period, number][] = [
  ['minute', MINUTE],
  ['hour', HOUR],
  ['day', DAY],
];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY,
  check_name TEXT NOT NULL, run_id TEXT NOT NULL, attempt INTEGER NOT NULL,
  started_at INTEGER NOT NULL, duration_ms REAL NOT NULL, ttfb_ms REAL, outcome TEXT NOT NULL,
  http_status INTEGER, error_class TEXT, failed_assertion TEXT, message TEXT, cache TEXT,
  maintenance TEXT, offline INTEGER NOT NULL DEFAULT 0, final INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_check ON attempts (check_name, started_at);
CREATE INDEX IF NOT EXISTS attempts_by_time ON attempts (started_at);
CREATE TABLE IF NOT EXISTS rollups (
  period TEXT NOT NULL, check_name TEXT NOT NULL, start INTEGER NOT NULL,
  runs INTEGER NOT NULL, passed INTEGER NOT NULL, degraded INTEGER NOT NULL, failed INTEGER NOT NULL,
  excluded INTEGER NOT NULL, cache_hits INTEGER NOT NULL, cache_lookups INTEGER NOT NULL,
  histogram TEXT NOT NULL, answered INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (period, check_name, start));
CREATE INDEX IF NOT EXISTS rollups_by_time ON rollups (period, start);
CREATE TABLE IF NOT EXISTS rollup_latency (
  period TEXT NOT NULL, check_name TEXT NOT NULL, start INTEGER NOT NULL, threshold_ms REAL NOT NULL,
  within INTEGER NOT NULL,
  PRIMARY KEY (period, check_name, start, threshold_ms));
CREATE INDEX IF NOT EXISTS rollup_latency_by_time ON rollup_latency (period, start);
CREATE TABLE IF NOT EXISTS slo_alerts (key TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS states (check_name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY, check_name TEXT NOT NULL, severity TEXT NOT NULL,
  opened_at INTEGER NOT NULL, resolved_at INTEGER, cause TEXT NOT NULL, reminders INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (resolved_at);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, incident_id TEXT NOT NULL, check_name TEXT NOT NULL, channel TEXT NOT NULL,
  event TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL, sent_at INTEGER);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (status, next_at);
`;

type Row = Record<string, unknown>;

/**
 * A row as the camelCase fields of T (check_name → check, next_at → nextAt); NULL becomes
 * absent; a numeric id (the rowid of attempts and deliveries) and a rollup's period are left out.
 */
function fromRow<T>(row: Row): T {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === null || (column === 'id' && typeof value === 'number') || column === 'period') continue;
    out[column === 'check_name' ? 'check' : column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] =
      value;
  }
  return out as T;
}

export class MonitorStore {
  private constructor(
    readonly file: string,
    /** The connection itself (tests and benchmarks cap its size to play a full disk). */
    readonly db: Database.Database,
    /** A reader beside the running monitor: the writer's rollups are read as they are. */
    readonly readOnly = false,
  ) {}

  /**
   * Opens (creating) the database; throws StoreError naming the file when it cannot be used.
   * `latencyThresholdsMs`: the latency SLOs' thresholds, counted in every rollup from now on
   * (and, for rollups made before a threshold was set, from their histograms).
   */
  static open(file: string, options: { latencyThresholdsMs?: readonly number[] } = {}): MonitorStore {
    let db: Database.Database;
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL: a power cut may lose the last transactions, never corrupt the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
    } catch (error) {
      throw new StoreError(
        `${file} cannot be used as the monitor's database (${(error as Error).message}): move it aside to start afresh, or restore a backup`,
      );
    }
    const store = new MonitorStore(file, db);
    store.migrate();
    store.countWithin(options.latencyThresholdsMs ?? []);
    // Runs stored before a kill -9 that were not yet in the rollups.
    store.rollUp();
    return store;
  }

  /**
   * A read-only connection beside the running monitor's (the status page's thread): no checks,
   * migrations nor rollups, which are the writer's; WAL lets it read while the monitor writes.
   */
  static openReader(file: string): MonitorStore {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new StoreError(`${file} cannot be read as the monitor's database: ${(error as Error).message}`);
    }
    const version = Number(
      (db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as Row | undefined)?.value ?? 0,
    );
    if (version !== SCHEMA_VERSION) {
      db.close();
      throw new StoreError(
        `${file} has schema ${version}, this reader reads ${SCHEMA_VERSION}: open it with the monitor first`,
      );
    }
    return new MonitorStore(file, db, true);
  }

  private migrate(): void {
    const hasMeta = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
      .get();
    const version = hasMeta
      ? Number(
          (this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as Row | undefined)?.value ??
            0,
        )
      : 0;
    if (version > SCHEMA_VERSION) {
      this.db.close();
      throw new StoreError(
        `${this.file} was written by a newer pitchey-perf (schema ${version}, this one reads ${SCHEMA_VERSION}): upgrade, or point MONITOR_DB at another file`,
      );
    }
    this.db.transaction(() => {
      if (version === 1) this.db.exec('ALTER TABLE rollups ADD COLUMN answered INTEGER NOT NULL DEFAULT 0');
      this.db.exec(SCHEMA);
      if (version === 1) this.fromSchema1();
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)")
        .run(String(SCHEMA_VERSION));
    })();
  }

  /** Schema 1 had no answered count and no daily rollups: both come from the hourly histograms. */
  private fromSchema1(): void {
    const setAnswered = this.db.prepare(
      'UPDATE rollups SET answered = ? WHERE period = ? AND check_name = ? AND start = ?',
    );
    const days = new Map<string, Rollup[]>();
    for (const row of this.db.prepare('SELECT * FROM rollups').all() as Row[]) {
      const rollup = fromRow<Rollup>(row);
      rollup.answered = rollup.histogram ? decodeHistogram(rollup.histogram).totalCount : 0;
      setAnswered.run(rollup.answered, row.period, rollup.check, rollup.start);
      if (row.period !== 'hour') continue;
      const key = `${rollup.check} ${Math.floor(rollup.start / DAY) * DAY}`;
      days.set(key, [...(days.get(key) ?? []), rollup]);
    }
    for (const [key, hours] of days) {
      const start = Number(key.slice(key.lastIndexOf(' ') + 1));
      const sum = (field: keyof Rollup) => hours.reduce((n, h) => n + (h[field] as number), 0);
      const histograms = hours.map((h) => h.histogram).filter(Boolean);
      this.writeRollup('day', {
        check: hours[0]?.check as string,
        start,
        runs: sum('runs'),
        passed: sum('passed'),
        degraded: sum('degraded'),
        failed: sum('failed'),
        excluded: sum('excluded'),
        cacheHits: sum('cacheHits'),
        cacheLookups: sum('cacheLookups'),
        answered: sum('answered'),
        histogram: histograms.length ? encodeHistogram(mergeHistograms(histograms)) : '',
      });
    }
  }

  /** The thresholds whose answers the rollups count; new ones are filled in for older rollups. */
  private thresholds: number[] = [];

  private countWithin(thresholdsMs: readonly number[]): void {
    const known = JSON.parse(this.getMeta('latency_thresholds') ?? '[]') as number[];
    const added = thresholdsMs.filter((t) => !known.includes(t));
    this.thresholds = [...new Set([...known, ...thresholdsMs])].sort((a, b) => a - b);
    if (!added.length) return;
    this.db.transaction(() => {
      // Before the pending runs are folded (they count every threshold themselves). Older
      // rollups have only their histograms: an answer in the threshold's own bucket (within
      // 0.1 % of it) counts as outside.
      const insert = this.db.prepare(
        'INSERT OR REPLACE INTO rollup_latency (period, check_name, start, threshold_ms, within) VALUES (?, ?, ?, ?, ?)',
      );
      const rows = this.db.prepare("SELECT * FROM rollups WHERE histogram != ''").all() as Row[];
      for (const row of rows) {
        const bins = histogramBins(decodeHistogram(row.histogram as string));
        for (const t of added)
          insert.run(
            row.period,
            row.check_name,
            row.start,
            t,
            bins.reduce((n, b) => n + (b.value <= t * 1000 ? b.count : 0), 0),
          );
      }
      this.setMeta('latency_thresholds', JSON.stringify(this.thresholds));
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  loadStates(): Map<string, CheckState> {
    const rows = this.db.prepare('SELECT check_name, state FROM states').all() as Row[];
    return new Map(rows.map((r) => [r.check_name as string, JSON.parse(r.state as string) as CheckState]));
  }

  /**
   * One run: its attempts, the rollups, the check's new state, its incident changes and the
   * deliveries of its alerts — all or nothing.
   */
  recordRun(
    attempts: readonly Attempt[],
    state: CheckState | undefined,
    events: readonly AlertEvent[],
    deliveries: readonly Delivery[],
  ): void {
    this.db.transaction(() => {
      const insert = this.db.prepare(
        `INSERT INTO attempts (check_name, run_id, attempt, started_at, duration_ms, ttfb_ms, outcome, http_status,
          error_class, failed_assertion, message, cache, maintenance, offline, final)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      attempts.forEach((a, i) => {
        insert.run(
          a.check,
          a.runId,
          a.attempt,
          a.startedAt,
          a.durationMs,
          a.ttfbMs ?? null,
          a.outcome,
          a.httpStatus ?? null,
          a.errorClass ?? null,
          a.failedAssertion ?? null,
          a.message ?? null,
          a.cache ?? null,
          a.maintenance ?? null,
          a.offline ? 1 : 0,
          i === attempts.length - 1 ? 1 : 0,
        );
      });
      const check = attempts[0]?.check;
      if (check === undefined) return;
      if (state)
        this.db
          .prepare('INSERT OR REPLACE INTO states (check_name, state) VALUES (?, ?)')
          .run(check, JSON.stringify(state));
      this.applyEvents(check, events);
      this.saveDeliveries(deliveries);
    })();
  }

  /** A reminder between runs: the state and the deliveries, together. */
  recordTick(
    check: string,
    state: CheckState,
    events: readonly AlertEvent[],
    deliveries: readonly Delivery[],
  ): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO states (check_name, state) VALUES (?, ?)')
        .run(check, JSON.stringify(state));
      this.applyEvents(check, events);
      this.saveDeliveries(deliveries);
    })();
  }

  /**
   * Folds the runs stored since the last call into the per-minute, per-hour and per-day
   * rollups, each row decoded and encoded once (per run it would cost 3× the run's own write).
   * The attempts are the record: after kill -9 the next call catches up, so nothing is lost.
   */
  rollUp(): number {
    // A reader's figures are those of the writer's last roll-up (at most a minute old).
    if (this.readOnly) return 0;
    // IMMEDIATE: the write lock first (waiting out busy_timeout), so a roll-up made beside the
    // running monitor (a report on a live database) never fails upgrading a read to a write.
    return this.db
      .transaction(() => {
        const through = Number(this.getMeta('rolled_through') ?? 0);
        const rows = this.db
          .prepare('SELECT * FROM attempts WHERE id > ? AND final = 1 ORDER BY id')
          .all(through) as Row[];
        if (!rows.length) return 0;
        const groups = new Map<string, { period: Period; check: string; start: number; runs: Row[] }>();
        for (const row of rows) {
          for (const [period, size] of PERIODS) {
            const start = Math.floor((row.started_at as number) / size) * size;
            const key = `${period} ${row.check_name} ${start}`;
            const group = groups.get(key) ?? { period, check: row.check_name as string, start, runs: [] };
            group.runs.push(row);
            groups.set(key, group);
          }
        }
        for (const group of groups.values())
          this.addToRollup(group.period, group.check, group.start, group.runs);
        this.setMeta('rolled_through', String(rows[rows.length - 1]?.id));
        return rows.length;
      })
      .immediate();
  }

  private addToRollup(period: Period, check: string, start: number, runs: Row[]): void {
    const row = this.db
      .prepare('SELECT * FROM rollups WHERE period = ? AND check_name = ? AND start = ?')
      .get(period, check, start) as Row | undefined;
    const rollup: Rollup = row
      ? fromRow<Rollup>(row)
      : {
          check,
          start,
          runs: 0,
          passed: 0,
          degraded: 0,
          failed: 0,
          excluded: 0,
          cacheHits: 0,
          cacheLookups: 0,
          answered: 0,
          histogram: '',
        };
    // Merged into a fresh one: a decoded histogram does not grow to take a larger value.
    const histogram = rollup.histogram ? mergeHistograms([rollup.histogram]) : createHistogram();
    const within = this.thresholds.map(() => 0);
    for (const run of runs) {
      rollup.runs++;
      if (run.maintenance !== null || run.offline === 1) rollup.excluded++;
      else {
        if (run.outcome === 'pass') rollup.passed++;
        else if (run.outcome === 'degraded') rollup.degraded++;
        else rollup.failed++;
        // A run that never got an answer has no latency worth a percentile.
        if (run.error_class !== 'network') {
          const ms = run.duration_ms as number;
          recordMicros(histogram, ms * 1000);
          rollup.answered++;
          this.thresholds.forEach((t, i) => {
            if (ms <= t) within[i] = (within[i] as number) + 1;
          });
        }
      }
      if (run.cache !== null) {
        rollup.cacheLookups++;
        if (run.cache === 'hit') rollup.cacheHits++;
      }
    }
    rollup.histogram = histogram.totalCount ? encodeHistogram(histogram) : '';
    this.writeRollup(period, rollup);
    const add = this.db.prepare(
      `INSERT INTO rollup_latency (period, check_name, start, threshold_ms, within) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (period, check_name, start, threshold_ms) DO UPDATE SET within = within + excluded.within`,
    );
    this.thresholds.forEach((t, i) => {
      add.run(period, check, start, t, within[i]);
    });
  }

  private writeRollup(period: Period, rollup: Rollup): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO rollups (period, check_name, start, runs, passed, degraded, failed, excluded,
          cache_hits, cache_lookups, answered, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        period,
        rollup.check,
        rollup.start,
        rollup.runs,
        rollup.passed,
        rollup.degraded,
        rollup.failed,
        rollup.excluded,
        rollup.cacheHits,
        rollup.cacheLookups,
        rollup.answered,
        rollup.histogram,
      );
  }

  /**
   * Each check's counts over [from, to): whole UTC days from the daily rollups, the hours at
   * either end from the hourly ones, the minutes from the per-minute ones — to the minute while
   * those are kept, to the hour before. Rolled up first.
   */
  windowCounts(from: number, to: number): Map<string, CheckCounts> {
    this.rollUp();
    const out = new Map<string, CheckCounts>();
    const entry = (check: string) => {
      let c = out.get(check);
      if (!c) {
        c = { total: 0, good: 0, answered: 0, within: {} };
        out.set(check, c);
      }
      return c;
    };
    const totals = this.db.prepare(
      `SELECT check_name, SUM(runs - excluded) AS total, SUM(passed + degraded) AS good, SUM(answered) AS answered
       FROM rollups WHERE period = ? AND start >= ? AND start < ? GROUP BY check_name`,
    );
    const within = this.db.prepare(
      `SELECT check_name, threshold_ms, SUM(within) AS within FROM rollup_latency
       WHERE period = ? AND start >= ? AND start < ? GROUP BY check_name, threshold_ms`,
    );
    for (const piece of windowPieces(from, to, this.minuteHorizon())) {
      for (const row of totals.all(piece.period, piece.from, piece.to) as Row[]) {
        const c = entry(row.check_name as string);
        c.total += row.total as number;
        c.good += row.good as number;
        c.answered += row.answered as number;
      }
      for (const row of within.all(piece.period, piece.from, piece.to) as Row[]) {
        const c = entry(row.check_name as string);
        const t = row.threshold_ms as number;
        c.within[t] = (c.within[t] ?? 0) + (row.within as number);
      }
    }
    return out;
  }

  /** Per-minute rollups before this were pruned (windows reaching further are summed to the hour). */
  private minuteHorizon(): number {
    return Number(this.getMeta('minutes_pruned_before') ?? 0);
  }

  loadSloAlerts(): Map<string, SloAlertState> {
    const rows = this.db.prepare('SELECT key, state FROM slo_alerts').all() as Row[];
    return new Map(rows.map((r) => [r.key as string, JSON.parse(r.state as string) as SloAlertState]));
  }

  /** An SLO alert's new state, its incident change and the deliveries, together. */
  recordSloAlert(
    key: string,
    state: SloAlertState,
    events: readonly AlertEvent[],
    deliveries: readonly Delivery[],
  ): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO slo_alerts (key, state) VALUES (?, ?)')
        .run(key, JSON.stringify(state));
      this.applyEvents(key, events);
      this.saveDeliveries(deliveries);
    })();
  }

  private applyEvents(check: string, events: readonly AlertEvent[]): void {
    for (const event of events) {
      const { incident } = event;
      if (event.type === 'trigger')
        this.db
          .prepare(
            `INSERT INTO incidents (id, check_name, severity, opened_at, cause, reminders) VALUES (?, ?, ?, ?, ?, 0)
             ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, cause = excluded.cause`,
          )
          .run(incident.id, check, incident.severity, incident.openedAt, incident.cause);
      else if (event.type === 'reminder')
        this.db
          .prepare('UPDATE incidents SET reminders = ? WHERE id = ?')
          .run(incident.reminders, incident.id);
      else this.db.prepare('UPDATE incidents SET resolved_at = ? WHERE id = ?').run(event.at, incident.id);
    }
  }

  /** New deliveries, or the latest status of known ones (by key). */
  saveDeliveries(deliveries: readonly Delivery[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO deliveries (key, incident_id, check_name, channel, event, payload, status, attempts, next_at,
         last_error, created_at, sent_at)
       VALUES (@key, @incidentId, @check, @channel, @event, @payload, @status, @attempts, @nextAt, @lastError,
         @createdAt, @sentAt)
       ON CONFLICT (key) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
         next_at = excluded.next_at, last_error = excluded.last_error, sent_at = excluded.sent_at`,
    );
    for (const d of deliveries)
      upsert.run({ ...d, lastError: d.lastError ?? null, sentAt: d.sentAt ?? null });
  }

  /** Deliveries not yet sent nor given up, oldest first (an incident's trigger before its resolve). */
  pendingDeliveries(): Delivery[] {
    return (
      this.db.prepare("SELECT * FROM deliveries WHERE status = 'pending' ORDER BY id").all() as Row[]
    ).map(fromRow<Delivery>);
  }

  deliveries(filter: { check?: string; incidentId?: string } = {}): Delivery[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM deliveries WHERE (? IS NULL OR check_name = ?) AND (? IS NULL OR incident_id = ?) ORDER BY id',
        )
        .all(
          filter.check ?? null,
          filter.check ?? null,
          filter.incidentId ?? null,
          filter.incidentId ?? null,
        ) as Row[]
    ).map(fromRow<Delivery>);
  }

  incidents(filter: { open?: boolean; check?: string } = {}): IncidentRow[] {
    const where: string[] = [];
    if (filter.open) where.push('resolved_at IS NULL');
    if (filter.check) where.push('check_name = @check');
    return (
      this.db
        .prepare(
          `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at`,
        )
        .all(filter.check ? { check: filter.check } : {}) as Row[]
    ).map(fromRow<IncidentRow>);
  }

  attempts(check?: string, limit = 1000): (Attempt & { final: boolean })[] {
    const rows = this.db
      .prepare('SELECT * FROM attempts WHERE (? IS NULL OR check_name = ?) ORDER BY id DESC LIMIT ?')
      .all(check ?? null, check ?? null, limit) as Row[];
    return rows.reverse().map((row) => ({
      ...fromRow<Attempt>(row),
      offline: row.offline === 1,
      final: row.final === 1,
    }));
  }

  /** The rollups of a window (the runs not yet folded in are folded first). */
  rollups(period: Period, from: number, to: number, check?: string): Rollup[] {
    this.rollUp();
    return (
      this.db
        .prepare(
          'SELECT * FROM rollups WHERE period = ? AND start >= ? AND start < ? AND (? IS NULL OR check_name = ?) ORDER BY start',
        )
        .all(period, from, to, check ?? null, check ?? null) as Row[]
    ).map(fromRow<Rollup>);
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** When the running monitor last wrote its heartbeat (epoch ms); undefined: it never ran here. */
  heartbeatAt(): number | undefined {
    const at = Number(this.getMeta('heartbeat'));
    return at > 0 ? at : undefined;
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as Row | undefined)?.value as
      | string
      | undefined;
  }

  /** Retention: attempts and per-minute rollups after `days`, per-hour and per-day ones after `hourlyDays`. */
  prune(now: number, days: number, hourlyDays: number): number {
    const day = 86_400_000;
    // Nothing leaves before it is in the rollups.
    this.rollUp();
    return this.db.transaction(() => {
      const a = this.db.prepare('DELETE FROM attempts WHERE started_at < ?').run(now - days * day).changes;
      const m = this.db
        .prepare("DELETE FROM rollups WHERE period = 'minute' AND start < ?")
        .run(now - days * day).changes;
      const h = this.db
        .prepare("DELETE FROM rollups WHERE period IN ('hour', 'day') AND start < ?")
        .run(now - hourlyDays * day).changes;
      this.db
        .prepare("DELETE FROM rollup_latency WHERE period = 'minute' AND start < ?")
        .run(now - days * day);
      this.setMeta('minutes_pruned_before', String(now - days * day));
      this.db
        .prepare("DELETE FROM rollup_latency WHERE period IN ('hour', 'day') AND start < ?")
        .run(now - hourlyDays * day);
      return a + m + h;
    })();
  }
}

/**
 * [from, to) as rollup ranges: whole days, then whole hours, then minutes at the edges (pure).
 * Minutes older than `minuteHorizon` are gone: that edge is taken to the whole hour instead.
 */
export function windowPieces(
  from: number,
  to: number,
  minuteHorizon: number,
): { period: Period; from: number; to: number }[] {
  const pieces: { period: Period; from: number; to: number }[] = [];
  const split = (a: number, b: number, level: number): void => {
    if (a >= b) return;
    const [period, size] = PERIODS[level] as [Period, number];
    if (period === 'minute') {
      if (a < minuteHorizon) pieces.push({ period: 'hour', from: Math.floor(a / HOUR) * HOUR, to: b });
      else pieces.push({ period, from: Math.floor(a / size) * size, to: b });
      return;
    }
    const s = Math.ceil(a / size) * size;
    const e = Math.floor(b / size) * size;
    if (s >= e) {
      split(a, b, level - 1);
      return;
    }
    split(a, s, level - 1);
    pieces.push({ period, from: s, to: e });
    split(e, b, level - 1);
  };
  split(from, to, PERIODS.length - 1);
  return pieces;
}
