/**
 * One attempt of a browser check, through the suites themselves (not copies): a journey is one
 * iteration of the synthetic suite's Playwright journey with its perf fixture; a Lighthouse
 * check is one run of the Lighthouse suite on one page. Their reports of the latest attempt
 * stay in the monitor's data folder (failed journeys keep a trace and a screenshot there).
 * A journey that fails is a failed run; slower than degradedAfter is degraded. A page
 * Lighthouse cannot load is a failed run; a failed Lighthouse assertion is degraded: a lab
 * score is a trend to watch, not an outage.
 */
import { join } from 'node:path';
import { BrowserNotFoundError } from '../core/browser.ts';
import type { Config } from '../core/config.ts';
import type { Item } from '../core/results.ts';
import type { SuiteOutput } from '../core/suite.ts';
import { parseThreshold } from '../core/threshold.ts';
import { evaluate } from '../core/verdict.ts';
import { lighthouseSuite } from '../lighthouse/suite.ts';
import { syntheticSuite } from '../synthetic/suite.ts';
import type { ResolvedCheck } from './checks.ts';
import type { AttemptResult } from './probe-http.ts';

type JourneyCheck = Extract<ResolvedCheck, { type: 'journey' }>;
type LighthouseCheck = Extract<ResolvedCheck, { type: 'lighthouse' }>;

const quiet = { update() {} };

/** The trend's median in ms (one sample: that sample). */
function median(item: Item | undefined, metric: string): number | undefined {
  const m = item?.metrics[metric];
  if (m?.type !== 'trend' || m.count === 0) return undefined;
  return m.values.med ?? undefined;
}

/** A journey's outcome from what the synthetic suite returned (pure). */
export function judgeJourney(check: JourneyCheck, output: SuiteOutput): AttemptResult {
  const item = output.items.find((i) => i.kind === 'journey');
  const durationMs = median(item, 'journey_duration') ?? 0;
  const checks = item?.metrics.checks;
  if (!item || !checks || checks.type !== 'rate' || checks.count === 0)
    return {
      outcome: 'fail',
      durationMs,
      errorClass: 'browser',
      message: output.notes[0] ?? 'the journey did not run',
    };
  if ((checks.rate ?? 0) < 1) {
    const note = output.notes.find((n) => n.includes('failed')) ?? 'the journey failed';
    return { outcome: 'fail', durationMs, errorClass: 'assertion', message: note };
  }
  if (check.degradedAfterMs !== undefined && durationMs > check.degradedAfterMs)
    return {
      outcome: 'degraded',
      durationMs,
      message: `the journey took ${Math.round(durationMs)} ms, slower than ${check.degradedAfterMs} ms`,
    };
  return { outcome: 'pass', durationMs };
}

/** A Lighthouse run's outcome (pure): the page's LCP is its latency. */
export function judgeLighthouse(check: LighthouseCheck, output: SuiteOutput): AttemptResult {
  const item = output.items[0];
  const lcp = median(item, 'lcp');
  if (!item || lcp === undefined)
    return {
      outcome: 'fail',
      durationMs: 0,
      errorClass: 'browser',
      message: output.notes.find((n) => !n.startsWith('quick runs')) ?? 'Lighthouse measured nothing',
    };
  for (const group of output.thresholds ?? []) {
    for (const [metric, expressions] of Object.entries(group.metrics)) {
      for (const expression of expressions) {
        const result = evaluate(
          item.metrics[metric],
          metric,
          parseThreshold(expression, `${check.name} ${metric}`),
        );
        if (result.status === 'fail')
          return {
            outcome: 'degraded',
            durationMs: lcp,
            failedAssertion: `${metric} ${expression}`,
            message: `Lighthouse: ${metric} is ${result.value} (${expression})`,
          };
      }
    }
  }
  if (check.degradedAfterMs !== undefined && lcp > check.degradedAfterMs)
    return {
      outcome: 'degraded',
      durationMs: lcp,
      message: `LCP ${Math.round(lcp)} ms, slower than ${check.degradedAfterMs} ms`,
    };
  return { outcome: 'pass', durationMs: lcp };
}

export async function probeBrowser(
  check: Extract<ResolvedCheck, { type: 'journey' | 'lighthouse' }>,
  config: Config,
  baseUrl: URL,
  dataDir: string,
  signal: AbortSignal,
): Promise<AttemptResult> {
  const reportDir = join(dataDir, 'reports', check.name);
  const started = performance.now();
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(check.timeoutMs)]);
  try {
    if (check.type === 'journey') {
      const output = await syntheticSuite.run({
        baseUrl,
        settings: {
          ...config.suites.synthetic,
          projects: [check.project],
          journeys: [check.journey],
          iterations: 1,
          workers: 1,
          reportDir,
          console: 'ignore',
        },
        progress: quiet,
        signal: timeout,
      });
      return judgeJourney(check, output);
    }
    const output = await lighthouseSuite.run({
      baseUrl: new URL(check.url.origin),
      settings: {
        ...config.suites.lighthouse,
        pages: [{ name: check.name, path: `${check.url.pathname}${check.url.search}` }],
        presets: [check.preset],
        runs: 1,
        reportDir,
      },
      progress: quiet,
      signal: timeout,
    });
    return judgeLighthouse(check, output);
  } catch (error) {
    return {
      outcome: 'fail',
      durationMs: performance.now() - started,
      // No browser on this machine: the monitor cannot run the check (exit 2 in `once`).
      errorClass:
        error instanceof BrowserNotFoundError
          ? 'internal'
          : timeout.aborted && !signal.aborted
            ? 'timeout'
            : 'browser',
      message: (error as Error).message,
    };
  }
}
