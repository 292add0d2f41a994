/**
 * Lighthouse CI-style assertions and Lighthouse budgets.json, judged from Lighthouse results.
 * Pure, no I/O: the runner collects lhrs, this module says which limits they meet, and the
 * bridge at the end turns the results into gauges and k6-grammar thresholds for core/verdict.ts.
 *
 * Assertions follow LHCI's syntax (docs/configuration.md §assert, packages/utils/src/assertions.js)
 * with two deliberate differences: the default aggregation is the median, not "optimistic", and a
 * value missing from any run is never a pass.
 */
import { z } from 'zod';
import { PerfError } from '../core/errors.ts';

// ---------------------------------------------------------------------------------------------
// The part of a Lighthouse result read here. A real Lighthouse 12 `Result` satisfies it
// structurally (the test file checks that at compile time), and plain fixtures stay small.

export interface LhrAudit {
  score: number | null;
  numericValue?: number;
  /**
   * Looser than `{ items?: unknown[] }` so a real Lighthouse result fits: its checklist details
   * keep items in an object (so items is narrowed with Array.isArray where read), and with only
   * optional fields this would be a "weak type" that rejects detail kinds without items.
   */
  details?: { type: string; items?: unknown };
}

export interface Lhr {
  requestedUrl?: string;
  finalDisplayedUrl: string;
  runtimeError?: { code: string; message: string };
  categories: Record<string, { score: number | null }>;
  audits: Record<string, LhrAudit>;
}

export class LighthouseConfigError extends PerfError {}

/** Lighthouse's resource-summary rows, which budgets.json and LHCI's resource keys both name. */
export const RESOURCE_TYPES = [
  'total',
  'document',
  'script',
  'stylesheet',
  'image',
  'media',
  'font',
  'other',
  'third-party',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Assertions: shapes and validation

export const LEVELS = ['off', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

export const AGGREGATION_METHODS = ['median', 'optimistic', 'pessimistic', 'median-run'] as const;
export type AggregationMethod = (typeof AGGREGATION_METHODS)[number];

/** The options that set a limit; each yields one result. */
export const LIMIT_OPTIONS = [
  'minScore',
  'maxScore',
  'maxNumericValue',
  'minNumericValue',
  'maxLength',
  'minLength',
] as const;
export type LimitOption = (typeof LIMIT_OPTIONS)[number];

export interface AssertionOptions {
  minScore?: number;
  maxScore?: number;
  maxNumericValue?: number;
  minNumericValue?: number;
  maxLength?: number;
  minLength?: number;
  aggregationMethod?: AggregationMethod;
}

export type Assertion = Level | [Level] | [Level, AssertionOptions];
export type Assertions = Record<string, Assertion>;

/**
 * LHCI defaults to "optimistic": the best of N runs, so a page passes when any single run passes.
 * A gate must not pass on the best of N; the median is what Lighthouse's variability guide
 * recommends and what our other suites judge.
 */
export const DEFAULT_AGGREGATION: AggregationMethod = 'median';

/**
 * LHCI's code (not its docs, which say 1) asserts minScore 0.9 when an assertion names no limit,
 * e.g. `'uses-rel-preload': 'error'`. Kept, so such configs gate instead of silently doing nothing.
 */
export const IMPLICIT_MIN_SCORE = 0.9;

const score = z.number().min(0).max(1);
const numeric = z.number().nonnegative();
const length = z.number().int().nonnegative();

const optionsSchema = z.strictObject({
  minScore: score.optional(),
  maxScore: score.optional(),
  maxNumericValue: numeric.optional(),
  minNumericValue: numeric.optional(),
  maxLength: length.optional(),
  minLength: length.optional(),
  aggregationMethod: z.enum(AGGREGATION_METHODS).optional(),
});

// A bare level is read as [level], so one tuple schema gives precise errors (a union would not).
const assertionSchema = z.preprocess(
  (value) => (typeof value === 'string' ? [value] : value),
  z.tuple([z.enum(LEVELS), optionsSchema.optional()]),
);

const assertionsSchema = z.record(z.string(), assertionSchema);

/** What a key asserts on. */
type Target =
  | { kind: 'audit'; auditId: string }
  | { kind: 'category'; categoryId: string }
  | { kind: 'resource'; resourceType: ResourceType; property: 'size' | 'count' };

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Which limits make sense for each kind of key: a category only has a score, a resource row only a number. */
const FITTING_OPTIONS: Record<Target['kind'], readonly LimitOption[]> = {
  audit: LIMIT_OPTIONS,
  category: ['minScore', 'maxScore'],
  resource: ['maxNumericValue', 'minNumericValue'],
};

const KEY_HELP = 'an audit id, categories:<id> or resource-summary:<type>:size|count';

/** The target of a key, or why the key is not one. */
function parseKey(key: string): Target | string {
  const parts = key.split(':');
  const [head = '', second, third] = parts;
  if (parts.length === 1) {
    return ID.test(head) ? { kind: 'audit', auditId: head } : `not ${KEY_HELP} (audit ids are kebab-case)`;
  }
  if (head === 'categories') {
    if (parts.length === 2 && second && ID.test(second)) return { kind: 'category', categoryId: second };
    return 'write categories:<id>, e.g. categories:performance';
  }
  if (head === 'resource-summary') {
    if (parts.length !== 3 || (third !== 'size' && third !== 'count')) {
      return 'write resource-summary:<type>:size or resource-summary:<type>:count';
    }
    const type = RESOURCE_TYPES.find((t) => t === second);
    if (!type) return `unknown resource type "${second}" (use ${RESOURCE_TYPES.join(', ')})`;
    return { kind: 'resource', resourceType: type, property: third };
  }
  return `not ${KEY_HELP} ("${head}:" keys such as user-timings are not supported)`;
}

/** The limit options an assertion sets, with LHCI's implicit minScore when it sets none. */
function limitsOf(target: Target, options: AssertionOptions): [LimitOption, number][] | string {
  const limits = LIMIT_OPTIONS.flatMap((o): [LimitOption, number][] => {
    const limit = options[o];
    return limit === undefined ? [] : [[o, limit]];
  });
  const fitting = FITTING_OPTIONS[target.kind];
  const misfit = limits.find(([o]) => !fitting.includes(o));
  if (misfit) {
    return `${misfit[0]} does not apply to ${describeKind(target)} (use ${fitting.join(', ')})`;
  }
  if (limits.length > 0) return limits;
  if (target.kind === 'resource') return `give a limit: ${fitting.join(' or ')}`;
  return [['minScore', IMPLICIT_MIN_SCORE]];
}

function describeKind(target: Target): string {
  if (target.kind === 'category') return 'a category (it only has a score)';
  if (target.kind === 'resource') return 'a resource-summary row (it only has a number)';
  return 'an audit';
}

/** zod's issue path as the user wrote it: `"key"[1].minScore`, `[2].timings[0].metric`. */
function formatPath(path: readonly PropertyKey[], firstIsKey: boolean): string {
  return path
    .map((part, i) => {
      if (i === 0 && firstIsKey) return `"${String(part)}"`;
      return typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
    })
    .join('')
    .replace(/^\./, '');
}

function describeIssue(issue: z.core.$ZodIssue, firstIsKey: boolean): string {
  const where = formatPath(issue.path, firstIsKey) || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${where}: unknown option${issue.keys.length > 1 ? 's' : ''} ${keys}: remove it or check its spelling`;
  }
  return `${where}: ${issue.message}`;
}

/** Internal form: one entry per key, level and options always present. */
interface Normalized {
  key: string;
  target: Target;
  level: Level;
  aggregation: AggregationMethod;
  limits: [LimitOption, number][];
}

/** Validates and normalizes; throws one error listing every problem, each naming its key. */
function validate(value: unknown, source: string): { data: Assertions; entries: Normalized[] } {
  const parsed = assertionsSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, true));
    throw new LighthouseConfigError(`${source}: assertions: ${problems.join('; ')}`);
  }
  const problems: string[] = [];
  const data: Assertions = {};
  const entries: Normalized[] = [];
  for (const [key, [level, options = {}]] of Object.entries(parsed.data)) {
    data[key] = [level, options];
    const target = parseKey(key);
    const limits = typeof target === 'string' ? target : limitsOf(target, options);
    if (typeof target === 'string' || typeof limits === 'string') {
      problems.push(`"${key}": ${typeof target === 'string' ? target : limits}`);
      continue;
    }
    entries.push({
      key,
      target,
      level,
      aggregation: options.aggregationMethod ?? DEFAULT_AGGREGATION,
      limits,
    });
  }
  if (problems.length > 0) throw new LighthouseConfigError(`${source}: assertions: ${problems.join('; ')}`);
  return { data, entries };
}

/**
 * Validates LHCI-style assertions (`assert.assertions` of a lighthouserc). `source` names the file
 * in error messages, which also name the offending key. Bare levels come back as `[level, {}]`.
 */
export function parseAssertions(value: unknown, source: string): Assertions {
  return validate(value, source).data;
}

/**
 * The audits the assertions and budgets read ('off' assertions read none): with the metrics the
 * gate keeps, what a run limited by Lighthouse's onlyAudits must still produce.
 */
export function auditsRead(assertions: Assertions, budgets: readonly Budget[] = []): string[] {
  const ids = new Set<string>();
  for (const entry of validate(assertions, 'assertions').entries) {
    if (entry.level === 'off') continue;
    if (entry.target.kind === 'audit') ids.add(entry.target.auditId);
    if (entry.target.kind === 'resource') ids.add('resource-summary');
    // A category's score is its audits' weighted mean: the caller keeps the category's audits.
  }
  for (const budget of budgets) {
    for (const timing of budget.timings ?? []) ids.add(timing.metric);
    if (budget.resourceSizes?.length || budget.resourceCounts?.length) ids.add('resource-summary');
  }
  return [...ids].sort();
}

// ---------------------------------------------------------------------------------------------
// Assertions: evaluation

export interface AssertionResult {
  key: string;
  level: Exclude<Level, 'off'>;
  option: LimitOption;
  limit: number;
  /** The runs' values aggregated; null when any run lacks one. */
  actual: number | null;
  /** null when nothing could be judged: never read it as a pass. */
  passed: boolean | null;
  aggregation: AggregationMethod;
  /** Each run's value, null where it had none. */
  values: (number | null)[];
  reason?: string;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** max* limits are upper bounds (<=), min* lower bounds (>=). */
const isUpperBound = (option: LimitOption): boolean => option.startsWith('max');

/** One run's value for a key and option, or the reason it has none. */
function readRun(lhr: Lhr, target: Target, option: LimitOption): number | string {
  if (lhr.runtimeError) return `Lighthouse failed: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
  if (target.kind === 'category') {
    const category = lhr.categories[target.categoryId];
    if (!category) return `no category "${target.categoryId}"`;
    return isNumber(category.score) ? category.score : `category "${target.categoryId}" has no score`;
  }
  if (target.kind === 'resource') return readResource(lhr, target.resourceType, target.property);
  const audit = lhr.audits[target.auditId];
  if (!audit) return `no audit "${target.auditId}"`;
  if (option === 'minScore' || option === 'maxScore') {
    // LHCI counts notApplicable as 1 and informative as 0; a gate should not invent a score.
    return isNumber(audit.score) ? audit.score : `audit "${target.auditId}" has no score`;
  }
  if (option === 'minNumericValue' || option === 'maxNumericValue') {
    return isNumber(audit.numericValue)
      ? audit.numericValue
      : `audit "${target.auditId}" has no numericValue`;
  }
  const items = audit.details?.items;
  return Array.isArray(items) ? items.length : `audit "${target.auditId}" has no details.items`;
}

interface ResourceRow {
  resourceType: string;
  transferSize?: unknown;
  requestCount?: unknown;
}

const isResourceRow = (item: unknown): item is ResourceRow =>
  typeof item === 'object' && item !== null && 'resourceType' in item;

/** transferSize (bytes) or requestCount of one resource-summary row. */
function readResource(lhr: Lhr, type: ResourceType, property: 'size' | 'count'): number | string {
  if (lhr.runtimeError) return `Lighthouse failed: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
  const items = lhr.audits['resource-summary']?.details?.items;
  if (!Array.isArray(items)) return 'no audit "resource-summary" with details.items';
  const row = items.filter(isResourceRow).find((item) => item.resourceType === type);
  if (!row) return `resource-summary has no "${type}" row`;
  const field = property === 'size' ? 'transferSize' : 'requestCount';
  const value = row[field];
  return isNumber(value) ? value : `resource-summary "${type}" row has no ${field}`;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor((sorted.length - 1) / 2);
  const low = sorted[mid] ?? Number.NaN;
  // Even n: the mean of the two middle values, as LHCI does.
  return sorted.length % 2 === 1 ? low : (low + (sorted[mid + 1] ?? Number.NaN)) / 2;
}

/** One number from several runs' values (non-empty). */
export function aggregateValues(
  values: readonly number[],
  method: AggregationMethod,
  upper: boolean,
): number {
  const sorted = [...values].sort((a, b) => a - b);
  const lowest = sorted[0] ?? Number.NaN;
  const highest = sorted[sorted.length - 1] ?? Number.NaN;
  switch (method) {
    case 'median':
      return median(sorted);
    case 'optimistic':
      return upper ? lowest : highest;
    case 'pessimistic':
      return upper ? highest : lowest;
    case 'median-run': {
      // A value some run really had. With an even number of runs no run sits at the median:
      // take the worse of the two middle runs, so a gate does not pass on the better one.
      const mid = Math.floor((sorted.length - 1) / 2);
      if (sorted.length % 2 === 1) return sorted[mid] ?? Number.NaN;
      return (upper ? sorted[mid + 1] : sorted[mid]) ?? Number.NaN;
    }
  }
}

function evaluateOne(lhrs: readonly Lhr[], entry: Normalized, option: LimitOption, limit: number) {
  const readings = lhrs.map((lhr) => readRun(lhr, entry.target, option));
  const values = readings.map((r) => (typeof r === 'number' ? r : null));
  const base = {
    key: entry.key,
    level: entry.level as Exclude<Level, 'off'>,
    option,
    limit,
    aggregation: entry.aggregation,
    values,
  };
  const missing = readings.flatMap((r, i) => (typeof r === 'string' ? [`run ${i + 1}: ${r}`] : []));
  if (lhrs.length === 0) return { ...base, actual: null, passed: null, reason: 'no Lighthouse runs' };
  // Unlike LHCI (which aggregates the runs that have a value), one run without a value makes
  // the result unknown: the best of the remaining runs must not stand in for the missing one.
  if (missing.length > 0) return { ...base, actual: null, passed: null, reason: missing.join('; ') };
  const numbers = readings.filter(isNumber);
  const upper = isUpperBound(option);
  const actual = aggregateValues(numbers, entry.aggregation, upper);
  return { ...base, actual, passed: upper ? actual <= limit : actual >= limit };
}

/**
 * Judges assertions against the runs of one URL: one result per (assertion, limit option);
 * 'off' assertions are skipped. The assertions are validated as parseAssertions does.
 */
export function evaluateAssertions(lhrs: readonly Lhr[], assertions: Assertions): AssertionResult[] {
  return validate(assertions, 'assertions')
    .entries.filter((entry) => entry.level !== 'off')
    .flatMap((entry) => entry.limits.map(([option, limit]) => evaluateOne(lhrs, entry, option, limit)));
}

// ---------------------------------------------------------------------------------------------
// budgets.json (Lighthouse's format until v12 removed it; validation as its config/budget.js did)

export const TIMING_METRICS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'interactive',
  'total-blocking-time',
  'speed-index',
  'cumulative-layout-shift',
  'max-potential-fid',
  'first-meaningful-paint',
] as const;
export type TimingMetric = (typeof TIMING_METRICS)[number];

/** robots.txt-style path: starts with "/", at most one "*", at most one "$" and only at the end. */
const pathSchema = z
  .string()
  .startsWith('/', 'a budget path starts with "/"')
  .refine((p) => (p.match(/\*/g) ?? []).length <= 1, 'a budget path has at most one "*"')
  .refine(
    (p) => !p.includes('$') || p.indexOf('$') === p.length - 1,
    'a budget path has "$" only at its end',
  );

/** "example.com" or "*.example.com": no scheme, port or path. */
const hostnameSchema = z
  .string()
  .min(1)
  .refine((h) => !h.includes('/') && !h.includes(':'), 'a hostname has no scheme, port or path')
  .refine((h) => !h.includes('*') || (h.startsWith('*.') && h.lastIndexOf('*') === 0), 'write "*.host"');

/** Lighthouse refused two budgets for the same metric or type in one entry. */
function unique<T>(key: (item: T) => string, what: string) {
  return (items: readonly T[], ctx: z.RefinementCtx<readonly T[]>) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} "${k}"` });
      seen.add(k);
    });
  };
}

const resourceBudgetSchema = z.strictObject({ resourceType: z.enum(RESOURCE_TYPES), budget: numeric });
const resourceBudgetsSchema = z
  .array(resourceBudgetSchema)
  .superRefine(unique((r: z.infer<typeof resourceBudgetSchema>) => r.resourceType, 'resourceType'));

const timingBudgetSchema = z.strictObject({ metric: z.enum(TIMING_METRICS), budget: numeric });

const budgetSchema = z.strictObject({
  path: pathSchema.optional(),
  options: z.strictObject({ firstPartyHostnames: z.array(hostnameSchema).optional() }).optional(),
  timings: z
    .array(timingBudgetSchema)
    .superRefine(unique((t: z.infer<typeof timingBudgetSchema>) => t.metric, 'metric'))
    .optional(),
  /** In KB (1024 bytes), as Lighthouse read them. */
  resourceSizes: resourceBudgetsSchema.optional(),
  resourceCounts: resourceBudgetsSchema.optional(),
});

export type Budget = z.infer<typeof budgetSchema>;

/** Validates a budgets.json array; errors name `source`, the entry's index and the field. */
export function parseBudgets(value: unknown, source: string): Budget[] {
  const parsed = z.array(budgetSchema).safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => describeIssue(issue, false));
  throw new LighthouseConfigError(`${source}: ${problems.join('; ')}`);
}

/**
 * Lighthouse's urlMatchesPattern: without "*" or "$" a prefix match; "$" anchors the end; "*"
 * matches anything in between. Matched against pathname + search, as Lighthouse did.
 */
export function budgetPathMatches(url: string, pattern = '/'): boolean {
  let path: string;
  try {
    const parsed = new URL(url);
    path = parsed.pathname + parsed.search;
  } catch {
    return false;
  }
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const star = body.indexOf('*');
  if (star < 0) return anchored ? path === body : path.startsWith(body);
  const before = body.slice(0, star);
  const after = body.slice(star + 1);
  if (!path.startsWith(before)) return false;
  const rest = path.slice(before.length);
  return anchored ? rest.endsWith(after) : rest.includes(after);
}

export interface BudgetResult {
  kind: 'timing' | 'size' | 'count';
  /** The timing metric or the resource type. */
  id: string;
  /** As written in budgets.json: ms for timings (CLS unitless), KB for sizes, requests for counts. */
  budget: number;
  /** The budget in the unit of `actual`: sizes ×1024, to bytes. */
  limit: number;
  unit: 'ms' | 'unitless' | 'bytes' | 'count';
  actual: number | null;
  /** null when nothing could be judged: never read it as a pass. */
  passed: boolean | null;
  /** The path of the budget entry that applied (undefined: the entry had none, so all pages). */
  path: string | undefined;
  reason?: string;
}

function judge(
  base: Omit<BudgetResult, 'actual' | 'passed' | 'reason'>,
  reading: number | string,
): BudgetResult {
  if (typeof reading === 'string') return { ...base, actual: null, passed: null, reason: reading };
  return { ...base, actual: reading, passed: reading <= base.limit };
}

function readTiming(lhr: Lhr, metric: TimingMetric): number | string {
  if (lhr.runtimeError) return `Lighthouse failed: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
  const audit = lhr.audits[metric];
  if (!audit) return `no audit "${metric}"`;
  return isNumber(audit.numericValue) ? audit.numericValue : `audit "${metric}" has no numericValue`;
}

/**
 * Judges one run against the last budget entry whose path matches its finalDisplayedUrl
 * (Lighthouse applied only the last match). Entries without a path match every page.
 * `options.firstPartyHostnames` is validated but not applied: Lighthouse 12's resource-summary
 * has already classified third parties by its own entity list, and the lhr holds no request list
 * to reclassify them.
 */
export function evaluateBudgets(lhr: Lhr, budgets: readonly Budget[]): BudgetResult[] {
  const budget = budgets.findLast(
    (b) => b.path === undefined || budgetPathMatches(lhr.finalDisplayedUrl, b.path),
  );
  if (!budget) return [];
  const { path } = budget;
  const timings = (budget.timings ?? []).map((t) =>
    judge(
      {
        kind: 'timing',
        id: t.metric,
        budget: t.budget,
        limit: t.budget,
        unit: t.metric === 'cumulative-layout-shift' ? 'unitless' : 'ms',
        path,
      },
      readTiming(lhr, t.metric),
    ),
  );
  const sizes = (budget.resourceSizes ?? []).map((r) =>
    judge(
      { kind: 'size', id: r.resourceType, budget: r.budget, limit: r.budget * 1024, unit: 'bytes', path },
      readResource(lhr, r.resourceType, 'size'),
    ),
  );
  const counts = (budget.resourceCounts ?? []).map((r) =>
    judge(
      { kind: 'count', id: r.resourceType, budget: r.budget, limit: r.budget, unit: 'count', path },
      readResource(lhr, r.resourceType, 'count'),
    ),
  );
  return [...timings, ...sizes, ...counts];
}

// ---------------------------------------------------------------------------------------------
// Bridge to the verdict engine: each result becomes a gauge value and a k6-grammar expression.

export interface ThresholdEntry {
  /** A metric key parseMetricKey accepts, e.g. lh_largest_contentful_paint. */
  metric: string;
  /** A threshold on a gauge, e.g. "value<=2500". */
  expression: string;
  /** The gauge's value; null: not measured, which the verdict engine never passes. */
  value: number | null;
}

/** Metric keys allow [A-Za-z0-9_]; Lighthouse ids are kebab-case. */
const snake = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_');

/**
 * One metric per value read: an audit's numericValue is lh_<id>, its score lh_<id>_score and its
 * item count lh_<id>_length, so a gauge never holds two different quantities.
 */
export function assertionMetricName(key: string, option: LimitOption): string {
  const target = parseKey(key);
  if (typeof target === 'string') return `lh_${snake(key)}`;
  if (target.kind === 'category') return `lh_category_${snake(target.categoryId)}`;
  if (target.kind === 'resource') return `lh_resource_${snake(target.resourceType)}_${target.property}`;
  const suffix = option.endsWith('Score') ? '_score' : option.endsWith('Length') ? '_length' : '';
  return `lh_${snake(target.auditId)}${suffix}`;
}

/**
 * A number as the k6 grammar reads it: digits with an optional fraction. String() switches to
 * exponent notation below 1e-6 and from 1e21, which parseThreshold rejects, so expand it.
 */
export function formatLimit(n: number): string {
  const text = String(Math.abs(n));
  const [mantissa = '', exponent] = text.split('e');
  if (exponent === undefined) return String(n);
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const sign = n < 0 ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The 'error' assertions as thresholds on gauges ('warn' ones are notes: see assertionWarnings). */
export function assertionsAsThresholds(results: readonly AssertionResult[]): ThresholdEntry[] {
  return results
    .filter((r) => r.level === 'error')
    .map((r) => ({
      metric: assertionMetricName(r.key, r.option),
      expression: `value${isUpperBound(r.option) ? '<=' : '>='}${formatLimit(r.limit)}`,
      value: r.actual,
    }));
}

/** Every budget is a limit (budgets.json has no levels; LHCI converts them to 'error' too). */
export function budgetsAsThresholds(results: readonly BudgetResult[]): ThresholdEntry[] {
  return results.map((r) => ({
    metric: r.kind === 'timing' ? `lh_budget_${snake(r.id)}` : `lh_budget_${snake(r.id)}_${r.kind}`,
    expression: `value<=${formatLimit(r.limit)}`,
    value: r.actual,
  }));
}

/** Readable numbers for notes: at most 3 decimals. */
const show = (n: number): string => String(Math.round(n * 1000) / 1000);

/**
 * One line per 'warn' assertion that did not pass, with the numbers. Passing warnings are left
 * out, as LHCI prints only failed ones.
 */
export function assertionWarnings(results: readonly AssertionResult[]): string[] {
  return results
    .filter((r) => r.level === 'warn' && r.passed !== true)
    .map((r) => {
      const limit = `${r.option} ${show(r.limit)}`;
      if (r.actual === null) return `${r.key}: ${limit} not checked: ${r.reason ?? 'no value'}`;
      const runs = r.values.map((v) => (v === null ? '-' : show(v))).join(', ');
      const op = isUpperBound(r.option) ? '>' : '<';
      return `${r.key}: ${show(r.actual)} ${op} ${limit} (${r.aggregation} of ${r.values.length} runs: ${runs})`;
    });
}
