/**
 * The daily report drawn from its data (pure): a one-line verdict, then the roadmap's daily
 * checklist (health dashboard, overnight alerts, error rates, response times, cache hit rates,
 * SLOs) as Markdown for GitHub's job summary and the terminal, or as a Slack incoming-webhook
 * message (mrkdwn, within Slack's limits on sections and blocks).
 */

import type { DailyReportData, ReportCheck, ReportDelivery, StateName } from './daily-report-data.ts';
import { BURN_RULES, type BurnRule, formatObjective } from './slo.ts';

export type VerdictLevel = 'good' | 'warning' | 'bad';

export interface Verdict {
  level: VerdictLevel;
  /** One line: "all good…", or the problems, worst first. */
  summary: string;
}

/** A few names, then how many more. */
function names(list: readonly string[], max = 5): string {
  return list.length > max
    ? `${list.slice(0, max).join(', ')} and ${list.length - max} more`
    : list.join(', ');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function verdict(data: DailyReportData): Verdict {
  const bad: string[] = [];
  const warning: string[] = [];
  if (!data.heartbeat.running)
    bad.push(
      data.heartbeat.lastAt === undefined
        ? 'the monitor has never run with this database'
        : `the monitor is not running (last heartbeat ${formatSpan(data.now - data.heartbeat.lastAt)} ago)`,
    );
  const failing = data.checks.filter((c) => c.state === 'fail').map((c) => c.name);
  if (failing.length) bad.push(`${plural(failing.length, 'check')} failing (${names(failing)})`);
  const open = data.incidents.filter((i) => i.resolvedAt === undefined);
  if (open.length) bad.push(`${plural(open.length, 'incident')} open`);
  const exhausted = data.slos.filter((s) => s.budgetRemaining !== undefined && s.budgetRemaining <= 0);
  if (exhausted.length) bad.push(`error budget exhausted: ${names(exhausted.map((s) => s.name))}`);
  const paging = data.slos.filter((s) => s.firing.some((r) => r.severity === 'page')).map((s) => s.name);
  if (paging.length) bad.push(`burn-rate page firing: ${names(paging)}`);
  const refused = data.deliveries.filter((d) => d.status === 'rejected' || d.status === 'abandoned');
  if (refused.length) bad.push(`${plural(refused.length, 'alert')} not delivered`);

  const degraded = data.checks.filter((c) => c.state === 'degraded').map((c) => c.name);
  if (degraded.length) warning.push(`${plural(degraded.length, 'check')} degraded (${names(degraded)})`);
  const ticketing = data.slos.filter((s) => !paging.includes(s.name) && s.firing.length).map((s) => s.name);
  if (ticketing.length) warning.push(`burn-rate ticket firing: ${names(ticketing)}`);
  const pending = data.deliveries.filter((d) => d.status === 'pending');
  if (pending.length) warning.push(`${plural(pending.length, 'alert')} still to deliver`);
  const never = data.checks.filter((c) => c.configured && c.state === 'unknown').map((c) => c.name);
  if (never.length) warning.push(`${plural(never.length, 'check')} never ran (${names(never)})`);

  if (bad.length || warning.length)
    return { level: bad.length ? 'bad' : 'warning', summary: [...bad, ...warning].join('; ') };
  // All good now; what happened in the window is still worth a word.
  const resolved = data.incidents.length;
  const passing = data.checks.filter((c) => c.state !== 'unknown').length;
  return {
    level: 'good',
    summary: `all good: ${plural(passing, 'check')} passing, no incident open, ${data.slos.length ? 'every SLO within budget' : 'no SLO set'}${resolved ? ` (${plural(resolved, 'incident')} in the window, resolved)` : ''}`,
  };
}

/** "45 s", "12 min", "1 h 15 min", "3 d 4 h". */
export function formatSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60)
    return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
  const hours = Math.round(ms / 3_600_000);
  return hours % 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours / 24} d`;
}

/** "2026-12-01 14:37 UTC". */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A share as a percentage with up to `decimals` decimals; a tiny non-zero one is not "0 %". */
export function formatPercent(share: number, decimals = 2): string {
  const percent = share * 100;
  const floor = 10 ** -decimals;
  if (percent > 0 && percent < floor) return `< ${floor} %`;
  return `${Number(percent.toFixed(decimals))} %`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

const formatBurn = (rate: number) => `${rate < 10 ? rate.toFixed(1) : Math.round(rate)}×`;

function formatBudget(remaining: number | undefined): string {
  if (remaining === undefined) return 'no events';
  return remaining > 0 ? `${formatPercent(remaining, 1)} left` : `exhausted (${formatPercent(remaining, 1)})`;
}

function describeState(check: ReportCheck, now: number): string {
  if (check.state === 'unknown') return 'never ran';
  const last = check.lastRunAt ? `, last run ${formatSpan(now - check.lastRunAt)} ago` : '';
  return `${check.state} (${plural(check.streak, 'run')} in a row${last})`;
}

function describeHeartbeat(data: DailyReportData): string {
  const { running, lastAt } = data.heartbeat;
  if (lastAt === undefined) return 'never ran with this database (no heartbeat)';
  if (running) return `running (last heartbeat ${formatSpan(Math.max(0, data.now - lastAt))} ago)`;
  return `NOT running since ${formatTime(lastAt)} (its last heartbeat, ${formatSpan(data.now - lastAt)} ago)`;
}

function describeDelivery(d: ReportDelivery): string {
  if (d.status === 'sent') return `sent ${d.sentAt === undefined ? '' : formatTime(d.sentAt)}`.trim();
  if (d.status === 'pending')
    return `pending after ${plural(d.attempts, 'attempt')}${d.lastError ? `: ${d.lastError}` : ''}`;
  return `${d.status === 'rejected' ? 'refused' : 'given up'}${d.lastError ? `: ${d.lastError}` : ''}`;
}

/** The burn-rate rules' long windows, the ones a reader compares. */
const BURN_COLUMNS = [...new Set(BURN_RULES.map((r) => r.long))];
/** A cause is one line of what failed; a very long one is cut for the tables. */
const MAX_CAUSE = 300;
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// ---------------------------------------------------------------------------------------------
// Markdown (GitHub's job summary, the terminal)

const ICON: Record<VerdictLevel, string> = { good: '✅', warning: '⚠️', bad: '❌' };
const STATE_ICON: Record<StateName, string> = { pass: '🟢', degraded: '🟡', fail: '🔴', unknown: '⚪' };

/** Text in a table cell: one line, Markdown's punctuation taken literally (causes hold anything). */
function cell(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\\`*_[\]<>|&~]/g, '\\$&');
}

/** A GFM table; the columns from `firstFigure` on hold figures, right-aligned. */
function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  firstFigure = head.length,
): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i >= firstFigure ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

export function renderDailyReport(data: DailyReportData): string {
  const v = verdict(data);
  const lines: string[] = [
    `# Pitchey monitor: daily report`,
    '',
    `**${ICON[v.level]} ${cell(capitalize(v.summary))}**`,
    '',
    `${cell(data.origin)} · last ${formatSpan(data.now - data.from)}: ${formatTime(data.from)} to ${formatTime(data.now)}`,
    '',
    '## Health',
    '',
    `Monitor: ${describeHeartbeat(data)}`,
    '',
  ];
  if (data.checks.length)
    lines.push(
      ...table(
        ['Check', 'Group', 'State', 'Target'],
        data.checks.map((c) => [
          `${STATE_ICON[c.state]} ${cell(c.name)}`,
          c.configured ? cell(c.group) : '(not in the config)',
          describeState(c, data.now),
          cell(c.target),
        ]),
      ),
    );
  else lines.push('No checks.');

  lines.push('', '## Alerts', '');
  const opened = data.incidents.filter((i) => i.openedAt >= data.from).length;
  const open = data.incidents.filter((i) => i.resolvedAt === undefined).length;
  const resolved = data.incidents.filter((i) => i.resolvedAt !== undefined).length;
  lines.push(
    data.incidents.length
      ? `Incidents: ${opened} opened in the window, ${open} still open, ${resolved} resolved.`
      : 'No incident in the window.',
  );
  if (data.incidents.length)
    lines.push(
      '',
      ...table(
        ['Check', 'Severity', 'Opened', 'Resolved', 'Duration', 'Cause'],
        data.incidents.map((i) => [
          cell(i.check),
          i.severity,
          formatTime(i.openedAt),
          i.resolvedAt === undefined ? '**still open**' : formatTime(i.resolvedAt),
          `${formatSpan(i.durationMs)}${i.resolvedAt === undefined ? ' so far' : ''}`,
          cell(cut(i.cause, MAX_CAUSE)),
        ]),
      ),
    );
  const sent = data.deliveries.filter((d) => d.status === 'sent').length;
  const pending = data.deliveries.filter((d) => d.status === 'pending').length;
  const failed = data.deliveries.length - sent - pending;
  lines.push(
    '',
    data.deliveries.length
      ? `Alerts: ${sent} delivered, ${pending} still to deliver, ${failed} not delivered.`
      : 'No alert sent or pending.',
  );
  if (data.deliveries.length)
    lines.push(
      '',
      ...table(
        ['Made', 'Event', 'Check', 'Channel', 'Status'],
        data.deliveries.map((d) => [
          formatTime(d.createdAt),
          d.event,
          cell(d.check),
          cell(d.channel),
          cell(cut(describeDelivery(d), MAX_CAUSE)),
        ]),
      ),
    );

  lines.push('', '## Error rates, response times and cache hits', '');
  const excluded = data.checks.reduce((n, c) => n + c.excluded, 0);
  lines.push(
    'Error rate = failed ÷ counted runs; degraded runs are not errors. ' +
      (excluded
        ? `${plural(excluded, 'run')} in maintenance or while the monitor was offline are not counted (Excluded).`
        : 'No run was in maintenance or while the monitor was offline.') +
      ' Latency over the counted runs that got an answer.',
    '',
  );
  const ran = data.checks.filter((c) => c.runs);
  if (ran.length)
    lines.push(
      ...table(
        ['Check', 'Runs', 'Failed', 'Error rate', 'Excluded', 'P50', 'P95', 'Cache hits'],
        ran.map((c) => [
          cell(c.name),
          String(c.counted),
          String(c.failed),
          c.errorRate === undefined ? '—' : formatPercent(c.errorRate),
          String(c.excluded),
          formatMs(c.p50Ms),
          formatMs(c.p95Ms),
          c.cacheHitRate === undefined ? '—' : `${formatPercent(c.cacheHitRate, 1)} of ${c.cacheLookups}`,
        ]),
        1,
      ),
    );
  else lines.push('No run in the window.');

  lines.push('', '## SLOs (rolling 30 days)', '');
  if (data.slos.length)
    lines.push(
      ...table(
        ['SLO', 'Objective', 'SLI', 'Budget', ...BURN_COLUMNS.map((w) => `Burn ${w}`), 'Firing'],
        data.slos.map((s) => [
          `${cell(s.name)}: ${cell(s.description)}`,
          formatObjective(s.objective),
          s.sli === undefined ? '—' : `${formatPercent(s.sli, 3)} of ${s.total}`,
          formatBudget(s.budgetRemaining),
          ...BURN_COLUMNS.map((w) => formatBurn(s.burn[w] ?? 0)),
          s.firing.length ? s.firing.map(describeRule).join(', ') : s.alert ? 'none' : 'none (no alerts)',
        ]),
      ),
    );
  else lines.push('No SLO set.');
  return `${lines.join('\n')}\n`;
}

const describeRule = (r: BurnRule) => `${r.severity} (${r.long}/${r.short} ≥ ${r.burnRate}×)`;
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

// ---------------------------------------------------------------------------------------------
// Slack (incoming webhook: {text, blocks}, mrkdwn)

/** Slack's limits: characters in a section's text, blocks in a message. */
export const SLACK_SECTION_MAX = 3000;
export const SLACK_BLOCKS_MAX = 50;
/**
 * Lines per list before "and N more": a message is read on a phone, and with five lists of at
 * most 21 lines (each cut to a few hundred characters) a report stays far under 50 blocks.
 */
const SLACK_LIST_MAX = 20;

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** Slack's three control characters; everything else in mrkdwn is taken as written. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SLACK_ICON: Record<VerdictLevel, string> = {
  good: ':white_check_mark:',
  warning: ':warning:',
  bad: ':red_circle:',
};
const SLACK_STATE: Record<StateName, string> = {
  pass: ':large_green_circle:',
  degraded: ':large_yellow_circle:',
  fail: ':red_circle:',
  unknown: ':white_circle:',
};

/**
 * A titled list as sections of at most SLACK_SECTION_MAX characters (the title on the first);
 * `code` sets the lines in a preformatted block, fenced again in every section.
 */
function sections(title: string, lines: readonly string[], code = false): SlackBlock[] {
  const open = code ? '```\n' : '';
  const close = code ? '\n```' : '';
  const texts: string[] = [];
  let body: string[] = [];
  const head = () => (texts.length ? '' : `*${title}*\n`);
  const text = (b: readonly string[]) => `${head()}${open}${b.join('\n')}${close}`;
  for (const raw of lines) {
    // A line longer than a section on its own is cut.
    const line = cut(raw, SLACK_SECTION_MAX - text([]).length);
    if (body.length && text([...body, line]).length > SLACK_SECTION_MAX) {
      texts.push(text(body));
      body = [];
    }
    body.push(line);
  }
  if (body.length) texts.push(text(body));
  return texts.map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: t } }));
}

/** Columns padded to their widest cell (the first left-aligned, the figures right), for a preformatted table. */
function aligned(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function capped(lines: readonly string[]): string[] {
  return lines.length > SLACK_LIST_MAX
    ? [...lines.slice(0, SLACK_LIST_MAX), `… and ${lines.length - SLACK_LIST_MAX} more in the full report`]
    : [...lines];
}

export function slackReportPayload(data: DailyReportData): { text: string; blocks: SlackBlock[] } {
  const v = verdict(data);
  const e = slackEscape;
  const window = `${e(data.origin)} · last ${formatSpan(data.now - data.from)}: ${formatTime(data.from)} to ${formatTime(data.now)}`;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Pitchey monitor: daily report' } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${SLACK_ICON[v.level]} ${e(cut(capitalize(v.summary), 1000))}*` },
    },
    ...sections('Health', [
      `Monitor: ${describeHeartbeat(data)}`,
      ...capped(
        data.checks.map((c) => `${SLACK_STATE[c.state]} *${e(c.name)}* ${e(describeState(c, data.now))}`),
      ),
    ]),
  ];
  const open = data.incidents.filter((i) => i.resolvedAt === undefined).length;
  blocks.push(
    ...sections(
      `Incidents: ${data.incidents.length} in the window, ${open} still open`,
      data.incidents.length
        ? capped(
            data.incidents.map(
              (i) =>
                `• *${e(i.check)}* ${i.severity}, ${formatTime(i.openedAt)}, ${i.resolvedAt === undefined ? `*still open* (${formatSpan(i.durationMs)} so far)` : `resolved after ${formatSpan(i.durationMs)}`}: ${e(cut(i.cause, MAX_CAUSE))}`,
            ),
          )
        : ['none'],
    ),
  );
  const unsent = data.deliveries.filter((d) => d.status !== 'sent');
  blocks.push(
    ...sections(
      `Alerts: ${data.deliveries.length - unsent.length} delivered, ${unsent.length} not (yet)`,
      unsent.length
        ? capped(
            unsent.map(
              (d) =>
                `• ${d.event} of *${e(d.check)}* to ${e(d.channel)}: ${e(cut(describeDelivery(d), MAX_CAUSE))}`,
            ),
          )
        : [data.deliveries.length ? 'every alert was delivered' : 'none'],
    ),
  );
  const ran = data.checks.filter((c) => c.runs);
  blocks.push(
    ...sections(
      'Error rates, response times, cache hits',
      ran.length
        ? [
            ...aligned([
              ['check', 'runs', 'errors', 'excl.', 'P50', 'P95', 'cache hits'],
              ...ran
                .slice(0, SLACK_LIST_MAX)
                .map((c) => [
                  e(c.name),
                  String(c.counted),
                  c.errorRate === undefined ? '—' : formatPercent(c.errorRate),
                  String(c.excluded),
                  formatMs(c.p50Ms),
                  formatMs(c.p95Ms),
                  c.cacheHitRate === undefined ? '—' : formatPercent(c.cacheHitRate, 1),
                ]),
            ]),
            ...(ran.length > SLACK_LIST_MAX
              ? [`… and ${ran.length - SLACK_LIST_MAX} more in the full report`]
              : []),
          ]
        : ['no run in the window'],
      ran.length > 0,
    ),
  );
  blocks.push(
    ...sections(
      'SLOs (rolling 30 days)',
      data.slos.length
        ? capped(
            data.slos.map(
              (s) =>
                `• *${e(s.name)}* ${formatObjective(s.objective)}: SLI ${s.sli === undefined ? '—' : formatPercent(s.sli, 3)}, budget ${formatBudget(s.budgetRemaining)}, burn ${BURN_COLUMNS.map((w) => `${w} ${formatBurn(s.burn[w] ?? 0)}`).join(' ')}${s.firing.length ? `, *firing: ${s.firing.map(describeRule).join(', ')}*` : ''}`,
            ),
          )
        : ['no SLO set'],
    ),
  );
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: window }] });
  return { text: `${SLACK_ICON[v.level]} Pitchey monitor: ${e(cut(v.summary, 2000))}`, blocks };
}
