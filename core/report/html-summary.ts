/**
 * The top of the report: the header with the run's facts, the machine's calibration and any
 * warning that it changed during the run; then what failed and regressed, and what the
 * comparisons could not decide.
 */
import { calibrationLines } from '../calibration.ts';
import type { Comparison, RunResult } from '../results.ts';
import {
  comparisonColumns,
  comparisonRows,
  suiteAndName,
  VERDICT_COLUMNS,
  verdictRows,
} from './html-compare.ts';
import { escapeHtml, formatDuration, table } from './html-page.ts';

export function renderHeader(result: RunResult): string {
  const { run, outcome } = result;
  const commit = run.git.commit
    ? `${run.git.commit.slice(0, 12)}${run.git.branch ? ` (${run.git.branch})` : ''}${run.git.dirty ? ', with uncommitted changes' : ''}`
    : '—';
  const facts: [string, string][] = [
    ['profile', run.profile],
    ['milestone', run.milestone],
    ['target', run.embeddedTarget ? `the embedded Pitchey (${run.baseUrl})` : run.baseUrl],
    ['commit', commit],
    ['started', run.startedAt],
    ['duration', formatDuration(run.durationMs)],
    ['machine', `${run.machine.cores} × ${run.machine.cpuModel}, Node ${run.machine.nodeVersion}`],
  ];
  if (result.reference) facts.push(['compared with', pairedText(result.reference.baseUrl)]);
  const drift = result.machine?.drift;
  return [
    '<header>',
    `<h1><span class="outcome ${outcome.status}">${escapeHtml(outcome.line)}</span> pitchey-perf run ${escapeHtml(run.id)}</h1>`,
    drift ? `<p class="alert" role="alert"><b>Warning:</b> ${escapeHtml(drift)}</p>` : '',
    `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`,
    machineBlock(result),
    '</header>',
  ]
    .filter(Boolean)
    .join('\n');
}

const pairedText = (url: string) => `the reference ${url}, measured interleaved in the same run`;

/** "This machine": each calibration figure at the run's start and at its end. */
function machineBlock(result: RunResult): string {
  const calibration = result.run.calibration;
  if (!calibration) return '';
  const when = calibration.end
    ? 'measured at the start and at the end of the run'
    : 'measured at the start of the run (not at its end: the run stopped before)';
  const lines = calibrationLines(calibration).map((line) => `<li>${escapeHtml(line)}</li>`);
  return `<div class="machine"><b>This machine</b> <small>${when}</small><ul>${lines.join('')}</ul></div>`;
}

export function renderFailures(result: RunResult): string {
  const side = result.reference ? 'reference' : 'baseline';
  const parts: string[] = [];
  for (const suite of result.suites.filter((s) => s.status === 'error'))
    parts.push(
      `<p class="bad">Suite <b>${escapeHtml(suite.suite)}</b> could not measure: ${escapeHtml(suite.error ?? 'no reason given')}</p>`,
    );
  const failed = result.verdicts.filter((v) => v.status === 'fail' || v.status === 'error');
  if (failed.length)
    parts.push(
      `<h3>Targets not met (${failed.length})</h3>`,
      table(VERDICT_COLUMNS, verdictRows(failed, suiteAndName)),
    );
  const regressions = result.comparisons.filter((c) => c.status === 'regression');
  if (regressions.length)
    parts.push(
      `<h3>Regressions against the ${side} (${regressions.length})</h3>`,
      table(comparisonColumns(side), comparisonRows(regressions, suiteAndName)),
    );
  if (!parts.length)
    parts.push(
      `<p class="good">Every target met${result.reference ? ', and no regression against the reference' : result.baseline ? ', and no regression against the baselines' : ''}.</p>`,
    );
  parts.push(...baselineNotes(result, side));
  return `<section id="failures"><h2>Failures</h2>\n${parts.join('\n')}\n</section>`;
}

/** The most frequent of some texts (ties: the first seen). */
function mostFrequent(texts: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * Inconclusive comparisons can be hundreds (every percentile of every page metric): one line with
 * the count and the usual reason, the list folded by item.
 */
function inconclusiveNote(inconclusive: readonly Comparison[], side: string): string {
  const byItem = new Map<string, Comparison[]>();
  for (const c of inconclusive) {
    const name = `${c.suite} · ${c.item}`;
    byItem.set(name, [...(byItem.get(name) ?? []), c]);
  }
  // Reasons differ only in their sample counts ("too few samples (3 baseline, 10 current): …").
  const usual = mostFrequent(
    inconclusive.map((c) => (c.reason ?? '').replace(/\s*\([^)]*\)/g, '')).filter(Boolean),
  );
  const items = [...byItem].map(([name, list]) => {
    const stats = list.map((c) => `${c.metric} ${c.stat}`).join(', ');
    const reason = list[0]?.reason ? ` — ${list[0].reason}` : '';
    return `<li>${escapeHtml(`${name}: ${stats}${reason}`)}</li>`;
  });
  const summary = `Inconclusive against the ${side}: ${inconclusive.length} comparisons of ${byItem.size} items${usual ? `, most often ${usual}` : ''}`;
  return `<details class="muted"><summary>${escapeHtml(summary)}</summary><ul>${items.join('\n')}</ul></details>`;
}

/**
 * What the comparison could not decide and why (the machine's calibration says whether the
 * baseline's machine was this one), and what had nothing to compare with.
 */
function baselineNotes(result: RunResult, side: string): string[] {
  const notes: string[] = [];
  const inconclusive = result.comparisons.filter((c) => c.status === 'inconclusive');
  if (inconclusive.length) notes.push(inconclusiveNote(inconclusive, side));
  for (const note of result.machine?.notes ?? [])
    notes.push(`<p class="warn">Machine: ${escapeHtml(note)}</p>`);
  const improved = result.comparisons.filter((c) => c.status === 'improved').length;
  if (improved) notes.push(`<p class="good">Improved against the ${side}: ${improved}.</p>`);
  if (result.reference) {
    notes.push(
      `<p>This run was compared with ${escapeHtml(pairedText(result.reference.baseUrl))}, not with the committed baselines.</p>`,
    );
    return notes;
  }
  if (!result.baseline) {
    notes.push('<p class="muted">This run was not compared with baselines.</p>');
    return notes;
  }
  for (const warning of result.baseline.warnings)
    notes.push(`<p class="warn">Baseline warning: ${escapeHtml(warning)}</p>`);
  if (result.baseline.missing.length) {
    notes.push(
      `<p class="warn">No baseline yet for ${escapeHtml(result.baseline.missing.join(', '))}: run <code>npm run baselines:update</code>.</p>`,
    );
  }
  return notes;
}
