/**
 * The in-page collector, injected with addInitScript before any page script runs. It keeps the
 * page's Web Vitals as the web-vitals library defines them, on window.__pitcheyPerf:
 * FCP; LCP, final once a trusted input or a visibility change ends it; CLS as the largest
 * session window (gaps < 1 s, windows ≤ 5 s); INP as the slowest interaction (pages here have
 * fewer than 50). Self-contained: Playwright serialises this function into the page.
 */

export interface VitalsState {
  fcp: number | null;
  lcp: number | null;
  lcpFinal: boolean;
  cls: number;
  inp: number | null;
  interactions: number;
}

export interface PageSnapshot extends VitalsState {
  url: string;
  ttfb: number | null;
  domContentLoaded: number | null;
  load: number | null;
  transferBytes: number;
  requests: number;
}

export function installCollector(): void {
  const state: VitalsState = { fcp: null, lcp: null, lcpFinal: false, cls: 0, inp: null, interactions: 0 };
  (window as unknown as { __pitcheyPerf: VitalsState }).__pitcheyPerf = state;
  const observe = (type: string, callback: (entries: PerformanceEntry[]) => void, extra: object = {}) => {
    try {
      new PerformanceObserver((list) => callback(list.getEntries())).observe({
        type,
        buffered: true,
        ...extra,
      });
    } catch {
      // An entry type this browser lacks: that metric stays null.
    }
  };
  observe('paint', (entries) => {
    for (const e of entries) if (e.name === 'first-contentful-paint') state.fcp = e.startTime;
  });
  observe('largest-contentful-paint', (entries) => {
    const last = entries.at(-1);
    if (last && !state.lcpFinal) state.lcp = last.startTime;
  });
  const finalizeLcp = (event: Event) => {
    if (event.isTrusted) state.lcpFinal = true;
  };
  for (const type of ['keydown', 'click', 'pointerdown'])
    addEventListener(type, finalizeLcp, { capture: true });
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') state.lcpFinal = true;
  });
  let session = 0;
  let sessionStart = 0;
  let lastShift = 0;
  observe('layout-shift', (entries) => {
    for (const e of entries as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (e.hadRecentInput) continue;
      if (session && e.startTime - lastShift < 1000 && e.startTime - sessionStart < 5000) session += e.value;
      else {
        session = e.value;
        sessionStart = e.startTime;
      }
      lastShift = e.startTime;
      state.cls = Math.max(state.cls, session);
    }
  });
  const slowest = new Map<number, number>();
  const onEvents = (entries: PerformanceEntry[]) => {
    for (const e of entries as (PerformanceEntry & { interactionId?: number })[]) {
      if (!e.interactionId) continue;
      slowest.set(e.interactionId, Math.max(slowest.get(e.interactionId) ?? 0, e.duration));
    }
    state.interactions = slowest.size;
    state.inp = slowest.size ? Math.max(...slowest.values()) : null;
  };
  // Event Timing reports only events of 16 ms or more; the first input is always reported, so
  // a page with fast interactions still has an INP (as web-vitals does).
  observe('event', onEvents, { durationThreshold: 16 });
  observe('first-input', onEvents);
}

/** Read in the page: the vitals so far plus Navigation and Resource Timing. */
export function snapshotPage(): PageSnapshot {
  const state = (window as unknown as { __pitcheyPerf?: VitalsState }).__pitcheyPerf;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const positive = (n: number | undefined) => (n && n > 0 ? n : null);
  return {
    fcp: state?.fcp ?? null,
    lcp: state?.lcp ?? null,
    lcpFinal: state?.lcpFinal ?? false,
    cls: state?.cls ?? 0,
    inp: state?.inp ?? null,
    interactions: state?.interactions ?? 0,
    url: location.pathname + location.search,
    ttfb: positive(nav?.responseStart),
    domContentLoaded: positive(nav?.domContentLoadedEventEnd),
    load: positive(nav?.loadEventEnd),
    transferBytes: (nav?.transferSize ?? 0) + resources.reduce((n, r) => n + r.transferSize, 0),
    requests: 1 + resources.length,
  };
}
