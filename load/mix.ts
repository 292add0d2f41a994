/**
 * The weighted request mix (pure): pick a request by weight, fill its {var} placeholders, and
 * judge its checks. The same rules are written into exported k6 scripts.
 */
import type { Random } from '../core/random.ts';
import type { RequestSpec } from './scenario.ts';

export interface PreparedRequest {
  spec: RequestSpec;
  method: RequestSpec['method'];
  path: string;
  body: string | undefined;
}

/** Cumulative weights for picking by a uniform draw. */
export function weightedPicker(requests: readonly RequestSpec[]): (draw: number) => RequestSpec {
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  const bounds = requests.map(
    (
      (acc) => (r: RequestSpec) =>
        (acc += r.weight / total)
    )(0),
  );
  return (draw) => {
    const index = bounds.findIndex((b) => draw < b);
    return requests[index === -1 ? requests.length - 1 : index] as RequestSpec;
  };
}

function drawVar(spec: RequestSpec['vars'][string], random: Random): string | number {
  if (Array.isArray(spec)) return spec[Math.floor(random() * spec.length)] as string | number;
  return spec.min + Math.floor(random() * (spec.max - spec.min + 1));
}

/** Fills placeholders: "{id}" alone in a body string becomes the raw value (a number stays a number). */
export function prepare(spec: RequestSpec, random: Random): PreparedRequest {
  const values: Record<string, string | number> = {};
  for (const [name, v] of Object.entries(spec.vars)) values[name] = drawVar(v, random);
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name])));
  const body =
    spec.body &&
    JSON.stringify(spec.body, (_key, value: unknown) => {
      if (typeof value !== 'string') return value;
      const whole = /^\{(\w+)\}$/.exec(value);
      if (whole) return values[whole[1] as string];
      return value.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));
    });
  return { spec, method: spec.method, path, body };
}

export function isExpectedStatus(spec: RequestSpec, status: number): boolean {
  return spec.expectedStatuses ? spec.expectedStatuses.includes(status) : status >= 200 && status < 400;
}

function hasPath(value: unknown, path: string): boolean {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in current)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return true;
}

/** The request's checks: undefined when they pass, else what failed. Bodies are parsed only if needed. */
export function failedCheck(spec: RequestSpec, status: number, body: string): string | undefined {
  const { checks } = spec;
  if (checks.status && !checks.status.includes(status))
    return `status ${status} not in ${checks.status.join('/')}`;
  if (checks.jsonHas?.length) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return 'body is not JSON';
    }
    const missing = checks.jsonHas.find((p) => !hasPath(json, p));
    if (missing) return `JSON has no ${missing}`;
  }
  return undefined;
}

/** Whether the request's checks need the body at all (the engines skip reading it otherwise). */
export const needsBody = (spec: RequestSpec): boolean => Boolean(spec.checks.jsonHas?.length);
