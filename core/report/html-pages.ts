/**
 * The journeys and pages section: Playwright's journeys and Lighthouse's pages against their
 * baselines, or against the reference measured in the same run (paired).
 */
import { groupOf } from '../baselines.ts';
import type { Comparison, Item, RunResult, SuiteResult, Verdict } from '../results.ts';
import { formatSigned, formatThreshold, formatValue } from './format.ts';
import { type ChartSeries, type Charts, COLORS } from './html-charts.ts';
import { againstBadge, comparisonBadge, historyLimit, verdictBadge } from './html-compare.ts';
import { type ComparedItem, defaultStat, type Lookup, type Side, statOf } from './html-lookup.ts';
import { type Cell, type Column, escapeHtml, type Row, rowClass, table } from './html-page.ts';

/** The metrics that sum up each kind of item, in the order they read best. */
const KEY_METRICS: Record<string, string[]> = {
  journey: ['journey_duration', 'checks'],
  step: ['step_duration'],
  page: ['lh_score', 'page_load', 'lcp', 'tbt', 'cls', 'inp'],
};

/** What each suite's bar chart compares: the journeys' page loads, Lighthouse's LCP. */
const BAR_METRIC: Record<string, string> = { synthetic: 'page_load', lighthouse: 'lcp' };

const pageColumns = (side: Side): Column[] => [
  { label: 'item' },
  { label: 'metric', cls: 'nowrap' },
  { label: 'current', numeric: true },
  { label: side, numeric: true, optional: true },
  { label: 'Δ', numeric: true, optional: true },
  { label: `vs ${side}`, optional: true },
  { label: 'target', optional: true },
];

/**
 * The comparison's verdict; what it was made with where that is not the table's own side (the
 * nightly gate's history) or the baseline's machine was another; and the history's limit.
 */
function comparedCell(c: Comparison, side: Side): Cell {
  const against = c.against ?? 'baseline';
  const other = against !== side || (c.machine !== undefined && c.machine !== 'same');
  const limit = c.history
    ? ` <small title="${escapeHtml(c.history.reason)}">history: ${escapeHtml(historyLimit(c))}</small>`
    : '';
  return { html: `${comparisonBadge(c).html}${other ? ` ${againstBadge(c)}` : ''}${limit}` };
}

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
  baseline: ComparedItem | undefined,
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

function pageRow(item: Item, figure: PageFigure, first: boolean, side: Side): Row {
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
      comparison ? comparedCell(comparison, side) : '',
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
  const baseline = look.compared(suite, item.name);
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
  return figures.map((figure, i) => pageRow(item, figure, i === 0, look.side));
}

/** Short names on a chart's x axis: the step ("home"), not "desktop visitor › home". */
const barLabel = (item: Item) => item.tags.step ?? item.name;

function barSpec(suite: string, title: string, items: readonly Item[], look: Lookup) {
  const metricName = BAR_METRIC[suite];
  if (!metricName) return undefined;
  const measured = items.filter((i) => i.metrics[metricName]?.type === 'trend');
  if (!measured.length) return undefined;
  const current = measured.map((i) => statOf(i.metrics[metricName], 'med'));
  // The baselines' medians, or the reference's measured in the same run (paired).
  const before = measured.map((i) => statOf(look.compared(suite, i.name)?.metrics[metricName], 'med'));
  const series: ChartSeries[] = [];
  if (before.some((v) => v !== null))
    series.push({ label: `${look.side} median`, color: COLORS.baseline, values: before });
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
      `<article><h4>${escapeHtml(group)}</h4><div class="beside">${table(pageColumns(look.side), rows)}${chart}</div></article>`,
    );
  }
  // Lighthouse's tables are narrow and chartless: two side by side where they fit.
  parts.push(
    suite.suite === 'lighthouse' ? `<div class="beside">${articles.join('\n')}</div>` : articles.join('\n'),
  );
  return parts.join('\n');
}

export function renderPages(result: RunResult, look: Lookup, charts: Charts): string {
  const suites = result.suites.filter((s) => s.suite === 'synthetic' || s.suite === 'lighthouse');
  const body = suites.filter((s) => s.items.length).map((s) => renderPageSuite(s, look, charts));
  if (!body.length) return '';
  return `<section id="pages"><h2>Journeys and pages</h2>\n${body.join('\n')}\n</section>`;
}
