/**
 * The monitor's SLOs: the config's `monitor.slos`, or those the config's milestone implies
 * (baselines/targets.json), resolved to check names.
 */
import type { Config } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { globMatch, loadTargets, milestoneTargets } from '../core/targets.ts';
import type { SloConfig } from './config.ts';
import { defaultSlos, type Slo } from './slo.ts';

interface CheckInfo {
  name: string;
  group: string;
  type: string;
}

/** The config's SLOs with their checks resolved (pure); an SLO covering no check is an error. */
export function slosFromConfig(list: readonly SloConfig[], checks: readonly CheckInfo[]): Slo[] {
  return list.map((s, i) => {
    const covered = checks.filter(
      (c) =>
        (s.group === undefined || c.group === s.group) &&
        (s.checks === undefined || s.checks.some((pattern) => globMatch(pattern, c.name))),
    );
    if (!covered.length)
      throw new PerfError(
        `monitor.slos[${i}] ("${s.name}"): no check matches ${[s.group && `group "${s.group}"`, s.checks && `checks ${JSON.stringify(s.checks)}`].filter(Boolean).join(' and ')} — the checks are ${checks.map((c) => `${c.name} (${c.group})`).join(', ')}`,
      );
    const only = covered.length === 1 ? covered[0] : undefined;
    return {
      name: s.name,
      sli: s.sli,
      objective: s.objective,
      thresholdMs: s.threshold,
      checks: covered.map((c) => c.name),
      scope: { group: s.group ?? only?.group, check: only?.name },
      alert: s.alert,
      origin: `monitor.slos[${i}]`,
    };
  });
}

export async function loadSlos(config: Config, checks: readonly CheckInfo[]): Promise<Slo[]> {
  if (config.monitor.slos) return slosFromConfig(config.monitor.slos, checks);
  const targets = milestoneTargets(await loadTargets(config.targetsFile), config.milestone);
  return defaultSlos(targets, config.milestone, checks);
}
