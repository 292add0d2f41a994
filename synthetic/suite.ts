/**
 * The synthetic suite: runs the Playwright journeys (playwright.config.ts) against the run's
 * target, N iterations each, one browser at a time, and returns what the perf reporter
 * aggregated. Playwright runs as a child process with its own list reporter on the console;
 * its JSON, JUnit and HTML reports land in reports/synthetic/.
 * Paired mode (a compare URL): one warm-up a side, then 2 × N iterations in ABBA order (pairedTurn)
 * (PERF_COMPARE_URL beside PERF_BASE_URL, read by the fixture and the reporter); the reference's
 * aggregate comes back under `reference`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBrowser } from '../core/browser.ts';
import type { SyntheticSuiteConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { onShutdown } from '../core/lifecycle.ts';
import { pairedTurns } from '../core/paired.ts';
import type { Suite, SuiteOutput } from '../core/suite.ts';
import type { Aggregate } from './aggregate.ts';
import { pairedCopies } from './samples.ts';

export interface SyntheticSettings extends SyntheticSuiteConfig {
  iterations: number;
  /** The settle after each page load (the fixture's default when unset). */
  settleMs?: number | undefined;
  /** Where Playwright's own reports go. */
  reportDir: string;
  /** Playwright's list reporter on the console (default), or not (the monitor's logs). */
  console?: 'inherit' | 'ignore' | undefined;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PLAYWRIGHT_CLI = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

const unique = (values: readonly (string | undefined)[]) =>
  [...new Set(values)].filter((v): v is string => Boolean(v));

export const syntheticSuite: Suite<SyntheticSettings> = {
  name: 'synthetic',
  /** The journeys (and projects) the items belong to, with Playwright's reports beside the first round's. */
  narrow(settings, items) {
    const journeys = unique(items.map((i) => i.tags.journey));
    const projects = unique(items.map((i) => i.tags.project)).filter((p) =>
      settings.projects.includes(p as never),
    ) as SyntheticSettings['projects'];
    if (!journeys.length || !projects.length) return undefined;
    return {
      settings: { ...settings, journeys, projects, reportDir: join(settings.reportDir, 'confirmation') },
      what: `the ${journeys.join(', ')} journey${journeys.length > 1 ? 's' : ''} (${projects.join(', ')})`,
    };
  },
  async run({ baseUrl, compareUrl, settings, progress, signal }) {
    const browser = requireBrowser();
    const work = await mkdtemp(join(tmpdir(), 'pitchey-synthetic-'));
    const resultFile = join(work, 'items.json');
    const args = [
      PLAYWRIGHT_CLI,
      'test',
      '--config',
      join(ROOT, 'playwright.config.ts'),
      '--repeat-each',
      String(compareUrl ? pairedCopies(settings.iterations) : settings.iterations),
    ];
    for (const project of settings.projects) args.push('--project', project);
    if (settings.journeys)
      // Journey titles read "visitor: home page and …": match the name before the colon.
      args.push(
        '--grep',
        `(${settings.journeys.map((j) => j.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}):`,
      );
    progress.update(0, 0, 'journeys running (Playwright lists them below)');
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, args, {
          cwd: ROOT,
          stdio: ['ignore', settings.console ?? 'inherit', settings.console ?? 'inherit'],
          // Its own process group: a terminal's Ctrl-C reaches it through our cleanup (below),
          // after whatever must stop first (the monitor lets a journey in flight finish).
          detached: true,
          env: {
            ...process.env,
            PERF_BASE_URL: baseUrl.origin,
            // Always set: an inherited value must not turn an ordinary run into a paired one.
            PERF_COMPARE_URL: compareUrl?.origin ?? '',
            CHROME_PATH: browser.path,
            PERF_SYNTHETIC_RESULT: resultFile,
            PERF_SYNTHETIC_DIR: settings.reportDir,
            PERF_SYNTHETIC_WORKERS: String(settings.workers),
            PERF_SETTLE_MS: settings.settleMs === undefined ? '' : String(settings.settleMs),
          },
        });
        const stop = onShutdown(() => {
          child.kill('SIGINT');
        });
        signal.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
        child.once('error', reject);
        child.once('exit', (exitCode) => {
          void stop();
          resolve(exitCode);
        });
      });
      let result: Aggregate;
      try {
        result = JSON.parse(await readFile(resultFile, 'utf8')) as Aggregate;
      } catch {
        throw new PerfError(
          `Playwright ended (exit ${code}) without the perf reporter's results: see its output above`,
        );
      }
      progress.update(result.items.filter((i) => i.kind === 'journey').length, 0, 'journeys aggregated');
      const output: SuiteOutput = {
        items: result.items,
        notes: [
          ...result.notes,
          `Playwright reports: ${settings.reportDir}/html/index.html, results.json, junit.xml`,
        ],
        thresholds: result.thresholds,
      };
      if (compareUrl) {
        output.notes.push(
          `paired: ${pairedTurns(settings.iterations)} iterations a journey in ABBA order after one unmeasured warm-up a side, base ${baseUrl.origin} and reference ${compareUrl.origin}`,
        );
        output.reference = result.reference ?? {
          items: [],
          notes: ['the perf reporter returned no reference side'],
        };
      }
      return output;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
