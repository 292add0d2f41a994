/**
 * Service level objectives (pure): which checks an SLO covers, its SLI over a window from the
 * rollups' counts, the error budget left, the burn rate, and the SRE workbook's multiwindow,
 * multi-burn-rate alerts (ch. 5, table 5-8). Events-based: an SLI is good runs ÷ counted runs,
 * maintenance and monitor-offline runs excluded (they are not in the counts at all).
 * - availability: runs that passed (degraded included, as Checkly counts it) ÷ runs counted;
 * - latency: answers within the threshold ÷ answers (a run that got no answer is an
 *   availability failure, not a latency figure).
 */
import type { MilestoneTargets } from '../core/targets.ts';
import type { AlertEvent, OpenIncident } from './incidents.ts';

export type SliKind = 'availability' | 'latency';

export interface Slo {
  name: string;
  sli: SliKind;
  /** The share of good events promised, 0 < objective < 1 (0.999 = "99.9 %"). */
  objective: number;
  /** Latency SLOs: an answer within this many ms is good. */
  thresholdMs?: number | undefined;
  /** The checks it covers, by name. */
  checks: string[];
  /** What it is about, for labels and the status page: a group, a check, or neither (several). */
  scope: { group?: string | undefined; check?: string | undefined };
  /** Burn-rate alerts go to the monitor's channels. */
  alert: boolean;
  /** Where it came from: the config, or the milestone's target it was made from. */
  origin: string;
}

/** One check's counts over a window, as the store sums its rollups. */
export interface CheckCounts {
  /** Runs counted (maintenance and offline runs are not). */
  total: number;
  /** Of those, passed or degraded. */
  good: number;
  /** Of those, the ones that got an answer (a latency). */
  answered: number;
  /** Answers within each latency threshold (ms → count). */
  within: Record<number, number>;
}

export interface Counts {
  total: number;
  good: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The rolling windows SLOs are reported over, and those the burn-rate alerts need. */
export const WINDOWS = {
  '5m': 5 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '6h': 6 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
} as const;
export type WindowName = keyof typeof WINDOWS;
export const REPORT_WINDOWS: readonly WindowName[] = ['1h', '1d', '7d', '30d'];
/** The budget's period: a rolling 30 days. */
export const SLO_PERIOD: WindowName = '30d';

export interface BurnRule {
  severity: 'page' | 'ticket';
  long: WindowName;
  short: WindowName;
  /** Fires when both windows burn at least this fast. */
  burnRate: number;
  /** The share of a 30-day budget the long window burns at that rate. */
  budgetShare: number;
}

/** The SRE workbook's table 5-8; the short window is 1/12 of the long one. */
export const BURN_RULES: readonly BurnRule[] = [
  { severity: 'page', long: '1h', short: '5m', burnRate: 14.4, budgetShare: 0.02 },
  { severity: 'page', long: '6h', short: '30m', burnRate: 6, budgetShare: 0.05 },
  { severity: 'ticket', long: '1d', short: '2h', burnRate: 3, budgetShare: 0.1 },
  { severity: 'ticket', long: '3d', short: '6h', burnRate: 1, budgetShare: 0.1 },
];

/** The windows the alerts read. */
export const ALERT_WINDOWS: readonly WindowName[] = [
  ...new Set(BURN_RULES.flatMap((r) => [r.long, r.short])),
];

/** An SLO's good and counted events, summed over its checks. */
export function sloCounts(slo: Slo, perCheck: ReadonlyMap<string, CheckCounts>): Counts {
  let total = 0;
  let good = 0;
  for (const name of slo.checks) {
    const c = perCheck.get(name);
    if (!c) continue;
    if (slo.sli === 'availability') {
      total += c.total;
      good += c.good;
    } else {
      total += c.answered;
      good += c.within[slo.thresholdMs as number] ?? 0;
    }
  }
  return { total, good };
}

/** Good ÷ counted; undefined with no events (no evidence either way). */
export function sliOf(counts: Counts): number | undefined {
  return counts.total ? counts.good / counts.total : undefined;
}

/**
 * How fast the budget burns: the error rate ÷ the error rate allowed. 1 spends exactly the
 * budget over the period; 14.4 spends 2 % of 30 days' budget in an hour. 0 with no events.
 */
export function burnRate(counts: Counts, objective: number): number {
  if (!counts.total) return 0;
  return (counts.total - counts.good) / counts.total / (1 - objective);
}

/** The share of the window's budget left: 1 untouched, 0 spent, negative overspent. */
export function budgetRemaining(counts: Counts, objective: number): number | undefined {
  return counts.total ? 1 - burnRate(counts, objective) : undefined;
}

/** Bad events the window may still take before the SLO is missed (may be negative). */
export function badEventsLeft(counts: Counts, objective: number): number {
  return (1 - objective) * counts.total - (counts.total - counts.good);
}

export interface WindowStatus {
  window: string;
  total: number;
  good: number;
  sli?: number | undefined;
  burnRate: number;
  budgetRemaining?: number | undefined;
  /** SLI ≥ objective; undefined with no events. */
  met?: boolean | undefined;
}

export function windowStatus(window: string, counts: Counts, objective: number): WindowStatus {
  const sli = sliOf(counts);
  return {
    window,
    ...counts,
    sli,
    burnRate: burnRate(counts, objective),
    budgetRemaining: budgetRemaining(counts, objective),
    // A tolerance for float division: 999 of 1000 meets 0.999.
    met: sli === undefined ? undefined : sli >= objective - 1e-12,
  };
}

/** Rules whose long and short windows both burn at least their rate (strongest first). */
export function firingRules(burn: Readonly<Record<string, number>>): BurnRule[] {
  // ≥ with a tolerance: burning exactly 2 % of the budget in an hour is 14.4 up to rounding.
  const atLeast = (value: number | undefined, rate: number) => (value ?? 0) >= rate * (1 - 1e-9);
  return BURN_RULES.filter((r) => atLeast(burn[r.long], r.burnRate) && atLeast(burn[r.short], r.burnRate));
}

/** One SLO's alert at one severity: an open incident or none. Stored between evaluations. */
export interface SloAlertState {
  incident?: OpenIncident | undefined;
}

/** The alert key of an SLO at a severity, also the incident's "check" and PagerDuty's dedup key. */
export function sloAlertKey(slo: string, severity: BurnRule['severity']): string {
  return `slo:${slo}:${severity}`;
}

/**
 * One evaluation of one SLO alert: a trigger when a rule of its severity starts firing, a
 * resolve when none fires any more. While it fires nothing more is sent: one burn, one
 * trigger and one resolve (the short windows make the resolve prompt once the burn stops).
 */
export function advanceSloAlert(
  previous: SloAlertState,
  key: string,
  severity: BurnRule['severity'],
  firing: BurnRule | undefined,
  at: number,
  explain: (rule: BurnRule) => string,
): { state: SloAlertState; events: AlertEvent[] } {
  const open = previous.incident;
  if (firing && !open) {
    const incident: OpenIncident = {
      id: `${key}@${at}`,
      // The incident vocabulary of checks: a page is critical, a ticket a warning.
      severity: severity === 'page' ? 'failed' : 'degraded',
      openedAt: at,
      lastNotifiedAt: at,
      reminders: 0,
      cause: explain(firing),
    };
    return { state: { incident }, events: [{ type: 'trigger', incident, at, message: incident.cause }] };
  }
  if (!firing && open)
    return {
      state: {},
      events: [
        {
          type: 'resolve',
          incident: open,
          at,
          message: 'the burn rate is back under the alert thresholds',
          durationMs: at - open.openedAt,
        },
      ],
    };
  return { state: previous, events: [] };
}

/** "99.9 %" and "99.99 %": as many decimals as the objective needs. */
export function formatObjective(objective: number): string {
  const percent = objective * 100;
  const decimals = Math.min(4, Math.max(0, -Math.floor(Math.log10(100 - percent + 1e-12)) + 1));
  return `${Number(percent.toFixed(decimals))} %`;
}

export function describeSlo(slo: Slo): string {
  const what = slo.scope.check ?? (slo.scope.group ? `group ${slo.scope.group}` : slo.checks.join(', '));
  return slo.sli === 'availability'
    ? `${formatObjective(slo.objective)} of ${what} runs pass`
    : `${formatObjective(slo.objective)} of ${what} answers within ${slo.thresholdMs} ms`;
}

interface CheckInfo {
  name: string;
  group: string;
  type: string;
}

/**
 * The SLOs a milestone's targets imply (used when the config sets none):
 * - uptime (rate>=X): availability per group (alerting, for groups of HTTP checks) and per check;
 * - api http_req_duration p(N)<L: "N % of API answers within L ms" over the HTTP checks;
 * - api http_req_failed rate<X: "1 − X of API runs pass" over the HTTP checks.
 * Browser groups get no burn-rate alerts by default: a journey every 5 min makes 12 events an
 * hour, so one failed run is already a 14.4× burn of a 99.9 % budget (the workbook's
 * low-traffic case); their own incidents (N failures in a row) page instead.
 */
export function defaultSlos(
  targets: MilestoneTargets,
  milestone: string,
  checks: readonly CheckInfo[],
): Slo[] {
  const slos: Slo[] = [];
  const origin = (keyText: string, source: string) => `milestone ${milestone}: ${keyText} ${source}`;
  const api = checks.filter((c) => c.type === 'http').map((c) => c.name);
  const groups = [...new Set(checks.map((c) => c.group))];
  for (const rule of targets.uptime) {
    if (rule.key.metric !== 'uptime') continue;
    for (const t of rule.thresholds) {
      if (t.aggregation !== 'rate' || !t.operator.startsWith('>') || t.limit <= 0 || t.limit >= 1) continue;
      for (const group of groups) {
        const members = checks.filter((c) => c.group === group);
        slos.push({
          name: `${group}-availability`,
          sli: 'availability',
          objective: t.limit,
          checks: members.map((c) => c.name),
          scope: { group },
          alert: members.every((c) => c.type === 'http' || c.type === 'health'),
          origin: origin(rule.keyText, t.source),
        });
      }
      for (const check of checks)
        slos.push({
          // The check "health" of the group "health" must not take the group's name.
          name: `${check.name}${groups.includes(check.name) ? '-check' : ''}-availability`,
          sli: 'availability',
          objective: t.limit,
          checks: [check.name],
          scope: { group: check.group, check: check.name },
          alert: false,
          origin: origin(rule.keyText, t.source),
        });
    }
  }
  if (api.length)
    for (const rule of targets.api) {
      // Tagged keys judge one endpoint of a load run, not the monitor's checks.
      if (Object.keys(rule.key.tags).length) continue;
      for (const t of rule.thresholds) {
        if (
          rule.key.metric === 'http_req_duration' &&
          t.percentile !== undefined &&
          t.operator.startsWith('<')
        )
          slos.push({
            name: `api-latency-p${t.percentile}`,
            sli: 'latency',
            objective: t.percentile / 100,
            thresholdMs: t.limit,
            checks: api,
            scope: { group: 'api' },
            alert: true,
            origin: origin(rule.keyText, t.source),
          });
        if (rule.key.metric === 'http_req_failed' && t.aggregation === 'rate' && t.operator.startsWith('<'))
          slos.push({
            name: 'api-errors',
            sli: 'availability',
            objective: 1 - t.limit,
            checks: api,
            scope: { group: 'api' },
            // The availability SLOs (tighter) page first; this one is for the report.
            alert: false,
            origin: origin(rule.keyText, t.source),
          });
      }
    }
  // A name made twice (a check named like a group) keeps the first.
  const seen = new Set<string>();
  return slos.filter((s) => !seen.has(s.name) && seen.add(s.name));
}

/** The latency thresholds the store must count answers within. */
export function latencyThresholds(slos: readonly Slo[]): number[] {
  return [...new Set(slos.flatMap((s) => (s.thresholdMs === undefined ? [] : [s.thresholdMs])))].sort(
    (a, b) => a - b,
  );
}

/** Start of the UTC calendar month holding `at`, and of the one before. */
export function monthStart(at: number, monthsBack = 0): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1);
}
