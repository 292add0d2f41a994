/**
 * One attempt of an HTTP or health check: a fresh connection (as blackbox_exporter probes, so
 * connect time is part of what a user waits for), the time to the last body byte, the status,
 * the cache's answer, then the health suite's body check (health checks) and the assertions.
 */
import { Agent, request } from 'undici';
import { classifyError } from '../core/http-errors.ts';
import { checkHealthBody } from '../health/checks.ts';
import { firstFailure, type Observation } from './assertions.ts';
import type { ResolvedCheck } from './checks.ts';
import type { Outcome } from './incidents.ts';
import type { ErrorClass } from './retry.ts';

export interface AttemptResult {
  outcome: Outcome;
  /** To the last byte of the answer (HTTP), or the journey's or page's time. */
  durationMs: number;
  /** HTTP: to the response's headers (connect and server time, without the body). */
  ttfbMs?: number | undefined;
  httpStatus?: number | undefined;
  errorClass?: ErrorClass | undefined;
  failedAssertion?: string | undefined;
  message?: string | undefined;
  cache?: string | undefined;
}

type HttpCheck = Extract<ResolvedCheck, { type: 'http' | 'health' }>;

const MAX_BODY_BYTES = 1_000_000;

/** X-Cache (the embedded target, Fastly, CloudFront) or CF-Cache-Status (Cloudflare), lower-cased. */
export function cacheStatus(headers: Record<string, string>): string | undefined {
  const value = headers['cf-cache-status'] ?? headers['x-cache'];
  if (!value) return undefined;
  // CloudFront says "Hit from cloudfront", Fastly "HIT, MISS": the first word decides.
  return value.trim().split(/[\s,]/)[0]?.toLowerCase();
}

function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** The outcome of what was seen (pure): failed, degraded or passed, and why. */
export function judgeHttp(check: HttpCheck, seen: Observation): Omit<AttemptResult, 'durationMs'> {
  const status = seen.status;
  const base = { httpStatus: status, cache: seen.headers ? cacheStatus(seen.headers) : undefined };
  if (check.type === 'health' && status !== undefined) {
    const problem = checkHealthBody(check.url.pathname, status, seen.body ?? '');
    if (problem)
      return { ...base, outcome: 'fail', errorClass: status >= 400 ? 'http' : 'assertion', message: problem };
  }
  const hard = firstFailure(check.assertions, seen);
  if (hard)
    return {
      ...base,
      outcome: 'fail',
      errorClass: status !== undefined && status >= 400 ? 'http' : 'assertion',
      failedAssertion: hard.assertion.source,
      message: hard.message,
    };
  const soft = firstFailure(check.softAssertions, seen);
  if (soft)
    return { ...base, outcome: 'degraded', failedAssertion: soft.assertion.source, message: soft.message };
  if (check.degradedAfterMs !== undefined && seen.responseTimeMs > check.degradedAfterMs)
    return {
      ...base,
      outcome: 'degraded',
      message: `answered in ${Math.round(seen.responseTimeMs)} ms, slower than ${check.degradedAfterMs} ms`,
    };
  return { ...base, outcome: 'pass' };
}

export async function probeHttp(check: HttpCheck, signal: AbortSignal): Promise<AttemptResult> {
  const agent = new Agent({ connections: 1, pipelining: 0 });
  const start = performance.now();
  try {
    const res = await request(check.url, {
      method: check.method as 'GET',
      dispatcher: agent,
      headers: { 'user-agent': 'pitchey-perf monitor', ...check.headers },
      ...(check.body !== undefined ? { body: check.body } : {}),
      signal: AbortSignal.any([signal, AbortSignal.timeout(check.timeoutMs)]),
    });
    const ttfbMs = performance.now() - start;
    let body = '';
    for await (const chunk of res.body) {
      if (body.length < MAX_BODY_BYTES) body += (chunk as Buffer).toString();
    }
    const durationMs = performance.now() - start;
    const seen: Observation = {
      connected: true,
      status: res.statusCode,
      responseTimeMs: durationMs,
      body,
      headers: headerRecord(res.headers),
    };
    return { durationMs, ttfbMs, ...judgeHttp(check, seen) };
  } catch (error) {
    const durationMs = performance.now() - start;
    const errorClass = classifyError(error);
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : '';
    return {
      outcome: 'fail',
      durationMs,
      errorClass,
      message:
        errorClass === 'timeout'
          ? `no answer from ${check.url.href} within ${check.timeoutMs} ms`
          : `${check.url.href} could not be reached: ${(error as Error).message}${cause ? ` (${cause})` : ''}`,
    };
  } finally {
    void agent.close();
  }
}
