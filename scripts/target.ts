/**
 * The system under test for a run: BASE_URL (or --base-url, or the config's baseUrl) when
 * given, checked for readiness; otherwise the embedded target, started on a free port and
 * stopped afterwards (also on failure and Ctrl-C).
 */

import { PerfError } from '../core/errors.ts';
import { spawnTarget, waitForReady } from '../target/process.ts';

export interface SystemUnderTest {
  url: URL;
  embedded: boolean;
  /** The embedded target's process id (for the record; undefined for BASE_URL). */
  pid?: number;
  stop(): Promise<void>;
}

export class TargetUnavailableError extends PerfError {}

export function parseBaseUrl(value: string, source: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TargetUnavailableError(
      `${source}="${value}" is not an http(s) URL: use e.g. BASE_URL=https://staging.example.com`,
    );
  }
  return url;
}

/** The word that asks for a second embedded target as the reference (--compare-url embedded). */
export const EMBEDDED = 'embedded';

/**
 * Opens the target. `faultsEnv` names the variable holding the embedded target's fault knobs:
 * TARGET_FAULTS for the base, COMPARE_TARGET_FAULTS for a second embedded target (the reference
 * of a paired run), so each instance has its own.
 */
export async function openTarget(
  baseUrl: URL | undefined,
  readyTimeoutMs: number,
  faultsEnv = 'TARGET_FAULTS',
): Promise<SystemUnderTest> {
  if (baseUrl) {
    try {
      await waitForReady(baseUrl.href, readyTimeoutMs);
    } catch (error) {
      throw new TargetUnavailableError(
        `${(error as Error).message}: is BASE_URL right and the deployment up?`,
      );
    }
    return { url: baseUrl, embedded: false, stop: async () => {} };
  }
  try {
    const child = await spawnTarget({ env: { TARGET_FAULTS: process.env[faultsEnv] ?? '' } });
    return { url: new URL(child.url), embedded: true, pid: child.pid, stop: child.stop };
  } catch (error) {
    throw new TargetUnavailableError(`the embedded target did not start: ${(error as Error).message}`);
  }
}
