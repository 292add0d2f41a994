/**
 * index.html: the run as one self-contained page. Failures and regressions first, then latency
 * distributions and per-second series of the API, the journeys and pages against their
 * baselines, the trend of the last runs, and links to the other reports of the run. Nothing is
 * fetched: uPlot, its CSS, the data and the drawing script are inlined, and a CSP forbids any
 * request, so the file can be opened from a CI artifact as it is. The tables carry every number;
 * the charts are a second view of them.
 *
 * One module per part: html-page.ts (the document's CSS, escaping, tables), html-summary.ts
 * (header, machine, failures), html-compare.ts (verdict and comparison tables), html-load.ts
 * (health endpoints and load scenarios), html-pages.ts (journeys and pages), html-trend.ts (the
 * last runs and their change points), html-links.ts (the other reports), html-charts.ts (chart
 * specs for html-client.js) and html-lookup.ts (what each item was compared with).
 */
import type { BaselineFile } from '../baselines.ts';
import type { HistoryEntry } from '../history.ts';
import type { RunResult } from '../results.ts';
import { Charts } from './html-charts.ts';
import { renderLinks } from './html-links.ts';
import { renderApi } from './html-load.ts';
import { Lookup } from './html-lookup.ts';
import { escapeHtml, htmlDocument } from './html-page.ts';
import { renderPages } from './html-pages.ts';
import { renderFailures, renderHeader } from './html-summary.ts';
import { renderTrend } from './html-trend.ts';

export { type ChartSpec, type PercentilePoint, percentileCurve } from './html-charts.ts';
export { type ReportLink, reportLinks, runRelative } from './html-links.ts';
export { escapeHtml, jsonForScript } from './html-page.ts';

export interface HtmlReportInput {
  /** This run, with verdicts, comparisons and the baseline summary. */
  result: RunResult;
  /** The baseline files this run was compared with (may be empty). */
  baselines: BaselineFile[];
  /** Earlier runs and this one, oldest first (may be empty). */
  history: HistoryEntry[];
}

const SECTIONS: [string, string][] = [
  ['failures', 'Failures'],
  ['api', 'API latency'],
  ['pages', 'Journeys and pages'],
  ['trend', 'Trend'],
  ['links', 'Other reports'],
];

export function renderHtml(input: HtmlReportInput): string {
  const { result } = input;
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
  return htmlDocument({
    title: `${result.outcome.line} · pitchey-perf ${result.run.id}`,
    body: `${renderHeader(result)}\n<nav>${nav}</nav>\n<main>\n${sections.join('\n')}\n</main>`,
    charts,
  });
}
