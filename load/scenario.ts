/**
 * Load scenarios in k6's vocabulary: executors, stages, preAllocatedVUs/maxVUs, a weighted
 * request mix with names, tags and checks, and thresholds in k6's exact syntax. Declarative
 * data only, so a scenario runs on our engines and exports to a k6 script unchanged.
 * Validated before any load starts; errors name the scenario and the field.
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { PerfError } from '../core/errors.ts';
import { parseMetricKey, parseThreshold } from '../core/threshold.ts';

export const EXECUTORS = [
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
] as const;
export type Executor = (typeof EXECUTORS)[number];
export const OPEN_MODEL: readonly Executor[] = ['constant-arrival-rate', 'ramping-arrival-rate'];

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'a k6 duration such as "30s", "1m30s" or "500ms"');
const stage = z.object({ duration, target: z.number().int().min(0) }).strict();

/** A value drawn per request: one of a list, or an integer in [min, max]. */
const variable = z.union([
  z.array(z.union([z.string(), z.number()])).min(1),
  z.object({ min: z.number().int(), max: z.number().int() }).strict(),
]);

const check = z
  .object({
    /** Accepted status codes (k6: check(res, { 'status is 200': r => r.status === 200 })). */
    status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    /** JSON body fields that must be present: dotted paths such as "items" or "user.id". */
    jsonHas: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const requestSchema = z
  .object({
    /** The request's `name` tag (k6 URL grouping): metrics and thresholds are kept per name. */
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"'),
    weight: z.number().positive(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    /** Path with {var} placeholders filled from `vars`, e.g. "/api/pitches/{id}". */
    path: z.string().startsWith('/'),
    vars: z.record(z.string(), variable).default({}),
    /** JSON body; string values may hold {var} placeholders. */
    body: z.record(z.string(), z.unknown()).optional(),
    /** Sends a session token of the scenario's user pool. */
    auth: z.boolean().default(false),
    tags: z.record(z.string(), z.string()).default({}),
    /** Statuses that are not failures for http_req_failed (k6's expectedStatuses); default 200–399. */
    expectedStatuses: z.array(z.number().int().min(100).max(599)).optional(),
    checks: check.default({}),
  })
  .strict()
  .superRefine((request, ctx) => {
    const placeholders = [
      ...request.path.matchAll(/\{(\w+)\}/g),
      ...JSON.stringify(request.body ?? {}).matchAll(/\{(\w+)\}/g),
    ];
    for (const [, name] of placeholders) {
      if (!((name as string) in request.vars)) {
        ctx.addIssue({
          code: 'custom',
          path: ['vars'],
          message: `placeholder {${name}} has no entry in vars`,
        });
      }
    }
  });

const thresholdEntry = z.union([
  z.string(),
  z
    .object({
      threshold: z.string(),
      abortOnFail: z.boolean().optional(),
      delayAbortEval: duration.optional(),
    })
    .strict(),
]);

const common = {
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and "-"'),
  description: z.string().default(''),
  requests: z.array(requestSchema).min(1),
  /** Investors logged in during setup; requests with `auth` use their sessions in turn. */
  users: z.number().int().min(0).max(1000).default(0),
  thresholds: z.record(z.string(), z.array(thresholdEntry).min(1)).default({}),
  gracefulStop: duration.default('30s'),
  /** Per-request timeout (k6 default 60 s). */
  timeout: duration.default('60s'),
  /** Worker threads that share the load (k6 runs one process; we can spread across cores). */
  workers: z.number().int().min(1).max(64).default(1),
};

export const scenarioSchema = z.discriminatedUnion('executor', [
  z
    .object({
      ...common,
      executor: z.literal('constant-arrival-rate'),
      rate: z.number().positive(),
      timeUnit: duration.default('1s'),
      duration,
      preAllocatedVUs: z.number().int().min(1),
      maxVUs: z.number().int().min(1).optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      executor: z.literal('ramping-arrival-rate'),
      startRate: z.number().min(0).default(0),
      timeUnit: duration.default('1s'),
      stages: z.array(stage).min(1),
      preAllocatedVUs: z.number().int().min(1),
      maxVUs: z.number().int().min(1).optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      executor: z.literal('constant-vus'),
      vus: z.number().int().min(1).default(1),
      duration,
    })
    .strict(),
  z
    .object({
      ...common,
      executor: z.literal('ramping-vus'),
      startVUs: z.number().int().min(0).default(1),
      stages: z.array(stage).min(1),
      gracefulRampDown: duration.default('30s'),
    })
    .strict(),
  z
    .object({
      ...common,
      executor: z.literal('per-vu-iterations'),
      vus: z.number().int().min(1).default(1),
      iterations: z.number().int().min(1).default(1),
      maxDuration: duration.default('10m'),
    })
    .strict(),
]);

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type RequestSpec = z.output<typeof requestSchema>;
export type ThresholdEntry = z.output<typeof thresholdEntry>;

export class ScenarioError extends PerfError {}

/** Typed identity for scenario files. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  if (issue.code === 'invalid_union' && issue.path.length === 0) return 'executor: unknown executor';
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${path ? `${path}.` : ''}${k}"`).join(', ')}`;
  return `${path || '(root)'}: ${issue.message}`;
}

/** Validates a scenario, its thresholds and its limits; throws naming the scenario and field. */
export function parseScenario(input: unknown): Scenario {
  const name = (input as { name?: unknown } | null)?.name;
  const label = typeof name === 'string' ? `scenario "${name}"` : 'a scenario';
  const executor = (input as { executor?: unknown } | null)?.executor;
  if (typeof executor !== 'string' || !(EXECUTORS as readonly string[]).includes(executor)) {
    throw new ScenarioError(
      `${label}: executor ${JSON.stringify(executor)} is not one of ${EXECUTORS.join(', ')}`,
    );
  }
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw new ScenarioError(`${label}: ${result.error.issues.map(describe).join('; ')}`);
  const scenario = result.data;
  for (const [key, entries] of Object.entries(scenario.thresholds)) {
    const where = `${label} thresholds["${key}"]`;
    try {
      parseMetricKey(key, where);
      for (const entry of entries) parseThreshold(typeof entry === 'string' ? entry : entry.threshold, where);
    } catch (error) {
      throw new ScenarioError((error as Error).message);
    }
  }
  if ('maxVUs' in scenario && scenario.maxVUs !== undefined && scenario.maxVUs < scenario.preAllocatedVUs) {
    throw new ScenarioError(
      `${label}: maxVUs (${scenario.maxVUs}) is below preAllocatedVUs (${scenario.preAllocatedVUs})`,
    );
  }
  if (scenario.requests.some((r) => r.auth) && scenario.users === 0) {
    throw new ScenarioError(`${label}: users: requests with auth need a user pool (users > 0)`);
  }
  return scenario;
}

export const ms = (text: string): number => parseDuration(text) as number;

/** The longest the scenario runs, gracefulStop excluded (per-vu-iterations: maxDuration). */
export function plannedDurationMs(scenario: Scenario): number {
  switch (scenario.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return ms(scenario.duration);
    case 'ramping-arrival-rate':
    case 'ramping-vus':
      return scenario.stages.reduce((total, s) => total + ms(s.duration), 0);
    case 'per-vu-iterations':
      return ms(scenario.maxDuration);
  }
}

/** The highest arrival rate per second the scenario asks for (open model), for remote caps. */
export function peakRatePerSecond(scenario: Scenario): number | undefined {
  if (scenario.executor === 'constant-arrival-rate') return (scenario.rate * 1000) / ms(scenario.timeUnit);
  if (scenario.executor === 'ramping-arrival-rate') {
    const peak = Math.max(scenario.startRate, ...scenario.stages.map((s) => s.target));
    return (peak * 1000) / ms(scenario.timeUnit);
  }
  return undefined;
}
