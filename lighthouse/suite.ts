/**
 * The Lighthouse suite: each page with each preset, N runs strictly one after another (the
 * pipeline never runs it beside load), the median of each metric, the representative run's
 * lhr and HTML kept in the run's reports, LHCI-style assertions and budgets judged.
 * A page Lighthouse cannot load is a measurement error for that page, not a score of 0.
 * Paired mode (a compare URL): 2 × N runs a page and preset in ABBA order, the base URL's and
 * the reference's, each side aggregated alike; the reference's items come back under `reference`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireBrowser } from '../core/browser.ts';
import type { LighthouseSuiteConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import { abbaSide, pairedTurns, SIDES, type Side } from '../core/paired.ts';
import type { GaugeMetric, Item, Metric, SuiteResult } from '../core/results.ts';
import type { Suite, SuiteOutput } from '../core/suite.ts';
import {
  type Assertions,
  assertionsAsThresholds,
  assertionWarnings,
  auditsRead,
  budgetsAsThresholds,
  evaluateAssertions,
  evaluateBudgets,
  parseAssertions,
  parseBudgets,
} from './assertions.ts';
import { benchmarkSpread, figuresOf, metricsOf, representativeRun } from './metrics.ts';
import {
  type LighthouseRun,
  launchBrowser,
  type Preset,
  QUIET_MS,
  type QuickRun,
  runLighthouse,
} from './runner.ts';

export interface LighthouseSettings extends LighthouseSuiteConfig {
  runs: number;
  /** 'measured': quick runs with only the audits the gate reads (a profile's choice). */
  audits?: 'all' | 'measured' | undefined;
  /** The run's report folder: representative lhr JSON and HTML go to <reportDir>/. */
  reportDir: string;
  /** Where to write the first page's representative lhr as well (`--save-lhr`). */
  saveLhr?: string | undefined;
}

const UNSTEADY_SPREAD = 0.2;

/** The unit of an assertion's gauge, from the name lighthouse/assertions.ts gives it. */
function unitOf(metric: string): GaugeMetric['unit'] {
  if (/_size$/.test(metric)) return 'bytes';
  if (/_(count|length)$/.test(metric)) return 'count';
  if (/(_score$|^lh_category_)/.test(metric)) return 'score';
  if (/cumulative_layout_shift/.test(metric)) return 'unitless';
  return 'ms';
}

const slug = (text: string) =>
  text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

async function loadBudgets(file: string | undefined) {
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PerfError(`cannot read the budgets file ${file}: ${(error as Error).message}`);
  }
  try {
    return parseBudgets(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new PerfError(`${file} is not JSON: ${error.message}`);
    throw error;
  }
}

export const lighthouseSuite: Suite<LighthouseSettings> = {
  name: 'lighthouse',
  /** The pages and presets of the items, reports beside the first round's, no --save-lhr. */
  narrow(settings, items) {
    const pages = settings.pages.filter((p) => items.some((i) => i.tags.page === p.name));
    const presets = settings.presets.filter((p) => items.some((i) => i.tags.preset === p));
    if (!pages.length || !presets.length) return undefined;
    const { saveLhr: _once, ...rest } = settings;
    return {
      settings: { ...rest, pages, presets, reportDir: join(settings.reportDir, 'confirmation') },
      what: `${pages.map((p) => p.name).join(', ')} (${presets.join(', ')})`,
    };
  },
  async run({ baseUrl, compareUrl, settings, progress, signal }) {
    const chrome = requireBrowser();
    const assertions: Assertions = parseAssertions(
      settings.assertions,
      'perf.config.ts suites.lighthouse.assertions',
    );
    const budgets = await loadBudgets(settings.budgetsFile);
    await mkdir(settings.reportDir, { recursive: true });
    const output: Required<Omit<SuiteOutput, 'reference'>> = { items: [], notes: [], thresholds: [] };
    const quick: QuickRun | undefined =
      settings.audits === 'measured' ? { onlyAudits: auditsRead(assertions, budgets ?? []) } : undefined;
    if (quick)
      output.notes.push(
        `quick runs: only the audits the gate reads (the metrics, byte weight, requests${quick.onlyAudits.length ? `, ${quick.onlyAudits.join(', ')}` : ''}) and quiet windows of ${QUIET_MS} ms`,
      );
    const reference: SuiteOutput['reference'] = compareUrl ? { items: [], notes: [] } : undefined;
    const browser = await launchBrowser(chrome.path);
    try {
      await measurePages();
    } finally {
      await browser.close();
    }
    return reference ? { ...output, reference } : output;

    async function measurePages(): Promise<void> {
      const sides: readonly Side[] = compareUrl ? SIDES : ['base'];
      const turns = compareUrl ? pairedTurns(settings.runs) : settings.runs;
      const total = settings.pages.length * settings.presets.length * turns;
      let done = 0;
      for (const page of settings.pages) {
        for (const preset of settings.presets as Preset[]) {
          if (signal.aborted) return;
          const name = `${page.name} ${preset}`;
          const urls: Record<Side, string> = {
            base: new URL(page.path, baseUrl).href,
            reference: compareUrl ? new URL(page.path, compareUrl).href : '',
          };
          const runs: Record<Side, LighthouseRun[]> = { base: [], reference: [] };
          const order: Side[] = [];
          let failure: string | undefined;
          for (let i = 0; i < turns && !signal.aborted; i++) {
            const side: Side = compareUrl ? abbaSide(i) : 'base';
            const url = urls[side];
            progress.update(done, total, compareUrl ? `${name} (${side})` : name);
            const run = await runLighthouse(url, preset, browser, quick);
            done++;
            order.push(side);
            if (run.lhr.runtimeError) {
              const what = compareUrl ? `the ${side}'s ${url}` : url;
              failure = `${name}: Lighthouse could not load ${what}: ${run.lhr.runtimeError.code} (${run.lhr.runtimeError.message})`;
              break;
            }
            runs[side].push(run);
          }
          const newItem = (): Item => ({
            name,
            kind: 'page',
            targets: 'page',
            tags: { page: page.name, preset, url: page.path },
            metrics: {},
          });
          const item = newItem();
          output.items.push(item);
          const referenceItem = reference ? newItem() : undefined;
          if (referenceItem) reference?.items.push(referenceItem);
          if (failure || sides.some((side) => !runs[side].length)) {
            // No metrics: every target of the page reads "not measured" and the run exits 2.
            const note = failure ?? `${name}: no Lighthouse run finished`;
            output.notes.push(note);
            reference?.notes.push(note);
            continue;
          }
          if (compareUrl) {
            output.notes.push(
              `${name}: paired runs in ABBA order, base ${baseUrl.origin} and reference ${compareUrl.origin}: ${order.join(', ')}`,
            );
          }
          const base = await aggregateSide(item, runs.base, name, '', output.notes);
          if (settings.saveLhr && output.items.length === 1) {
            await writeAtomic(settings.saveLhr, JSON.stringify(base.representative.lhr, null, 2));
            output.notes.push(`${name}: lhr saved to ${settings.saveLhr}`);
          }
          if (base.unsteady) output.notes.push(base.unsteady);
          if (Object.keys(base.thresholds).length)
            output.thresholds.push({ item: name, metrics: base.thresholds });
          output.notes.push(...base.warnings.map((w) => `${name}: ${w}`));
          // The reference's assertion gauges are kept, for comparison, but judge nothing.
          if (reference && referenceItem) {
            const other = await aggregateSide(
              referenceItem,
              runs.reference,
              `${name} (reference)`,
              '.reference',
              reference.notes,
            );
            if (other.unsteady) reference.notes.push(other.unsteady);
          }
        }
      }
      progress.update(done, total, 'done');
    }

    /**
     * One side's runs of a page and preset into its item: the medians, the representative run's
     * reports (`<page>-<preset><suffix>.report.*`), the assertions' and budgets' gauges.
     */
    async function aggregateSide(
      item: Item,
      runs: LighthouseRun[],
      label: string,
      suffix: string,
      notes: string[],
    ): Promise<{
      representative: LighthouseRun;
      /** The benchmarkIndex warning, when the machine was busy during the runs. */
      unsteady: string | undefined;
      thresholds: SuiteResult['thresholds'][number]['metrics'];
      warnings: string[];
    }> {
      const figures = runs.map((r) => figuresOf(r.lhr));
      item.metrics = metricsOf(figures);
      const representative = runs[representativeRun(figures)] as LighthouseRun;
      const file = join(settings.reportDir, `${slug(item.name)}${suffix}`);
      await writeAtomic(`${file}.report.json`, JSON.stringify(representative.lhr, null, 2));
      await writeAtomic(`${file}.report.html`, representative.html);
      notes.push(
        `${label}: representative run ${file}.report.html (${runs.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s per run)`,
      );
      const spread = benchmarkSpread(figures);
      const unsteady =
        spread !== null && spread > UNSTEADY_SPREAD
          ? `${label}: WARNING benchmarkIndex varied by ${(spread * 100).toFixed(0)} % between runs: the machine was busy, these numbers are unreliable`
          : undefined;
      const lhrs = runs.map((r) => r.lhr);
      const evaluated = evaluateAssertions(lhrs, assertions);
      const judged = [...assertionsAsThresholds(evaluated)];
      if (budgets) judged.push(...budgetsAsThresholds(evaluateBudgets(representative.lhr, budgets)));
      const thresholds: SuiteResult['thresholds'][number]['metrics'] = {};
      for (const t of judged) {
        const gauge: Metric = {
          type: 'gauge',
          unit: unitOf(t.metric),
          count: t.value === null ? 0 : runs.length,
          value: t.value,
        };
        item.metrics[t.metric] = gauge;
        thresholds[t.metric] = [...(thresholds[t.metric] ?? []), t.expression];
      }
      return { representative, unsteady, thresholds, warnings: assertionWarnings(evaluated) };
    }
  },
};
