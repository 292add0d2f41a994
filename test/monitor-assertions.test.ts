import { describe, expect, it } from 'vitest';
import {
  AssertionSyntaxError,
  evaluateAssertion,
  type Observation,
  parseAssertion,
} from '../monitor/assertions.ts';

const seen: Observation = {
  connected: true,
  status: 200,
  responseTimeMs: 123.4,
  body: JSON.stringify({ status: 'ok', items: [{ id: 7, title: 'A' }, { id: 8 }], nested: { n: 3 } }),
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-cache': 'HIT' },
};

const holds = (source: string, observation: Observation = seen) =>
  evaluateAssertion(parseAssertion(source), observation);

describe('monitor assertions (Gatus conditions)', () => {
  it('reads status, response time, JSON paths, headers and body text', () => {
    for (const ok of [
      '[STATUS] == 200',
      '[STATUS] < 300',
      '[STATUS] == any(200, 204)',
      '[RESPONSE_TIME] < 200',
      '[RESPONSE_TIME] >= 123',
      '[BODY].status == ok',
      '[BODY].items[0].id == 7',
      '[BODY].items.length == 2',
      'len([BODY].items) > 1',
      'has([BODY].nested.n) == true',
      'has([BODY].missing) == false',
      '[HEADER].content-type == pat(*json*)',
      '[HEADER].X-Cache == HIT',
      '[BODY] == pat(*"status":"ok"*)',
      '[BODY].nested.n != 4',
      '[CONNECTED] == true',
      '[BODY].items[0].title == "A"',
    ])
      expect(holds(ok), ok).toBeUndefined();
  });

  it('says what it saw when an assertion fails', () => {
    expect(holds('[STATUS] == 200', { ...seen, status: 503 })).toBe('[STATUS] == 200: [STATUS] is 503');
    expect(holds('[RESPONSE_TIME] < 100')).toBe('[RESPONSE_TIME] < 100: [RESPONSE_TIME] is 123');
    expect(holds('[BODY].status == ok', { ...seen, body: '{"status":"degraded"}' })).toBe(
      '[BODY].status == ok: [BODY].status is degraded',
    );
    expect(holds('[BODY].items[5].id == 7')).toBe('[BODY].items[5].id == 7: [BODY].items[5].id is missing');
    expect(holds('len([BODY].items) > 0', { ...seen, body: 'not json' })).toMatch(/is missing/);
    expect(holds('[HEADER].cf-cache-status == HIT')).toMatch(/is missing/);
    expect(holds('[STATUS] == any(201, 204)')).toMatch(/\[STATUS\] is 200/);
    expect(holds('[BODY] == pat(*error*)')).toMatch(/^\[BODY\] == pat\(\*error\*\): \[BODY\] is /);
    // Numbers only compare as numbers: a string is never "< 5".
    expect(holds('[BODY].status < 5')).toMatch(/is ok/);
    expect(holds('[CONNECTED] == true', { connected: false, responseTimeMs: 0 })).toMatch(/is false/);
  });

  it('names the failed assertion whole, even when its text holds ": " or its operator', async () => {
    const { judgeHttp } = await import('../monitor/probe-http.ts');
    const source = '[BODY] == pat(*"status": "ok"*)';
    const check = {
      type: 'http' as const,
      url: new URL('http://127.0.0.1/x'),
      assertions: [parseAssertion('[STATUS] == 200'), parseAssertion(source)],
      softAssertions: [parseAssertion('[BODY] == pat(* == *)')],
    } as unknown as Parameters<typeof judgeHttp>[0];
    const failed = judgeHttp(check, { ...seen, body: '{"status": "down"}' });
    expect(failed).toMatchObject({ outcome: 'fail', failedAssertion: source });
    expect(failed.message).toBe(`${source}: [BODY] is {"status": "down"}`);
    const soft = judgeHttp(check, { ...seen, body: '{"status": "ok"}' });
    expect(soft).toMatchObject({ outcome: 'degraded', failedAssertion: '[BODY] == pat(* == *)' });
  });

  it('rejects what it cannot read, saying how to write it', () => {
    for (const [bad, message] of [
      ['[STATUS]==200', /spaces around/],
      ['[STATU] == 200', /unknown placeholder \[STATU\]/],
      ['STATUS == 200', /left side must be a placeholder/],
      ['[HEADER] == x', /name one header/],
      ['[STATUS].x == 1', /has no path/],
      ['[BODY].a..b == 1', /cannot read the path/],
      ['[STATUS] < any(1, 2)', /go with == or !=/],
    ] as const)
      expect(() => parseAssertion(bad), bad).toThrow(message);
    expect(() => parseAssertion('[STATU] == 200')).toThrow(AssertionSyntaxError);
  });
});
