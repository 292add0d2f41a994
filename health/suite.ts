/**
 * The health suite: probes the roadmap's health endpoints N times each, one request at a time
 * on one keep-alive connection (a monitor's view, not load), records latency into a histogram,
 * classifies errors and checks each body.
 */
import { Agent, request } from 'undici';
import type { HealthSuiteConfig } from '../core/config.ts';
import { createHistogram, recordMicros } from '../core/histogram.ts';
import { classifyError } from '../core/http-errors.ts';
import { counterMetric, rateMetric, trendFromHistogram } from '../core/metrics.ts';
import type { Item } from '../core/results.ts';
import type { Suite } from '../core/suite.ts';
import { checkHealthBody } from './checks.ts';

export interface HealthSettings extends HealthSuiteConfig {
  requests: number;
}

type ErrorClass = 'network' | 'timeout' | '4xx' | '5xx';

const MAX_NOTES_PER_ENDPOINT = 3;

async function probeEndpoint(
  baseUrl: URL,
  path: string,
  settings: HealthSettings,
  onRequest: () => void,
  signal: AbortSignal,
): Promise<{ item: Item; notes: string[] }> {
  const url = new URL(path, baseUrl);
  const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
  const histogram = createHistogram();
  const failures: Record<ErrorClass, number> = { network: 0, timeout: 0, '4xx': 0, '5xx': 0 };
  let checksPassed = 0;
  let sent = 0;
  const notes: string[] = [];
  const note = (text: string) => notes.length < MAX_NOTES_PER_ENDPOINT && notes.push(`${path}: ${text}`);
  const started = performance.now();
  try {
    for (let i = 0; i < settings.requests && !signal.aborted; i++) {
      sent++;
      const start = performance.now();
      try {
        const res = await request(url, {
          dispatcher: agent,
          headers: { accept: 'application/json', 'user-agent': 'pitchey-perf health' },
          signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]),
        });
        const body = await res.body.text();
        recordMicros(histogram, (performance.now() - start) * 1000);
        if (res.statusCode >= 500) failures['5xx']++;
        else if (res.statusCode >= 400) failures['4xx']++;
        const problem = checkHealthBody(path, res.statusCode, body);
        if (problem) note(problem);
        else checksPassed++;
      } catch (error) {
        if (signal.aborted) {
          sent--;
          break;
        }
        const kind = classifyError(error);
        failures[kind]++;
        // A timeout was waited for: leaving it out would flatter the percentiles. A refused
        // connection took no time worth counting.
        if (kind === 'timeout') recordMicros(histogram, (performance.now() - start) * 1000);
        note(`${kind} error: ${(error as Error).message}`);
      }
      onRequest();
    }
  } finally {
    await agent.close();
  }
  const failed = failures.network + failures.timeout + failures['4xx'] + failures['5xx'];
  const seconds = (performance.now() - started) / 1000;
  return {
    item: {
      name: path,
      kind: 'endpoint',
      targets: 'api',
      tags: { url: url.href },
      metrics: {
        http_req_duration: trendFromHistogram(histogram),
        http_req_failed: rateMetric(failed, sent, failures),
        checks: rateMetric(checksPassed, sent),
        http_reqs: counterMetric(sent, seconds),
      },
    },
    notes,
  };
}

export const healthSuite: Suite<HealthSettings> = {
  name: 'health',
  async run({ baseUrl, settings, progress, signal }) {
    const total = settings.requests * settings.endpoints.length;
    let done = 0;
    const items: Item[] = [];
    const notes: string[] = [];
    for (const path of settings.endpoints) {
      const result = await probeEndpoint(
        baseUrl,
        path,
        settings,
        () => progress.update(++done, total, path),
        signal,
      );
      items.push(result.item);
      notes.push(...result.notes);
    }
    return { items, notes };
  },
};
