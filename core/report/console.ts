/**
 * The console while a run goes: which suite, elapsed time and a live count (one rewritten line
 * on a terminal, a line every few seconds in CI logs), then a compact table and one last line.
 */
import type { Comparison, RunResult, Verdict } from '../results.ts';
import type { Progress } from '../suite.ts';
import {
  COMPARISON_WORD,
  comparedMetric,
  failuresFirst,
  formatDelta,
  formatInterval,
  formatP,
  formatThreshold,
  formatValue,
  STATUS_WORD,
} from './format.ts';

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const LOG_EVERY_MS = 5_000;

export function consoleProgress(suite: string, out: Stream = process.stdout): Progress & { end(): void } {
  const started = performance.now();
  let lastLog = Number.NEGATIVE_INFINITY;
  let last = '';
  const line = (done: number, total: number, detail?: string) =>
    `[${suite}] ${((performance.now() - started) / 1000).toFixed(1)} s  ${done}${total ? `/${total}` : ''}${detail ? `  ${detail}` : ''}`;
  return {
    update(done, total, detail) {
      last = line(done, total, detail);
      const now = performance.now();
      if (out.isTTY) {
        if (now - lastLog > 100) {
          out.write(`\r\x1b[2K${last}`);
          lastLog = now;
        }
      } else if (now - lastLog > LOG_EVERY_MS) {
        out.write(`${last}\n`);
        lastLog = now;
      }
    },
    end() {
      if (last) out.write(out.isTTY ? `\r\x1b[2K${last}\n` : `${last}\n`);
    },
  };
}

const MAX_ROWS = 25;

function comparisonRow(c: Comparison): string[] {
  return [
    COMPARISON_WORD[c.status],
    `${c.suite} ${c.item}`,
    comparedMetric(c),
    `${formatValue(c.baseline, c.unit)} → ${formatValue(c.current, c.unit)}`,
    formatDelta(c),
    c.status === 'inconclusive' ? (c.reason ?? '') : `p = ${formatP(c.p)}, Δ in ${formatInterval(c)}`,
  ];
}

/** The compact table (failures, then regressions, first) and the final line. */
export function renderConsoleSummary(result: RunResult): string {
  const verdicts = failuresFirst(result.verdicts);
  const verdictRow = (v: Verdict) => [
    STATUS_WORD[v.status],
    `${v.suite} ${v.item}`,
    v.metric,
    formatThreshold(v),
    formatValue(v.value, v.unit),
    v.reason ?? '',
  ];
  const regressions = result.comparisons.filter((c) => c.status === 'regression');
  const bad = (v: Verdict) => v.status === 'fail' || v.status === 'error';
  const rows = [
    ...verdicts.filter(bad).map(verdictRow),
    ...regressions.map(comparisonRow),
    ...verdicts.filter((v) => !bad(v)).map(verdictRow),
  ];
  const shown = rows.slice(0, MAX_ROWS);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...shown.map((r) => (r[i] ?? '').length), 0));
  const lines = shown.map((r) =>
    r
      .map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c))
      .join('  ')
      .trimEnd(),
  );
  if (rows.length > MAX_ROWS) lines.push(`… and ${rows.length - MAX_ROWS} more (all in summary.md)`);
  const counted = (status: Comparison['status']) =>
    result.comparisons.filter((c) => c.status === status).length;
  if (result.comparisons.length) {
    const paired = result.reference ? `paired with ${result.reference.baseUrl}` : 'baselines';
    const byMachine = result.comparisons.filter(
      (c) => c.status === 'inconclusive' && c.machine && c.machine !== 'same',
    ).length;
    lines.push(
      `${paired}: ${result.comparisons.length} comparisons, ${regressions.length} regressed, ${counted('improved')} improved, ${counted('inconclusive')} inconclusive (${byMachine ? `${byMachine} against a baseline from another or an unknown machine, the rest ` : ''}too few samples; listed in summary.md)`,
    );
  }
  // One line on what the machine's calibration says, and what to do about it.
  for (const note of result.machine?.notes ?? []) lines.push(`machine: ${note}`);
  if (result.machine?.drift) lines.push(`machine: ${result.machine.drift}`);
  for (const cp of result.changePoints ?? [])
    lines.push(
      `change point: ${cp.key} shifted ${cp.relative === null ? '' : `${cp.relative > 0 ? '+' : ''}${(cp.relative * 100).toFixed(0)} % `}from run ${cp.runId} (${cp.startedAt.slice(0, 10)})`,
    );
  const missing = result.baseline?.missing ?? [];
  if (missing.length)
    lines.push(
      `no baseline yet for ${missing.length} measured thing${missing.length === 1 ? '' : 's'} (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}): run npm run baselines:update`,
    );
  for (const warning of result.baseline?.warnings ?? []) lines.push(`warning: ${warning}`);
  return `\n${lines.join('\n')}\n\n${result.outcome.line}\n`;
}
