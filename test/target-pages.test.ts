/** The embedded target's pages in a real Chromium: clean pages are clean, each page fault shows. */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBrowser } from '../core/browser.ts';
import { type FaultInput, parseFaults } from '../target/faults.ts';
import { DEMO_PASSWORD, seededEmail } from '../target/seed.ts';
import type { RunningTarget } from '../target/server.ts';
import { withTarget } from './helpers.ts';

interface PagePerf {
  fcp: number | undefined;
  cls: number;
  lcp: { time: number; tag: string | undefined; url: string } | undefined;
  resources: { name: string; encodedBodySize: number }[];
}

// Observers go in before any page script runs; buffered entries catch what happened earlier.
const OBSERVERS = () => {
  const perf = {
    cls: 0,
    fcp: undefined as number | undefined,
    lcp: undefined as undefined | { time: number; tag: string | undefined; url: string },
  };
  (window as unknown as { __perf: typeof perf }).__perf = perf;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & {
      value: number;
      hadRecentInput: boolean;
    })[]) {
      if (!entry.hadRecentInput) perf.cls += entry.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.name === 'first-contentful-paint') perf.fcp = entry.startTime;
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((list) => {
    const entry = list.getEntries().at(-1) as PerformanceEntry & { element?: Element; url: string };
    perf.lcp = { time: entry.startTime, tag: entry.element?.tagName, url: entry.url };
  }).observe({ type: 'largest-contentful-paint', buffered: true });
};

let running: RunningTarget;
let browser: Browser;

beforeAll(async () => {
  running = await withTarget();
  browser = await chromium.launch({ executablePath: requireBrowser().path });
});
afterEach(() => running.target.applyFaults(parseFaults({}, 'test')));
afterAll(async () => {
  await browser?.close();
  await running?.close();
});

interface Visit {
  page: Page;
  perf: PagePerf;
  status: number | undefined;
  pageErrors: string[];
  consoleErrors: string[];
  failedRequests: string[];
}

async function visit(path: string, faults: FaultInput = {}, settleMs = 800): Promise<Visit> {
  running.target.applyFaults(parseFaults(faults, 'test'));
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('requestfailed', (request) => failedRequests.push(request.url()));
  await page.addInitScript(OBSERVERS);
  const response = await page.goto(`${running.url}${path}`, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { __perf: PagePerf }).__perf.fcp !== undefined);
  await page.waitForTimeout(settleMs);
  const perf = await page.evaluate(() => ({
    ...(window as unknown as { __perf: Omit<PagePerf, 'resources'> }).__perf,
    resources: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => ({
      name: r.name,
      encodedBodySize: r.encodedBodySize,
    })),
  }));
  return { page, perf, status: response?.status(), pageErrors, consoleErrors, failedRequests };
}

async function done(v: Visit) {
  await v.page.context().close();
}

describe('clean pages', () => {
  it.each(['/', '/browse', '/pitch/42', '/login'])(
    '%s loads cleanly: 200, no errors, no layout shift',
    async (path) => {
      const v = await visit(path);
      expect(v.status).toBe(200);
      expect(v.pageErrors).toEqual([]);
      expect(v.consoleErrors).toEqual([]);
      expect(v.failedRequests).toEqual([]);
      expect(v.perf.cls).toBeLessThan(0.01);
      expect(v.perf.fcp).toBeGreaterThan(0);
      await done(v);
    },
  );

  it('the hero image is the LCP element, small and cacheable', async () => {
    const v = await visit('/');
    expect(v.perf.lcp?.tag).toBe('IMG');
    expect(v.perf.lcp?.url).toContain('/static/hero.png');
    const hero = v.perf.resources.find((r) => r.name.includes('/static/hero.png'));
    expect(hero?.encodedBodySize).toBeLessThan(100_000);
    const res = await fetch(`${running.url}/static/hero.png?v=1`);
    expect(res.headers.get('cache-control')).toContain('max-age=31536000');
    await done(v);
  });
});

describe('page faults are visible in the page', () => {
  it('a render-blocking script of 800 ms delays first paint by at least 700 ms', async () => {
    const clean = await visit('/', {}, 0);
    const blocked = await visit('/', { page: { blockingScriptMs: 800 } }, 0);
    expect((blocked.perf.fcp ?? 0) - (clean.perf.fcp ?? 0)).toBeGreaterThanOrEqual(700);
    await done(clean);
    await done(blocked);
  });

  it('the oversized hero is the LCP element and weighs megabytes', async () => {
    const v = await visit('/', { page: { oversizedHero: true } });
    expect(v.perf.lcp?.url).toContain('/static/hero-large.png');
    const hero = v.perf.resources.find((r) => r.name.includes('/static/hero-large.png'));
    expect(hero?.encodedBodySize).toBeGreaterThan(5_000_000);
    await done(v);
  });

  it('the late banner shifts the layout: CLS above 0.1', async () => {
    const v = await visit('/', { page: { layoutShift: true } }, 1000);
    expect(await v.page.locator('.late-banner').count()).toBe(1);
    expect(v.perf.cls).toBeGreaterThan(0.1);
    await done(v);
  });

  it('the JS error fault throws an uncaught error on the chosen page only', async () => {
    const faulty = await visit('/browse', { page: { jsError: true, pages: ['/browse'] } });
    expect(faulty.pageErrors.join()).toContain('Injected fault: page script error');
    await done(faulty);
    const other = await visit('/', { page: { jsError: true, pages: ['/browse'] } });
    expect(other.pageErrors).toEqual([]);
    await done(other);
  });
});

describe('pages work as a user would use them', () => {
  it('browse: a filter reloads with it, the search box filters client-side, pages advance', async () => {
    const v = await visit('/browse');
    const { page } = v;
    await Promise.all([
      page.waitForURL(/genre=thriller/),
      page.selectOption('select[name=genre]', 'thriller'),
    ]);
    const genres = await page.locator('.pitch-card .meta').allTextContents();
    expect(genres.length).toBe(24);
    for (const text of genres) expect(text).toContain('thriller');
    const firstTitle = (await page.locator('.pitch-card h3').first().textContent()) ?? '';
    await page.fill('#q', firstTitle.trim());
    expect(Number(await page.locator('#shown-count').textContent())).toBeLessThan(24);
    await expect.poll(() => page.locator('.pitch-card:not([hidden])').count()).toBeGreaterThanOrEqual(1);
    await Promise.all([page.waitForURL(/page=2/), page.click('a[rel=next]')]);
    expect(await page.locator('.pitch-card h3').first().textContent()).not.toBe(firstTitle);
    await done(v);
  });

  it('an investor logs in, requests the suggested NDA on the dashboard and sees it listed', async () => {
    const v = await visit('/dashboard');
    const { page } = v;
    expect(page.url()).toContain('/login?next=/dashboard');
    await page.fill('input[name=email]', seededEmail('investor', 11));
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click('button[type=submit]')]);
    const before = await page.locator('#my-ndas li').count();
    await page.click('.suggested button[data-request-nda]');
    await expect.poll(() => page.locator('.suggested button').textContent()).toBe('NDA requested');
    expect(await page.locator('#my-ndas li').count()).toBe(before + 1);
    await page.reload();
    expect(await page.locator('#my-ndas li').count()).toBe(before + 1);
    await done(v);
  });

  it('a wrong password stays on the login page with a message; a missing pitch is a 404 page', async () => {
    const v = await visit('/login');
    await v.page.fill('input[name=email]', seededEmail('creator', 1));
    await v.page.fill('input[name=password]', 'wrong');
    await v.page.click('button[type=submit]');
    await expect
      .poll(() => v.page.locator('[role=alert]').textContent())
      .toContain('Wrong email or password');
    const missing = await v.page.goto(`${running.url}/pitch/999999`);
    expect(missing?.status()).toBe(404);
    await done(v);
  });
});
