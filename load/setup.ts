/**
 * Setup of a load scenario: the user pool logs in once, before load starts, and its session
 * tokens are reused by the authenticated requests (as k6's setup() does). Passwords come
 * from PERF_PASSWORD (default: the embedded target's demo password) and never reach a report.
 */
import { request } from 'undici';
import { PerfError } from '../core/errors.ts';
import { DEMO_PASSWORD } from '../target/seed.ts';

export class SetupError extends PerfError {}

export interface PoolCredentials {
  /** Email pattern with {n} for the user number, e.g. "investor{n}@pitchey.test". */
  pattern: string;
  password: string;
}

export function poolCredentials(env: NodeJS.ProcessEnv = process.env): PoolCredentials {
  return {
    pattern: env.PERF_USER_PATTERN || 'investor{n}@pitchey.test',
    password: env.PERF_PASSWORD || DEMO_PASSWORD,
  };
}

export async function loginUserPool(
  baseUrl: URL,
  count: number,
  credentials = poolCredentials(),
): Promise<string[]> {
  const tokens: string[] = [];
  for (let n = 1; n <= count; n++) {
    const email = credentials.pattern.replace('{n}', String(n));
    const url = new URL('/api/auth/login', baseUrl);
    let status: number;
    let body: string;
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: credentials.password }),
        signal: AbortSignal.timeout(10_000),
      });
      status = res.statusCode;
      body = await res.body.text();
    } catch (error) {
      throw new SetupError(`setup: logging in ${email} at ${url} failed: ${(error as Error).message}`);
    }
    const token = status === 200 ? (JSON.parse(body) as { token?: unknown }).token : undefined;
    if (typeof token !== 'string') {
      throw new SetupError(
        `setup: logging in ${email} at ${url} answered HTTP ${status}: set PERF_USER_PATTERN (e.g. "user{n}@example.com") and PERF_PASSWORD for this deployment`,
      );
    }
    tokens.push(token);
  }
  return tokens;
}
