/**
 * A check's assertions, in Gatus's condition grammar (pure): `[STATUS] == 200`,
 * `[RESPONSE_TIME] < 300`, `[BODY].status == ok`, `len([BODY].items) > 0`,
 * `[HEADER].content-type == pat(*json*)`, `[BODY] == pat(*"ok"*)`, `[STATUS] == any(200, 204)`,
 * `has([BODY].id) == true`, `[CONNECTED] == true`.
 * Parsed when the config loads, so a typo fails before the monitor starts, naming the check.
 * Written by hand: no maintained library speaks this grammar, and it is small.
 */
import { globMatch } from '../core/targets.ts';

/** What one attempt saw; the placeholders read from it. */
export interface Observation {
  connected: boolean;
  status?: number | undefined;
  responseTimeMs: number;
  body?: string | undefined;
  /** Lower-case header names. */
  headers?: Record<string, string> | undefined;
}

type Placeholder = 'STATUS' | 'RESPONSE_TIME' | 'BODY' | 'HEADER' | 'CONNECTED';
const PLACEHOLDERS: readonly Placeholder[] = ['STATUS', 'RESPONSE_TIME', 'BODY', 'HEADER', 'CONNECTED'];
const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

interface Operand {
  placeholder: Placeholder;
  /** `[BODY].a.b[0]` → ['a', 'b', 0]; `[HEADER].x-cache` → ['x-cache']. */
  path: (string | number)[];
  fn?: 'len' | 'has';
}

type Expected =
  | { kind: 'literal'; value: string }
  | { kind: 'pattern'; glob: string }
  | { kind: 'any'; values: string[] };

export interface Assertion {
  source: string;
  /** The left side as written, for the message: "[BODY].status". */
  leftSource: string;
  left: Operand;
  operator: Operator;
  right: Expected;
}

export class AssertionSyntaxError extends Error {}

function parsePath(rest: string, source: string): (string | number)[] {
  const path: (string | number)[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]/y;
  for (let position = 0; position < rest.length; position = pattern.lastIndex) {
    pattern.lastIndex = position;
    const match = pattern.exec(rest);
    if (!match)
      throw new AssertionSyntaxError(
        `"${source}": cannot read the path "${rest}" (write [BODY].items[0].id or [HEADER].x-cache)`,
      );
    path.push(match[1] !== undefined ? match[1] : Number(match[2]));
  }
  return path;
}

function parseOperand(text: string, source: string): Operand {
  const fnMatch = text.match(/^(len|has)\((.*)\)$/);
  const inner = fnMatch ? (fnMatch[2] as string).trim() : text;
  const match = inner.match(/^\[([A-Z_]+)\](.*)$/);
  if (!match)
    throw new AssertionSyntaxError(
      `"${source}": the left side must be a placeholder (${PLACEHOLDERS.map((p) => `[${p}]`).join(', ')}), optionally in len() or has()`,
    );
  const placeholder = match[1] as Placeholder;
  if (!PLACEHOLDERS.includes(placeholder))
    throw new AssertionSyntaxError(
      `"${source}": unknown placeholder [${placeholder}]; use one of ${PLACEHOLDERS.map((p) => `[${p}]`).join(', ')}`,
    );
  const path = parsePath(match[2] as string, source);
  if (placeholder === 'HEADER' && path.length !== 1)
    throw new AssertionSyntaxError(`"${source}": name one header, e.g. [HEADER].content-type`);
  if (placeholder !== 'BODY' && placeholder !== 'HEADER' && path.length)
    throw new AssertionSyntaxError(`"${source}": [${placeholder}] has no path`);
  const operand: Operand = { placeholder, path };
  if (fnMatch) operand.fn = fnMatch[1] as 'len' | 'has';
  return operand;
}

function unquote(value: string): string {
  const v = value.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function parseExpected(text: string): Expected {
  const pat = text.match(/^pat\((.*)\)$/);
  if (pat) return { kind: 'pattern', glob: unquote(pat[1] as string) };
  const any = text.match(/^any\((.*)\)$/);
  if (any) return { kind: 'any', values: (any[1] as string).split(',').map(unquote) };
  return { kind: 'literal', value: unquote(text) };
}

export function parseAssertion(source: string): Assertion {
  const text = source.trim();
  // The operator outside brackets and parentheses, longest first ("<=" before "<").
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    if (depth !== 0 || c !== ' ') continue;
    const operator = OPERATORS.find((op) => text.startsWith(` ${op} `, i));
    if (!operator) continue;
    const leftSource = text.slice(0, i).trim();
    const left = parseOperand(leftSource, source);
    const right = parseExpected(text.slice(i + operator.length + 2).trim());
    if (operator !== '==' && operator !== '!=' && right.kind !== 'literal')
      throw new AssertionSyntaxError(`"${source}": pat() and any() go with == or !=`);
    return { source, leftSource, left, operator, right };
  }
  throw new AssertionSyntaxError(
    `"${source}": expected "<placeholder> <operator> <value>" with spaces around one of ${OPERATORS.join(' ')}, e.g. "[STATUS] == 200"`,
  );
}

const MISSING = Symbol('missing');

function walk(value: unknown, path: (string | number)[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    if (key === 'length' && Array.isArray(current)) return current.length;
    if (!(key in (current as object))) return MISSING;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function resolve(operand: Operand, seen: Observation): unknown {
  let value: unknown;
  switch (operand.placeholder) {
    case 'STATUS':
      value = seen.status ?? MISSING;
      break;
    case 'RESPONSE_TIME':
      value = Math.round(seen.responseTimeMs);
      break;
    case 'CONNECTED':
      value = seen.connected;
      break;
    case 'HEADER':
      value = seen.headers?.[String(operand.path[0]).toLowerCase()] ?? MISSING;
      break;
    case 'BODY': {
      const body = seen.body ?? '';
      if (!operand.path.length) value = body;
      else {
        try {
          value = walk(JSON.parse(body), operand.path);
        } catch {
          value = MISSING;
        }
      }
    }
  }
  if (operand.fn === 'has') return value !== MISSING;
  if (operand.fn === 'len') {
    if (value === MISSING) return MISSING;
    if (Array.isArray(value) || typeof value === 'string') return value.length;
    if (value && typeof value === 'object') return Object.keys(value).length;
    return MISSING;
  }
  return value;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function shown(value: unknown): string {
  if (value === MISSING) return 'missing';
  const shown = text(value);
  return shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
}

/** Compared as text: 200 == "200", true == "true", ok == "ok" (as Gatus does). */
function equals(actual: unknown, expected: string): boolean {
  return text(actual) === expected;
}

/** Undefined when the assertion holds; otherwise why not, e.g. "[STATUS] == 200: [STATUS] is 500". */
export function evaluateAssertion(assertion: Assertion, seen: Observation): string | undefined {
  const actual = resolve(assertion.left, seen);
  const { operator, right } = assertion;
  let holds: boolean;
  if (actual === MISSING) holds = operator === '!=';
  else if (right.kind === 'pattern') holds = globMatch(right.glob, text(actual)) === (operator === '==');
  else if (right.kind === 'any') holds = right.values.some((v) => equals(actual, v)) === (operator === '==');
  else if (operator === '==' || operator === '!=')
    holds = equals(actual, right.value) === (operator === '==');
  else {
    const a = Number(actual);
    const b = Number(right.value);
    if (!Number.isFinite(a) || !Number.isFinite(b) || typeof actual === 'boolean') holds = false;
    else holds = operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
  }
  if (holds) return undefined;
  return `${assertion.source}: ${assertion.leftSource} is ${shown(actual)}`;
}

/** The first assertion that fails, and why; undefined when all hold. */
export function firstFailure(
  assertions: readonly Assertion[],
  seen: Observation,
): { assertion: Assertion; message: string } | undefined {
  for (const assertion of assertions) {
    const message = evaluateAssertion(assertion, seen);
    if (message) return { assertion, message };
  }
  return undefined;
}
