/**
 * index.html: the run as one self-contained page. Failures and regressions first, then latency
 * distributions and per-second series of the API, the journeys and pages against their
 * baselines, the trend of the last runs, and links to the other reports of the run. Nothing is
 * fetched: uPlot, its CSS, the data and the drawing script are inlined, and a CSP forbids any
 * request, so the file can be opened from a CI artifact as it is. The tables carry every number;
 * the charts are a second view of them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BaselineFile, BaselineItem } from '../baselines.ts';
import { groupOf } from '../baselines.ts';
import { decodeHistogram, percentile } from '../histogram.ts';
import type { HistoryEntry } from '../history.ts';
import type {
  Comparison,
  Histogram as EncodedHistogram,
  Item,
  Metric,
  RunResult,
  SuiteResult,
  TrendMetric,
  Verdict,
} from '../results.ts';
import { median } from '../stats.ts';
import {
  COMPARISON_WORD,
  failuresFirst,
  formatDelta,
  formatInterval,
  formatP,
  formatSigned,
  formatThreshold,
  formatValue,
  regressionsFirst,
  STATUS_WORD,
} from './format.ts';

export interface HtmlReportInput {
  /** This run, with verdicts, comparisons and the baseline summary. */
  result: RunResult;
  /** The baseline files this run was compared with (may be empty). */
  baselines: BaselineFile[];
  /** Earlier runs and this one, oldest first (may be empty). */
  history: HistoryEntry[];
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** The trend shows this many runs at most: enough to see a drift, small enough to read. */
const HISTORY_RUNS = 30;
/** A trend chart with more lines than this is a tangle. */
const MAX_TREND_LINES = 10;
/** Points per decade of 1/(1 − p) on the percentile chart: smooth enough, a few KB per chart. */
const POINTS_PER_DECADE = 20;

const COLORS = {
  current: '#1565c0',
  baseline: '#8d8d8d',
  errors: '#c62828',
  p95: '#ef6c00',
  lines: [
    '#1565c0',
    '#ef6c00',
    '#2e7d32',
    '#6a1b9a',
    '#00838f',
    '#ad1457',
    '#5d4037',
    '#455a64',
    '#9e9d24',
    '#c62828',
  ],
};

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
function inlineScript(code: string): string {
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

function loadAssets(): Assets {
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
// Numbers

/** Four significant digits: what a chart can show, and a tenth of the page's size. */
const sig = (value: number) => Number(value.toPrecision(4));

export interface PercentilePoint {
  /** log10(1 / (1 − p)): 0 at the minimum, 1 at P90, 2 at P99, 3 at P99.9. */
  x: number;
  /** The percentile, 0–100. */
  p: number;
  /** The latency there, in the metric's unit. */
  value: number;
}

/**
 * The HDR-style percentile distribution of a histogram: evenly spaced in log10(1 / (1 − p)), up to
 * the highest percentile the sample count supports (p needs 1 / (1 − p) samples, so
 * x ≤ log10(count)), where the tail is drawn from samples rather than from one value.
 */
export function percentileCurve(encoded: EncodedHistogram): PercentilePoint[] {
  const histogram = decodeHistogram(encoded.data);
  const count = histogram.totalCount;
  if (count === 0) return [];
  const top = Math.log10(count);
  const xs: number[] = [];
  for (let k = 0; k / POINTS_PER_DECADE < top - 1e-9; k++) xs.push(k / POINTS_PER_DECADE);
  xs.push(top);
  return xs.map((x) => {
    const p = 100 * (1 - 10 ** -x);
    return {
      x: Number(x.toFixed(4)),
      p: Number(p.toFixed(4)),
      value: sig(percentile(histogram, p) / encoded.scale),
    };
  });
}

/** The statistic a metric is summed up by where no comparison names one. */
function defaultStat(metric: Metric): string {
  if (metric.type === 'trend') return 'med';
  if (metric.type === 'rate') return 'rate';
  if (metric.type === 'gauge') return 'value';
  return 'total';
}

/** A statistic of a metric: "med", "p(95)", "rate", "value", "total", "mean", "max"… */
function statOf(metric: Metric | undefined, stat: string): number | null {
  if (!metric) return null;
  if (metric.type === 'rate') return metric.rate;
  if (metric.type === 'gauge') return metric.value;
  if (metric.type === 'counter') return metric.total;
  if (metric.count === 0) return null;
  // Per-iteration samples give the true median, as the regression test reads it.
  if (stat === 'med' && metric.samples?.length) return median(metric.samples);
  const values = metric.values as Record<string, number | null>;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat)?.[1];
  if (p === '50') return values.med ?? null;
  return (p === undefined ? values[stat] : values[`p${p}`]) ?? null;
}

function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** "11-26 02:28" in UTC: the same on every machine that renders the report. */
function shortDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(5, 16).replace('T', ' ');
}

// ---------------------------------------------------------------------------------------------
// Look-ups

const key = (suite: string, item: string) => `${suite}\0${item}`;

function baselineIndex(baselines: readonly BaselineFile[]): Map<string, BaselineItem> {
  const index = new Map<string, BaselineItem>();
  for (const file of baselines) for (const item of file.items) index.set(key(file.suite, item.name), item);
  return index;
}

/** What the page needs to find by suite and item: the baseline, the comparisons, the verdicts. */
class Lookup {
  private readonly result: RunResult;
  private readonly baselines: Map<string, BaselineItem>;
  constructor(result: RunResult, baselines: readonly BaselineFile[]) {
    this.result = result;
    this.baselines = baselineIndex(baselines);
  }
  baseline(suite: string, item: string): BaselineItem | undefined {
    return this.baselines.get(key(suite, item));
  }
  comparisons(suite: string, items: readonly string[]): Comparison[] {
    return this.result.comparisons.filter((c) => c.suite === suite && items.includes(c.item));
  }
  verdicts(suite: string, items: readonly string[]): Verdict[] {
    return this.result.verdicts.filter((v) => v.suite === suite && items.includes(v.item));
  }
}

// ---------------------------------------------------------------------------------------------
// Charts: specs for html-client.js, which draws them with uPlot

interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** The right-hand axis (the per-second chart's milliseconds). */
  right?: boolean;
  dash?: boolean;
}

export interface ChartSpec {
  id: string;
  kind: 'percentiles' | 'seconds' | 'bars' | 'trend';
  title: string;
  /** Axis labels: left, and right when a series uses it. */
  units: { left: string; right?: string };
  x: number[];
  /** Category names for bars and trend (x is their index). */
  labels?: string[];
  /** Trend: indexes of the runs that did not pass. */
  marks?: number[];
  series: ChartSeries[];
}

class Charts {
  readonly specs: ChartSpec[] = [];
  /** Registers a chart and returns the element it is drawn into. */
  add(spec: Omit<ChartSpec, 'id'>): string {
    const id = `chart-${this.specs.length}`;
    this.specs.push({ id, ...spec });
    return `<div class="chart" id="${id}" role="img" aria-label="${escapeHtml(spec.title)}"></div>`;
  }
}

/** Current and baseline curves on one x grid (uPlot wants aligned data), null where one has no point. */
function percentileSpec(title: string, unit: string, current: TrendMetric, baseline?: Metric) {
  const curves: { label: string; color: string; dash?: boolean; points: PercentilePoint[] }[] = [];
  if (current.histogram)
    curves.push({ label: 'current', color: COLORS.current, points: percentileCurve(current.histogram) });
  if (baseline?.type === 'trend' && baseline.histogram)
    curves.push({
      label: 'baseline',
      color: COLORS.baseline,
      dash: true,
      points: percentileCurve(baseline.histogram),
    });
  const xs = [...new Set(curves.flatMap((c) => c.points.map((p) => p.x)))].sort((a, b) => a - b);
  const series = curves.map((c) => {
    const byX = new Map(c.points.map((p) => [p.x, p.value]));
    return { label: c.label, color: c.color, dash: c.dash, values: xs.map((x) => byX.get(x) ?? null) };
  });
  return { kind: 'percentiles' as const, title, units: { left: unit }, x: xs, series };
}

function secondsSpec(title: string, series: NonNullable<Item['series']>) {
  return {
    kind: 'seconds' as const,
    title,
    units: { left: 'per second', right: 'ms' },
    x: series.map((s) => s.t),
    series: [
      { label: 'requests/s', color: COLORS.current, values: series.map((s) => s.requests) },
      { label: 'errors/s', color: COLORS.errors, values: series.map((s) => s.errors) },
      { label: 'P95 ms', color: COLORS.p95, right: true, values: series.map((s) => s.p95) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// HTML pieces

type Cell = string | { html: string; cls?: string; title?: string };

const cellHtml = (cell: Cell) => (typeof cell === 'string' ? escapeHtml(cell) : cell.html);

function td(cell: Cell, column: Column | undefined): string {
  const own = typeof cell === 'string' ? '' : (cell.cls ?? '');
  const classes = [column?.numeric ? 'num' : '', column?.cls ?? '', own].filter(Boolean);
  const title = typeof cell !== 'string' && cell.title ? ` title="${escapeHtml(cell.title)}"` : '';
  return `<td${classes.length ? ` class="${classes.join(' ')}"` : ''}${title}>${cellHtml(cell)}</td>`;
}

interface Column {
  label: string;
  numeric?: boolean;
  /** "nowrap" keeps a short name on one line; "note" gives prose room to wrap. */
  cls?: 'nowrap' | 'note';
  /** Left out when no row has anything in it (a "note" column of a table without notes). */
  optional?: boolean;
}

interface Row {
  cells: Cell[];
  cls?: string;
}

const isEmpty = (cell: Cell | undefined) => cell === undefined || cell === '';

function table(columns: readonly Column[], rows: readonly Row[]): string {
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

const badge = (status: string, word: string) => ({
  html: `<span class="badge ${status}">${escapeHtml(word)}</span>`,
});

const verdictBadge = (v: Verdict) => badge(v.status, STATUS_WORD[v.status]);
const comparisonBadge = (c: Comparison) => badge(c.status, COMPARISON_WORD[c.status]);

const rowClass = (status: string) =>
  status === 'fail' || status === 'error' || status === 'regression' ? 'bad' : undefined;

const VERDICT_COLUMNS: Column[] = [
  { label: 'verdict' },
  { label: 'item' },
  { label: 'metric', cls: 'nowrap' },
  { label: 'target', cls: 'nowrap' },
  { label: 'value', numeric: true },
  { label: 'samples', numeric: true },
  { label: 'note', optional: true, cls: 'note' },
];

/** How a row names its item: with its suite at the top of the page, shorter under its scenario. */
type NameOf = (row: { suite: string; item: string }) => string;

const plainName: NameOf = (row) => row.item;
const suiteAndName: NameOf = (row) => `${row.suite} · ${row.item}`;

function verdictRows(verdicts: readonly Verdict[], nameOf: NameOf = plainName): Row[] {
  return failuresFirst(verdicts).map((v) => ({
    cls: rowClass(v.status),
    cells: [
      verdictBadge(v),
      nameOf(v),
      v.metric,
      formatThreshold(v),
      formatValue(v.value, v.unit),
      String(v.samples),
      v.reason ?? (v.origin ? `from ${v.origin}` : ''),
    ],
  }));
}

const COMPARISON_COLUMNS: Column[] = [
  { label: 'vs baseline' },
  { label: 'item', cls: 'nowrap' },
  { label: 'metric', cls: 'nowrap' },
  { label: 'baseline → current', numeric: true },
  { label: 'Δ (relative)', numeric: true },
  { label: 'interval of Δ', numeric: true },
  { label: 'p', numeric: true },
  { label: 'method' },
  { label: 'samples', numeric: true },
  { label: 'note', optional: true, cls: 'note' },
];

const minEffectText = (c: Comparison) =>
  `the smallest Δ that counts: ${(c.minEffect.relative * 100).toFixed(0)} % of the baseline, at least ${formatValue(c.minEffect.absolute, c.unit)}`;

/** The sample counts have their own column: the note keeps the why. */
const noteOf = (c: Comparison) => (c.reason ?? '').replace(/\s*\(\d+ baseline, \d+ current\)/, '');

function comparisonRows(comparisons: readonly Comparison[], nameOf: NameOf = plainName): Row[] {
  return regressionsFirst(comparisons).map((c) => ({
    cls: rowClass(c.status),
    cells: [
      comparisonBadge(c),
      nameOf(c),
      `${c.metric} ${c.stat}`,
      `${formatValue(c.baseline, c.unit)} → ${formatValue(c.current, c.unit)}`,
      {
        html: escapeHtml(formatDelta(c)),
        title: minEffectText(c),
      },
      { html: escapeHtml(formatInterval(c)), title: `${((1 - c.alpha) * 100).toFixed(0)} % interval` },
      formatP(c.p),
      c.method,
      `${c.samples.baseline} → ${c.samples.current}`,
      noteOf(c),
    ],
  }));
}

// ---------------------------------------------------------------------------------------------
// 1. Header and failures

function renderHeader(result: RunResult): string {
  const { run, outcome } = result;
  const commit = run.git.commit
    ? `${run.git.commit.slice(0, 12)}${run.git.branch ? ` (${run.git.branch})` : ''}${run.git.dirty ? ', with uncommitted changes' : ''}`
    : '—';
  const facts: [string, string][] = [
    ['profile', run.profile],
    ['milestone', run.milestone],
    ['target', run.embeddedTarget ? `the embedded Pitchey (${run.baseUrl})` : run.baseUrl],
    ['commit', commit],
    ['started', run.startedAt],
    ['duration', formatDuration(run.durationMs)],
    ['machine', `${run.machine.cores} × ${run.machine.cpuModel}, Node ${run.machine.nodeVersion}`],
  ];
  return `<header>
<h1><span class="outcome ${outcome.status}">${escapeHtml(outcome.line)}</span> pitchey-perf run ${escapeHtml(run.id)}</h1>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
</header>`;
}

function renderFailures(result: RunResult): string {
  const parts: string[] = [];
  for (const suite of result.suites.filter((s) => s.status === 'error'))
    parts.push(
      `<p class="bad">Suite <b>${escapeHtml(suite.suite)}</b> could not measure: ${escapeHtml(suite.error ?? 'no reason given')}</p>`,
    );
  const failed = result.verdicts.filter((v) => v.status === 'fail' || v.status === 'error');
  if (failed.length)
    parts.push(
      `<h3>Targets not met (${failed.length})</h3>`,
      table(VERDICT_COLUMNS, verdictRows(failed, suiteAndName)),
    );
  const regressions = result.comparisons.filter((c) => c.status === 'regression');
  if (regressions.length)
    parts.push(
      `<h3>Regressions against the baseline (${regressions.length})</h3>`,
      table(COMPARISON_COLUMNS, comparisonRows(regressions, suiteAndName)),
    );
  if (!parts.length)
    parts.push(
      `<p class="good">Every target met${result.baseline ? ', and no regression against the baselines' : ''}.</p>`,
    );
  parts.push(...baselineNotes(result));
  return `<section id="failures"><h2>Failures</h2>\n${parts.join('\n')}\n</section>`;
}

/** The most frequent of some texts (ties: the first seen). */
function mostFrequent(texts: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * Inconclusive comparisons can be hundreds (every percentile of every page metric): one line with
 * the count and the usual reason, the list folded by item.
 */
function inconclusiveNote(inconclusive: readonly Comparison[]): string {
  const byItem = new Map<string, Comparison[]>();
  for (const c of inconclusive) {
    const name = `${c.suite} · ${c.item}`;
    byItem.set(name, [...(byItem.get(name) ?? []), c]);
  }
  // Reasons differ only in their sample counts ("too few samples (3 baseline, 10 current): …").
  const usual = mostFrequent(
    inconclusive.map((c) => (c.reason ?? '').replace(/\s*\([^)]*\)/g, '')).filter(Boolean),
  );
  const items = [...byItem].map(([name, list]) => {
    const stats = list.map((c) => `${c.metric} ${c.stat}`).join(', ');
    const reason = list[0]?.reason ? ` — ${list[0].reason}` : '';
    return `<li>${escapeHtml(`${name}: ${stats}${reason}`)}</li>`;
  });
  const summary = `Inconclusive against the baseline: ${inconclusive.length} comparisons of ${byItem.size} items${usual ? `, most often ${usual}` : ''}`;
  return `<details class="muted"><summary>${escapeHtml(summary)}</summary><ul>${items.join('\n')}</ul></details>`;
}

/** What the comparison could not decide, and what had nothing to compare with. */
function baselineNotes(result: RunResult): string[] {
  const notes: string[] = [];
  const inconclusive = result.comparisons.filter((c) => c.status === 'inconclusive');
  if (inconclusive.length) notes.push(inconclusiveNote(inconclusive));
  const improved = result.comparisons.filter((c) => c.status === 'improved').length;
  if (improved) notes.push(`<p class="good">Improved against the baseline: ${improved}.</p>`);
  if (!result.baseline) {
    notes.push('<p class="muted">This run was not compared with baselines.</p>');
    return notes;
  }
  for (const warning of result.baseline.warnings)
    notes.push(`<p class="warn">Baseline warning: ${escapeHtml(warning)}</p>`);
  if (result.baseline.missing.length) {
    notes.push(
      `<p class="warn">No baseline yet for ${escapeHtml(result.baseline.missing.join(', '))}: run <code>npm run baselines:update</code>.</p>`,
    );
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// 2. API latency: health endpoints and load scenarios with their requests

const LATENCY_COLUMNS: Column[] = [
  { label: 'item' },
  { label: 'requests', numeric: true },
  { label: 'P50', numeric: true },
  { label: 'P90', numeric: true },
  { label: 'P95', numeric: true },
  { label: 'P99', numeric: true },
  { label: 'P99.9', numeric: true },
  { label: 'max', numeric: true },
  { label: 'errors', numeric: true },
];

const PERCENTILE_FIELDS = ['med', 'p90', 'p95', 'p99', 'p99.9', 'max'] as const;

function latencyRow(item: Item, parent?: Item): Row {
  const duration = item.metrics.http_req_duration;
  const failed = item.metrics.http_req_failed;
  const name =
    parent && item.name.startsWith(`${parent.name} `) ? item.name.slice(parent.name.length + 1) : item.name;
  const cells: Cell[] = [parent ? { html: `<span class="indent">${escapeHtml(name)}</span>` } : name];
  if (duration?.type === 'trend') {
    cells.push(String(duration.count));
    for (const field of PERCENTILE_FIELDS) {
      const text = formatValue(duration.values[field], duration.unit);
      const weak = duration.insufficient.includes(field === 'med' ? 'p50' : field);
      cells.push(
        weak
          ? { html: escapeHtml(text), cls: 'weak', title: 'fewer samples than this percentile needs' }
          : text,
      );
    }
  } else {
    cells.push('—', '—', '—', '—', '—', '—', '—');
  }
  const errors = failed?.type === 'rate' ? formatValue(failed.rate, 'ratio') : '—';
  const bad = failed?.type === 'rate' && failed.passes > 0;
  cells.push(bad ? { html: escapeHtml(errors), cls: 'bad' } : errors);
  return { cells };
}

/** "2 REGRESSION, 30 no change": how many of each status, worst first as the words are ordered. */
function tally<S extends string>(list: readonly { status: S }[], words: Record<S, string>): string {
  const counts = new Map<S, number>();
  for (const { status } of list) counts.set(status, (counts.get(status) ?? 0) + 1);
  return (Object.keys(words) as S[])
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${words[s]}`)
    .join(', ');
}

/** A long table of mostly good news folds away; it opens by itself when it holds bad news. */
function folded(summary: string, content: string, open: boolean): string {
  return `<details${open ? ' open' : ''}><summary>${escapeHtml(summary)}</summary>${content}</details>`;
}

const childrenOf = (suite: SuiteResult, head: Item) =>
  suite.items.filter((i) => i.kind === 'request' && i.tags.scenario === head.name);

/** The charts of one endpoint or scenario: its latency by percentile, and its seconds when it has some. */
function apiCharts(suite: SuiteResult, item: Item, look: Lookup, charts: Charts): string[] {
  const graphs: string[] = [];
  const duration = item.metrics.http_req_duration;
  if (duration?.type === 'trend' && duration.histogram) {
    const baseline = look.baseline(suite.suite, item.name)?.metrics.http_req_duration;
    graphs.push(
      charts.add(percentileSpec(`${item.name}: latency by percentile`, duration.unit, duration, baseline)),
    );
  }
  // One second is a dot, not a series.
  if (item.series && item.series.length >= 2)
    graphs.push(charts.add(secondsSpec(`${item.name}: each second`, item.series)));
  return graphs;
}

/** A scenario with its requests, or all health endpoints together (three small rows). */
function renderApiGroup(
  suite: SuiteResult,
  title: string,
  heads: Item[],
  look: Lookup,
  charts: Charts,
): string {
  const rows: Row[] = [];
  const names: string[] = [];
  const graphs: string[] = [];
  for (const head of heads) {
    const children = childrenOf(suite, head);
    rows.push(latencyRow(head), ...children.map((c) => latencyRow(c, head)));
    names.push(head.name, ...children.map((c) => c.name));
    graphs.push(...apiCharts(suite, head, look, charts));
  }
  // Under one scenario, "pitch" says as much as "average-load pitch".
  const prefix = heads.length === 1 ? `${heads[0]?.name} ` : undefined;
  const nameOf: NameOf = ({ item }) => (prefix && item.startsWith(prefix) ? item.slice(prefix.length) : item);
  const parts = [`<h3>${title}</h3>`, table(LATENCY_COLUMNS, rows)];
  if (graphs.length) parts.push(`<div class="charts">${graphs.join('')}</div>`);
  const comparisons = look.comparisons(suite.suite, names);
  if (comparisons.length)
    parts.push(
      folded(
        `Against the baseline: ${tally(comparisons, COMPARISON_WORD)}`,
        table(COMPARISON_COLUMNS, comparisonRows(comparisons, nameOf)),
        comparisons.some((c) => c.status === 'regression'),
      ),
    );
  const verdicts = look.verdicts(suite.suite, names);
  if (verdicts.length)
    parts.push(
      folded(
        `Targets: ${tally(verdicts, STATUS_WORD)}`,
        table(VERDICT_COLUMNS, verdictRows(verdicts, nameOf)),
        verdicts.some((v) => v.status === 'fail' || v.status === 'error'),
      ),
    );
  return `<article>${parts.join('\n')}</article>`;
}

function renderApi(result: RunResult, look: Lookup, charts: Charts): string {
  const articles: string[] = [];
  for (const suite of result.suites) {
    if (suite.suite === 'health') {
      const endpoints = suite.items.filter((i) => i.kind === 'endpoint');
      if (endpoints.length) articles.push(renderApiGroup(suite, 'Health endpoints', endpoints, look, charts));
    }
    if (suite.suite === 'load') {
      for (const scenario of suite.items.filter((i) => i.kind === 'scenario')) {
        const title = `${escapeHtml(scenario.name)} <small>load scenario</small>`;
        articles.push(renderApiGroup(suite, title, [scenario], look, charts));
      }
    }
  }
  if (!articles.length) return '';
  return `<section id="api"><h2>API latency</h2>
<p class="muted">Latency by percentile: the x axis spreads the tail (50 %, 90 %, 99 %, 99.9 %…) and stops at the highest percentile the sample count supports; the baseline is dashed. Grey figures rest on fewer samples than their percentile needs.</p>
${articles.join('\n')}
</section>`;
}

// ---------------------------------------------------------------------------------------------
// 3. Journeys and pages

/** The metrics that sum up each kind of item, in the order they read best. */
const KEY_METRICS: Record<string, string[]> = {
  journey: ['journey_duration', 'checks'],
  step: ['step_duration'],
  page: ['lh_score', 'page_load', 'lcp', 'tbt', 'cls', 'inp'],
};

/** What each suite's bar chart compares: the journeys' page loads, Lighthouse's LCP. */
const BAR_METRIC: Record<string, string> = { synthetic: 'page_load', lighthouse: 'lcp' };

const PAGE_COLUMNS: Column[] = [
  { label: 'item' },
  { label: 'metric', cls: 'nowrap' },
  { label: 'current', numeric: true },
  { label: 'baseline', numeric: true, optional: true },
  { label: 'Δ', numeric: true, optional: true },
  { label: 'vs baseline', optional: true },
  { label: 'target', optional: true },
];

const movedStatus = (status: Comparison['status']) => status === 'regression' || status === 'improved';

/**
 * The metrics of an item worth a row: its key ones, any with a target, and any other that moved
 * against the baseline. Unchanged secondary metrics (ttfb, bytes…) stay in summary.json.
 */
function rowMetrics(item: Item, comparisons: readonly Comparison[], verdicts: readonly Verdict[]): string[] {
  const names = (KEY_METRICS[item.kind] ?? []).filter((m) => item.metrics[m]);
  const moved = comparisons.filter((c) => movedStatus(c.status)).map((c) => c.metric);
  for (const m of [...verdicts.map((v) => v.metric), ...moved]) if (!names.includes(m)) names.push(m);
  return names;
}

interface PageFigure {
  metric: string;
  stat: string;
  unit: string;
  current: number | null;
  /** Undefined when there is no baseline to read it from (the cell stays empty, not "—"). */
  baseline: number | null | undefined;
  comparison?: Comparison;
  targets: Verdict[];
}

/** One statistic of one metric: the comparison's figures where there is one, else the item's own. */
function pageFigure(
  item: Item,
  baseline: BaselineItem | undefined,
  metric: string,
  stat: string,
  comparison?: Comparison,
): Omit<PageFigure, 'targets'> {
  const own = item.metrics[metric];
  if (comparison)
    return {
      metric,
      stat,
      unit: comparison.unit,
      current: comparison.current,
      baseline: comparison.baseline,
      comparison,
    };
  const before = baseline ? statOf(baseline.metrics[metric], stat) : undefined;
  return { metric, stat, unit: own?.unit ?? '', current: statOf(own, stat), baseline: before };
}

function pageRow(item: Item, figure: PageFigure, first: boolean): Row {
  const { unit, current, baseline, comparison, targets } = figure;
  const delta = comparison
    ? comparison.delta
    : current !== null && baseline !== null && baseline !== undefined
      ? current - baseline
      : null;
  const worst = [comparison?.status, ...targets.map((v) => v.status)].find((s) => s && rowClass(s));
  return {
    cls: [first ? 'first' : '', worst ? 'bad' : ''].filter(Boolean).join(' ') || undefined,
    cells: [
      first ? item.name : '',
      `${figure.metric} ${figure.stat}`,
      formatValue(current, unit),
      baseline === undefined ? '' : formatValue(baseline, unit),
      baseline === undefined ? '' : formatSigned(delta, unit),
      comparison ? comparisonBadge(comparison) : '',
      targets.length
        ? {
            html: targets
              .map((v) => `${verdictBadge(v).html} ${escapeHtml(formatThreshold(v))}`)
              .join('<br>'),
          }
        : '',
    ],
  };
}

function pageRows(suite: string, item: Item, look: Lookup): Row[] {
  const comparisons = look.comparisons(suite, [item.name]);
  const verdicts = look.verdicts(suite, [item.name]);
  const baseline = look.baseline(suite, item.name);
  const figures: PageFigure[] = [];
  for (const name of rowMetrics(item, comparisons, verdicts)) {
    const own = item.metrics[name];
    const mine = comparisons.filter((c) => c.metric === name);
    // The median (or rate, or value) always; other statistics only where they moved.
    const main = own ? defaultStat(own) : (mine[0]?.stat ?? 'value');
    const stats = [main, ...mine.filter((c) => c.stat !== main && movedStatus(c.status)).map((c) => c.stat)];
    stats.forEach((stat, i) => {
      const figure = pageFigure(
        item,
        baseline,
        name,
        stat,
        mine.find((c) => c.stat === stat),
      );
      figures.push({ ...figure, targets: i === 0 ? verdicts.filter((v) => v.metric === name) : [] });
    });
  }
  return figures.map((figure, i) => pageRow(item, figure, i === 0));
}

/** Short names on a chart's x axis: the step ("home"), not "desktop visitor › home". */
const barLabel = (item: Item) => item.tags.step ?? item.name;

function barSpec(suite: string, title: string, items: readonly Item[], look: Lookup) {
  const metricName = BAR_METRIC[suite];
  if (!metricName) return undefined;
  const measured = items.filter((i) => i.metrics[metricName]?.type === 'trend');
  if (!measured.length) return undefined;
  const current = measured.map((i) => statOf(i.metrics[metricName], 'med'));
  const baseline = measured.map((i) => statOf(look.baseline(suite, i.name)?.metrics[metricName], 'med'));
  const series: ChartSeries[] = [];
  if (baseline.some((v) => v !== null))
    series.push({ label: 'baseline median', color: COLORS.baseline, values: baseline });
  series.push({ label: 'current median', color: COLORS.current, values: current });
  return {
    kind: 'bars' as const,
    title: `${title}: ${metricName} median`,
    units: { left: measured[0]?.metrics[metricName]?.unit ?? '' },
    x: measured.map((_, i) => i),
    labels: measured.map(barLabel),
    series,
  };
}

/** Synthetic items by journey ("desktop visitor"); Lighthouse pages by page ("home"). */
function pageGroups(suite: SuiteResult): [string, Item[]][] {
  const groups = new Map<string, Item[]>();
  for (const item of suite.items) {
    const name = suite.suite === 'lighthouse' ? (item.tags.page ?? item.name) : groupOf(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return [...groups];
}

function renderPageSuite(suite: SuiteResult, look: Lookup, charts: Charts): string {
  const parts: string[] = [`<h3>${escapeHtml(suite.suite)}</h3>`];
  // One bar chart per journey; Lighthouse's pages are few enough for one chart of all of them.
  if (suite.suite === 'lighthouse') {
    const spec = barSpec(suite.suite, 'Lighthouse', suite.items, look);
    if (spec) parts.push(`<div class="charts">${charts.add(spec)}</div>`);
  }
  const articles: string[] = [];
  for (const [group, items] of pageGroups(suite)) {
    const rows = items.flatMap((item) => pageRows(suite.suite, item, look));
    if (!rows.length) continue;
    const spec = suite.suite === 'synthetic' ? barSpec(suite.suite, group, items, look) : undefined;
    // The chart beside the table where the page is wide enough, under it where not.
    const chart = spec ? charts.add(spec) : '';
    articles.push(
      `<article><h4>${escapeHtml(group)}</h4><div class="beside">${table(PAGE_COLUMNS, rows)}${chart}</div></article>`,
    );
  }
  // Lighthouse's tables are narrow and chartless: two side by side where they fit.
  parts.push(
    suite.suite === 'lighthouse' ? `<div class="beside">${articles.join('\n')}</div>` : articles.join('\n'),
  );
  return parts.join('\n');
}

function renderPages(result: RunResult, look: Lookup, charts: Charts): string {
  const suites = result.suites.filter((s) => s.suite === 'synthetic' || s.suite === 'lighthouse');
  const body = suites.filter((s) => s.items.length).map((s) => renderPageSuite(s, look, charts));
  if (!body.length) return '';
  return `<section id="pages"><h2>Journeys and pages</h2>\n${body.join('\n')}\n</section>`;
}

// ---------------------------------------------------------------------------------------------
// 4. Trend of the last runs

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

function trendSpec(title: string, keys: readonly string[], entries: readonly HistoryEntry[]) {
  const present = keys.filter((k) => entries.some((e) => e.metrics[k] !== undefined));
  if (!present.length) return undefined;
  return {
    kind: 'trend' as const,
    title,
    units: { left: 'ms' },
    x: entries.map((_, i) => i),
    labels: entries.map((e) => shortDate(e.startedAt)),
    marks: entries.flatMap((e, i) => (e.status === 'pass' ? [] : [i])),
    series: present.map((k, i) => ({
      label: k.replace(/ (http_req_duration p\(95\)|page_load med)$/, ''),
      color: COLORS.lines[i % COLORS.lines.length] ?? COLORS.current,
      values: entries.map((e) => e.metrics[k] ?? null),
    })),
  };
}

function renderTrend(result: RunResult, history: readonly HistoryEntry[], charts: Charts): string {
  const entries = history.slice(-HISTORY_RUNS);
  if (entries.length < 2) return '';
  const keys = trendKeys(result);
  const specs = [
    trendSpec('API latency P95 (ms), last runs', keys.api, entries),
    trendSpec('Page load median (ms), last runs', keys.pages, entries),
  ].filter((s) => s !== undefined);
  const counts = { pass: 0, fail: 0, error: 0 };
  for (const e of entries) counts[e.status]++;
  const rows = [...entries].reverse().map((e) => ({
    cls: e.status === 'pass' ? undefined : 'bad',
    cells: [
      e.id === result.run.id ? `${shortDate(e.startedAt)} (this run)` : shortDate(e.startedAt),
      badge(e.status, e.status.toUpperCase()),
      String(e.regressions),
      e.commit ? e.commit.slice(0, 12) : '—',
      e.profile,
      e.milestone,
    ],
  }));
  const runColumns = [
    { label: 'run (UTC)' },
    { label: 'outcome' },
    { label: 'regressions', numeric: true },
    { label: 'commit' },
    { label: 'profile' },
    { label: 'milestone' },
  ];
  return `<section id="trend"><h2>Trend</h2>
<p>Last ${entries.length} runs: ${counts.pass} passed, ${counts.fail} failed, ${counts.error} could not measure. Runs that did not pass are shaded red on the charts.</p>
${specs.length ? `<div class="charts">${specs.map((s) => charts.add(s)).join('')}</div>` : ''}
<details><summary>Runs</summary>${table(runColumns, rows)}</details>
</section>`;
}

// ---------------------------------------------------------------------------------------------
// 5. Links to the run's other reports

export interface ReportLink {
  /** Whose report: Playwright's (the journeys) or Lighthouse's (one per page and preset). */
  tool: 'playwright' | 'lighthouse';
  label: string;
  href: string;
}

/**
 * A path the suites wrote into the run's folder, relative to that folder (where index.html is),
 * or undefined when it lies elsewhere: a link must work wherever the folder is copied.
 */
export function runRelative(path: string, runId: string): string | undefined {
  const normal = path.replace(/\\/g, '/');
  const marker = `/${runId}/`;
  const at = normal.indexOf(marker);
  const rest =
    at >= 0
      ? normal.slice(at + marker.length)
      : normal.startsWith(`${runId}/`)
        ? normal.slice(runId.length + 1)
        : undefined;
  if (!rest || rest.split('/').includes('..') || /^[a-z][a-z0-9+.-]*:/i.test(rest)) return undefined;
  return rest;
}

/** The Playwright and Lighthouse HTML reports the suites' notes name. */
export function reportLinks(result: RunResult): ReportLink[] {
  const links: ReportLink[] = [];
  for (const suite of result.suites) {
    for (const note of suite.notes) {
      const playwright = /^Playwright reports: (\S+\.html)/.exec(note);
      const lighthouse = /^(.+?): representative run (\S+\.html)/.exec(note);
      const found: Omit<ReportLink, 'href'> & { path?: string } = playwright
        ? { tool: 'playwright', label: 'Playwright report', path: playwright[1] }
        : { tool: 'lighthouse', label: lighthouse?.[1] ?? '', path: lighthouse?.[2] };
      const href = found.path ? runRelative(found.path, result.run.id) : undefined;
      if (href && !links.some((l) => l.href === href))
        links.push({ tool: found.tool, label: found.label, href });
    }
  }
  return links;
}

/** Relative hrefs only; each path segment is URL-encoded so a name cannot become a scheme. */
const hrefOf = (path: string) => path.split('/').map(encodeURIComponent).join('/');

const anchor = (href: string, label: string) =>
  `<a href="${escapeHtml(hrefOf(href))}">${escapeHtml(label)}</a>`;

function renderLinks(result: RunResult): string {
  const links = reportLinks(result);
  const playwright = links.filter((l) => l.tool === 'playwright');
  const lighthouse = links.filter((l) => l.tool === 'lighthouse');
  const items: string[] = [];
  if (playwright.length)
    items.push(
      `Journeys: ${playwright.map((l) => anchor(l.href, l.label)).join(' · ')} (traces and screenshots of failures)`,
    );
  if (lighthouse.length)
    items.push(
      `Lighthouse, the representative run of each page: ${lighthouse.map((l) => anchor(l.href, l.label)).join(' · ')}`,
    );
  items.push(
    `This run: ${anchor('summary.md', 'summary.md')} (for a pull request) · ${anchor('summary.json', 'summary.json')} (every number) · ${anchor('junit.xml', 'junit.xml')} (one test case per target)`,
  );
  return `<section id="links"><h2>Other reports of this run</h2>\n<ul>${items.map((i) => `<li>${i}</li>`).join('\n')}</ul>\n</section>`;
}

// ---------------------------------------------------------------------------------------------
// The page

const STYLE = `
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
`;

const SECTIONS: [string, string][] = [
  ['failures', 'Failures'],
  ['api', 'API latency'],
  ['pages', 'Journeys and pages'],
  ['trend', 'Trend'],
  ['links', 'Other reports'],
];

export function renderHtml(input: HtmlReportInput): string {
  const { result } = input;
  const { uplotJs, uplotCss, client } = loadAssets();
  const look = new Lookup(result, input.baselines);
  const charts = new Charts();
  const sections = [
    renderFailures(result),
    renderApi(result, look, charts),
    renderPages(result, look, charts),
    renderTrend(result, input.history, charts),
    renderLinks(result),
  ].filter(Boolean);
  const nav = SECTIONS.filter(([id]) => sections.some((s) => s.startsWith(`<section id="${id}"`)))
    .map(([id, label]) => `<a href="#${id}">${escapeHtml(label)}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(`${result.outcome.line} · pitchey-perf ${result.run.id}`)}</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${STYLE}</style>
</head>
<body>
${renderHeader(result)}
<nav>${nav}</nav>
<main>
${sections.join('\n')}
</main>
<script type="application/json" id="report-data">${jsonForScript({ charts: charts.specs })}</script>
<script>${inlineScript(uplotJs)}</script>
<script>${inlineScript(client)}</script>
</body>
</html>
`;
}
