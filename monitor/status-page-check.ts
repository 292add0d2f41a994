/**
 * One check on the status page: its state, 90 daily uptime bars (plain HTML, a title on each),
 * uptime and latency figures, a week of hourly P95 (a chart the report's client draws) and its
 * incidents.
 */
import type { Charts } from '../core/report/html-charts.ts';
import { COLORS } from '../core/report/html-charts.ts';
import { badge, type Cell, escapeHtml, type Row, shortDate, table } from '../core/report/html-page.ts';
import {
  type CheckStatus,
  type DayBar,
  INCIDENT_DAYS,
  type IncidentItem,
  type Latency,
  type StateName,
  UPTIME_DAYS,
  type Uptime,
} from './status-page-data.ts';
import { ago, count, formatMs, formatPercent, formatSpan, utc } from './status-page-format.ts';

const HOUR = 3_600_000;
/** A P95 from fewer answers has no answer above it: shown, but greyed. */
const P95_MIN_ANSWERS = 20;

const STREAK: Record<StateName, string> = {
  pass: 'passing',
  degraded: 'not passing',
  fail: 'failed',
  unknown: '',
};

function stateLine(check: CheckStatus, now: number): string {
  const parts = [
    check.state === 'unknown' ? 'no run yet' : `${check.streak} ${STREAK[check.state]} in a row`,
    check.lastRunAt ? `last run ${ago(now, check.lastRunAt)} (${utc(check.lastRunAt)})` : undefined,
    check.type,
    check.target || undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The bar's colour: the day's uptime against fixed steps, or why there is none. */
export function dayLevel(day: DayBar): 'none' | 'maint' | 'good' | 'minor' | 'partial' | 'major' {
  if (!day.counted) return day.runs ? 'maint' : 'none';
  const uptime = day.up / day.counted;
  if (uptime >= 0.999) return 'good';
  if (uptime >= 0.99) return 'minor';
  if (uptime >= 0.95) return 'partial';
  return 'major';
}

export function dayTitle(day: DayBar): string {
  const date = new Date(day.start).toISOString().slice(0, 10);
  const excluded = day.excluded
    ? `${count(day.excluded)} in maintenance or with the monitor offline, not counted`
    : '';
  if (!day.counted) return day.runs ? `${date}: no counted runs (${excluded})` : `${date}: no data`;
  const degraded = day.degraded ? `, ${count(day.degraded)} degraded` : '';
  return `${date}: ${formatPercent(day.up / day.counted)} uptime, ${count(day.up)} of ${count(day.counted)} runs up${degraded}${excluded ? `; ${excluded}` : ''}`;
}

function renderBars(check: CheckStatus): string {
  const bars = check.days
    .map((day) => `<span class="day ${dayLevel(day)}" title="${escapeHtml(dayTitle(day))}"></span>`)
    .join('');
  const all = check.uptime.all;
  const summary = all.counted
    ? `${formatPercent(all.up / all.counted)} uptime over ${UPTIME_DAYS} days`
    : `no data in ${UPTIME_DAYS} days`;
  return `<div class="bars" role="group" aria-label="${escapeHtml(`${check.name}: uptime per day, last ${UPTIME_DAYS} days`)}">${bars}</div>
<div class="bars-axis"><span>${UPTIME_DAYS} days ago</span><span>${escapeHtml(summary)}</span><span>today</span></div>`;
}

function uptimeCell(uptime: Uptime): Cell {
  return uptime.counted ? formatPercent(uptime.up / uptime.counted) : '—';
}

function p95Cell(latency: Latency): Cell {
  const text = formatMs(latency.p95);
  if (latency.p95 === undefined || latency.answers >= P95_MIN_ANSWERS) return text;
  return {
    html: escapeHtml(text),
    cls: 'weak',
    title: `from ${latency.answers} answers: too few for a P95 with an answer above it`,
  };
}

function renderFigures(check: CheckStatus): string {
  const row = (label: string, uptime: Uptime, latency?: Latency): Row => ({
    cells: [
      label,
      uptimeCell(uptime),
      count(uptime.counted),
      latency ? formatMs(latency.p50) : '',
      latency ? p95Cell(latency) : '',
    ],
  });
  const rows = [
    row('24 h', check.uptime.day, check.latency.day),
    row('30 days', check.uptime.month, check.latency.month),
    row(`${UPTIME_DAYS} days`, check.uptime.all),
  ];
  return table(
    [
      { label: '' },
      { label: 'uptime', numeric: true },
      { label: 'runs counted', numeric: true },
      { label: 'P50', numeric: true },
      { label: 'P95', numeric: true },
    ],
    rows,
  );
}

function renderChart(check: CheckStatus, charts: Charts): string {
  const { firstHour, values, failedHours } = check.hourly;
  if (!values.some((v) => v !== null)) return '<p class="muted">No answers in the last 7 days.</p>';
  return charts.add({
    kind: 'trend',
    title: `${check.name}: P95 per hour, last 7 days`,
    units: { left: 'ms' },
    x: values.map((_, i) => i),
    labels: values.map((_, i) => shortDate(new Date(firstHour + i * HOUR).toISOString())),
    // Shaded: the hours with a failed run.
    marks: failedHours,
    series: [{ label: 'P95', color: COLORS.p95, values }],
  });
}

function incidentRow(incident: IncidentItem): Row {
  const open = incident.resolvedAt === undefined;
  const state = open
    ? badge(incident.severity === 'failed' ? 'fail' : 'degraded', 'open')
    : badge('pass', 'resolved');
  const reminders = incident.reminders ? `, ${incident.reminders} reminder(s)` : '';
  return {
    cls: open ? 'bad' : undefined,
    cells: [
      state,
      incident.severity,
      utc(incident.openedAt),
      open ? `${formatSpan(incident.durationMs)} so far` : formatSpan(incident.durationMs),
      open ? '' : utc(incident.resolvedAt as number),
      { html: escapeHtml(incident.cause), cls: 'note', title: `${incident.id}${reminders}` },
    ],
  };
}

function renderIncidents(check: CheckStatus): string {
  if (!check.incidents.length) return `<p class="muted">No incidents in the last ${INCIDENT_DAYS} days.</p>`;
  return table(
    [
      { label: 'incident' },
      { label: 'severity' },
      { label: 'opened', cls: 'nowrap' },
      { label: 'duration', cls: 'nowrap' },
      { label: 'resolved', cls: 'nowrap', optional: true },
      { label: 'cause', cls: 'note' },
    ],
    check.incidents.map(incidentRow),
  );
}

export function renderCheck(check: CheckStatus, id: string, now: number, charts: Charts): string {
  return `<article class="check" id="${id}">
<h3>${escapeHtml(check.name)} <span class="badge ${check.state}">${escapeHtml(check.state)}</span></h3>
<p class="meta">${escapeHtml(stateLine(check, now))}</p>
${renderBars(check)}
<div class="beside">${renderFigures(check)}${renderChart(check, charts)}</div>
${renderIncidents(check)}
</article>`;
}
