/**
 * Fault knobs of the embedded target: what can go wrong on purpose, so the gate can be shown
 * to fail for the right reason. Validated config plus the pure decisions taken per request.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import { type Random, seededRandom } from '../core/random.ts';

const routePattern = z
  .string()
  .min(1)
  .refine(
    (s) => s.startsWith('/') || s === '*',
    'a route pattern starts with "/" (or is "*"), e.g. "/api/pitches*"',
  );

export const faultsSchema = z
  .object({
    /** Added latency per route pattern: fixed ms plus a uniform random 0..jitterMs. */
    latency: z
      .array(
        z
          .object({
            route: routePattern,
            ms: z.number().min(0).max(60_000),
            jitterMs: z.number().min(0).max(60_000).default(0),
          })
          .strict(),
      )
      .default([]),
    /** Fraction (0..1) of responses replaced by a 500 on the matching routes. */
    errorRate: z.number().min(0).max(1).default(0),
    errorRoutes: z.array(routePattern).default(['*']),
    /** All responses paused for `ms`: once from when it is set, or every `everyMs`. */
    stall: z
      .object({ ms: z.number().positive().max(60_000), everyMs: z.number().positive().optional() })
      .strict()
      .refine(
        (s) => s.everyMs === undefined || s.everyMs > s.ms,
        'stall.everyMs must be longer than stall.ms',
      )
      .optional(),
    cacheOff: z.boolean().default(false),
    /** Drops the roadmap's indexes (slow queries). */
    dropIndexes: z.boolean().default(false),
    page: z
      .object({
        /** A render-blocking script in <head> that burns this many ms of main thread. */
        blockingScriptMs: z.number().int().min(0).max(30_000).default(0),
        /** The hero (LCP) image is replaced by a multi-megabyte one. */
        oversizedHero: z.boolean().default(false),
        /** A banner inserted late at the top of the page shifts the layout. */
        layoutShift: z.boolean().default(false),
        /** The page throws an uncaught error. */
        jsError: z.boolean().default(false),
        /** Pages the page faults apply to (route patterns); all pages by default. */
        pages: z.array(routePattern).default(['*']),
      })
      .strict()
      .default({
        blockingScriptMs: 0,
        oversizedHero: false,
        layoutShift: false,
        jsError: false,
        pages: ['*'],
      }),
    /**
     * A known capacity: matching requests hold one of `concurrency` slots for `serviceMs` (the
     * others queue, first come first served), so at most concurrency ÷ serviceMs requests/s
     * complete — a platform whose knee the capacity check must find.
     */
    capacity: z
      .object({
        concurrency: z.number().int().min(1).max(100_000),
        serviceMs: z.number().positive().max(60_000),
        routes: z.array(routePattern).default(['/api/*']),
      })
      .strict()
      .optional(),
    /** Seed of the random draws (jitter, errors), so a faulty run is reproducible. */
    seed: z.number().int().default(42),
  })
  .strict();

export type FaultConfig = z.output<typeof faultsSchema>;
export type FaultInput = z.input<typeof faultsSchema>;
export type PageFaults = Omit<FaultConfig['page'], 'pages'>;

export class FaultConfigError extends Error {}

/** Validates knobs from any source; `source` names where they came from for the error message. */
export function parseFaults(input: unknown, source: string): FaultConfig {
  const result = faultsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new FaultConfigError(`Invalid fault knobs in ${source}: ${problems}`);
}

export function parseFaultsJson(json: string | undefined, source: string): FaultConfig {
  if (json === undefined || json.trim() === '') return parseFaults({}, source);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new FaultConfigError(
      `${source} is not valid JSON (${(error as Error).message}); example: {"errorRate":0.1}`,
    );
  }
  return parseFaults(value, source);
}

/** "/api/pitches*" or "/api/pitches/:id" → a matcher on the request path. */
export function routeMatcher(pattern: string): (path: string) => boolean {
  if (pattern === '*') return () => true;
  const regex = new RegExp(
    `^${pattern
      .split(/(\*|:[A-Za-z]+)/)
      .map((part) =>
        part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  );
  return (path) => regex.test(path);
}

export function isActive(config: FaultConfig): boolean {
  const p = config.page;
  return (
    config.latency.length > 0 ||
    config.errorRate > 0 ||
    config.stall !== undefined ||
    config.capacity !== undefined ||
    config.cacheOff ||
    config.dropIndexes ||
    p.blockingScriptMs > 0 ||
    p.oversizedHero ||
    p.layoutShift ||
    p.jsError
  );
}

/** The knobs in force and the per-request decisions they lead to. */
export class Faults {
  private random: Random;
  private stallSince = 0;

  constructor(
    public config: FaultConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.random = seededRandom(config.seed);
    this.stallSince = now();
  }

  replace(config: FaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed);
    this.stallSince = this.now();
    this.slots = undefined;
  }

  private slots: LimitFunction | undefined;

  /** Holds a capacity slot for the service time when the route is limited; resolves after it. */
  async serve(path: string, sleep: (ms: number) => Promise<unknown>): Promise<void> {
    const capacity = this.config.capacity;
    if (capacity === undefined) return;
    if (!capacity.routes.some((r) => routeMatcher(r)(path))) return;
    this.slots ??= pLimit(capacity.concurrency);
    await this.slots(() => sleep(capacity.serviceMs));
  }

  addedLatencyMs(path: string): number {
    let total = 0;
    for (const rule of this.config.latency) {
      if (routeMatcher(rule.route)(path))
        total += rule.ms + (rule.jitterMs > 0 ? this.random() * rule.jitterMs : 0);
    }
    return total;
  }

  shouldFail(path: string): boolean {
    if (this.config.errorRate <= 0 || !this.config.errorRoutes.some((r) => routeMatcher(r)(path)))
      return false;
    return this.random() < this.config.errorRate;
  }

  /** How long a response must still be held because a stall is in progress (0 when none). */
  stallRemainingMs(): number {
    const stall = this.config.stall;
    if (!stall) return 0;
    const elapsed = this.now() - this.stallSince;
    const intoPeriod = stall.everyMs === undefined ? elapsed : elapsed % stall.everyMs;
    return intoPeriod < stall.ms ? stall.ms - intoPeriod : 0;
  }

  pageFaults(path: string): PageFaults {
    const { pages, ...faults } = this.config.page;
    if (pages.some((p) => routeMatcher(p)(path))) return faults;
    return { blockingScriptMs: 0, oversizedHero: false, layoutShift: false, jsError: false };
  }
}
