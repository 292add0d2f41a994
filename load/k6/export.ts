/**
 * Exports a load scenario as a k6 TypeScript script that k6 (>= 0.57) runs as it is: k6 strips the
 * types itself but resolves no npm modules, so the script imports only k6's own modules and
 * carries the request mix as data (shared notes k6.md §1–3). The mix rules are the ones of
 * load/mix.ts, written out in the script: same weighted pick, same placeholder filling, same
 * order of random draws, so a k6 run and our engines send the same kind of traffic.
 * Each script stands alone, repeating the few helper functions, on purpose: one file is what
 * `k6 run`, k6 Cloud and a k6-operator ConfigMap take most easily.
 * Pure: writing the files is scripts/k6-export.ts's job.
 */
import type { RequestSpec, Scenario, ThresholdEntry } from '../scenario.ts';

/** The fields of a scenario that only our engines use, or that the script carries elsewhere. */
type NotExecutorOption = 'name' | 'description' | 'requests' | 'users' | 'thresholds' | 'timeout' | 'workers';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One entry of `options.scenarios`: the executor and its options, exactly as in the scenario. */
export type K6ScenarioOptions = DistributiveOmit<Scenario, NotExecutorOption>;

/** The plain object that becomes the script's `export const options`. */
export interface K6Options {
  scenarios: Record<string, K6ScenarioOptions>;
  thresholds: Record<string, ThresholdEntry[]>;
  summaryTrendStats: string[];
}

/** k6's default trend columns plus the tail and the count, so an imported summary has them all. */
export const SUMMARY_TREND_STATS = [
  'avg',
  'min',
  'med',
  'max',
  'p(90)',
  'p(95)',
  'p(99)',
  'p(99.9)',
  'count',
];

export const DEFAULT_USER_PATTERN = 'investor{n}@pitchey.test';
export const DEFAULT_PASSWORD = 'pitchey-demo';

/**
 * The executor options, listed per executor rather than spread, so that a field added to the
 * scenario model for our engines never leaks into k6's options, where it would mean nothing.
 */
export function k6ScenarioOptions(scenario: Scenario): K6ScenarioOptions {
  const { gracefulStop } = scenario;
  switch (scenario.executor) {
    case 'constant-arrival-rate': {
      const { executor, rate, timeUnit, duration, preAllocatedVUs, maxVUs } = scenario;
      return { executor, rate, timeUnit, duration, preAllocatedVUs, ...optional({ maxVUs }), gracefulStop };
    }
    case 'ramping-arrival-rate': {
      const { executor, startRate, timeUnit, stages, preAllocatedVUs, maxVUs } = scenario;
      return {
        executor,
        startRate,
        timeUnit,
        stages: stages.map((s) => ({ duration: s.duration, target: s.target })),
        preAllocatedVUs,
        ...optional({ maxVUs }),
        gracefulStop,
      };
    }
    case 'constant-vus': {
      const { executor, vus, duration } = scenario;
      return { executor, vus, duration, gracefulStop };
    }
    case 'ramping-vus': {
      const { executor, startVUs, stages, gracefulRampDown } = scenario;
      const copied = stages.map((s) => ({ duration: s.duration, target: s.target }));
      return { executor, startVUs, stages: copied, gracefulRampDown, gracefulStop };
    }
    case 'per-vu-iterations': {
      const { executor, vus, iterations, maxDuration } = scenario;
      return { executor, vus, iterations, maxDuration, gracefulStop };
    }
  }
}

/** Drops undefined fields: the options hold only what the scenario sets; k6 defaults the rest. */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The k6 options of a scenario: one named scenario, the thresholds verbatim, the trend columns. */
export function k6Options(scenario: Scenario): K6Options {
  return {
    scenarios: { [scenario.name]: k6ScenarioOptions(scenario) },
    // Copied, not shared: the caller may keep editing its scenario object.
    thresholds: structuredClone(scenario.thresholds),
    summaryTrendStats: [...SUMMARY_TREND_STATS],
  };
}

/** The request mix as the script embeds it: every field of the request model, nothing else. */
function mixEntry(request: RequestSpec): Record<string, unknown> {
  const { name, weight, method, path, vars, body, auth, tags, expectedStatuses, checks } = request;
  return { name, weight, method, path, vars, body, auth, tags, expectedStatuses, checks };
}

// ---------------------------------------------------------------------------------------------
// Data as TypeScript literals, laid out the way the project's formatter (Biome) lays them out, so
// committed scripts read like hand-written code and `biome check .` passes on them unchanged.

const LINE_WIDTH = 110;
const INDENT = '  ';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Single quotes unless the text holds more of them than double quotes (fewer escapes). */
function stringLiteral(text: string): string {
  const body = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"');
  const singles = (text.match(/'/g) ?? []).length;
  const doubles = (text.match(/"/g) ?? []).length;
  if (singles > doubles) return `"${body.replace(/"/g, '\\"')}"`;
  return `'${body.replace(/'/g, "\\'")}'`;
}

const keyLiteral = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : stringLiteral(key));

/** Numbers as the formatter writes them: 1e21 rather than 1e+21. */
const numberLiteral = (n: number): string => String(n).replace('e+', 'e');

function flat(value: Json): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'string') return stringLiteral(value);
  if (Array.isArray(value)) return `[${value.map(flat).join(', ')}]`;
  const entries = Object.entries(value);
  return entries.length ? `{ ${entries.map(([k, v]) => `${keyLiteral(k)}: ${flat(v)}`).join(', ')} }` : '{}';
}

/** Arrays of several objects (or arrays) with several entries each go one per line, even if short. */
function mustBreak(value: Json[]): boolean {
  if (value.length < 2) return false;
  const kind = (v: Json): string =>
    Array.isArray(v) ? 'array' : v !== null && typeof v === 'object' ? 'object' : '';
  const first = value[0] as Json;
  return value.every((v) => kind(v) !== '' && kind(v) === kind(first) && Object.keys(v as object).length > 1);
}

/** `column`: where the value starts; `tail`: what follows it on its last line (",", ";"). */
function layout(value: Json, indent: string, column: number, tail: number): string {
  if (value === null || typeof value !== 'object') return flat(value);
  const oneLine = flat(value);
  const broken = Array.isArray(value) && mustBreak(value);
  if (!broken && column + oneLine.length + tail <= LINE_WIDTH) return oneLine;
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return filled(value, indent);
    const lines = value.map((v) => `${inner}${layout(v, inner, inner.length, 1)},`);
    return `[\n${lines.join('\n')}\n${indent}]`;
  }
  const lines = Object.entries(value).map(([k, v]) => property(keyLiteral(k), v, inner));
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A property; a string too long for its line moves below a long key, as the formatter does. */
function property(key: string, value: Json, indent: string): string {
  const head = `${indent}${key}: `;
  const text = layout(value, indent, head.length, 1);
  const tooLong = typeof value === 'string' && head.length + text.length + 1 > LINE_WIDTH;
  if (tooLong && key.length > INDENT.length) return `${indent}${key}:\n${indent}${INDENT}${text},`;
  return `${head}${text},`;
}

/** Long lists of numbers fill their lines instead of taking one line each. */
function filled(values: number[], indent: string): string {
  const inner = indent + INDENT;
  const lines: string[] = [];
  let line = '';
  for (const item of values.map((n) => `${numberLiteral(n)},`)) {
    if (line && inner.length + line.length + 1 + item.length > LINE_WIDTH) {
      lines.push(line);
      line = item;
    } else line = line ? `${line} ${item}` : item;
  }
  lines.push(line);
  return `[\n${lines.map((l) => inner + l).join('\n')}\n${indent}]`;
}

/** `const NAME: Type = <value>;` with the value laid out after the `=`. */
function declaration(head: string, value: unknown): string {
  // A JSON round trip drops undefined fields and leaves plain data only.
  const data = JSON.parse(JSON.stringify(value)) as Json;
  return `${head} = ${layout(data, '', head.length + 3, 1)};`;
}

/** Free text for a `//` comment: one line per line, nothing that could end the comment early. */
const commentLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => `// ${line}`);

function header(scenario: Scenario): string {
  return [
    `// k6 load script for the scenario "${scenario.name}", generated by \`npm run load:k6-export\`.`,
    '// Do not edit: change the scenario in load/scenarios/ and export again.',
    ...commentLines(scenario.description),
    '// Run with k6 >= 0.57, which strips the types itself (no bundler, no npm modules):',
    `//   k6 run -e BASE_URL=https://staging.example load/k6/scripts/${scenario.name}.ts`,
    `// The user pool logs in as -e PERF_USER_PATTERN ('${DEFAULT_USER_PATTERN}'), -e PERF_PASSWORD.`,
  ].join('\n');
}

/** The full text of the k6 script for one scenario. */
export function k6Script(scenario: Scenario): string {
  const requests = scenario.requests.map(mixEntry);
  return `${header(scenario)}
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';

/** One request of the weighted mix (load/scenario.ts requestSchema). */
interface MixRequest {
  name: string;
  weight: number;
  method: string;
  path: string;
  vars: Record<string, Array<string | number> | { min: number; max: number }>;
  body?: Record<string, unknown>;
  auth: boolean;
  tags: Record<string, string>;
  expectedStatuses?: number[];
  checks: { status?: number[]; jsonHas?: string[] };
}

/** What setup() hands to every VU: the session tokens of the user pool. */
interface SetupData {
  tokens: string[];
}

/** The part of a k6 response the checks read. */
interface CheckedResponse {
  status: number;
  json(): unknown;
}

// Checked in the init context, so a missing target stops the test before any load starts.
const BASE_URL = (__ENV.BASE_URL || '').replace(/\\/+$/, '');
if (!BASE_URL) {
  throw new Error('BASE_URL is not set: run k6 run -e BASE_URL=https://host ${scenario.name}.ts');
}
// Typed as number: a literal type would turn the "USERS === 0" test below into a type error.
const USERS: number = ${numberLiteral(scenario.users)};
const USER_PATTERN = __ENV.PERF_USER_PATTERN || '${DEFAULT_USER_PATTERN}';
const PASSWORD = __ENV.PERF_PASSWORD || '${DEFAULT_PASSWORD}';
const TIMEOUT = ${stringLiteral(scenario.timeout)};

${declaration('export const options: Options', k6Options(scenario))}

${declaration('const REQUESTS: MixRequest[]', requests)}

const TOTAL_WEIGHT = REQUESTS.reduce((sum, request) => sum + request.weight, 0);

// Made once in the init context; k6's own default is 200–399, as in load/mix.ts.
const RESPONSE_CALLBACKS = REQUESTS.map((request) =>
  request.expectedStatuses
    ? http.expectedStatuses(...request.expectedStatuses)
    : http.expectedStatuses({ min: 200, max: 399 }),
);

// Each VU starts at a different user and then takes the pool in turn, like our engines' workers.
let tokenTurn = 0;

/** Logs the user pool in once; one batch, so k6 sends the logins in parallel within setupTimeout. */
export function setup(): SetupData {
  if (USERS === 0) return { tokens: [] };
  const emails: string[] = [];
  for (let n = 1; n <= USERS; n++) emails.push(USER_PATTERN.replace('{n}', String(n)));
  const responses = http.batch(
    emails.map((email) => ({
      method: 'POST',
      url: \`\${BASE_URL}/api/auth/login\`,
      body: JSON.stringify({ email, password: PASSWORD }),
      params: {
        headers: { 'Content-Type': 'application/json' },
        tags: { name: 'setup-login' },
        timeout: TIMEOUT,
      },
    })),
  );
  const tokens = responses.map((res, i) => {
    const token = res.status === 200 ? field(safeJson(res), 'token') : undefined;
    // Without its sessions the auth requests would measure 401s, not the API: stop here instead.
    if (typeof token !== 'string') throw new Error(\`login failed for \${emails[i]}: status \${res.status}\`);
    return token;
  });
  return { tokens };
}

/** Index of the request whose cumulative weight share first exceeds the draw (load/mix.ts). */
function pickIndex(draw: number): number {
  let bound = 0;
  for (let i = 0; i < REQUESTS.length; i++) {
    bound += (REQUESTS[i] as MixRequest).weight / TOTAL_WEIGHT;
    if (draw < bound) return i;
  }
  return REQUESTS.length - 1;
}

/** One value per variable, drawn in declaration order: a list item or an integer in [min, max]. */
function drawValues(request: MixRequest): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(request.vars)) {
    values[name] = Array.isArray(spec)
      ? (spec[Math.floor(Math.random() * spec.length)] as string | number)
      : spec.min + Math.floor(Math.random() * (spec.max - spec.min + 1));
  }
  return values;
}

function fillPath(path: string, values: Record<string, string | number>): string {
  return path.replace(/\\{(\\w+)\\}/g, (_match: string, name: string) =>
    encodeURIComponent(String(values[name])),
  );
}

/** A body string that is exactly "{var}" becomes the raw value, so a number stays a number. */
function fillBody(request: MixRequest, values: Record<string, string | number>): string | null {
  if (request.body === undefined) return null;
  return JSON.stringify(request.body, (_key: string, value: unknown) => {
    if (typeof value !== 'string') return value;
    const whole = /^\\{(\\w+)\\}$/.exec(value);
    if (whole) return values[whole[1] as string];
    return value.replace(/\\{(\\w+)\\}/g, (_match: string, name: string) => String(values[name]));
  });
}

/** The parsed body, or undefined when it is not JSON (res.json() throws then). */
function safeJson(res: CheckedResponse): unknown {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

/** A field of a JSON object; the sentinel MISSING tells "absent" apart from a null value. */
const MISSING = {};
function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || !(key in value)) return MISSING;
  return (value as Record<string, unknown>)[key];
}

/** A dotted path such as "user.id" exists in the body (load/mix.ts hasPath). */
function hasPath(value: unknown, path: string): boolean {
  let current = value;
  for (const key of path.split('.')) {
    current = field(current, key);
    if (current === MISSING) return false;
  }
  return true;
}

/** The request's checks, named after it so k6's summary keeps them apart; the body is parsed once. */
function runChecks(request: MixRequest, res: CheckedResponse): void {
  const checkers: Record<string, (r: CheckedResponse) => boolean> = {};
  const statuses = request.checks.status;
  if (statuses) {
    checkers[\`\${request.name}: status is \${statuses.join('/')}\`] = (r) => statuses.includes(r.status);
  }
  let parsed: { json: unknown } | undefined;
  const json = (r: CheckedResponse): unknown => {
    if (!parsed) parsed = { json: safeJson(r) };
    return parsed.json;
  };
  for (const path of request.checks.jsonHas ?? []) {
    checkers[\`\${request.name}: JSON has \${path}\`] = (r) => hasPath(json(r), path);
  }
  if (Object.keys(checkers).length) check(res, checkers, { name: request.name, ...request.tags });
}

export default function (data: SetupData): void {
  const index = pickIndex(Math.random());
  const request = REQUESTS[index] as MixRequest;
  const values = drawValues(request);
  const body = fillBody(request, values);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== null) headers['Content-Type'] = 'application/json';
  if (request.auth && data.tokens.length) {
    headers.Authorization = \`Bearer \${data.tokens[(__VU - 1 + tokenTurn++) % data.tokens.length]}\`;
  }
  const res = http.request(request.method, BASE_URL + fillPath(request.path, values), body, {
    headers,
    tags: { name: request.name, ...request.tags },
    timeout: TIMEOUT,
    responseCallback: RESPONSE_CALLBACKS[index],
  });
  runChecks(request, res);
}
`;
}
