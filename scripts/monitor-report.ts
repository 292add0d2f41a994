/**
 * The roadmap's daily checklist from the monitor's database (npm run monitor:report):
 *   the Markdown report on stdout, appended to $GITHUB_STEP_SUMMARY when set, --out FILE too;
 *   --slack  also post it to the Slack incoming webhook of the config's first slack channel
 *            (the URL in the environment variable it names, else SLACK_WEBHOOK_URL);
 *   --html FILE  write the status page instead.
 * Options: --config FILE (perf.config.ts), --db FILE (also MONITOR_DB; default: the config's),
 * --base-url URL (also BASE_URL; only names the checks' targets), --since DURATION (24h; "7d").
 * Exit 0 when the report was made, 2 on bad input, a missing or unreadable database, or a post
 * Slack did not take.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { runCli } from '../core/cli.ts';
import { type Config, loadConfig } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import {
  dailyReportData,
  parseSince,
  renderDailyReport,
  slackReportPayload,
} from '../monitor/daily-report.ts';
import { statusPageHtml } from '../monitor/status-page.ts';
import { openView } from '../monitor/view.ts';
import { parseBaseUrl } from './target.ts';

/** The environment variable holding the Slack webhook URL: the first slack channel's, or the usual one. */
function slackUrlEnv(config: Config): string {
  const channel = config.monitor.channels.find((c) => c.type === 'slack');
  return channel?.type === 'slack' ? channel.urlEnv : 'SLACK_WEBHOOK_URL';
}

/** Slack answers 200 "ok"; anything else is an error. The URL is a secret: never in a message. */
async function postToSlack(url: string, variable: string, payload: unknown): Promise<void> {
  let status: number;
  let body: string;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'pitchey-perf monitor-report' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    status = res.statusCode;
    body = (await res.body.text()).slice(0, 300);
  } catch (error) {
    // undici's messages may quote the URL: only the error's code is shown.
    const e = error as Error & { code?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? e.name;
    throw new PerfError(`Slack (the webhook in ${variable}) could not be reached: ${code}`);
  }
  if (status !== 200 || body !== 'ok')
    throw new PerfError(
      `Slack (the webhook in ${variable}) answered HTTP ${status}: ${JSON.stringify(body.replaceAll(url, '<url>'))}`,
    );
}

/** A file the user named: its folder made if need be; a failure is theirs to fix, not a bug. */
async function writeOutput(path: string, content: string, append = false): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    if (append) await appendFile(path, content);
    else await writeAtomic(path, content);
  } catch (error) {
    throw new PerfError(`could not write ${path}: ${(error as Error).message}`);
  }
}

const OPTIONS = {
  config: { type: 'string', default: 'perf.config.ts' },
  db: { type: 'string' },
  'base-url': { type: 'string' },
  since: { type: 'string', default: '24h' },
  html: { type: 'string' },
  out: { type: 'string' },
  slack: { type: 'boolean', default: false },
} as const;

function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    throw new PerfError(
      `${(error as Error).message}: the options are ${Object.keys(OPTIONS)
        .map((o) => `--${o}`)
        .join(', ')}`,
    );
  }
}

async function main(): Promise<number> {
  const values = parseOptions();
  const sinceMs = parseSince(values.since);
  if (sinceMs === undefined)
    throw new PerfError(`--since "${values.since}" is not a duration: use e.g. 24h, 90m or 7d`);
  if (values.html && (values.out || values.slack))
    throw new PerfError(
      '--html writes the status page instead of the report: use it without --out and --slack',
    );
  const config = await loadConfig(values.config);
  const database = values.db || process.env.MONITOR_DB || config.monitor.database;
  // Opening creates a missing file: an empty report would hide a wrong path.
  if (!existsSync(database))
    throw new PerfError(
      `${database} does not exist: run the monitor to create it (npm run monitor, or scripts/health-monitor.sh once), or point --db or MONITOR_DB at its database`,
    );
  const baseUrl =
    (values['base-url'] && parseBaseUrl(values['base-url'], '--base-url')) ||
    (process.env.BASE_URL && parseBaseUrl(process.env.BASE_URL, 'BASE_URL')) ||
    (config.baseUrl && parseBaseUrl(config.baseUrl, `${values.config} baseUrl`)) ||
    new URL('http://127.0.0.1/');
  // Read before anything is written, so a missing secret fails before half the work.
  const variable = values.slack ? slackUrlEnv(config) : undefined;
  const slackUrl = variable && process.env[variable];
  if (variable && !slackUrl)
    throw new PerfError(
      `--slack: the environment variable ${variable} is not set (the Slack incoming-webhook URL)`,
    );

  const view = await openView(config, database, baseUrl);
  try {
    if (values.html) {
      await writeOutput(values.html, statusPageHtml(view));
      console.log(`status page written to ${values.html}`);
      return 0;
    }
    const data = dailyReportData(view, sinceMs);
    const markdown = renderDailyReport(data);
    process.stdout.write(markdown);
    if (values.out) await writeOutput(values.out, markdown);
    // Appended: other steps of the job write their own sections to the same file.
    if (process.env.GITHUB_STEP_SUMMARY)
      await writeOutput(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`, true);
    if (variable && slackUrl) {
      await postToSlack(slackUrl, variable, slackReportPayload(data));
      console.error(`posted to Slack (the webhook in ${variable})`);
    }
    return 0;
  } finally {
    view.store.close();
  }
}

await runCli(main);
