import { describe, expect, it } from 'vitest';
import { compare, margin, parseMetricKey, parseThreshold, ThresholdError } from '../core/threshold.ts';

describe('parseThreshold (k6 grammar)', () => {
  it.each([
    ['p(95)<200', { aggregation: 'p(95)', percentile: 95, operator: '<', limit: 200 }],
    ['p(99.9) < 2000', { aggregation: 'p(99.9)', percentile: 99.9, operator: '<', limit: 2000 }],
    ['rate<0.005', { aggregation: 'rate', operator: '<', limit: 0.005 }],
    ['avg<=120', { aggregation: 'avg', operator: '<=', limit: 120 }],
    ['med < 100', { aggregation: 'med', operator: '<', limit: 100 }],
    ['max<500', { aggregation: 'max', operator: '<', limit: 500 }],
    ['count>0', { aggregation: 'count', operator: '>', limit: 0 }],
    ['rate>=0.999', { aggregation: 'rate', operator: '>=', limit: 0.999 }],
    ['value===1', { aggregation: 'value', operator: '===', limit: 1 }],
    ['rate!=0', { aggregation: 'rate', operator: '!=', limit: 0 }],
    ['p(0)>-1', { aggregation: 'p(0)', percentile: 0, operator: '>', limit: -1 }],
  ])('parses %s', (expression, expected) => {
    expect(parseThreshold(expression, 'test')).toMatchObject({ source: expression, ...expected });
  });

  it.each([
    ['p95<200', /not a threshold/],
    ['p(101)<200', /percentile in p\(101\) must be a number from 0 to 100/],
    ['p(abc)<1', /percentile/],
    ['avg<fast', /limit "fast" is not a number/],
    ['avg => 3', /not a threshold/],
    ['', /not a threshold/],
    ['mean<3', /not a threshold/],
  ])('rejects %j naming the expression and where it came from', (expression, message) => {
    const parse = () => parseThreshold(expression, 'baselines/targets.json milestones.kpi.http_req_duration');
    expect(parse).toThrow(ThresholdError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(/baselines\/targets\.json milestones\.kpi\.http_req_duration/);
  });
});

describe('compare and margin', () => {
  it('applies each operator at the boundary', () => {
    expect(compare(200, '<', 200)).toBe(false);
    expect(compare(199.999, '<', 200)).toBe(true);
    expect(compare(200, '<=', 200)).toBe(true);
    expect(compare(0.999, '>=', 0.999)).toBe(true);
    expect(compare(0.999, '>', 0.999)).toBe(false);
    expect(compare(1, '==', 1)).toBe(true);
    expect(compare(1, '!=', 1)).toBe(false);
    expect(compare(Number.NaN, '<', 200)).toBe(false);
    expect(compare(Number.NaN, '>', 200)).toBe(false);
  });

  it('is headroom: positive when passing, negative when failing', () => {
    expect(margin(150, '<', 200)).toBe(50);
    expect(margin(250, '<', 200)).toBe(-50);
    expect(margin(0.9995, '>=', 0.999)).toBeCloseTo(0.0005);
  });
});

describe('parseMetricKey', () => {
  it('reads a metric and its tag filter', () => {
    expect(parseMetricKey('http_req_duration', 't')).toEqual({ metric: 'http_req_duration', tags: {} });
    expect(parseMetricKey('http_req_duration{name:trending}', 't')).toEqual({
      metric: 'http_req_duration',
      tags: { name: 'trending' },
    });
    expect(parseMetricKey('checks{a:1, b:two}', 't').tags).toEqual({ a: '1', b: 'two' });
  });

  it('rejects malformed keys', () => {
    expect(() => parseMetricKey('http req', 'cfg')).toThrow(/cfg: "http req" is not a metric name/);
    expect(() => parseMetricKey('x{name}', 'cfg')).toThrow(/must be name:value/);
  });
});
