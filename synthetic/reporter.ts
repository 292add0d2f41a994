/**
 * A Playwright reporter that turns the perf fixture's samples into the common result schema
 * (through aggregate.ts) and writes them as JSON for the synthetic suite.
 */
import { readFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { writeAtomic } from '../core/files.ts';
import { aggregate, type Iteration } from './aggregate.ts';
import { type IterationSamples, SAMPLES_ATTACHMENT } from './samples.ts';

export default class PerfReporter implements Reporter {
  private readonly iterations: Iteration[] = [];
  private readonly outputFile: string;

  constructor(options: { outputFile?: string } = {}) {
    this.outputFile = options.outputFile ?? 'reports/synthetic/items.json';
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const attachment = result.attachments.find((a) => a.name === SAMPLES_ATTACHMENT);
    const raw =
      attachment?.body?.toString() ?? (attachment?.path ? readFileSync(attachment.path, 'utf8') : undefined);
    const samples: IterationSamples = raw ? (JSON.parse(raw) as IterationSamples) : { steps: [] };
    this.iterations.push({
      project: test.parent.project()?.name ?? 'default',
      journey: test.title.split(':')[0] ?? test.title,
      passed: result.status === 'passed',
      durationMs: result.duration,
      samples,
      ...(result.error?.message ? { error: result.error.message.split('\n')[0] } : {}),
      evidence: result.attachments
        .filter((a) => a.name.startsWith('trace') || a.name === 'screenshot')
        .flatMap((a) => (a.path ? [a.path] : [])),
    });
  }

  async onEnd(_result: FullResult): Promise<void> {
    await writeAtomic(this.outputFile, `${JSON.stringify(aggregate(this.iterations), null, 2)}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
