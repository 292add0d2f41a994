/**
 * The roadmap's daily checklist as a report (npm run monitor:report): is the monitor running and
 * how is each check now, the incidents and alerts of the window, error rates, response times and
 * cache hit rates per check, the SLOs' budgets and burn rates, under a one-line verdict.
 * Reading the store (daily-report-data.ts) is kept apart from drawing the Markdown and the Slack
 * message (daily-report-render.ts, pure).
 */
export {
  type DailyReportData,
  dailyReportData,
  parseSince,
  type ReportCheck,
  type ReportDelivery,
  type ReportIncident,
  type ReportSlo,
  type StateName,
  type WindowFigures,
  windowDeliveries,
  windowFigures,
  windowIncidents,
} from './daily-report-data.ts';
export {
  renderDailyReport,
  SLACK_BLOCKS_MAX,
  SLACK_SECTION_MAX,
  type SlackBlock,
  slackReportPayload,
  type Verdict,
  type VerdictLevel,
  verdict,
} from './daily-report-render.ts';
