/**
 * summary.md: per suite, the targets table (failures first), then the comparison with the
 * baselines (regressions first; changes within noise folded away); fit for a PR comment or
 * $GITHUB_STEP_SUMMARY.
 */
import { calibrationLines } from '../calibration.ts';
import type { Comparison, RunResult } from '../results.ts';
import {
  COMPARISON_WORD,
  comparedMetric,
  failuresFirst,
  formatDelta,
  formatInterval,
  formatP,
  formatThreshold,
  formatValue,
  regressionsFirst,
  STATUS_WORD,
} from './format.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function comparisonRows(comparisons: Comparison[]): string[] {
  return [
    '| verdict | item | metric | baseline | current | Δ | interval | p | note |',
    '|---|---|---|---:|---:|---:|---|---:|---|',
    ...comparisons.map(
      (c) =>
        `| ${COMPARISON_WORD[c.status]} | ${cell(c.item)} | ${cell(comparedMetric(c))} | ${formatValue(c.baseline, c.unit)} | ${formatValue(c.current, c.unit)} | ${formatDelta(c)} | ${formatInterval(c)} | ${formatP(c.p)} | ${cell(c.reason ?? '')} |`,
    ),
  ];
}

function baselineSection(result: RunResult, suite: string): string[] {
  const comparisons = regressionsFirst(result.comparisons.filter((c) => c.suite === suite));
  if (!comparisons.length) return [];
  const alpha = comparisons[0]?.alpha ?? 0.01;
  const notable = comparisons.filter((c) => c.status === 'regression' || c.status === 'improved');
  const inconclusive = comparisons.filter((c) => c.status === 'inconclusive');
  const quiet = comparisons.filter((c) => c.status === 'pass');
  const lines = [
    '',
    result.reference
      ? `Compared with the reference (Δ = this target − reference; interval at ${((1 - alpha) * 100).toFixed(0)} %; p one-sided):`
      : `Compared with the baseline (Δ = current − baseline; interval at ${((1 - alpha) * 100).toFixed(0)} %; p one-sided):`,
    '',
  ];
  if (notable.length) lines.push(...comparisonRows(notable));
  if (inconclusive.length) {
    lines.push(
      '',
      `<details><summary>${inconclusive.length} inconclusive (too few samples, or another machine's baseline)</summary>`,
      '',
      ...comparisonRows(inconclusive),
      '',
      '</details>',
    );
  }
  if (quiet.length) {
    lines.push(
      '',
      `<details><summary>${quiet.length} unchanged beyond noise</summary>`,
      '',
      ...comparisonRows(quiet),
      '',
      '</details>',
    );
  }
  return lines;
}

function baselineIntro(result: RunResult): string[] {
  const summary = result.baseline;
  if (!summary) return [];
  const lines: string[] = [];
  const regressions = result.comparisons.filter((c) => c.status === 'regression').length;
  const improved = result.comparisons.filter((c) => c.status === 'improved').length;
  const inconclusive = result.comparisons.filter((c) => c.status === 'inconclusive').length;
  if (result.comparisons.length) {
    const taken = [
      ...new Set(
        summary.files.map(
          (f) => `${f.takenAt.slice(0, 10)}${f.commit ? ` (\`${f.commit.slice(0, 12)}\`)` : ''}`,
        ),
      ),
    ];
    lines.push(
      '',
      `Baselines: ${result.comparisons.length} comparisons — **${regressions} regression${regressions === 1 ? '' : 's'}**, ${improved} improved, ${inconclusive} inconclusive; taken ${taken.slice(0, 3).join(', ')}${taken.length > 3 ? ', …' : ''}.`,
    );
  }
  if (summary.missing.length)
    lines.push(
      '',
      `> No baseline yet for ${summary.missing.map((m) => `\`${m}\``).join(', ')}: run \`npm run baselines:update\` after a run you trust.`,
    );
  for (const warning of summary.warnings) lines.push('', `> Warning: ${cell(warning)}`);
  return lines;
}

/** The machine's calibration at the start and end, and what it means for the comparisons. */
function machineSection(result: RunResult): string[] {
  const calibration = result.run.calibration;
  if (!calibration) return [];
  const lines = [
    '',
    '<details><summary>This machine, measured at the start and end of the run</summary>',
    '',
  ];
  for (const line of calibrationLines(calibration)) lines.push(`- ${cell(line)}`);
  lines.push('', '</details>');
  if (result.machine?.drift) lines.push('', `> Warning: ${cell(result.machine.drift)}`);
  for (const note of result.machine?.notes ?? []) lines.push('', `> ${cell(note)}`);
  return lines;
}

/** Sustained shifts in the history (the nightly gate's change points). */
function changePointSection(result: RunResult): string[] {
  const points = result.changePoints ?? [];
  if (!points.length) return [];
  return [
    '',
    'Change points in the history (sustained shifts, E-Divisive means):',
    '',
    '| metric | from run | before | after | change | p |',
    '|---|---|---:|---:|---:|---:|',
    ...points.map(
      (cp) =>
        `| ${cell(cp.key)} | ${cp.startedAt.slice(0, 16).replace('T', ' ')} | ${formatValue(cp.before, cp.unit)} | ${formatValue(cp.after, cp.unit)} | ${cp.relative === null ? '–' : `${cp.relative > 0 ? '+' : ''}${(cp.relative * 100).toFixed(1)} %`} | ${formatP(cp.p)} |`,
    ),
  ];
}

export function renderMarkdown(result: RunResult): string {
  const { run, outcome } = result;
  const lines = [
    `## pitchey-perf: ${outcome.line}`,
    '',
    `Profile **${run.profile}**, milestone **${run.milestone}**, target ${run.embeddedTarget ? 'the embedded Pitchey' : `\`${run.baseUrl}\``}` +
      `${run.git.commit ? `, commit \`${run.git.commit.slice(0, 12)}\`${run.git.dirty ? ' (with uncommitted changes)' : ''}` : ''}` +
      `, ${(run.durationMs / 1000).toFixed(1)} s on ${run.machine.cores} × ${run.machine.cpuModel}, Node ${run.machine.nodeVersion}.`,
    ...(result.reference
      ? [
          '',
          `Paired run: every metric of this target is compared with the reference \`${result.reference.baseUrl}\`, measured interleaved in the same run (baseline = reference).`,
        ]
      : []),
    ...baselineIntro(result),
    ...machineSection(result),
    ...changePointSection(result),
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
    lines.push(...baselineSection(result, suite.suite));
    if (suite.notes.length) lines.push('');
    for (const note of suite.notes.slice(0, 10)) lines.push(`- ${cell(note)}`);
  }
  return `${lines.join('\n')}\n`;
}
