/**
 * The trend section: the key figures of the last runs, from reports/history.jsonl, with the
 * change points the nightly gate found marked on the charts and listed, and each run's machine
 * speed and whether it was paired.
 */
import { FIGURES, type FigureName } from '../calibration.ts';
import type { HistoryEntry } from '../history.ts';
import type { ChangePointRecord, RunResult } from '../results.ts';
import { formatP, formatValue } from './format.ts';
import { type ChangeMark, type Charts, COLORS } from './html-charts.ts';
import { badge, type Cell, type Column, escapeHtml, type Row, shortDate, table } from './html-page.ts';

/** The trend shows this many runs at most: enough to see a drift, small enough to read. */
const HISTORY_RUNS = 30;
/** A trend chart with more lines than this is a tangle. */
const MAX_TREND_LINES = 10;

/** The history keys worth a line, from the items of this run: "suite item metric stat". */
function trendKeys(result: RunResult): { api: string[]; pages: string[] } {
  const api: string[] = [];
  const lighthouse: string[] = [];
  const journeys: string[] = [];
  for (const suite of result.suites) {
    for (const item of suite.items) {
      if (item.kind === 'scenario' || item.kind === 'endpoint')
        api.push(`${suite.suite} ${item.name} http_req_duration p(95)`);
      if (item.kind === 'page' && item.metrics.page_load)
        (suite.suite === 'lighthouse' ? lighthouse : journeys).push(
          `${suite.suite} ${item.name} page_load med`,
        );
    }
  }
  // Lighthouse's pages first: a handful that stand for every page.
  return {
    api: api.slice(0, MAX_TREND_LINES),
    pages: [...lighthouse, ...journeys].slice(0, MAX_TREND_LINES),
  };
}

/** "+42.5 %": a change point's shift relative to its level before. */
const relativeText = (relative: number | null) =>
  relative === null
    ? ''
    : `${relative > 0 ? '+' : relative < 0 ? '−' : '±'}${Math.abs(relative * 100).toFixed(1)} %`;

/** Did the metric get worse at the change point? */
const worse = (cp: ChangePointRecord) =>
  cp.better === 'lower' ? cp.after > cp.before : cp.after < cp.before;

function changeText(cp: ChangePointRecord): string {
  const relative = relativeText(cp.relative);
  return `change point: ${cp.key}: ${formatValue(cp.before, cp.unit)} → ${formatValue(cp.after, cp.unit)}${relative ? ` (${relative})` : ''} from ${shortDate(cp.startedAt)}`;
}

function trendSpec(
  title: string,
  keys: readonly string[],
  entries: readonly HistoryEntry[],
  changePoints: readonly ChangePointRecord[],
) {
  const present = keys.filter((k) => entries.some((e) => e.metrics[k] !== undefined));
  if (!present.length) return undefined;
  const color = (line: number) => COLORS.lines[line % COLORS.lines.length] ?? COLORS.current;
  const index = new Map(entries.map((e, i) => [e.id, i]));
  // A change point is marked on the chart that draws its metric, at the first run of its new level.
  const changes: ChangeMark[] = changePoints.flatMap((cp) => {
    const line = present.indexOf(cp.key);
    const x = index.get(cp.runId);
    return line < 0 || x === undefined ? [] : [{ x, color: color(line), label: changeText(cp) }];
  });
  return {
    kind: 'trend' as const,
    title,
    units: { left: 'ms' },
    x: entries.map((_, i) => i),
    labels: entries.map((e) => shortDate(e.startedAt)),
    marks: entries.flatMap((e, i) => (e.status === 'pass' ? [] : [i])),
    ...(changes.length ? { changes } : {}),
    series: present.map((k, i) => ({
      label: k.replace(/ (http_req_duration p\(95\)|page_load med)$/, ''),
      color: color(i),
      values: entries.map((e) => e.metrics[k] ?? null),
    })),
  };
}

const CHANGE_COLUMNS: Column[] = [
  { label: 'metric' },
  { label: 'from run (UTC)', cls: 'nowrap' },
  { label: 'before', numeric: true },
  { label: 'after', numeric: true },
  { label: 'change', numeric: true },
  { label: 'p', numeric: true },
];

/** The sustained shifts the nightly gate found in the history of this run's metrics. */
function changePointTable(result: RunResult, points: readonly ChangePointRecord[]): string {
  const rows: Row[] = points.map((cp) => ({
    cells: [
      cp.key,
      cp.runId === result.run.id ? `${shortDate(cp.startedAt)} (this run)` : shortDate(cp.startedAt),
      formatValue(cp.before, cp.unit),
      formatValue(cp.after, cp.unit),
      { html: escapeHtml(relativeText(cp.relative) || '—'), cls: worse(cp) ? 'bad' : 'good' },
      formatP(cp.p),
    ],
  }));
  return `<h3>Change points (${points.length})</h3>
<p class="muted">Sustained shifts in the history of a metric (E-Divisive means): the level changed from this run on, not for one run only.</p>
${table(CHANGE_COLUMNS, rows)}`;
}

/** A calibration figure as calibration.ts writes it: three significant digits. */
const figureText = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toPrecision(3);

/** The machine's speed in a run (node CPU), with every figure it measured in the title. */
function speedCell(entry: HistoryEntry): Cell {
  const figures = entry.calibration;
  const speed = figures?.nodeCpu;
  if (!figures || speed === undefined) return '—';
  const all = (Object.keys(FIGURES) as FigureName[])
    .filter((name) => figures[name] !== undefined)
    .map((name) => `${FIGURES[name].label} ${figureText(figures[name] as number)} ${FIGURES[name].unit}`);
  const drift = entry.drift ? ' — the machine changed during this run' : '';
  return {
    html: `${escapeHtml(`${figureText(speed)} it/ms`)}${entry.drift ? ' <span class="warn">(changed)</span>' : ''}`,
    title: `${all.join(', ')}${drift}`,
  };
}

/** The run's date; a paired run (--compare-url) is marked, with the reference it was compared with. */
function runCell(entry: HistoryEntry, current: boolean): Cell {
  const date = current ? `${shortDate(entry.startedAt)} (this run)` : shortDate(entry.startedAt);
  if (!entry.compareUrl) return date;
  return {
    html: `${escapeHtml(date)} <span class="badge paired" title="${escapeHtml(`compared with the reference ${entry.compareUrl}, measured interleaved in the same run`)}">paired</span>`,
  };
}

const RUN_COLUMNS: Column[] = [
  { label: 'run (UTC)', cls: 'nowrap' },
  { label: 'outcome' },
  { label: 'regressions', numeric: true },
  { label: 'machine (node CPU)', numeric: true },
  { label: 'commit' },
  { label: 'profile' },
  { label: 'milestone' },
];

export function renderTrend(result: RunResult, history: readonly HistoryEntry[], charts: Charts): string {
  const entries = history.slice(-HISTORY_RUNS);
  const points = result.changePoints ?? [];
  const runs = entries.length >= 2;
  if (!runs && !points.length) return '';
  const parts = ['<section id="trend"><h2>Trend</h2>'];
  if (runs) {
    const keys = trendKeys(result);
    const specs = [
      trendSpec('API latency P95 (ms), last runs', keys.api, entries, points),
      trendSpec('Page load median (ms), last runs', keys.pages, entries, points),
    ].filter((s) => s !== undefined);
    const counts = { pass: 0, fail: 0, error: 0 };
    for (const e of entries) counts[e.status]++;
    const marked = specs.some((s) => s.changes?.length);
    parts.push(
      `<p>Last ${entries.length} runs: ${counts.pass} passed, ${counts.fail} failed, ${counts.error} could not measure. Runs that did not pass are shaded red on the charts${marked ? '; a dashed line in its metric’s colour marks the first run of each change point' : ''}.</p>`,
    );
    if (specs.length) parts.push(`<div class="charts">${specs.map((s) => charts.add(s)).join('')}</div>`);
  }
  if (points.length) parts.push(changePointTable(result, points));
  if (runs) {
    const rows = [...entries].reverse().map((e) => ({
      cls: e.status === 'pass' ? undefined : 'bad',
      cells: [
        runCell(e, e.id === result.run.id),
        badge(e.status, e.status.toUpperCase()),
        String(e.regressions),
        speedCell(e),
        e.commit ? e.commit.slice(0, 12) : '—',
        e.profile,
        e.milestone,
      ],
    }));
    parts.push(`<details><summary>Runs</summary>${table(RUN_COLUMNS, rows)}</details>`);
  }
  return `${parts.join('\n')}\n</section>`;
}
