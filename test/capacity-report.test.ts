/**
 * The capacity report's three forms from one constructed report: Markdown (the steps' table and
 * the answer), junit.xml (the headroom and the previous result as testcases, never the steps),
 * and index.html (two charts with the knee and target marked, drawn in Chromium with no error
 * and no request leaving the file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findBrowser, INSTALL_HINT } from '../core/browser.ts';
import { capacityOutcome, compareCapacity, judgeHeadroom, uslPointsOf } from '../core/capacity.ts';
import { DEFAULT_DEMAND, describeDemand, headroomLine } from '../core/demand.ts';
import { renderCapacityHtml } from '../core/report/capacity-html.ts';
import { renderCapacityJunit } from '../core/report/capacity-junit.ts';
import {
  type CapacityReport,
  type CapacityStepRow,
  renderCapacityMarkdown,
} from '../core/report/capacity-md.ts';
import { fitUsl } from '../core/usl.ts';

const row = (
  offeredRps: number,
  achievedRps: number,
  p95Ms: number,
  status: CapacityStepRow['status'],
  reasons: string[] = [],
): CapacityStepRow => ({
  offeredRps,
  achievedRps,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms * 1.2,
  meanMs: p95Ms / 1.8,
  errorRate: 0,
  dropped: 0,
  status,
  reasons,
});

function report(previousRps?: number): CapacityReport {
  const steps = [
    row(25, 25, 55, 'pass'),
    row(50, 50, 55, 'pass'),
    row(100, 100, 56, 'pass'),
    row(200, 200, 56, 'pass'),
    row(400, 396, 102, 'pass'),
    row(800, 395, 4_510, 'collapse', ['P95 4,510 ms > 300 ms']),
    row(566, 397, 2_500, 'fail', ['P95 2,500 ms > 300 ms']),
    row(418, 397, 388, 'fail', ['P95 388 ms > 300 ms | piped']),
  ];
  const knee = { capacityRps: 400, failedAtRps: 418, resolution: 0.045, bound: 'found' as const };
  const headroom = judgeHeadroom(400, 83.33, 25_000, 2);
  const previous =
    previousRps === undefined
      ? undefined
      : compareCapacity({ capacityRps: 400 }, { capacityRps: previousRps }, 0.1);
  return {
    measuredAt: '2026-12-06T16:00:00.000Z',
    baseUrl: 'http://127.0.0.1:3000',
    commit: '0123456789abcdef',
    milestone: 'month-1',
    scenario: 'average-load',
    targets: { p95Ms: 300, p99Ms: 500, errorRate: 0.005 },
    resolution: 0.05,
    steps,
    knee,
    usl: fitUsl(uslPointsOf(steps)),
    demand: {
      dau: 25_000,
      model: DEFAULT_DEMAND,
      peakRps: 83.33,
      line: describeDemand(25_000, DEFAULT_DEMAND),
      milestones: headroomLine(400, DEFAULT_DEMAND),
    },
    headroom,
    minHeadroom: 2,
    previous,
    outcome: capacityOutcome(knee, undefined, headroom, undefined, previous),
    wallSeconds: 70,
  };
}

describe('the capacity report', () => {
  it('Markdown: the answer first, then the knee, demand, headroom, USL and every step', () => {
    const md = renderCapacityMarkdown(report());
    expect(md.split('\n')[0]).toBe(
      '## Capacity: PASS: capacity 400 req/s = 4.8× the 25,000-DAU peak (83.3 req/s)',
    );
    expect(md).toMatch(
      /^- Knee: \*\*400 req\/s\*\*, the highest passing step; 418 req\/s failed \(resolution 4\.5 %, goal 5 %\)$/m,
    );
    expect(md).toMatch(/^- USL fit over 7 steps: α /m);
    expect(md).toMatch(
      /^- Against the roadmap's milestones: 24\.0× the 5K-DAU peak \(16\.7 req\/s\), 4\.8× the 25K-DAU peak \(83\.3 req\/s\), 1\.2× the 100K-DAU peak \(333\.3 req\/s\)$/m,
    );
    expect(md).toMatch(/^\| 418 \| 397\.0 \| .* \| fail: P95 388 ms > 300 ms \\\| piped \|$/m);
    expect(md.match(/^\| [\d,]+ \|/gm)).toHaveLength(8);
  });

  it('junit.xml: the headroom and the previous result are the testcases; a regression fails', () => {
    const parse = (xml: string) => new XMLParser({ ignoreAttributes: false }).parse(xml).testsuites;
    const fine = parse(renderCapacityJunit(report()));
    expect(fine).toMatchObject({ '@_tests': '1', '@_failures': '0', '@_errors': '0' });
    expect(fine.testsuite.testcase['@_name']).toBe('capacity ≥ 2× the 25000-DAU peak');
    const lost = parse(renderCapacityJunit(report(1_000)));
    expect(lost).toMatchObject({ '@_tests': '2', '@_failures': '1' });
    expect(lost.testsuite.testcase[1].failure['@_type']).toBe('regression');
  });

  const browserPath = findBrowser()?.path;
  it.skipIf(!browserPath)(
    browserPath
      ? 'index.html draws both charts in Chromium, with no error and no request'
      : `index.html in Chromium — skipped (${INSTALL_HINT})`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'capacity-html-'));
      const file = join(dir, 'index.html');
      writeFileSync(file, renderCapacityHtml(report(1_000)));
      const browser = await chromium.launch({ executablePath: browserPath, headless: true });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('canvas');
        expect(await page.locator('canvas').count()).toBe(2);
        // The knee and the USL peak are marked on their charts.
        expect(await page.locator('.change-mark span[title="knee: 400 req/s"]').count()).toBe(1);
        expect(await page.locator('.change-mark span[title^="USL peak: "]').count()).toBe(1);
        expect(await page.locator('h1').textContent()).toMatch(
          /^FAIL: capacity lost: 400 req\/s against 1,000 before/,
        );
        expect(errors).toEqual([]);
        expect(requests).toEqual([pathToFileURL(file).href]);
      } finally {
        await browser.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
