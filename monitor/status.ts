/**
 * `health-monitor.sh status`: each check's current state and the open incidents, read from
 * storage (so it works beside a running monitor, or after it stopped).
 */
import { mergeHistograms, percentile } from '../core/histogram.ts';
import { HEARTBEAT_STALE_MS } from './heartbeat.ts';
import type { CheckState } from './incidents.ts';
import type { MonitorStore, Rollup } from './store.ts';

const DAY = 86_400_000;

/** The last 24 h of a check from its hourly rollups (pure): uptime, P95, cache hit ratio. */
export function lastDay(rollups: readonly Rollup[]): string {
  const counted = rollups.reduce((n, r) => n + r.runs - r.excluded, 0);
  if (!counted) return 'no runs in 24 h';
  const up = rollups.reduce((n, r) => n + r.passed + r.degraded, 0);
  const histograms = rollups.map((r) => r.histogram).filter(Boolean);
  const p95 = histograms.length ? percentile(mergeHistograms(histograms), 95) / 1000 : Number.NaN;
  const lookups = rollups.reduce((n, r) => n + r.cacheLookups, 0);
  const hits = rollups.reduce((n, r) => n + r.cacheHits, 0);
  return [
    `24 h: uptime ${((100 * up) / counted).toFixed(2)} % of ${counted} runs`,
    Number.isNaN(p95) ? undefined : `P95 ${p95 < 10 ? p95.toFixed(1) : Math.round(p95)} ms`,
    lookups ? `cache hits ${Math.round((100 * hits) / lookups)} %` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

function ago(ms: number): string {
  if (ms < 0) return 'in the future (clock changed?)';
  if (ms < 90_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 36 * 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h ago`;
  return `${(ms / 86_400_000).toFixed(1)} d ago`;
}

export function renderStatus(store: MonitorStore, now: number): string {
  const lines: string[] = [];
  const heartbeat = store.heartbeatAt();
  lines.push(
    heartbeat
      ? `monitor: last heartbeat ${ago(now - heartbeat)} (${new Date(heartbeat).toISOString()})${now - heartbeat > HEARTBEAT_STALE_MS ? ' — not running?' : ''}`
      : 'monitor: no heartbeat in this database (the long-running monitor has not run with it)',
  );
  const states = [...store.loadStates()].sort(([a], [b]) => a.localeCompare(b));
  if (!states.length) lines.push('no check has run yet');
  const day = store.rollups('hour', now - DAY, now + DAY);
  for (const [name, state] of states)
    lines.push(`${describeState(name, state, now)}\n      ${lastDay(day.filter((r) => r.check === name))}`);
  const open = store.incidents({ open: true });
  lines.push(open.length ? `open incidents (${open.length}):` : 'open incidents: none');
  for (const incident of open)
    lines.push(
      `  ${incident.id}  ${incident.severity}  since ${new Date(incident.openedAt).toISOString()} (${ago(now - incident.openedAt)}), ${incident.reminders} reminder(s): ${incident.cause}`,
    );
  const pending = store.pendingDeliveries();
  if (pending.length)
    lines.push(
      `alerts not yet delivered: ${pending.length} (${pending.map((d) => `${d.event} of ${d.check} to ${d.channel}: ${d.lastError ?? 'not tried yet'}`).join('; ')})`,
    );
  return lines.join('\n');
}

function describeState(name: string, state: CheckState, now: number): string {
  const streak =
    state.last === 'fail'
      ? `${state.consecutiveFailed} failed in a row`
      : state.last === 'pass'
        ? `${state.consecutivePassing} passing in a row`
        : `${state.consecutiveNotPassing} not passing in a row`;
  return `  ${name.padEnd(22)} ${state.last.padEnd(8)} ${streak}, last run ${state.lastRunAt ? ago(now - state.lastRunAt) : 'never'}${state.incident ? `, incident ${state.incident.id} open` : ''}`;
}
