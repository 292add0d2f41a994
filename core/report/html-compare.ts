/**
 * The tables of targets (verdicts) and of comparisons (with a baseline, the reference of a paired
 * run, or the history of runs), shared by the sections.
 */
import type { Comparison, Verdict } from '../results.ts';
import {
  COMPARISON_WORD,
  failuresFirst,
  formatDelta,
  formatInterval,
  formatP,
  formatThreshold,
  formatValue,
  regressionsFirst,
  STATUS_WORD,
} from './format.ts';
import type { Side } from './html-lookup.ts';
import { badge, type Cell, type Column, escapeHtml, type Row, rowClass } from './html-page.ts';

export const verdictBadge = (v: Verdict) => badge(v.status, STATUS_WORD[v.status]);
export const comparisonBadge = (c: Comparison) => badge(c.status, COMPARISON_WORD[c.status]);

export const VERDICT_COLUMNS: Column[] = [
  { label: 'verdict' },
  { label: 'item' },
  { label: 'metric', cls: 'nowrap' },
  { label: 'target', cls: 'nowrap' },
  { label: 'value', numeric: true },
  { label: 'samples', numeric: true },
  { label: 'note', optional: true, cls: 'note' },
];

/** How a row names its item: with its suite at the top of the page, shorter under its scenario. */
export type NameOf = (row: { suite: string; item: string }) => string;

export const plainName: NameOf = (row) => row.item;
export const suiteAndName: NameOf = (row) => `${row.suite} · ${row.item}`;

export function verdictRows(verdicts: readonly Verdict[], nameOf: NameOf = plainName): Row[] {
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

/** The columns of a comparison table; `side` names what the run was compared with. */
export function comparisonColumns(side: Side): Column[] {
  return [
    { label: `vs ${side}` },
    { label: 'against' },
    { label: 'item', cls: 'nowrap' },
    { label: 'metric', cls: 'nowrap' },
    { label: `${side} → current`, numeric: true },
    { label: 'Δ (relative)', numeric: true },
    { label: 'interval of Δ', numeric: true },
    { label: 'p', numeric: true },
    { label: 'history limit', numeric: true, optional: true },
    { label: 'method' },
    { label: 'samples', numeric: true },
    { label: 'note', optional: true, cls: 'note' },
  ];
}

const MACHINE_WORD: Record<NonNullable<Comparison['machine']>, string> = {
  same: 'same machine',
  other: 'another machine',
  unknown: 'machine unknown',
};

/**
 * What a comparison was made with: "baseline" (committed file), "reference" (paired run) or
 * "history" (the nightly gate's recent runs); with a word when the baseline's machine was another.
 */
export function againstBadge(c: Comparison): string {
  const against = c.against ?? 'baseline';
  const machine =
    c.machine && c.machine !== 'same' && against === 'baseline'
      ? ` <small class="warn">${escapeHtml(MACHINE_WORD[c.machine])}</small>`
      : '';
  return `<span class="badge against ${against}">${escapeHtml(against)}</span>${machine}`;
}

/** The history's control limit: "≤ 52.1 ms (outside, 20 runs)"; "" without a history. */
export function historyLimit(c: Comparison): string {
  const history = c.history;
  if (!history) return '';
  if (history.limit === null || history.status === 'insufficient') return `too few runs (${history.runs})`;
  return `${c.better === 'lower' ? '≤' : '≥'} ${formatValue(history.limit, c.unit)} (${history.status}, ${history.runs} runs)`;
}

const historyCell = (c: Comparison): Cell =>
  c.history
    ? {
        html: escapeHtml(historyLimit(c)),
        cls: c.history.status === 'outside' ? 'bad' : c.history.status === 'insufficient' ? 'muted' : '',
        title: c.history.reason,
      }
    : '';

const minEffectText = (c: Comparison) =>
  `the smallest Δ that counts: ${(c.minEffect.relative * 100).toFixed(0)} % of the ${c.against === 'reference' ? 'reference' : 'baseline'}, at least ${formatValue(c.minEffect.absolute, c.unit)}`;

/** The sample counts have their own column: the note keeps the why. */
const noteOf = (c: Comparison) => (c.reason ?? '').replace(/\s*\(\d+ baseline, \d+ current\)/, '');

export function comparisonRows(comparisons: readonly Comparison[], nameOf: NameOf = plainName): Row[] {
  return regressionsFirst(comparisons).map((c) => ({
    cls: rowClass(c.status),
    cells: [
      comparisonBadge(c),
      { html: againstBadge(c) },
      nameOf(c),
      `${c.metric} ${c.stat}`,
      `${formatValue(c.baseline, c.unit)} → ${formatValue(c.current, c.unit)}`,
      {
        html: escapeHtml(formatDelta(c)),
        title: minEffectText(c),
      },
      { html: escapeHtml(formatInterval(c)), title: `${((1 - c.alpha) * 100).toFixed(0)} % interval` },
      formatP(c.p),
      historyCell(c),
      c.method,
      `${c.samples.baseline} → ${c.samples.current}`,
      noteOf(c),
    ],
  }));
}
