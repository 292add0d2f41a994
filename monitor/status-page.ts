/**
 * The monitor's status page: one self-contained HTML file, served by the running monitor at "/"
 * (with a refresh) and written by `npm run monitor:report -- --html FILE`. Reading the store
 * (status-page-data.ts) is kept apart from drawing the page (status-page-render.ts, pure).
 */
import { type StatusPageData, statusPageData } from './status-page-data.ts';
import { renderStatusPage, type StatusPageOptions } from './status-page-render.ts';
import type { MonitorView } from './view.ts';

export type { StatusPageData, StatusPageOptions };
export { renderStatusPage, statusPageData };

export function statusPageHtml(view: MonitorView, options: StatusPageOptions = {}): string {
  return renderStatusPage(statusPageData(view), options);
}
