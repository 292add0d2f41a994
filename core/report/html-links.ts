/**
 * Links to the run's other reports: Playwright's, Lighthouse's, and the run's own files.
 */
import type { RunResult } from '../results.ts';
import { escapeHtml } from './html-page.ts';

export interface ReportLink {
  /** Whose report: Playwright's (the journeys) or Lighthouse's (one per page and preset). */
  tool: 'playwright' | 'lighthouse';
  label: string;
  href: string;
}

/**
 * A path the suites wrote into the run's folder, relative to that folder (where index.html is),
 * or undefined when it lies elsewhere: a link must work wherever the folder is copied.
 */
export function runRelative(path: string, runId: string): string | undefined {
  const normal = path.replace(/\\/g, '/');
  const marker = `/${runId}/`;
  const at = normal.indexOf(marker);
  const rest =
    at >= 0
      ? normal.slice(at + marker.length)
      : normal.startsWith(`${runId}/`)
        ? normal.slice(runId.length + 1)
        : undefined;
  if (!rest || rest.split('/').includes('..') || /^[a-z][a-z0-9+.-]*:/i.test(rest)) return undefined;
  return rest;
}

/** The Playwright and Lighthouse HTML reports the suites' notes name. */
export function reportLinks(result: RunResult): ReportLink[] {
  const links: ReportLink[] = [];
  for (const suite of result.suites) {
    for (const note of suite.notes) {
      const playwright = /^Playwright reports: (\S+\.html)/.exec(note);
      const lighthouse = /^(.+?): representative run (\S+\.html)/.exec(note);
      const found: Omit<ReportLink, 'href'> & { path?: string } = playwright
        ? { tool: 'playwright', label: 'Playwright report', path: playwright[1] }
        : { tool: 'lighthouse', label: lighthouse?.[1] ?? '', path: lighthouse?.[2] };
      const href = found.path ? runRelative(found.path, result.run.id) : undefined;
      if (href && !links.some((l) => l.href === href))
        links.push({ tool: found.tool, label: found.label, href });
    }
  }
  return links;
}

/** Relative hrefs only; each path segment is URL-encoded so a name cannot become a scheme. */
const hrefOf = (path: string) => path.split('/').map(encodeURIComponent).join('/');

const anchor = (href: string, label: string) =>
  `<a href="${escapeHtml(hrefOf(href))}">${escapeHtml(label)}</a>`;

export function renderLinks(result: RunResult): string {
  const links = reportLinks(result);
  const playwright = links.filter((l) => l.tool === 'playwright');
  const lighthouse = links.filter((l) => l.tool === 'lighthouse');
  const items: string[] = [];
  if (playwright.length)
    items.push(
      `Journeys: ${playwright.map((l) => anchor(l.href, l.label)).join(' · ')} (traces and screenshots of failures)`,
    );
  if (lighthouse.length)
    items.push(
      `Lighthouse, the representative run of each page: ${lighthouse.map((l) => anchor(l.href, l.label)).join(' · ')}`,
    );
  items.push(
    `This run: ${anchor('summary.md', 'summary.md')} (for a pull request) · ${anchor('summary.json', 'summary.json')} (every number) · ${anchor('junit.xml', 'junit.xml')} (one test case per target)`,
  );
  return `<section id="links"><h2>Other reports of this run</h2>\n<ul>${items.map((i) => `<li>${i}</li>`).join('\n')}</ul>\n</section>`;
}
