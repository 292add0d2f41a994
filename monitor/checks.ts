/**
 * The checks the monitor runs: the config's, or the Pitchey defaults, resolved against the base
 * URL with every default filled in (pure). Defaults, from the roadmap: the three health
 * endpoints every 30 s, the API (trending, the pitch list, one pitch) every 60 s, the visitor
 * journey every 5 min, the investor journey every 15 min, Lighthouse on the home page daily.
 */
import { type Assertion, parseAssertion } from './assertions.ts';
import type { CheckConfig, MonitorConfig } from './config.ts';
import type { IncidentPolicy } from './incidents.ts';
import type { RetryPolicy } from './retry.ts';

export type CheckType = CheckConfig['type'];

export interface Schedule {
  /** Every intervalMs (the scheduler spreads checks of one interval over it)… */
  intervalMs?: number | undefined;
  /** …or a cron expression in a timezone. */
  cron?: string | undefined;
  timezone?: string | undefined;
}

interface ResolvedBase {
  name: string;
  group: string;
  schedule: Schedule;
  timeoutMs: number;
  degradedAfterMs?: number | undefined;
  retry: RetryPolicy;
  incidents: IncidentPolicy;
  /** Channel names its alerts go to. */
  channels: string[];
  /** What it watches, for alerts and the status: a URL, or "journey visitor (desktop)". */
  target: string;
}

export type ResolvedCheck =
  | (ResolvedBase & {
      type: 'http' | 'health';
      url: URL;
      method: string;
      headers: Record<string, string>;
      body?: string | undefined;
      assertions: Assertion[];
      softAssertions: Assertion[];
    })
  | (ResolvedBase & { type: 'journey'; journey: string; project: 'desktop' | 'mobile' })
  | (ResolvedBase & { type: 'lighthouse'; url: URL; preset: 'desktop' | 'mobile' });

const DEFAULT_GROUP: Record<CheckType, string> = {
  http: 'api',
  health: 'health',
  journey: 'journeys',
  lighthouse: 'lighthouse',
};

const DEFAULT_TIMEOUT_MS: Record<CheckType, number> = {
  http: 10_000,
  health: 5_000,
  journey: 120_000,
  lighthouse: 180_000,
};

export const DEFAULT_RETRY: RetryPolicy = {
  strategy: 'exponential',
  maxAttempts: 2,
  baseBackoffMs: 2_000,
  maxBackoffMs: 30_000,
  onlyNetworkErrors: false,
};

export const DEFAULT_INCIDENTS: IncidentPolicy = {
  failureThreshold: 3,
  failingForMs: 0,
  successThreshold: 2,
  reminderEveryMs: 30 * 60_000,
  alertOnDegraded: false,
};

/** The Pitchey defaults, as a user would write them in perf.config.ts. */
export function defaultChecks(): CheckConfig[] {
  const health = (name: string, url: string): CheckConfig => ({
    name,
    type: 'health',
    url,
    every: 30_000,
    assertions: [],
    softAssertions: [],
  });
  const api = (name: string, url: string, shape: string): CheckConfig => ({
    name,
    type: 'http',
    url,
    every: 60_000,
    method: 'GET',
    headers: { accept: 'application/json' },
    assertions: ['[STATUS] == 200', '[HEADER].content-type == pat(*json*)', shape],
    softAssertions: [],
    // The roadmap's P99 target: slower is degraded, not down.
    degradedAfter: 500,
  });
  return [
    health('health', '/health'),
    health('health-ready', '/health/ready'),
    health('health-detailed', '/health/detailed'),
    api('api-trending', '/api/trending', 'len([BODY].items) > 0'),
    api('api-pitches', '/api/pitches?limit=20', 'len([BODY].items) > 0'),
    api('api-pitch', '/api/pitches/1', 'has([BODY].id) == true'),
    { name: 'journey-visitor', type: 'journey', journey: 'visitor', project: 'desktop', every: 5 * 60_000 },
    {
      name: 'journey-investor',
      type: 'journey',
      journey: 'investor',
      project: 'desktop',
      every: 15 * 60_000,
    },
    {
      name: 'lighthouse-home',
      type: 'lighthouse',
      url: '/',
      preset: 'mobile',
      cron: '0 6 * * *',
      timezone: 'UTC',
    },
  ];
}

export function resolveChecks(monitor: MonitorConfig, baseUrl: URL): ResolvedCheck[] {
  const configs = monitor.checks ?? defaultChecks();
  const allChannels = monitor.channels.map((c) => c.name);
  return configs.map((check): ResolvedCheck => {
    const base: ResolvedBase = {
      name: check.name,
      group: check.group ?? DEFAULT_GROUP[check.type],
      schedule: { intervalMs: check.every, cron: check.cron, timezone: check.timezone },
      timeoutMs: check.timeout ?? DEFAULT_TIMEOUT_MS[check.type],
      degradedAfterMs: check.degradedAfter,
      retry: { ...DEFAULT_RETRY, ...monitor.retry, ...check.retry },
      incidents: { ...DEFAULT_INCIDENTS, ...monitor.incidents, ...check.incidents },
      channels: check.channels ?? allChannels,
      target: '',
    };
    switch (check.type) {
      case 'http':
      case 'health': {
        const url = new URL(check.url, baseUrl);
        return {
          ...base,
          target: url.href,
          type: check.type,
          url,
          method: check.type === 'http' ? check.method : 'GET',
          headers: check.type === 'http' ? check.headers : { accept: 'application/json' },
          body: check.type === 'http' ? check.body : undefined,
          assertions: check.assertions.map(parseAssertion),
          softAssertions: check.softAssertions.map(parseAssertion),
        };
      }
      case 'journey':
        return {
          ...base,
          target: `journey ${check.journey} (${check.project}) on ${baseUrl.origin}`,
          type: 'journey',
          journey: check.journey,
          project: check.project,
        };
      default: {
        // 'lighthouse'
        const url = new URL(check.url, baseUrl);
        return { ...base, target: url.href, type: 'lighthouse', url, preset: check.preset };
      }
    }
  });
}

export type HttpCheck = Extract<ResolvedCheck, { type: 'http' | 'health' }>;
export type BrowserCheck = Extract<ResolvedCheck, { type: 'journey' | 'lighthouse' }>;

/** Browser checks share one browser slot. */
export const isBrowserCheck = (check: ResolvedCheck) =>
  check.type === 'journey' || check.type === 'lighthouse';
