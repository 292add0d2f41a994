/**
 * The page around the report's sections: its CSS and CSP, the bundled assets, escaping, and the
 * table and badge helpers every section builds with.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Charts } from './html-charts.ts';

export const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

// ---------------------------------------------------------------------------------------------
// Escaping

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON for a <script type="application/json">: no "<", ">" or "&" left to end the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inlined JavaScript: "</script" in a string literal would end the element; "<\/" is the same string. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

// ---------------------------------------------------------------------------------------------
// Bundled assets, read once per process

interface Assets {
  uplotJs: string;
  uplotCss: string;
  client: string;
}

let assets: Assets | undefined;

export function loadAssets(): Assets {
  if (!assets) {
    const require = createRequire(import.meta.url);
    assets = {
      uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
      client: readFileSync(new URL('./html-client.js', import.meta.url), 'utf8'),
    };
  }
  return assets;
}

// ---------------------------------------------------------------------------------------------
// Dates and durations

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** "11-26 02:28" in UTC: the same on every machine that renders the report. */
export function shortDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(5, 16).replace('T', ' ');
}

// ---------------------------------------------------------------------------------------------
// Tables and badges

export type Cell = string | { html: string; cls?: string; title?: string };

const cellHtml = (cell: Cell) => (typeof cell === 'string' ? escapeHtml(cell) : cell.html);

function td(cell: Cell, column: Column | undefined): string {
  const own = typeof cell === 'string' ? '' : (cell.cls ?? '');
  const classes = [column?.numeric ? 'num' : '', column?.cls ?? '', own].filter(Boolean);
  const title = typeof cell !== 'string' && cell.title ? ` title="${escapeHtml(cell.title)}"` : '';
  return `<td${classes.length ? ` class="${classes.join(' ')}"` : ''}${title}>${cellHtml(cell)}</td>`;
}

export interface Column {
  label: string;
  numeric?: boolean;
  /** "nowrap" keeps a short name on one line; "note" gives prose room to wrap. */
  cls?: 'nowrap' | 'note';
  /** Left out when no row has anything in it (a "note" column of a table without notes). */
  optional?: boolean;
}

export interface Row {
  cells: Cell[];
  cls?: string;
}

const isEmpty = (cell: Cell | undefined) => cell === undefined || cell === '';

export function table(columns: readonly Column[], rows: readonly Row[]): string {
  if (!rows.length) return '';
  const shown = columns
    .map((column, index) => ({ column, index }))
    .filter(({ column, index }) => !column.optional || rows.some((r) => !isEmpty(r.cells[index])));
  const head = shown
    .map(({ column }) => `<th${column.numeric ? ' class="num"' : ''}>${escapeHtml(column.label)}</th>`)
    .join('');
  const body = rows
    .map((row) => {
      const cells = shown.map(({ column, index }) => td(row.cells[index] ?? '', column));
      return `<tr${row.cls ? ` class="${row.cls}"` : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  // A wide table scrolls inside its box rather than widening the page.
  return `<div class="table"><table><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

export const badge = (status: string, word: string) => ({
  html: `<span class="badge ${status}">${escapeHtml(word)}</span>`,
});

export const rowClass = (status: string) =>
  status === 'fail' || status === 'error' || status === 'regression' ? 'bad' : undefined;

/** "2 REGRESSION, 30 no change": how many of each status, worst first as the words are ordered. */
export function tally<S extends string>(list: readonly { status: S }[], words: Record<S, string>): string {
  const counts = new Map<S, number>();
  for (const { status } of list) counts.set(status, (counts.get(status) ?? 0) + 1);
  return (Object.keys(words) as S[])
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${words[s]}`)
    .join(', ');
}

/** A long table of mostly good news folds away; it opens by itself when it holds bad news. */
export function folded(summary: string, content: string, open: boolean): string {
  return `<details${open ? ' open' : ''}><summary>${escapeHtml(summary)}</summary>${content}</details>`;
}

// ---------------------------------------------------------------------------------------------
// Style

export const STYLE = `
:root { color-scheme: light; --bad: #c62828; --good: #2e7d32; --warn: #8a6d00; --muted: #666; --line: #ddd; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 16px 24px 48px; max-width: 1360px; color: #222; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 16px 0 6px; }
small { color: var(--muted); font-weight: normal; }
nav { margin: 8px 0 0; } nav a { margin-right: 12px; }
.outcome { padding: 1px 8px; border-radius: 4px; color: #fff; }
.outcome.pass { background: var(--good); } .outcome.fail, .outcome.error { background: var(--bad); }
.facts { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 0; }
.facts div { display: flex; gap: 6px; } .facts dt { color: var(--muted); } .facts dd { margin: 0; }
table { font-size: 13px; border-collapse: collapse; margin: 8px 0 12px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f5f5f5; font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
th, .nowrap { white-space: nowrap; }
.note { min-width: 12em; }
.table { max-width: 100%; overflow-x: auto; }
tr.bad td { background: #fdecea; }
.bad { color: var(--bad); } .good { color: var(--good); } .warn { color: var(--warn); } .muted { color: var(--muted); }
.weak { color: #999; }
.indent { padding-left: 16px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; background: #eee; white-space: nowrap; }
.badge.fail, .badge.error, .badge.regression { background: var(--bad); color: #fff; font-weight: 600; }
.badge.pass { background: #e8f5e9; color: var(--good); } .badge.improved { background: var(--good); color: #fff; }
.badge.inconclusive { background: #fff3cd; color: var(--warn); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 8px 0; }
.beside { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
tr.first td { border-top: 1px solid #bbb; }
.beside .chart { flex-basis: 320px; max-width: 760px; }
.chart { flex: 1 1 380px; min-width: 320px; max-width: min(100%, 900px); overflow: hidden; }
.uplot .u-title { font-size: 13px; font-weight: 600; }
.uplot .u-legend { font-size: 12px; }
article { margin-bottom: 16px; }
details > summary { cursor: pointer; font-weight: 600; margin: 6px 0; }
#links li { margin: 4px 0; }
code { background: #f3f3f3; padding: 0 4px; border-radius: 3px; }
.alert { margin: 8px 0; padding: 6px 10px; border-left: 4px solid var(--warn); background: #fff8e1; }
.machine { margin: 8px 0 0; } .machine ul { margin: 2px 0 0; padding-left: 20px; columns: 2 24em; }
.badge.against { background: #eef2f7; color: #34495e; } .badge.against.history { background: #ede7f6; color: #4527a0; }
.badge.paired { background: #e0f2f1; color: #00695c; }
.change-mark { position: absolute; top: 0; bottom: 0; width: 0; border-left: 2px dashed currentColor; pointer-events: none; }
.change-mark span { position: absolute; left: -7px; width: 0; height: 0; border: 6px solid transparent; border-top: 9px solid currentColor; pointer-events: auto; cursor: help; }
`;

export interface PageParts {
  title: string;
  /** The page's own CSS, after the shared STYLE. */
  style?: string;
  /** Reload every N seconds (the served status page). */
  refreshSeconds?: number | undefined;
  /** Everything inside <body> before the scripts. */
  body: string;
  /** The charts drawn into the body's chart elements. */
  charts: Charts;
}

/**
 * One self-contained HTML document: strict CSP, uPlot and the chart client inlined, the charts'
 * data as JSON. The gate's report, the status page and the capacity report share it.
 */
export function htmlDocument(parts: PageParts): string {
  const { uplotJs, uplotCss, client } = loadAssets();
  const refresh =
    parts.refreshSeconds && parts.refreshSeconds > 0
      ? `<meta http-equiv="refresh" content="${Math.max(1, Math.round(parts.refreshSeconds))}">\n`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${refresh}<title>${escapeHtml(parts.title)}</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${STYLE}${parts.style ?? ''}</style>
</head>
<body>
${parts.body}
<script type="application/json" id="report-data">${jsonForScript({ charts: parts.charts.specs })}</script>
<script>${inlineScript(uplotJs)}</script>
<script>${inlineScript(client)}</script>
</body>
</html>
`;
}
