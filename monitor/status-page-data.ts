/**
 * The status page's figures, read from the store at the view's instant: per check its state,
 * 90 daily uptime bars, its incidents, latency percentiles and a week of hourly P95; per SLO its
 * budgets and burn. Plain data (JSON-safe): status-page-render.ts draws it without reading
 * anything. Uptime counts passed and degraded runs as up, and leaves out the runs in
 * maintenance or while the monitor was offline, as the SLOs do.
 */
import { decodeHistogram, mergeHistograms, percentile } from '../core/histogram.ts';
import { streakOf } from './incidents.ts';
import { ALERT_WINDOWS, describeSlo, type Slo, sloAlertKey, type WindowStatus } from './slo.ts';
import { sloStatuses } from './slo-status.ts';
import type { IncidentRow, Rollup } from './store.ts';
import type { MonitorView } from './view.ts';

export const UPTIME_DAYS = 90;
/** Resolved incidents are listed this long. */
export const INCIDENT_DAYS = 30;
export const CHART_HOURS = 7 * 24;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The windows the SLO table shows, and those its burn-rate alerts read. */
const SLO_WINDOWS = [...new Set(['1h', '30d', 'month', ...ALERT_WINDOWS])];

export type StateName = 'pass' | 'degraded' | 'fail' | 'unknown';

export interface DayBar {
  /** Start of the UTC day, epoch ms. */
  start: number;
  /** Every run of the day, excluded ones too. */
  runs: number;
  /** Runs counted: not in maintenance, monitor online. */
  counted: number;
  /** Counted runs that passed or were degraded. */
  up: number;
  degraded: number;
  /** Runs in maintenance or while the monitor was offline. */
  excluded: number;
}

export interface Uptime {
  counted: number;
  up: number;
}

/** Percentiles in ms over the answers of a window; absent without answers. */
export interface Latency {
  answers: number;
  p50?: number | undefined;
  p95?: number | undefined;
}

export interface IncidentItem {
  id: string;
  severity: IncidentRow['severity'];
  openedAt: number;
  resolvedAt?: number | undefined;
  /** Until it resolved, or until the view's instant while it is open. */
  durationMs: number;
  cause: string;
  reminders: number;
}

export interface HourlyP95 {
  /** Start of the first hour, epoch ms; one value per hour from there. */
  firstHour: number;
  /** ms; null for an hour without answers. */
  values: (number | null)[];
  /** Indexes of the hours with a failed (counted) run. */
  failedHours: number[];
}

export interface CheckStatus {
  name: string;
  group: string;
  type: string;
  target: string;
  state: StateName;
  /** Runs in a row in this state (as the incident rules count them). */
  streak: number;
  lastRunAt?: number | undefined;
  /** The last UPTIME_DAYS UTC days, oldest first, today last. */
  days: DayBar[];
  uptime: { day: Uptime; month: Uptime; all: Uptime };
  latency: { day: Latency; month: Latency };
  hourly: HourlyP95;
  /** Open ones first (newest first), then those resolved in the last INCIDENT_DAYS (newest first). */
  incidents: IncidentItem[];
}

export interface SloWindow {
  total: number;
  good: number;
  sli?: number | undefined;
  /** Share of the window's budget left: 1 untouched, negative overspent. */
  budgetRemaining?: number | undefined;
  met?: boolean | undefined;
}

export interface SloRow {
  name: string;
  description: string;
  sli: Slo['sli'];
  objective: number;
  thresholdMs?: number | undefined;
  /** Whether its burn-rate alerts go to the channels. */
  alert: boolean;
  /** The rolling 30 days and the UTC month so far. */
  period: SloWindow;
  month: SloWindow;
  burn1h: number;
  /** The SLO's group, if it is about one. */
  group?: string | undefined;
  /** The burn-rate rules firing now, with the rates their two windows burn at. */
  firing: {
    severity: 'page' | 'ticket';
    rule: number;
    long: string;
    longBurn: number;
    short: string;
    shortBurn: number;
  }[];
  /** Its burn-rate incidents still open. */
  openAlerts: IncidentItem[];
}

export interface GroupStatus {
  /** undefined: the SLOs that span groups. */
  name?: string | undefined;
  checks: CheckStatus[];
  slos: SloRow[];
}

export interface StatusPageData {
  now: number;
  origin: string;
  heartbeatAt?: number | undefined;
  overall: StateName;
  groups: GroupStatus[];
  openIncidents: number;
  firingAlerts: number;
}

// ---------------------------------------------------------------------------------------------
// From rollups and rows to figures (pure)

const sum = (rollups: readonly Rollup[], pick: (r: Rollup) => number) =>
  rollups.reduce((n, r) => n + pick(r), 0);

/** One bar per UTC day from `firstDay`, a day without a rollup an empty one. */
export function dayBars(rollups: readonly Rollup[], firstDay: number, days: number): DayBar[] {
  const byStart = new Map(rollups.map((r) => [r.start, r]));
  return Array.from({ length: days }, (_, i) => {
    const start = firstDay + i * DAY;
    const r = byStart.get(start);
    return {
      start,
      runs: r?.runs ?? 0,
      counted: r ? r.runs - r.excluded : 0,
      up: r ? r.passed + r.degraded : 0,
      degraded: r?.degraded ?? 0,
      excluded: r?.excluded ?? 0,
    };
  });
}

export function uptimeOf(rollups: readonly Rollup[]): Uptime {
  return {
    counted: sum(rollups, (r) => r.runs - r.excluded),
    up: sum(rollups, (r) => r.passed + r.degraded),
  };
}

/** P50 and P95 of the merged histograms (exact: HDR buckets add), µs to ms. */
export function latencyOf(rollups: readonly Rollup[]): Latency {
  const encoded = rollups.map((r) => r.histogram).filter(Boolean);
  if (!encoded.length) return { answers: 0 };
  const merged = mergeHistograms(encoded);
  return {
    answers: merged.totalCount,
    p50: percentile(merged, 50) / 1000,
    p95: percentile(merged, 95) / 1000,
  };
}

/** Four significant digits: what a chart can show. */
const sig = (value: number) => Number(value.toPrecision(4));

/**
 * An hour's P95 once it is known: decoding an HDR histogram and walking it costs ~50 µs, and a
 * served page with 100 checks asks for 16,800 of them a minute, nearly all of hours long gone.
 * Keyed by what would change if a late run were rolled into the hour.
 */
const hourP95s = new Map<string, number>();
const HOUR_P95S_KEPT = 100_000;

function hourP95(r: Rollup): number {
  const key = `${r.check}\0${r.start}\0${r.runs}\0${r.answered}`;
  let value = hourP95s.get(key);
  if (value === undefined) {
    value = sig(percentile(decodeHistogram(r.histogram as string), 95) / 1000);
    if (hourP95s.size >= HOUR_P95S_KEPT) hourP95s.clear();
    hourP95s.set(key, value);
  }
  return value;
}

export function hourlyP95(rollups: readonly Rollup[], firstHour: number, hours: number): HourlyP95 {
  const byStart = new Map(rollups.map((r) => [r.start, r]));
  const values: (number | null)[] = [];
  const failedHours: number[] = [];
  for (let i = 0; i < hours; i++) {
    const r = byStart.get(firstHour + i * HOUR);
    values.push(r?.histogram ? hourP95(r) : null);
    if (r?.failed) failedHours.push(i);
  }
  return { firstHour, values, failedHours };
}

function incidentItem(row: IncidentRow, now: number): IncidentItem {
  return {
    id: row.id,
    severity: row.severity,
    openedAt: row.openedAt,
    resolvedAt: row.resolvedAt,
    durationMs: Math.max(0, (row.resolvedAt ?? now) - row.openedAt),
    cause: row.cause,
    reminders: row.reminders,
  };
}

/** Open incidents first, then those resolved since `since`; newest first within each. */
export function incidentList(rows: readonly IncidentRow[], now: number, since: number): IncidentItem[] {
  const open = rows.filter((r) => r.resolvedAt === undefined).sort((a, b) => b.openedAt - a.openedAt);
  const resolved = rows
    .filter((r) => r.resolvedAt !== undefined && r.resolvedAt >= since)
    .sort((a, b) => (b.resolvedAt as number) - (a.resolvedAt as number));
  return [...open, ...resolved].map((r) => incidentItem(r, now));
}

const SEVERITY: Record<StateName, number> = { unknown: 0, pass: 1, degraded: 2, fail: 3 };

/**
 * The page's state: the worst check, an open incident counting as its severity (a check that
 * passes again is still recovering until the incident resolves); unknown when nothing ran.
 */
export function overallState(checks: readonly CheckStatus[]): StateName {
  let worst: StateName = 'unknown';
  for (const check of checks) {
    const states: StateName[] = [check.state];
    for (const i of check.incidents)
      if (i.resolvedAt === undefined) states.push(i.severity === 'failed' ? 'fail' : 'degraded');
    for (const s of states) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  }
  return worst;
}

function sloWindow(status: WindowStatus | undefined): SloWindow {
  return {
    total: status?.total ?? 0,
    good: status?.good ?? 0,
    sli: status?.sli,
    budgetRemaining: status?.budgetRemaining,
    met: status?.met,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the store

function byCheck(rollups: readonly Rollup[]): Map<string, Rollup[]> {
  const out = new Map<string, Rollup[]>();
  for (const r of rollups) {
    const list = out.get(r.check);
    if (list) list.push(r);
    else out.set(r.check, [r]);
  }
  return out;
}

/** Everything the status page shows, read once (one query per rollup period for all checks). */
export function statusPageData(view: MonitorView): StatusPageData {
  const { store, now } = view;
  const today = Math.floor(now / DAY) * DAY;
  const firstDay = today - (UPTIME_DAYS - 1) * DAY;
  const thisHour = Math.floor(now / HOUR) * HOUR;
  const firstHour = thisHour - (CHART_HOURS - 1) * HOUR;
  const days = byCheck(store.rollups('day', firstDay, today + DAY));
  const hours = byCheck(store.rollups('hour', firstHour, thisHour + HOUR));
  const states = store.loadStates();
  const incidents = store.incidents();
  const since = now - INCIDENT_DAYS * DAY;

  const checks = view.checks.map((check): CheckStatus => {
    const daily = days.get(check.name) ?? [];
    const hourly = hours.get(check.name) ?? [];
    const lastDay = hourly.filter((r) => r.start > thisHour - 24 * HOUR);
    const lastMonth = daily.filter((r) => r.start > today - 30 * DAY);
    const state = states.get(check.name);
    const last: StateName = state?.last ?? 'unknown';
    return {
      name: check.name,
      group: check.group,
      type: check.type,
      target: check.target ?? '',
      state: last,
      streak: streakOf(state),
      lastRunAt: state?.lastRunAt || undefined,
      days: dayBars(daily, firstDay, UPTIME_DAYS),
      uptime: { day: uptimeOf(lastDay), month: uptimeOf(lastMonth), all: uptimeOf(daily) },
      latency: { day: latencyOf(lastDay), month: latencyOf(lastMonth) },
      hourly: hourlyP95(hourly, firstHour, CHART_HOURS),
      incidents: incidentList(
        incidents.filter((i) => i.check === check.name),
        now,
        since,
      ),
    };
  });

  const slos = sloStatuses(store, view.slos, now, SLO_WINDOWS).map(
    ({ slo, windows, burn, firing }): SloRow => {
      const keys = [sloAlertKey(slo.name, 'page'), sloAlertKey(slo.name, 'ticket')];
      return {
        name: slo.name,
        description: describeSlo(slo),
        sli: slo.sli,
        objective: slo.objective,
        thresholdMs: slo.thresholdMs,
        alert: slo.alert,
        period: sloWindow(windows['30d']),
        month: sloWindow(windows.month),
        burn1h: windows['1h']?.burnRate ?? 0,
        group: slo.scope.group,
        firing: firing.map((r) => ({
          severity: r.severity,
          rule: r.burnRate,
          long: r.long,
          longBurn: burn[r.long] ?? 0,
          short: r.short,
          shortBurn: burn[r.short] ?? 0,
        })),
        openAlerts: incidentList(
          incidents.filter((i) => keys.includes(i.check) && i.resolvedAt === undefined),
          now,
          now,
        ),
      };
    },
  );

  // Groups in the order their first check comes; an SLO under its group, or with those spanning groups.
  const names = [...new Set(checks.map((c) => c.group))];
  const groups: GroupStatus[] = names.map((name) => ({
    name,
    checks: checks.filter((c) => c.group === name),
    slos: slos.filter((s) => s.group === name),
  }));
  const spanning = slos.filter((s) => s.group === undefined || !names.includes(s.group));
  if (spanning.length) groups.push({ checks: [], slos: spanning });

  return {
    now,
    origin: view.origin,
    heartbeatAt: store.heartbeatAt(),
    overall: overallState(checks),
    groups,
    openIncidents: checks.reduce(
      (n, c) => n + c.incidents.filter((i) => i.resolvedAt === undefined).length,
      0,
    ),
    firingAlerts: slos.reduce((n, s) => n + s.firing.length, 0),
  };
}
