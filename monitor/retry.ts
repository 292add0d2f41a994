/**
 * Retries of a failed check run (pure), as Checkly offers them: none, fixed, linear or
 * exponential backoff, a maximum number of attempts, optionally on network errors only.
 * Every attempt is stored; a run that passes on a retry is "passed after N attempts", never a
 * plain pass (blackbox_exporter #320: retries that hide failures).
 */
export interface RetryPolicy {
  strategy: 'none' | 'fixed' | 'linear' | 'exponential';
  /** Attempts in all, the first included (1 = no retry). */
  maxAttempts: number;
  baseBackoffMs: number;
  /** No delay grows past this. */
  maxBackoffMs: number;
  /** Retry only when the attempt could not connect or timed out (not on a wrong answer). */
  onlyNetworkErrors: boolean;
}

export const NO_RETRY: RetryPolicy = {
  strategy: 'none',
  maxAttempts: 1,
  baseBackoffMs: 0,
  maxBackoffMs: 0,
  onlyNetworkErrors: false,
};

/** The error classes an attempt can end with. */
export type ErrorClass = 'network' | 'timeout' | 'http' | 'assertion' | 'browser' | 'internal';

export const NETWORK_ERRORS: readonly ErrorClass[] = ['network', 'timeout'];

/**
 * How long to wait before attempt `next` (2 = the first retry), or undefined when the run ends
 * here: the policy allows no more attempts, or the error is not one it retries.
 */
export function retryDelayMs(policy: RetryPolicy, next: number, error: ErrorClass): number | undefined {
  if (policy.strategy === 'none' || next > policy.maxAttempts) return undefined;
  if (policy.onlyNetworkErrors && !NETWORK_ERRORS.includes(error)) return undefined;
  const retry = next - 1;
  const delay =
    policy.strategy === 'fixed'
      ? policy.baseBackoffMs
      : policy.strategy === 'linear'
        ? policy.baseBackoffMs * retry
        : policy.baseBackoffMs * 2 ** (retry - 1);
  return Math.min(delay, policy.maxBackoffMs);
}
