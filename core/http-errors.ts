/** How the suites class a failed HTTP exchange: a timeout (waited for) or a network error. */
import { errors } from 'undici';

export type FailureClass = 'timeout' | 'network';

export function classifyError(error: unknown): FailureClass {
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    (error instanceof Error && error.name === 'TimeoutError')
  ) {
    return 'timeout';
  }
  return 'network';
}
