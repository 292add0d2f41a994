/**
 * Words for the status page's numbers and times: UTC, rounded the same way everywhere, so the
 * page reads the same wherever it is rendered.
 */

const HOUR = 3_600_000;

/** Rounded down, so 99.996 % never reads as 100 %: "75 %", "99.95 %". */
export function formatPercent(fraction: number, decimals = 2): string {
  const scale = 10 ** decimals;
  const value = Math.floor(fraction * 100 * scale + 1e-6) / scale;
  return `${value} %`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** "45 s", "12 min", "3 h 20 min", "2 d 4 h". */
export function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const min = Math.round(ms / 60_000);
  if (min < 90) return `${min} min`;
  if (ms < 48 * HOUR) return `${Math.floor(min / 60)} h ${min % 60} min`;
  const h = Math.round(ms / HOUR);
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function ago(now: number, at: number): string {
  return at > now ? 'in the future (clock changed?)' : `${formatSpan(now - at)} ago`;
}

/** "2026-12-01 14:37 UTC" */
export const utc = (at: number) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
export const count = (n: number) => n.toLocaleString('en-US');

/** A burn rate: "0.4×", "14.4×", "1000×". */
export const rate = (r: number) => `${r >= 100 ? Math.round(r) : r.toFixed(1)}×`;
