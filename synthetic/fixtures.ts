/**
 * The `perf` fixture every journey uses: named, timed steps (test.step); for steps that load a
 * page, Navigation Timing and Web Vitals from the injected collector; a console error, an
 * uncaught page error or a failed request to the target's own origin fails the step that saw
 * it. Tracing is managed here (not by the `trace` option) so that steps handling secrets are
 * never traced: the trace is kept, in chunks, only for a failed iteration.
 * Paired mode (PERF_COMPARE_URL): `baseURL` is the reference's for the repeat-each copies that
 * measure it (ABBA order, after one warm-up a side), and every iteration carries a `side`
 * annotation for the reporter (and a `warm-up` one if it is not measured).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test as base, type Page, type TestInfo } from '@playwright/test';
import { installCollector, type PageSnapshot, snapshotPage } from './collector.ts';
import {
  type IterationSamples,
  pairedTurn,
  SAMPLES_ATTACHMENT,
  SIDE_ANNOTATION,
  type StepSample,
  WARM_UP_ANNOTATION,
} from './samples.ts';

/**
 * After `load`, how long late work (a late banner, a lazy image) may still shift or paint before
 * the next step; PERF_SETTLE_MS (a profile's synthetic.settleMs) shortens it for quick runs.
 */
const SETTLE_MS = process.env.PERF_SETTLE_MS ? Number(process.env.PERF_SETTLE_MS) : 500;

export class Perf {
  private readonly samples: IterationSamples = { steps: [] };
  private problems: string[] = [];
  private chunks: string[] = [];
  private tracing = false;
  private pageLoaded = false;
  /** Why tracing is held back, if it is: during a secret step, then on the page it led to. */
  private held: 'no' | 'secret step' | 'secret page' = 'no';

  constructor(
    private readonly page: Page,
    private readonly testInfo: TestInfo,
  ) {
    const origin = (url: string) => {
      try {
        return new URL(url).origin;
      } catch {
        return '';
      }
    };
    const own = () => origin(page.url());
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      if (origin(request.url()) === own())
        this.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 500 && origin(response.url()) === own()) {
        this.problems.push(`HTTP ${response.status()} from ${response.url()}`);
      }
    });
  }

  /** A named, timed step that stays on the page (an interaction). */
  async step(name: string, action: () => Promise<void>): Promise<void> {
    await this.run(name, action, false);
  }

  /** A named, timed step that loads a page: its timing and vitals are recorded. */
  async navigate(name: string, action: () => Promise<void>): Promise<void> {
    await this.run(name, action, true);
  }

  /**
   * A step whose inputs are secret (credentials): left out of the trace, and so is the page it
   * lands on, since Chromium reports that page's document with the form POST (and its body)
   * that led to it. Tracing resumes once a later step has loaded another page.
   */
  async secretly(name: string, action: () => Promise<void>, navigates = true): Promise<void> {
    await this.pauseTracing();
    this.held = 'secret step';
    await this.run(name, action, navigates);
    this.held = 'secret page';
  }

  /**
   * Puts a secret into a field without it reaching a report: Playwright titles a fill() step
   * `Fill "<value>"` in its HTML report; an evaluate step carries no arguments in its title.
   */
  async typeSecret(selector: string, value: string): Promise<void> {
    await this.page.locator(selector).evaluate((element, secret) => {
      (element as HTMLInputElement).value = secret;
      element.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  }

  private async run(name: string, action: () => Promise<void>, navigates: boolean): Promise<void> {
    await base.step(name, async () => {
      if (navigates && this.pageLoaded) await this.recordLeaving();
      this.problems = [];
      const started = performance.now();
      const sample: StepSample = { name, ms: 0 };
      try {
        await action();
        if (navigates) sample.page = await this.loadedPage();
        if (navigates && this.held === 'secret page') {
          this.held = 'no';
          await this.resumeTracing();
        }
      } catch (error) {
        this.samples.failure = `step "${name}": ${(error as Error).message.split('\n')[0]}`;
        throw error;
      } finally {
        sample.ms = performance.now() - started;
        this.samples.steps.push(sample);
      }
      if (this.problems.length) {
        this.samples.failure = `step "${name}": ${this.problems[0]}`;
        throw new Error(this.samples.failure);
      }
    });
  }

  /** Waits for `load` and lets late work settle, then reads the page's timings and vitals. */
  private async loadedPage(): Promise<PageSnapshot> {
    await this.page.waitForLoadState('load');
    await this.page.waitForFunction(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)?.loadEventEnd > 0,
    );
    await this.page.waitForTimeout(SETTLE_MS);
    this.pageLoaded = true;
    return this.page.evaluate(snapshotPage);
  }

  /**
   * When a page is left: its INP, its final CLS and its LCP, which the collector stopped
   * updating at the first trusted input (no input is made up here: it would count in INP).
   * Kept with the step that loaded the page.
   */
  private async recordLeaving(): Promise<void> {
    const snapshot = await this.page.evaluate(snapshotPage).catch(() => undefined);
    const loader = this.samples.steps.findLast((s) => s.page !== undefined);
    if (!snapshot || !loader?.page) return;
    Object.assign(loader, { inp: snapshot.inp, cls: snapshot.cls });
    if (snapshot.lcp !== null) Object.assign(loader.page, { lcp: snapshot.lcp, lcpFinal: snapshot.lcpFinal });
  }

  /**
   * Tracing runs in separate sessions around secrets: a new chunk of the same session would
   * still carry the network log from before it (the login POST with its body).
   */
  async startTracing(): Promise<void> {
    await this.page.context().tracing.start({ screenshots: true, snapshots: true });
    this.tracing = true;
  }

  private async pauseTracing(): Promise<void> {
    if (!this.tracing) return;
    const path = this.testInfo.outputPath(`trace-${this.chunks.length + 1}.zip`);
    await this.page.context().tracing.stop({ path });
    this.chunks.push(path);
    this.tracing = false;
  }

  private async resumeTracing(): Promise<void> {
    await this.startTracing();
  }

  /** Records the last page's INP and CLS, attaches the samples, keeps traces of a failure only. */
  async finish(): Promise<void> {
    if (this.pageLoaded) await this.recordLeaving();
    await this.pauseTracing();
    const failed = this.testInfo.status !== this.testInfo.expectedStatus;
    for (const [i, path] of this.chunks.entries()) {
      if (failed) await this.testInfo.attach(`trace ${i + 1}`, { path, contentType: 'application/zip' });
      else await rm(path, { force: true });
    }
    await this.testInfo.attach(SAMPLES_ATTACHMENT, {
      body: JSON.stringify(this.samples),
      contentType: 'application/json',
    });
  }
}

export const test = base.extend<{ perf: Perf }>({
  // Paired mode: the reference's copies of each journey go to PERF_COMPARE_URL, and say so; so
  // do the warm-up copies.
  baseURL: async ({ baseURL }, use, testInfo) => {
    const turn = pairedTurn(testInfo.repeatEachIndex);
    if (turn) testInfo.annotations.push({ type: SIDE_ANNOTATION, description: turn.side });
    if (turn?.warmUp)
      testInfo.annotations.push({
        type: WARM_UP_ANNOTATION,
        description: 'not measured: the first visit of its side',
      });
    await use(turn?.side === 'reference' ? process.env.PERF_COMPARE_URL : baseURL);
  },
  perf: async ({ page }, use, testInfo) => {
    await mkdir(join(testInfo.outputDir), { recursive: true });
    // PERF_COLLECTORS=off measures the journeys without the collector (bench:synthetic's overhead).
    if (process.env.PERF_COLLECTORS !== 'off') await page.addInitScript(installCollector);
    const perf = new Perf(page, testInfo);
    await perf.startTracing();
    await use(perf);
    await perf.finish();
  },
});

export { expect } from '@playwright/test';
