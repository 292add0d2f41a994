/**
 * The load suite: runs the profile's scenarios one after another against the target, each on
 * the engine its executor needs, and returns per scenario and per request name the metrics
 * and the scenario's own thresholds (k6 syntax) for the verdict.
 * Load goes to loopback only, unless the run allows a remote host and stays under its rate cap.
 */
import type { LoadProfile, LoadSuiteConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import type { Item, SuiteResult } from '../core/results.ts';
import type { Suite } from '../core/suite.ts';
import { parseMetricKey } from '../core/threshold.ts';
import { runAcrossWorkers } from './engines/run.ts';
import { OPEN_MODEL, peakRatePerSecond, type Scenario } from './scenario.ts';
import { shippedScenarios } from './scenarios/index.ts';
import { loginUserPool } from './setup.ts';

export interface LoadSettings extends LoadSuiteConfig {
  profile: LoadProfile;
}

export class RemoteLoadError extends PerfError {}

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

export function plannedScenarios(profile: LoadProfile): Scenario[] {
  const all = shippedScenarios(profile);
  return profile.scenarios.map((name) => all[name]);
}

export const loadSuite: Suite<LoadSettings> = {
  name: 'load',
  async run({ baseUrl, settings, progress, signal }) {
    const scenarios = plannedScenarios(settings.profile);
    guardRemote(baseUrl, scenarios, settings);
    if (settings.engine === 'k6') {
      const { runWithK6 } = await import('./engines/k6.ts');
      return runWithK6(baseUrl, scenarios, signal);
    }
    const items: Item[] = [];
    const notes: string[] = [];
    const thresholds: SuiteResult['thresholds'] = [];
    const tokensByPool = new Map<number, string[]>();
    for (const scenario of scenarios) {
      if (signal.aborted) break;
      let tokens = tokensByPool.get(scenario.users);
      if (!tokens) {
        tokens = scenario.users ? await loginUserPool(baseUrl, scenario.users) : [];
        tokensByPool.set(scenario.users, tokens);
      }
      const result = await runAcrossWorkers(
        {
          baseUrl,
          scenario,
          tokens,
          signal,
          progress: (done, total) => progress.update(done, total, scenario.name),
        },
        Math.max(settings.workers, scenario.workers),
      );
      const open = OPEN_MODEL.includes(scenario.executor);
      // breakpoint is meant to break: only its own (abortOnFail) thresholds judge it.
      const targets = scenario.name === 'breakpoint' ? 'none' : 'api';
      items.push(...result.recorder.toItems(scenario.name, result.elapsedMs / 1000, open, targets));
      thresholds.push(...scenarioThresholds(scenario));
      if (result.stoppedBy) notes.push(`${scenario.name}: stopped early: ${result.stoppedBy}`);
      if (result.recorder.dropped)
        notes.push(`${scenario.name}: ${result.recorder.dropped} dropped iterations (maxVUs busy)`);
      notes.push(...result.recorder.checkNotes.map((n) => `${scenario.name}: check failed: ${n}`));
    }
    return { items, notes, thresholds };
  },
};
