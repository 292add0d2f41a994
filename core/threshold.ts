/**
 * k6's threshold grammar, so one string works here and in exported k6 scripts:
 *   aggregation operator number      e.g. "p(95)<200", "rate<0.005", "avg <= 120", "count>0"
 * and k6's metric keys with tag filters, e.g. "http_req_duration{name:trending}".
 * Hand-written: k6's parser is Go, and no npm package implements this grammar.
 */
import { PerfError } from './errors.ts';

export const OPERATORS = ['>=', '<=', '===', '==', '!=', '>', '<'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | `p(${number})`;

export interface Threshold {
  /** The expression as written. */
  source: string;
  aggregation: Aggregation;
  /** For p(N): N, 0..100. */
  percentile?: number;
  operator: Operator;
  limit: number;
}

export class ThresholdError extends PerfError {}

const EXPRESSION =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*([^)]*)\s*\))\s*(>=|<=|===|==|!=|>|<)\s*(\S+)\s*$/;

/** Parses one expression; `where` names its origin (file and key) for the error message. */
export function parseThreshold(expression: string, where: string): Threshold {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    throw new ThresholdError(
      `${where}: "${expression}" is not a threshold: write aggregation operator number, e.g. "p(95)<200" or "rate<0.005" (aggregations: avg, min, max, med, p(N), count, rate, value)`,
    );
  }
  const [, aggregationText = '', percentileText, operator = '<', limitText = ''] = match;
  const limit = Number(limitText);
  if (!Number.isFinite(limit) || !/^-?\d+(\.\d+)?$/.test(limitText)) {
    throw new ThresholdError(`${where}: "${expression}": the limit "${limitText}" is not a number`);
  }
  if (percentileText === undefined) {
    return {
      source: expression,
      aggregation: aggregationText as Aggregation,
      operator: operator as Operator,
      limit,
    };
  }
  const p = Number(percentileText);
  if (!/^\d+(\.\d+)?$/.test(percentileText.trim()) || p < 0 || p > 100) {
    throw new ThresholdError(
      `${where}: "${expression}": the percentile in p(${percentileText}) must be a number from 0 to 100`,
    );
  }
  return { source: expression, aggregation: `p(${p})`, percentile: p, operator: operator as Operator, limit };
}

export function compare(value: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
    case '===':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** Headroom before the threshold breaks: positive passes, negative fails (0 for equality tests). */
export function margin(value: number, operator: Operator, limit: number): number {
  if (operator === '<' || operator === '<=') return limit - value;
  if (operator === '>' || operator === '>=') return value - limit;
  return 0;
}

export interface MetricKey {
  metric: string;
  tags: Record<string, string>;
}

/** "http_req_duration{name:trending,method:GET}" → metric and tag filter, as k6 writes sub-metrics. */
export function parseMetricKey(key: string, where: string): MetricKey {
  const match = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\{([^}]*)\})?$/.exec(key.trim());
  if (!match?.[1]) {
    throw new ThresholdError(
      `${where}: "${key}" is not a metric name (optionally with tags, e.g. http_req_duration{name:login})`,
    );
  }
  const tags: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((p) => p.trim())) {
    const colon = pair.indexOf(':');
    if (colon < 1) throw new ThresholdError(`${where}: tag filter "${pair}" in "${key}" must be name:value`);
    tags[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return { metric: match[1], tags };
}
