/**
 * What the monitor's readers (the status page, /metrics, the daily report, go/no-go) see: the
 * store, the checks and the SLOs at an instant. The running monitor hands out its own; the
 * commands that read a database after the fact open one with openView.
 */
import type { Config } from '../core/config.ts';
import { type ResolvedCheck, resolveChecks } from './checks.ts';
import { latencyThresholds, type Slo } from './slo.ts';
import { loadSlos } from './slo-config.ts';
import { MonitorStore } from './store.ts';

export interface MonitorView {
  store: MonitorStore;
  checks: readonly ResolvedCheck[];
  slos: readonly Slo[];
  /** Wall-clock time of the view (epoch ms). */
  now: number;
  /** The deployment watched (its origin), for titles. */
  origin: string;
}

/**
 * Opens the database for reading beside (or after) the monitor. The checks are resolved on
 * `baseUrl` for their names, groups and targets only. Close `view.store` when done.
 */
export async function openView(
  config: Config,
  database: string,
  baseUrl: URL,
  now = Date.now(),
): Promise<MonitorView> {
  const checks = resolveChecks(config.monitor, baseUrl);
  const slos = await loadSlos(config, checks);
  const store = MonitorStore.open(database, { latencyThresholdsMs: latencyThresholds(slos) });
  return { store, checks, slos, now, origin: baseUrl.origin };
}
