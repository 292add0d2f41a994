import { describe, expect, it } from 'vitest';
import { onShutdown } from '../core/lifecycle.ts';

describe('onShutdown', () => {
  it('holds signal handlers only while something is registered, and runs each cleanup once', async () => {
    const before = process.listenerCount('SIGINT');
    let runs = 0;
    const stop = onShutdown(() => {
      runs++;
    });
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    await stop();
    await stop();
    expect(runs).toBe(1);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
