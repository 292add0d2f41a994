/**
 * A Playwright reporter that turns the perf fixture's samples into the common result schema
 * (through aggregate.ts) and writes them as JSON for the synthetic suite. Paired mode
 * (PERF_COMPARE_URL): the iterations split by their `side` annotation, the reference's
 * aggregate under `reference`.
 */
import { readFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { writeAtomic } from '../core/files.ts';
import { aggregate, aggregatePaired, type Iteration } from './aggregate.ts';
import {
  type IterationSamples,
  type PairedTurn,
  pairedTurn,
  SAMPLES_ATTACHMENT,
  SIDE_ANNOTATION,
  WARM_UP_ANNOTATION,
} from './samples.ts';

/** The turn the fixture annotated; else (it never ran) the one its repeat-each copy was for. */
function turnOf(test: TestCase, result: TestResult): PairedTurn | undefined {
  const annotations = [...result.annotations, ...test.annotations];
  const side = annotations.find((a) => a.type === SIDE_ANNOTATION)?.description;
  if (side === 'base' || side === 'reference')
    return { side, warmUp: annotations.some((a) => a.type === WARM_UP_ANNOTATION) };
  return pairedTurn(test.repeatEachIndex);
}

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
    const turn = turnOf(test, result);
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
      ...(turn ? { side: turn.side } : {}),
      ...(turn?.warmUp ? { warmUp: true } : {}),
    });
  }

  async onEnd(_result: FullResult): Promise<void> {
    const compareUrl = process.env.PERF_COMPARE_URL;
    const result = compareUrl
      ? aggregatePaired(this.iterations, {
          base: `the base ${process.env.PERF_BASE_URL || '(embedded target)'}`,
          reference: `the reference ${compareUrl}`,
        })
      : aggregate(this.iterations);
    await writeAtomic(this.outputFile, `${JSON.stringify(result, null, 2)}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
