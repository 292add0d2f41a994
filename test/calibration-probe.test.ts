/**
 * The calibration probe against the real machine: every figure taken, finite and positive, the
 * optional ones null when their browser or target is missing, no worker left behind. No timing
 * is asserted: the machine is shared, only the shape and the workload's checksum are fixed.
 */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrowser } from '../core/browser.ts';
import {
  activeProbeWorkers,
  BROWSER_FLAGS,
  figureOf,
  healthUrl,
  probeMachine,
  probeMachineReport,
  WORKLOAD_SOURCE,
  workloadChecksum,
} from '../core/calibration-probe.ts';
import { type CalibrationFigure, calibrationSchema } from '../core/results.ts';
import { parseFaults } from '../target/faults.ts';
import type { RunningTarget } from '../target/server.ts';
import { withTarget } from './helpers.ts';

/** Short windows: the shape is what is tested, not the figures. */
const FAST = { repeats: 3, windowMs: 20 };

function browserPath(): string | undefined {
  try {
    return findBrowser()?.path;
  } catch {
    return undefined;
  }
}
const chromePath = browserPath();

function expectFigure(figure: CalibrationFigure | null, repeats: number): void {
  expect(figure).not.toBeNull();
  const { value, spread, repeats: taken } = figure as CalibrationFigure;
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeGreaterThan(0);
  expect(Number.isFinite(spread)).toBe(true);
  expect(spread).toBeGreaterThanOrEqual(0);
  expect(taken).toBe(repeats);
}

describe('the workload', () => {
  it('is deterministic: a fixed checksum for a given iteration count and seed', () => {
    expect(workloadChecksum(1000, 1)).toBe(1169044692);
    expect(workloadChecksum(1000, 1)).toBe(workloadChecksum(1000, 1));
    expect(workloadChecksum(1000, 2)).not.toBe(workloadChecksum(1000, 1));
    expect(workloadChecksum(0, 1)).toBe(0);
  });

  it.skipIf(!chromePath)('gives the same checksum in Chromium as in Node', async () => {
    const browser = await chromium.launch({
      executablePath: chromePath,
      headless: true,
      args: BROWSER_FLAGS,
    });
    try {
      const page = await browser.newPage();
      expect(await page.evaluate<number>(`(${WORKLOAD_SOURCE})(1000, 1)`)).toBe(1169044692);
    } finally {
      await browser.close();
    }
  });
});

describe('figureOf', () => {
  it('is the median and (max − min) / median', () => {
    expect(figureOf([4, 1, 2])).toEqual({ value: 2, spread: 1.5, repeats: 3 });
    expect(figureOf([2, 4])).toEqual({ value: 3, spread: 2 / 3, repeats: 2 });
    expect(figureOf([5, 5, 5])).toEqual({ value: 5, spread: 0, repeats: 3 });
    expect(() => figureOf([])).toThrow(RangeError);
  });
});

describe('healthUrl', () => {
  it('is the base URL + "health", with or without a trailing slash', () => {
    expect(healthUrl(new URL('http://127.0.0.1:3000')).href).toBe('http://127.0.0.1:3000/health');
    expect(healthUrl(new URL('http://h/app/')).href).toBe('http://h/app/health');
    expect(healthUrl(new URL('http://h/app?x=1')).href).toBe('http://h/app/health');
  });
});

describe('probeMachine', () => {
  let target: RunningTarget;
  beforeAll(async () => {
    target = await withTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('takes the Node figures; browser and round trip are null without a browser or target', async () => {
    const workers = activeProbeWorkers();
    const calibration = await probeMachine(FAST);
    expect(calibrationSchema.parse(calibration)).toEqual(calibration);
    expect(Number.isNaN(Date.parse(calibration.takenAt))).toBe(false);
    expectFigure(calibration.nodeCpu, FAST.repeats);
    expectFigure(calibration.nodeCpuAll, FAST.repeats);
    expectFigure(calibration.timerJitterMs, FAST.repeats);
    expect(calibration.browserCpu).toBeNull();
    expect(calibration.rttMs).toBeNull();
    expect(activeProbeWorkers()).toBe(workers);
  });

  it('uses the default repeats (5)', async () => {
    const calibration = await probeMachine({ windowMs: 10 });
    expect(calibration.nodeCpu.repeats).toBe(5);
    expect(calibration.nodeCpuAll.repeats).toBe(5);
    expect(calibration.timerJitterMs.repeats).toBe(5);
  });

  it('measures the round trip of GET /health against a running target', async () => {
    const calibration = await probeMachine({ ...FAST, targetUrl: new URL(target.url) });
    expectFigure(calibration.rttMs, FAST.repeats);
  });

  it('keeps the round trip within its budget on a slow target: one request a repeat, its time measured', async () => {
    target.target.applyFaults(parseFaults({ latency: [{ route: '/health', ms: 300 }] }, 'test'));
    try {
      const report = await probeMachineReport({ ...FAST, targetUrl: new URL(target.url) });
      expectFigure(report.calibration.rttMs, FAST.repeats);
      expect(report.calibration.rttMs?.value).toBeGreaterThanOrEqual(300);
      // 20 requests a repeat would take 6 s each; the budget allows about one.
      expect(report.timings.rttMs).toBeLessThan(FAST.repeats * 2 * 300 + 1_000);
    } finally {
      target.target.applyFaults(parseFaults({}, 'test'));
    }
  });

  it('gives a null round trip, and does not throw, against a closed port', async () => {
    const report = await probeMachineReport({ ...FAST, targetUrl: new URL('http://127.0.0.1:9/') });
    expect(report.calibration.rttMs).toBeNull();
    expect(report.notes.join('\n')).toMatch(/rttMs: GET http:\/\/127\.0\.0\.1:9\/health failed/);
    expectFigure(report.calibration.nodeCpu, FAST.repeats);
  });

  it('gives a null browser figure, and does not throw, when the browser does not launch', async () => {
    const report = await probeMachineReport({ ...FAST, chromePath: '/nonexistent/chromium' });
    expect(report.calibration.browserCpu).toBeNull();
    expect(report.timings.browserLaunchMs).toBeNull();
    expect(report.notes.join('\n')).toMatch(/browserCpu: \/nonexistent\/chromium did not launch/);
  });

  it.skipIf(!chromePath)("takes the browser figure with the system's Chromium", async () => {
    const workers = activeProbeWorkers();
    const report = await probeMachineReport({ ...FAST, chromePath, targetUrl: new URL(target.url) });
    const { calibration, timings } = report;
    expect(calibrationSchema.parse(calibration)).toEqual(calibration);
    for (const figure of [
      calibration.nodeCpu,
      calibration.nodeCpuAll,
      calibration.browserCpu,
      calibration.timerJitterMs,
      calibration.rttMs,
    ]) {
      expectFigure(figure, FAST.repeats);
    }
    expect(report.notes).toEqual([]);
    expect(timings.browserLaunchMs).toBeGreaterThan(0);
    expect(timings.totalMs).toBeGreaterThanOrEqual(timings.browserMs);
    expect(activeProbeWorkers()).toBe(workers);
  });

  it('throws when aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(probeMachine({ ...FAST, signal: controller.signal })).rejects.toThrow('stop');
  });

  it('throws when aborted while measuring, and leaves no worker running', async () => {
    const workers = activeProbeWorkers();
    const controller = new AbortController();
    const probing = probeMachine({ repeats: 5, windowMs: 50, chromePath, signal: controller.signal });
    // Abort once the workers are running (or whatever phase it is in by then: any must throw).
    const started = Date.now();
    while (activeProbeWorkers() === workers && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort(new Error('aborted by the test'));
    await expect(probing).rejects.toThrow('aborted by the test');
    expect(activeProbeWorkers()).toBe(workers);
  });

  it('rejects nonsense repeats and windows', async () => {
    await expect(probeMachine({ repeats: 0 })).rejects.toThrow(RangeError);
    await expect(probeMachine({ windowMs: 0 })).rejects.toThrow(RangeError);
  });
});
