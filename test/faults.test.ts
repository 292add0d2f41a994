import { describe, expect, it } from 'vitest';
import {
  FaultConfigError,
  Faults,
  isActive,
  parseFaults,
  parseFaultsJson,
  routeMatcher,
} from '../target/faults.ts';

describe('parseFaults', () => {
  it('defaults to no faults', () => {
    const config = parseFaults({}, 'test');
    expect(isActive(config)).toBe(false);
    expect(config.page.pages).toEqual(['*']);
  });

  it.each([
    [{ errorRate: 1.5 }, /errorRate/],
    [{ latency: [{ route: 'api', ms: 10 }] }, /latency\.0\.route/],
    [{ latency: [{ route: '/api', ms: -1 }] }, /latency\.0\.ms/],
    [{ stall: { ms: 500, everyMs: 100 } }, /stall\.everyMs must be longer/],
    [{ page: { blockingScriptMs: 'x' } }, /page\.blockingScriptMs/],
    [{ cache: false }, /Unrecognized key.*cache/],
  ])('rejects %j naming the field and the source', (input, message) => {
    expect(() => parseFaults(input, 'TARGET_FAULTS')).toThrow(FaultConfigError);
    expect(() => parseFaults(input, 'TARGET_FAULTS')).toThrow(message);
    expect(() => parseFaults(input, 'TARGET_FAULTS')).toThrow(/TARGET_FAULTS/);
  });

  it('names the source of unparseable JSON', () => {
    expect(() => parseFaultsJson('{errorRate: 1', '--faults')).toThrow(/--faults is not valid JSON/);
    expect(parseFaultsJson('', 'TARGET_FAULTS').errorRate).toBe(0);
  });
});

describe('routeMatcher', () => {
  it.each([
    ['/api/pitches*', '/api/pitches', true],
    ['/api/pitches*', '/api/pitches/12', true],
    ['/api/pitches/:id', '/api/pitches/12', true],
    ['/api/pitches/:id', '/api/pitches/12/ndas', false],
    ['/api/trending', '/api/trending/x', false],
    ['/a.b', '/axb', false],
    ['*', '/anything', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(routeMatcher(pattern)(path)).toBe(expected);
  });
});

describe('Faults', () => {
  it('draws the same errors from the same seed', () => {
    const draw = () => {
      const faults = new Faults(parseFaults({ errorRate: 0.5, seed: 9 }, 'test'));
      return Array.from({ length: 50 }, () => faults.shouldFail('/x'));
    };
    expect(draw()).toEqual(draw());
    expect(draw().filter(Boolean).length).toBeGreaterThan(10);
  });

  it('sums latency of every matching rule', () => {
    const faults = new Faults(
      parseFaults(
        {
          latency: [
            { route: '/api/*', ms: 20 },
            { route: '/api/trending', ms: 100 },
          ],
        },
        'test',
      ),
    );
    expect(faults.addedLatencyMs('/api/trending')).toBe(120);
    expect(faults.addedLatencyMs('/api/pitches')).toBe(20);
    expect(faults.addedLatencyMs('/health')).toBe(0);
  });

  it('computes the remaining stall from a clock, once or periodically', () => {
    let now = 1_000;
    const once = new Faults(parseFaults({ stall: { ms: 300 } }, 'test'), () => now);
    expect(once.stallRemainingMs()).toBe(300);
    now += 100;
    expect(once.stallRemainingMs()).toBe(200);
    now += 250;
    expect(once.stallRemainingMs()).toBe(0);

    now = 0;
    const periodic = new Faults(parseFaults({ stall: { ms: 100, everyMs: 1000 } }, 'test'), () => now);
    now = 1050;
    expect(periodic.stallRemainingMs()).toBe(50);
    now = 1500;
    expect(periodic.stallRemainingMs()).toBe(0);
  });

  it('applies page faults to the listed pages only', () => {
    const faults = new Faults(parseFaults({ page: { jsError: true, pages: ['/browse'] } }, 'test'));
    expect(faults.pageFaults('/browse').jsError).toBe(true);
    expect(faults.pageFaults('/').jsError).toBe(false);
  });
});
