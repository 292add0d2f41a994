/** summary.md: a table per suite, failures first; fit for a PR comment or $GITHUB_STEP_SUMMARY. */
import type { RunResult } from '../results.ts';
import { failuresFirst, formatThreshold, formatValue, STATUS_WORD } from './format.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(result: RunResult): string {
  const { run, outcome } = result;
  const lines = [
    `## pitchey-perf: ${outcome.line}`,
    '',
    `Profile **${run.profile}**, milestone **${run.milestone}**, target ${run.embeddedTarget ? 'the embedded Pitchey' : `\`${run.baseUrl}\``}` +
      `${run.git.commit ? `, commit \`${run.git.commit.slice(0, 12)}\`${run.git.dirty ? ' (with uncommitted changes)' : ''}` : ''}` +
      `, ${(run.durationMs / 1000).toFixed(1)} s on ${run.machine.cores} × ${run.machine.cpuModel}, Node ${run.machine.nodeVersion}.`,
  ];
  for (const suite of result.suites) {
    lines.push('', `### ${suite.suite}${suite.status === 'error' ? ' — could not measure' : ''}`, '');
    if (suite.error) lines.push(`> ${cell(suite.error)}`, '');
    const verdicts = failuresFirst(result.verdicts.filter((v) => v.suite === suite.suite));
    if (verdicts.length) {
      lines.push(
        '| verdict | item | metric | target | value | samples | note |',
        '|---|---|---|---|---:|---:|---|',
      );
      for (const v of verdicts) {
        lines.push(
          `| ${STATUS_WORD[v.status]} | ${cell(v.item)} | ${cell(v.metric)} | ${cell(formatThreshold(v))} | ${formatValue(v.value, v.unit)} | ${v.samples} | ${cell(v.reason ?? '')} |`,
        );
      }
    }
    for (const note of suite.notes.slice(0, 10)) lines.push(`- ${cell(note)}`);
  }
  return `${lines.join('\n')}\n`;
}
