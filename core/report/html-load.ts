/**
 * The API latency section: health endpoints and load scenarios with their requests.
 */
import type { Item, RunResult, SuiteResult } from '../results.ts';
import { COMPARISON_WORD, formatValue, STATUS_WORD } from './format.ts';
import { type Charts, percentileSpec, secondsSpec } from './html-charts.ts';
import {
  comparisonColumns,
  comparisonRows,
  type NameOf,
  VERDICT_COLUMNS,
  verdictRows,
} from './html-compare.ts';
import type { Lookup } from './html-lookup.ts';
import { type Cell, type Column, escapeHtml, folded, type Row, table, tally } from './html-page.ts';

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

const childrenOf = (suite: SuiteResult, head: Item) =>
  suite.items.filter((i) => i.kind === 'request' && i.tags.scenario === head.name);

/** The charts of one endpoint or scenario: its latency by percentile, and its seconds when it has some. */
function apiCharts(suite: SuiteResult, item: Item, look: Lookup, charts: Charts): string[] {
  const graphs: string[] = [];
  const duration = item.metrics.http_req_duration;
  if (duration?.type === 'trend' && duration.histogram) {
    // The baseline's distribution, or the reference's measured in the same run (paired).
    const before = look.compared(suite.suite, item.name)?.metrics.http_req_duration;
    const title = `${item.name}: latency by percentile`;
    graphs.push(charts.add(percentileSpec(title, duration.unit, duration, before, look.side)));
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
        `Against the ${look.side}: ${tally(comparisons, COMPARISON_WORD)}`,
        table(comparisonColumns(look.side), comparisonRows(comparisons, nameOf)),
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

export function renderApi(result: RunResult, look: Lookup, charts: Charts): string {
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
<p class="muted">Latency by percentile: the x axis spreads the tail (50 %, 90 %, 99 %, 99.9 %…) and stops at the highest percentile the sample count supports; the ${look.side} is dashed. Grey figures rest on fewer samples than their percentile needs.</p>
${articles.join('\n')}
</section>`;
}
