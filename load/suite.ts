/**
 * The load suite: runs the profile's scenarios one after another against the target, each on
 * the engine its executor needs, and returns per scenario and per request name the metrics
 * and the scenario's own thresholds (k6 syntax) for the verdict.
 * Load goes to loopback only, unless the run allows a remote host and stays under its rate cap.
 * Paired mode (compareUrl): each scenario measures the base URL and the reference interleaved
 * (see load/paired.ts), each side with its own user pool, and the reference's items (named as
 * the base's) are returned under `reference`.
 */
import type { LoadProfile, LoadSuiteConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import type { Item, SuiteResult } from '../core/results.ts';
import type { Suite, SuiteOutput } from '../core/suite.ts';
import { parseMetricKey } from '../core/threshold.ts';
import { runAcrossWorkers } from './engines/run.ts';
import { generatorBound } from './generator-watch.ts';
import type { Recorder } from './recorder.ts';
import { OPEN_MODEL, peakRatePerSecond, type Scenario } from './scenario.ts';
import { loadScenarios, pickScenarios } from './scenarios/registry.ts';
import { loginUserPool } from './setup.ts';

export interface LoadSettings extends LoadSuiteConfig {
  profile: LoadProfile;
}

export class RemoteLoadError extends PerfError {}

/** The generator could not keep a scenario's schedule: nothing it measured judges the target. */
export class GeneratorBoundError extends PerfError {}

/** --engine k6 with --compare-url: k6 runs one deployment per script, not two interleaved. */
export class PairedEngineError extends PerfError {}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function isLoopback(url: URL): boolean {
  return LOOPBACK.test(url.hostname);
}

/** Refuses load on a remote host without the opt-in, or above the configured rate cap. */
export function guardRemote(
  url: URL,
  scenarios: Scenario[],
  settings: Pick<LoadSettings, 'allowRemote' | 'maxRemoteRate'>,
): void {
  if (isLoopback(url)) return;
  if (!settings.allowRemote) {
    throw new RemoteLoadError(
      `refusing to send load to ${url.host}, which is not loopback: pass --allow-remote (or suites.load.allowRemote) if this deployment is yours to load`,
    );
  }
  for (const s of scenarios) {
    const peak = peakRatePerSecond(s);
    if (peak === undefined && s.executor !== 'per-vu-iterations') {
      throw new RemoteLoadError(
        `scenario "${s.name}" (${s.executor}) has no rate to cap: remote load runs arrival-rate scenarios or smoke only`,
      );
    }
    if (peak !== undefined && peak > settings.maxRemoteRate) {
      throw new RemoteLoadError(
        `scenario "${s.name}" peaks at ${peak} requests/s, above suites.load.maxRemoteRate (${settings.maxRemoteRate}) for remote hosts: lower the profile's rate or raise the cap`,
      );
    }
  }
}

/** A scenario's k6 thresholds split as the verdict applies them: whole scenario, or per tag. */
export function scenarioThresholds(scenario: Scenario): SuiteResult['thresholds'] {
  const whole: Record<string, string[]> = {};
  const tagged: Record<string, string[]> = {};
  for (const [key, entries] of Object.entries(scenario.thresholds)) {
    const expressions = entries.map((e) => (typeof e === 'string' ? e : e.threshold));
    const { tags } = parseMetricKey(key, `scenario "${scenario.name}"`);
    (Object.keys(tags).length ? tagged : whole)[key] = expressions;
  }
  return [
    ...(Object.keys(whole).length ? [{ item: scenario.name, metrics: whole }] : []),
    ...(Object.keys(tagged).length ? [{ item: `${scenario.name} *`, metrics: tagged }] : []),
  ];
}

export async function plannedScenarios(profile: LoadProfile): Promise<Scenario[]> {
  return pickScenarios(await loadScenarios(profile), profile.scenarios);
}

/** How a paired scenario is split between the sides, for the notes. */
export function pairedNote(scenario: Scenario): string {
  const rate = (n: number) => `${Number(n.toFixed(2))} req/s`;
  const peak = peakRatePerSecond(scenario);
  if (peak !== undefined) {
    const shape =
      scenario.executor === 'constant-arrival-rate' ? `the ${rate(peak)}` : `the (peak ${rate(peak)})`;
    return `${scenario.name}: paired: each side gets every other request of ${shape} schedule (${rate(peak / 2)} each), in ABBA order`;
  }
  const what = scenario.executor === 'per-vu-iterations' ? 'iterations' : 'duration';
  return `${scenario.name}: paired: run in four slices in ABBA order (base, reference, reference, base), half the ${what} each`;
}

/** One side's items and notes for a scenario. */
export function scenarioOutput(
  scenario: Scenario,
  recorder: Recorder,
  elapsedMs: number,
  stoppedBy: string | undefined,
): { items: Item[]; notes: string[] } {
  const open = OPEN_MODEL.includes(scenario.executor);
  // breakpoint is meant to break: only its own (abortOnFail) thresholds judge it.
  const targets = scenario.name === 'breakpoint' ? 'none' : 'api';
  const items = recorder.toItems(scenario.name, elapsedMs / 1000, open, targets);
  const notes: string[] = [];
  if (stoppedBy) notes.push(`${scenario.name}: stopped early: ${stoppedBy}`);
  if (recorder.dropped) notes.push(`${scenario.name}: ${recorder.dropped} dropped iterations (maxVUs busy)`);
  notes.push(...recorder.checkNotes.map((n) => `${scenario.name}: check failed: ${n}`));
  return { items, notes };
}

export const loadSuite: Suite<LoadSettings> = {
  name: 'load',
  async run({ baseUrl, compareUrl, settings, progress, signal }) {
    const scenarios = await plannedScenarios(settings.profile);
    if (compareUrl && settings.engine === 'k6') {
      throw new PairedEngineError(
        '--engine k6 cannot measure paired (--compare-url): k6 runs one deployment per script. Run the paired comparison on the native engine (without --engine k6)',
      );
    }
    guardRemote(baseUrl, scenarios, settings);
    if (compareUrl) guardRemote(compareUrl, scenarios, settings);
    if (settings.engine === 'k6') {
      const { runWithK6 } = await import('./engines/k6.ts');
      return runWithK6(baseUrl, scenarios, signal);
    }
    const items: Item[] = [];
    const notes: string[] = [];
    const thresholds: SuiteResult['thresholds'] = [];
    const reference: SuiteOutput['reference'] = compareUrl ? { items: [], notes: [] } : undefined;
    const tokensByPool = new Map<number, string[]>();
    const referenceTokensByPool = new Map<number, string[]>();
    const poolTokens = async (url: URL, users: number, cache: Map<number, string[]>) => {
      let tokens = cache.get(users);
      if (!tokens) {
        tokens = users ? await loginUserPool(url, users) : [];
        cache.set(users, tokens);
      }
      return tokens;
    };
    for (const scenario of scenarios) {
      if (signal.aborted) break;
      // Both sides' user pools log in at once (each login waits on the target's password hash).
      const [tokens, referenceTokens] = await Promise.all([
        poolTokens(baseUrl, scenario.users, tokensByPool),
        compareUrl && poolTokens(compareUrl, scenario.users, referenceTokensByPool),
      ]);
      const result = await runAcrossWorkers(
        {
          baseUrl,
          scenario,
          tokens,
          signal,
          maxConnections: settings.maxConnections,
          progress: (done, total) => progress.update(done, total, scenario.name),
          ...(compareUrl && referenceTokens
            ? { reference: { baseUrl: compareUrl, tokens: referenceTokens } }
            : {}),
        },
        Math.max(settings.workers, scenario.workers),
      );
      const bound = generatorBound(result.generator, peakRatePerSecond(scenario) ?? 0);
      if (bound) throw new GeneratorBoundError(`scenario "${scenario.name}": ${bound}`);
      thresholds.push(...scenarioThresholds(scenario));
      if (!reference || !result.reference) {
        const own = scenarioOutput(scenario, result.recorder, result.elapsedMs, result.stoppedBy);
        items.push(...own.items);
        notes.push(...own.notes);
        continue;
      }
      // Both sides name the same requests, in the base's order, whatever each happened to see.
      const names = new Set([...result.recorder.requestNames, ...result.reference.recorder.requestNames]);
      result.recorder.declare(names);
      result.reference.recorder.declare(names);
      const own = scenarioOutput(scenario, result.recorder, result.elapsedMs, result.stoppedBy);
      const other = scenarioOutput(
        scenario,
        result.reference.recorder,
        result.reference.elapsedMs,
        result.stoppedBy,
      );
      const order = new Map(own.items.map((item, i) => [item.name, i]));
      other.items.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
      items.push(...own.items);
      notes.push(pairedNote(scenario), ...own.notes);
      reference.items.push(...other.items);
      reference.notes.push(...other.notes);
    }
    return reference ? { items, notes, thresholds, reference } : { items, notes, thresholds };
  },
};
