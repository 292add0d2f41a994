/**
 * The base of every error that tells a user what to fix (bad config, unreachable target,
 * missing browser...). Anything else reaching the top is a bug and is shown with its stack.
 */
export class PerfError extends Error {
  override name = this.constructor.name;
}
