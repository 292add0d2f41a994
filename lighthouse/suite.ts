/**
 * The Lighthouse suite: each page with each preset, N runs strictly one after another (the
 * pipeline never runs it beside load), the median of each metric, the representative run's
 * lhr and HTML kept in the run's reports, LHCI-style assertions and budgets judged.
 * A page Lighthouse cannot load is a measurement error for that page, not a score of 0.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireBrowser } from '../core/browser.ts';
import type { LighthouseSuiteConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import type { GaugeMetric, Item, Metric, SuiteResult } from '../core/results.ts';
import type { Suite, SuiteOutput } from '../core/suite.ts';
import {
  type Assertions,
  assertionsAsThresholds,
  assertionWarnings,
  budgetsAsThresholds,
  evaluateAssertions,
  evaluateBudgets,
  parseAssertions,
  parseBudgets,
} from './assertions.ts';
import { benchmarkSpread, figuresOf, metricsOf, representativeRun } from './metrics.ts';
import { type LighthouseRun, launchBrowser, type Preset, runLighthouse } from './runner.ts';

export interface LighthouseSettings extends LighthouseSuiteConfig {
  runs: number;
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
  async run({ baseUrl, settings, progress, signal }) {
    const chrome = requireBrowser();
    const assertions: Assertions = parseAssertions(
      settings.assertions,
      'perf.config.ts suites.lighthouse.assertions',
    );
    const budgets = await loadBudgets(settings.budgetsFile);
    await mkdir(settings.reportDir, { recursive: true });
    const output: Required<Omit<SuiteOutput, 'reference'>> = { items: [], notes: [], thresholds: [] };
    const browser = await launchBrowser(chrome.path);
    try {
      await measurePages();
    } finally {
      await browser.close();
    }
    return output;

    async function measurePages(): Promise<void> {
      const total = settings.pages.length * settings.presets.length * settings.runs;
      let done = 0;
      for (const page of settings.pages) {
        for (const preset of settings.presets as Preset[]) {
          if (signal.aborted) return;
          const name = `${page.name} ${preset}`;
          const url = new URL(page.path, baseUrl).href;
          const runs: LighthouseRun[] = [];
          let failure: string | undefined;
          for (let i = 0; i < settings.runs && !signal.aborted; i++) {
            progress.update(done, total, name);
            const run = await runLighthouse(url, preset, browser);
            done++;
            if (run.lhr.runtimeError) {
              failure = `${name}: Lighthouse could not load ${url}: ${run.lhr.runtimeError.code} (${run.lhr.runtimeError.message})`;
              break;
            }
            runs.push(run);
          }
          const item: Item = {
            name,
            kind: 'page',
            targets: 'page',
            tags: { page: page.name, preset, url: page.path },
            metrics: {},
          };
          output.items.push(item);
          if (failure || !runs.length) {
            // No metrics: every target of the page reads "not measured" and the run exits 2.
            output.notes.push(failure ?? `${name}: no Lighthouse run finished`);
            continue;
          }
          const figures = runs.map((r) => figuresOf(r.lhr));
          item.metrics = metricsOf(figures);
          const representative = runs[representativeRun(figures)] as LighthouseRun;
          const file = join(settings.reportDir, slug(name));
          await writeAtomic(`${file}.report.json`, JSON.stringify(representative.lhr, null, 2));
          await writeAtomic(`${file}.report.html`, representative.html);
          output.notes.push(
            `${name}: representative run ${file}.report.html (${runs.map((r) => (r.ms / 1000).toFixed(1)).join(', ')} s per run)`,
          );
          if (settings.saveLhr && output.items.length === 1) {
            await writeAtomic(settings.saveLhr, JSON.stringify(representative.lhr, null, 2));
            output.notes.push(`${name}: lhr saved to ${settings.saveLhr}`);
          }
          const spread = benchmarkSpread(figures);
          if (spread !== null && spread > UNSTEADY_SPREAD) {
            output.notes.push(
              `${name}: WARNING benchmarkIndex varied by ${(spread * 100).toFixed(0)} % between runs: the machine was busy, these numbers are unreliable`,
            );
          }
          const lhrs = runs.map((r) => r.lhr);
          const evaluated = evaluateAssertions(lhrs, assertions);
          const judged = [...assertionsAsThresholds(evaluated)];
          if (budgets) judged.push(...budgetsAsThresholds(evaluateBudgets(representative.lhr, budgets)));
          const metrics: SuiteResult['thresholds'][number]['metrics'] = {};
          for (const t of judged) {
            const gauge: Metric = {
              type: 'gauge',
              unit: unitOf(t.metric),
              count: t.value === null ? 0 : runs.length,
              value: t.value,
            };
            item.metrics[t.metric] = gauge;
            metrics[t.metric] = [...(metrics[t.metric] ?? []), t.expression];
          }
          if (Object.keys(metrics).length) output.thresholds.push({ item: name, metrics });
          output.notes.push(...assertionWarnings(evaluated).map((w) => `${name}: ${w}`));
        }
      }
      progress.update(done, total, 'done');
    }
  },
};
