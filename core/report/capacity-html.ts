/**
 * The capacity check's index.html (pure): one self-contained file as the gate's report is —
 * throughput and P95 against the offered rate with the knee and the P95 target marked, the USL
 * curve over the measured steps, and the steps' table. Charts bundled; nothing is fetched.
 */
import { uslPointsOf } from '../capacity.ts';
import { uslThroughput } from '../usl.ts';
import type { CapacityReport } from './capacity-md.ts';
import { Charts, COLORS } from './html-charts.ts';
import { escapeHtml, htmlDocument, rowClass, table } from './html-page.ts';

const sig = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : null);

function throughputChart(r: CapacityReport, charts: Charts): string {
  const steps = [...r.steps].sort((a, b) => a.offeredRps - b.offeredRps);
  const x = steps.map((s) => s.offeredRps);
  return charts.add({
    kind: 'curve',
    title: 'Throughput and P95 against the offered rate',
    xLabel: 'offered req/s',
    units: { left: 'req/s', right: 'ms' },
    x,
    series: [
      { label: 'offered (carried in full)', values: x, color: COLORS.baseline, dash: true },
      { label: 'achieved req/s', values: steps.map((s) => sig(s.achievedRps)), color: COLORS.current },
      { label: 'P95 ms', values: steps.map((s) => sig(s.p95Ms)), color: COLORS.p95, right: true },
      {
        label: `P95 target ${r.targets.p95Ms} ms`,
        values: x.map(() => r.targets.p95Ms),
        color: COLORS.errors,
        right: true,
        dash: true,
      },
    ],
    changes: r.knee.capacityRps
      ? [
          {
            x: r.knee.capacityRps,
            color: COLORS.lines[2] as string,
            label: `knee: ${r.knee.capacityRps} req/s`,
          },
        ]
      : [],
  });
}

function uslChart(r: CapacityReport, charts: Charts): string {
  const usl = r.usl;
  if (!usl) return '<p class="muted">No USL curve: fewer than 3 steady steps.</p>';
  const measured = uslPointsOf(r.steps).map((p) => ({ n: p.concurrency, x: p.throughput }));
  const top = Math.max(
    ...measured.map((m) => m.n),
    Number.isFinite(usl.peakConcurrency) ? usl.peakConcurrency * 1.2 : 0,
  );
  const grid = Array.from({ length: 60 }, (_, i) => (top * (i + 1)) / 60);
  const xs = [...new Set([...grid, ...measured.map((m) => m.n)].map((n) => Number(n.toPrecision(5))))].sort(
    (a, b) => a - b,
  );
  const at = new Map(measured.map((m) => [Number(m.n.toPrecision(5)), m.x]));
  return charts.add({
    kind: 'curve',
    title: `Universal Scalability Law: α ${usl.alpha.toPrecision(3)}, β ${usl.beta.toPrecision(3)}, γ ${usl.gamma.toPrecision(4)}, R² ${usl.rSquared.toFixed(3)}`,
    xLabel: 'concurrency (req in flight)',
    units: { left: 'req/s' },
    x: xs,
    series: [
      { label: 'USL fit', values: xs.map((n) => sig(uslThroughput(n, usl))), color: COLORS.baseline },
      {
        label: 'measured',
        values: xs.map((n) => sig(at.get(n) ?? Number.NaN)),
        color: COLORS.current,
        points: true,
      },
    ],
    changes: Number.isFinite(usl.peakConcurrency)
      ? [
          {
            x: usl.peakConcurrency,
            color: COLORS.p95,
            label: `USL peak: ${Math.round(usl.maxThroughput)} req/s at ${usl.peakConcurrency.toFixed(1)} in flight`,
          },
        ]
      : [],
  });
}

export function renderCapacityHtml(r: CapacityReport): string {
  const charts = new Charts();
  const status = r.outcome.exitCode === 0 ? 'pass' : r.outcome.exitCode === 1 ? 'fail' : 'error';
  const steps = table(
    [
      { label: 'offered req/s', numeric: true },
      { label: 'achieved req/s', numeric: true },
      { label: 'P50 ms', numeric: true },
      { label: 'P95 ms', numeric: true },
      { label: 'P99 ms', numeric: true },
      { label: 'errors', numeric: true },
      { label: 'dropped', numeric: true },
      { label: 'step' },
    ],
    r.steps.map((s) => ({
      cells: [
        String(s.offeredRps),
        s.achievedRps.toFixed(1),
        s.p50Ms.toFixed(1),
        s.p95Ms.toFixed(1),
        s.p99Ms.toFixed(1),
        `${(s.errorRate * 100).toFixed(2)} %`,
        String(s.dropped),
        `${s.status}${s.reasons.length ? `: ${s.reasons.join('; ')}` : ''}`,
      ],
      cls: rowClass(s.status === 'pass' ? 'pass' : s.status === 'generator-bound' ? 'error' : 'fail'),
    })),
  );
  const facts = [
    r.demand.line,
    `against the roadmap's milestones: ${r.demand.milestones}`,
    `${r.headroom.line} (required ${r.minHeadroom}×)`,
    ...(r.previous ? [`against the previous result: ${r.previous.line} — ${r.previous.status}`] : []),
    ...(r.usl?.warning ? [`USL warning: ${r.usl.warning}`] : []),
  ];
  return htmlDocument({
    title: `Capacity · ${r.outcome.line}`,
    body: `<header class="${status}"><h1>${escapeHtml(r.outcome.line)}</h1>
<p>${escapeHtml(`${r.baseUrl} · scenario ${r.scenario} · milestone ${r.milestone} · ${r.measuredAt}${r.commit ? ` · ${r.commit.slice(0, 12)}` : ''}`)}</p></header>
<main>
<section><ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul></section>
<section>${throughputChart(r, charts)}</section>
<section>${uslChart(r, charts)}</section>
<section><h2>Steps</h2>${steps}</section>
</main>`,
    charts,
  });
}
