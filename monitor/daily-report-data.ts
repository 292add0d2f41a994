/**
 * The daily report's figures (daily-report.ts), read from the store for a window ending at the
 * view's instant: the monitor's heartbeat, each check's state and, over the window, its runs,
 * error rate, P50/P95 and cache hit rate; the incidents and alerts of the window; the SLOs.
 * Plain data: daily-report-render.ts draws it without reading anything.
 * Error rate = failed ÷ counted runs: runs in maintenance or while the monitor was offline are
 * not counted (as uptime and the SLOs leave them out), and their number is kept to be said.
 */
import { parseDuration } from '../core/duration.ts';
import { mergeHistograms, percentile } from '../core/histogram.ts';
import { isBeating } from './heartbeat.ts';
import { streakOf } from './incidents.ts';
import { BURN_RULES, type BurnRule, describeSlo } from './slo.ts';
import { sloStatuses } from './slo-status.ts';
import { type Delivery, type IncidentRow, type Rollup, windowPieces } from './store.ts';
import type { MonitorView } from './view.ts';

const DAY = 86_400_000;

/** The SLO windows read: the budget's 30 days and those the burn-rate rules compare. */
const SLO_WINDOWS = [...new Set(['30d', ...BURN_RULES.flatMap((r) => [r.long, r.short])])];

export type StateName = 'pass' | 'degraded' | 'fail' | 'unknown';

/** A check's runs over the window. */
export interface WindowFigures {
  /** Every run, then the counted ones by outcome. */
  runs: number;
  counted: number;
  passed: number;
  degraded: number;
  failed: number;
  /** Runs in maintenance or while the monitor was offline. */
  excluded: number;
  /** failed ÷ counted; absent without counted runs. */
  errorRate?: number | undefined;
  /** Counted runs that got an answer (the latency percentiles' sample count). */
  answers: number;
  p50Ms?: number | undefined;
  p95Ms?: number | undefined;
  cacheLookups: number;
  cacheHits: number;
  cacheHitRate?: number | undefined;
}

export interface ReportCheck extends WindowFigures {
  name: string;
  /** Empty for a check the database knows and the config no longer has. */
  group: string;
  type: string;
  target: string;
  configured: boolean;
  /** Now: the last run's outcome, and how many runs in a row had it. */
  state: StateName;
  streak: number;
  lastRunAt?: number | undefined;
}

export interface ReportIncident {
  id: string;
  /** A check, or an SLO alert's key (slo:NAME:page|ticket). */
  check: string;
  severity: IncidentRow['severity'];
  openedAt: number;
  resolvedAt?: number | undefined;
  /** Until it resolved, or until the report's instant while it is open. */
  durationMs: number;
  cause: string;
  reminders: number;
}

export interface ReportDelivery {
  check: string;
  channel: string;
  event: Delivery['event'];
  status: Delivery['status'];
  attempts: number;
  createdAt: number;
  sentAt?: number | undefined;
  lastError?: string | undefined;
}

export interface ReportSlo {
  name: string;
  description: string;
  objective: number;
  alert: boolean;
  /** The rolling 30 days: events counted and good, the SLI, the share of the budget left. */
  total: number;
  good: number;
  sli?: number | undefined;
  budgetRemaining?: number | undefined;
  /** Burn rate by window (the burn-rate rules' windows). */
  burn: Record<string, number>;
  /** The burn-rate rules firing now. */
  firing: BurnRule[];
}

export interface DailyReportData {
  /** The window, [from, now), epoch ms. */
  from: number;
  now: number;
  origin: string;
  /** The monitor's last heartbeat; running when it is under a minute old. */
  heartbeat: { running: boolean; lastAt?: number | undefined };
  checks: ReportCheck[];
  /** Opened, resolved or still open in the window, oldest first. */
  incidents: ReportIncident[];
  /** Alerts made or sent in the window, and every one still pending, oldest first. */
  deliveries: ReportDelivery[];
  slos: ReportSlo[];
}

// ---------------------------------------------------------------------------------------------
// Reading the store

/** Figures of a window from its rollups (pure): sums, merged histograms (µs → ms). */
export function windowFigures(rollups: readonly Rollup[]): WindowFigures {
  const sum = (pick: (r: Rollup) => number) => rollups.reduce((n, r) => n + pick(r), 0);
  const runs = sum((r) => r.runs);
  const excluded = sum((r) => r.excluded);
  const failed = sum((r) => r.failed);
  const cacheLookups = sum((r) => r.cacheLookups);
  const cacheHits = sum((r) => r.cacheHits);
  const encoded = rollups.map((r) => r.histogram).filter(Boolean);
  const merged = encoded.length ? mergeHistograms(encoded) : undefined;
  const counted = runs - excluded;
  return {
    runs,
    counted,
    passed: sum((r) => r.passed),
    degraded: sum((r) => r.degraded),
    failed,
    excluded,
    errorRate: counted ? failed / counted : undefined,
    answers: merged?.totalCount ?? 0,
    p50Ms: merged && percentile(merged, 50) / 1000,
    p95Ms: merged && percentile(merged, 95) / 1000,
    cacheLookups,
    cacheHits,
    cacheHitRate: cacheLookups ? cacheHits / cacheLookups : undefined,
  };
}

/**
 * The rollups covering [from, to), by check: whole days and hours inside, minutes at the edges
 * (the pieces the store's windowCounts sums, so the counts agree with the SLOs'); to the hour
 * where the minutes were pruned.
 */
function rollupsOfWindow(view: MonitorView, from: number, to: number): Map<string, Rollup[]> {
  const { store } = view;
  // The store's own minute horizon (MonitorStore.minuteHorizon is private).
  const minuteHorizon = Number(store.getMeta('minutes_pruned_before') ?? 0);
  const out = new Map<string, Rollup[]>();
  for (const piece of windowPieces(from, to, minuteHorizon))
    for (const rollup of store.rollups(piece.period, piece.from, piece.to)) {
      const list = out.get(rollup.check);
      if (list) list.push(rollup);
      else out.set(rollup.check, [rollup]);
    }
  return out;
}

/** Incidents that were open at some point of [from, now) (pure). */
export function windowIncidents(rows: readonly IncidentRow[], from: number, now: number): ReportIncident[] {
  return rows
    .filter((r) => r.openedAt < now && (r.resolvedAt === undefined || r.resolvedAt >= from))
    .sort((a, b) => a.openedAt - b.openedAt)
    .map((r) => ({
      id: r.id,
      check: r.check,
      severity: r.severity,
      openedAt: r.openedAt,
      resolvedAt: r.resolvedAt,
      durationMs: Math.max(0, (r.resolvedAt ?? now) - r.openedAt),
      cause: r.cause,
      reminders: r.reminders,
    }));
}

/** Alerts made or sent in [from, now), and those still pending whenever made (pure). */
export function windowDeliveries(rows: readonly Delivery[], from: number, now: number): ReportDelivery[] {
  const inWindow = (t: number | undefined) => t !== undefined && t >= from && t < now;
  return rows
    .filter((d) => d.status === 'pending' || inWindow(d.createdAt) || inWindow(d.sentAt))
    .map((d) => ({
      check: d.check,
      channel: d.channel,
      event: d.event,
      status: d.status,
      attempts: d.attempts,
      createdAt: d.createdAt,
      sentAt: d.sentAt,
      lastError: d.lastError,
    }));
}

function reportSlos(view: MonitorView): ReportSlo[] {
  return sloStatuses(view.store, view.slos, view.now, SLO_WINDOWS).map(({ slo, windows, firing }) => {
    const period = windows['30d'];
    const burn: Record<string, number> = {};
    for (const name of SLO_WINDOWS) burn[name] = windows[name]?.burnRate ?? 0;
    return {
      name: slo.name,
      description: describeSlo(slo),
      objective: slo.objective,
      alert: slo.alert,
      total: period?.total ?? 0,
      good: period?.good ?? 0,
      sli: period?.sli,
      budgetRemaining: period?.budgetRemaining,
      burn,
      firing,
    };
  });
}

/** Everything the report shows about [view.now − sinceMs, view.now), read once. */
export function dailyReportData(view: MonitorView, sinceMs: number): DailyReportData {
  const { store, now } = view;
  const from = now - sinceMs;
  const rollups = rollupsOfWindow(view, from, now);
  const states = store.loadStates();
  // The configured checks in the config's order, then any other the database knows of.
  const configured = new Map(view.checks.map((c) => [c.name, c]));
  const others = [...new Set([...states.keys(), ...rollups.keys()])]
    .filter((name) => !configured.has(name))
    .sort();
  const checks = [...configured.keys(), ...others].map((name): ReportCheck => {
    const check = configured.get(name);
    const state = states.get(name);
    const last: StateName = state?.last ?? 'unknown';
    return {
      name,
      group: check?.group ?? '',
      type: check?.type ?? '',
      target: check?.target ?? '',
      configured: check !== undefined,
      state: last,
      streak: streakOf(state),
      lastRunAt: state?.lastRunAt || undefined,
      ...windowFigures(rollups.get(name) ?? []),
    };
  });
  const heartbeat = store.heartbeatAt();
  return {
    from,
    now,
    origin: view.origin,
    heartbeat: {
      running: isBeating(heartbeat, now),
      lastAt: heartbeat,
    },
    checks,
    incidents: windowIncidents(store.incidents(), from, now),
    deliveries: windowDeliveries(store.deliveries(), from, now),
    slos: reportSlos(view),
  };
}

/** The window's length: a k6 duration ("24h", "90m") or whole days ("7d"), which k6's syntax lacks. */
export function parseSince(text: string): number | undefined {
  const days = /^\s*(\d+)d\s*$/.exec(text);
  const ms = days ? Number(days[1]) * DAY : parseDuration(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}
