/**
 * The status page as one self-contained HTML document (pure: the figures in, the text out):
 * the header, each group's SLOs and checks (status-page-check.ts). Built with the gate report's
 * parts: its CSS, CSP, escaping and tables (core/report/html-page.ts), and its uPlot bundle and
 * chart client (html-charts.ts, html-client.js) for the hourly P95 charts. Nothing is fetched:
 * the CSP forbids any request, so the file reads the same served by the monitor or opened from
 * disk.
 */
import { Charts } from '../core/report/html-charts.ts';
import { badge, type Cell, escapeHtml, htmlDocument, type Row, table } from '../core/report/html-page.ts';
import { HEARTBEAT_STALE_MS } from './heartbeat.ts';
import { formatObjective } from './slo.ts';
import { renderCheck } from './status-page-check.ts';
import type { GroupStatus, SloRow, SloWindow, StateName, StatusPageData } from './status-page-data.ts';
import { ago, count, formatPercent, rate, utc } from './status-page-format.ts';

export interface StatusPageOptions {
  /** Reload the page every N seconds (the monitor serving it live); none when absent. */
  refreshSeconds?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Header

const OVERALL: Record<StateName, string> = {
  pass: 'All checks passing',
  degraded: 'Degraded',
  fail: 'Outage',
  unknown: 'No results yet',
};

function fact(label: string, html: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd>${html}</dd></div>`;
}

function heartbeat(data: StatusPageData): { text: string; stale: boolean } {
  if (data.heartbeatAt === undefined)
    return { text: 'no heartbeat in this database (the monitor has not run with it)', stale: true };
  const stale = data.now - data.heartbeatAt > HEARTBEAT_STALE_MS;
  return {
    text: `last heartbeat ${ago(data.now, data.heartbeatAt)}${stale ? ' — not running?' : ''}`,
    stale,
  };
}

function renderHeader(data: StatusPageData): string {
  const checks = data.groups.flatMap((g) => g.checks);
  const failing = checks.filter((c) => c.state === 'fail').length;
  const beat = heartbeat(data);
  const facts = [
    fact('origin', escapeHtml(data.origin)),
    fact('as of', escapeHtml(utc(data.now))),
    fact('monitor', `<span class="${beat.stale ? 'bad' : ''}">${escapeHtml(beat.text)}</span>`),
    fact('checks', escapeHtml(`${checks.length}${failing ? `, ${failing} failing` : ''}`)),
    fact(
      'open incidents',
      `<span class="${data.openIncidents ? 'bad' : ''}">${escapeHtml(String(data.openIncidents))}</span>`,
    ),
    fact(
      'burn-rate alerts firing',
      `<span class="${data.firingAlerts ? 'bad' : ''}">${escapeHtml(String(data.firingAlerts))}</span>`,
    ),
  ];
  const warning =
    beat.stale && data.heartbeatAt !== undefined
      ? `<p class="alert" role="alert">The monitor's last heartbeat is ${escapeHtml(ago(data.now, data.heartbeatAt))}: the figures below may be stale.</p>`
      : '';
  return `<header>
<h1>Pitchey status <span class="state ${data.overall}">${escapeHtml(OVERALL[data.overall])}</span></h1>
<dl class="facts">${facts.join('')}</dl>
${warning}
</header>`;
}

// ---------------------------------------------------------------------------------------------
// SLOs

function sliCell(window: SloWindow): Cell {
  if (window.sli === undefined) return { html: '—', title: 'no events in this window' };
  return {
    html: escapeHtml(formatPercent(window.sli, 3)),
    cls: window.met ? 'good' : 'bad',
    title: `${count(window.good)} good of ${count(window.total)}`,
  };
}

/** What is left of the budget; once overspent, how many budgets went (−25,000 % reads as noise). */
function budgetCell(window: SloWindow): Cell {
  const left = window.budgetRemaining;
  if (left === undefined) return '—';
  if (left >= 0) return { html: `${Math.round(left * 1000) / 10} %`, cls: left < 0.25 ? 'warn' : '' };
  return {
    html: escapeHtml(`overspent: ${rate(1 - left)}`),
    cls: 'bad',
    title: `${rate(1 - left)} the budget spent (${Math.round(left * 1000) / 10} % left)`,
  };
}

function alertsCell(slo: SloRow): Cell {
  const firing = slo.firing.map(
    (f) =>
      badge('fail', `${f.severity}: ${rate(f.longBurn)} over ${f.long}, ${rate(f.shortBurn)} over ${f.short}`)
        .html,
  );
  const open = slo.openAlerts.map(
    (i) => `<small title="${escapeHtml(i.cause)}">open since ${escapeHtml(utc(i.openedAt))}</small>`,
  );
  if (firing.length || open.length) return { html: [...firing, ...open].join('<br>') };
  return { html: `<span class="muted">${slo.alert ? 'none firing' : 'not alerting'}</span>` };
}

function renderSlos(slos: readonly SloRow[]): string {
  if (!slos.length) return '';
  const rows: Row[] = slos.map((slo) => ({
    cls: slo.firing.length ? 'bad' : undefined,
    cells: [
      {
        html: `<b>${escapeHtml(slo.name)}</b><br><small>${escapeHtml(slo.description)}</small>`,
        cls: 'note',
      },
      formatObjective(slo.objective),
      sliCell(slo.period),
      budgetCell(slo.period),
      sliCell(slo.month),
      budgetCell(slo.month),
      { html: escapeHtml(rate(slo.burn1h)), cls: slo.burn1h > 1 ? 'warn' : '' },
      alertsCell(slo),
    ],
  }));
  return `<h3>Service level objectives</h3>${table(
    [
      { label: 'SLO' },
      { label: 'objective', numeric: true },
      { label: 'SLI 30 d', numeric: true },
      { label: 'budget left 30 d', numeric: true },
      { label: 'SLI month', numeric: true },
      { label: 'budget left month', numeric: true },
      { label: 'burn 1 h', numeric: true },
      { label: 'burn-rate alerts' },
    ],
    rows,
  )}`;
}

// ---------------------------------------------------------------------------------------------
// The page

function renderGroup(group: GroupStatus, index: number, now: number, charts: Charts): string {
  const title = group.name ?? 'SLOs across groups';
  const checks = group.checks.map((c, i) => renderCheck(c, `check-${index}-${i}`, now, charts));
  return `<section id="group-${index}">
<h2>${escapeHtml(title)}${group.checks.length ? ` <small>${group.checks.length} check${group.checks.length > 1 ? 's' : ''}</small>` : ''}</h2>
${renderSlos(group.slos)}
${checks.join('\n')}
</section>`;
}

const LEGEND: [string, string][] = [
  ['good', '≥ 99.9 %'],
  ['minor', '≥ 99 %'],
  ['partial', '≥ 95 %'],
  ['major', '< 95 %'],
  ['maint', 'maintenance or monitor offline only'],
  ['none', 'no data'],
];

const PAGE_STYLE = `
.state { padding: 2px 10px; border-radius: 4px; color: #fff; font-size: 16px; vertical-align: middle; }
.state.pass { background: var(--good); } .state.fail { background: var(--bad); }
.state.degraded { background: #ef6c00; } .state.unknown { background: #757575; }
.badge.degraded { background: #fff3e0; color: #e65100; font-weight: 600; } .badge.unknown { background: #eee; color: #555; }
.check { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.check h3 { margin: 0 0 2px; }
.meta { margin: 0; color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.bars { display: flex; gap: 2px; height: 32px; margin: 8px 0 2px; }
.day { flex: 1 1 0; min-width: 2px; border-radius: 1px; background: #d9d9d9; }
.day:hover { opacity: 0.6; }
.day.good { background: #2e7d32; } .day.minor { background: #9ccc65; } .day.partial { background: #ffa000; }
.day.major { background: #c62828; } .day.maint { background: #90caf9; }
.bars-axis { display: flex; justify-content: space-between; font-size: 12px; color: var(--muted); }
.legend { font-size: 12px; color: var(--muted); margin: 8px 0; }
.legend .day { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; vertical-align: -1px; }
`;

export function renderStatusPage(data: StatusPageData, options: StatusPageOptions = {}): string {
  const charts = new Charts();
  const sections = data.groups.map((g, i) => renderGroup(g, i, data.now, charts));
  const nav = data.groups
    .map((g, i) => `<a href="#group-${i}">${escapeHtml(g.name ?? 'SLOs across groups')}</a>`)
    .join('');
  const legend = LEGEND.map(
    ([cls, text]) => `<span class="nowrap"><span class="day ${cls}"></span>${escapeHtml(text)}</span>`,
  ).join(' ');
  return htmlDocument({
    title: `${OVERALL[data.overall]} · status of ${data.origin}`,
    style: PAGE_STYLE,
    refreshSeconds: options.refreshSeconds,
    body: `${renderHeader(data)}
<nav>${nav}</nav>
<p class="legend">Daily uptime (UTC days; passed and degraded runs are up):${legend}</p>
<main>
${sections.join('\n')}
</main>`,
    charts,
  });
}
