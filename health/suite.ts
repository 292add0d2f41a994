/**
 * The health suite: probes the roadmap's health endpoints N times each, one request at a time
 * on one keep-alive connection (a monitor's view, not load), records latency into a histogram,
 * classifies errors and checks each body.
 * Paired mode (compareUrl): per endpoint, N requests a side alternate in ABBA order between the
 * base URL and the reference, each side on its own connection with its own histogram, errors
 * and checks; the reference's items (named as the base's) are returned under `reference`.
 */
import { Agent, request } from 'undici';
import type { HealthSuiteConfig } from '../core/config.ts';
import { createHistogram, type Histogram, recordMicros } from '../core/histogram.ts';
import { classifyError } from '../core/http-errors.ts';
import { counterMetric, rateMetric, trendFromHistogram } from '../core/metrics.ts';
import { abbaSide, pairedTurns, type Side } from '../core/paired.ts';
import type { Item } from '../core/results.ts';
import type { Suite, SuiteOutput } from '../core/suite.ts';
import { checkHealthBody } from './checks.ts';

export interface HealthSettings extends HealthSuiteConfig {
  requests: number;
}

type ErrorClass = 'network' | 'timeout' | '4xx' | '5xx';

const MAX_NOTES_PER_ENDPOINT = 3;

/** One deployment's probe of an endpoint: its connection and what it measured. */
interface Probe {
  url: URL;
  agent: Agent;
  histogram: Histogram;
  failures: Record<ErrorClass, number>;
  checksPassed: number;
  sent: number;
  notes: string[];
  /** Time spent on this probe's own requests (paired mode's elapsed time for a side). */
  activeMs: number;
}

function createProbe(baseUrl: URL, path: string): Probe {
  return {
    url: new URL(path, baseUrl),
    agent: new Agent({ connections: 1, keepAliveTimeout: 10_000 }),
    histogram: createHistogram(),
    failures: { network: 0, timeout: 0, '4xx': 0, '5xx': 0 },
    checksPassed: 0,
    sent: 0,
    notes: [],
    activeMs: 0,
  };
}

/** One request of a probe; false when the run was aborted (the request then does not count). */
async function probeOnce(
  probe: Probe,
  path: string,
  settings: HealthSettings,
  signal: AbortSignal,
): Promise<boolean> {
  const { histogram, failures } = probe;
  const note = (text: string) =>
    probe.notes.length < MAX_NOTES_PER_ENDPOINT && probe.notes.push(`${path}: ${text}`);
  probe.sent++;
  const start = performance.now();
  try {
    const res = await request(probe.url, {
      dispatcher: probe.agent,
      headers: { accept: 'application/json', 'user-agent': 'pitchey-perf health' },
      signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]),
    });
    const body = await res.body.text();
    recordMicros(histogram, (performance.now() - start) * 1000);
    if (res.statusCode >= 500) failures['5xx']++;
    else if (res.statusCode >= 400) failures['4xx']++;
    const problem = checkHealthBody(path, res.statusCode, body);
    if (problem) note(problem);
    else probe.checksPassed++;
  } catch (error) {
    if (signal.aborted) {
      probe.sent--;
      return false;
    }
    const kind = classifyError(error);
    failures[kind]++;
    // A timeout was waited for: leaving it out would flatter the percentiles. A refused
    // connection took no time worth counting.
    if (kind === 'timeout') recordMicros(histogram, (performance.now() - start) * 1000);
    note(`${kind} error: ${(error as Error).message}`);
  } finally {
    probe.activeMs += performance.now() - start;
  }
  return true;
}

function probeItem(probe: Probe, path: string, seconds: number): Item {
  const { failures, sent } = probe;
  const failed = failures.network + failures.timeout + failures['4xx'] + failures['5xx'];
  return {
    name: path,
    kind: 'endpoint',
    targets: 'api',
    tags: { url: probe.url.href },
    metrics: {
      http_req_duration: trendFromHistogram(probe.histogram),
      http_req_failed: rateMetric(failed, sent, failures),
      checks: rateMetric(probe.checksPassed, sent),
      http_reqs: counterMetric(sent, seconds),
    },
  };
}

type SideResult = { item: Item; notes: string[] };

/**
 * N requests to an endpoint, one at a time; in paired mode 2N, turn i on abbaSide(i). Each
 * side's request rate counts its own time (the whole loop's when unpaired).
 */
async function probeEndpoint(
  urls: { base: URL; reference?: URL | undefined },
  path: string,
  settings: HealthSettings,
  onRequest: () => void,
  signal: AbortSignal,
): Promise<{ base: SideResult; reference?: SideResult }> {
  const probes: Partial<Record<Side, Probe>> = { base: createProbe(urls.base, path) };
  if (urls.reference) probes.reference = createProbe(urls.reference, path);
  const paired = probes.reference !== undefined;
  const turns = paired ? pairedTurns(settings.requests) : settings.requests;
  const started = performance.now();
  try {
    for (let i = 0; i < turns && !signal.aborted; i++) {
      const probe = probes[paired ? abbaSide(i) : 'base'] as Probe;
      if (!(await probeOnce(probe, path, settings, signal))) break;
      onRequest();
    }
  } finally {
    await Promise.all(Object.values(probes).map((p) => p.agent.close()));
  }
  const seconds = (performance.now() - started) / 1000;
  const result = (probe: Probe): SideResult => ({
    item: probeItem(probe, path, paired ? probe.activeMs / 1000 : seconds),
    notes: probe.notes,
  });
  const base = result(probes.base as Probe);
  return probes.reference ? { base, reference: result(probes.reference) } : { base };
}

export const healthSuite: Suite<HealthSettings> = {
  name: 'health',
  async run({ baseUrl, compareUrl, settings, progress, signal }) {
    const perEndpoint = compareUrl ? pairedTurns(settings.requests) : settings.requests;
    const total = perEndpoint * settings.endpoints.length;
    let done = 0;
    const items: Item[] = [];
    const notes: string[] = [];
    const reference: SuiteOutput['reference'] = compareUrl ? { items: [], notes: [] } : undefined;
    for (const path of settings.endpoints) {
      const result = await probeEndpoint(
        { base: baseUrl, reference: compareUrl },
        path,
        settings,
        () => progress.update(++done, total, path),
        signal,
      );
      items.push(result.base.item);
      notes.push(...result.base.notes);
      if (reference && result.reference) {
        reference.items.push(result.reference.item);
        reference.notes.push(...result.reference.notes);
      }
    }
    return reference ? { items, notes, reference } : { items, notes };
  },
};
