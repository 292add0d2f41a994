/** The capacity check's report as Markdown (pure): the answer, the steps, the USL fit, the model. */
import type {
  CapacityComparison,
  CapacityOutcome,
  HeadroomVerdict,
  Knee,
  StepStatus,
  StepTargets,
} from '../capacity.ts';
import type { DemandModel } from '../demand.ts';
import type { UslFit } from '../usl.ts';

export interface CapacityStepRow {
  offeredRps: number;
  achievedRps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  errorRate: number;
  dropped: number;
  status: StepStatus;
  reasons: string[];
}

export interface CapacityReport {
  measuredAt: string;
  baseUrl: string;
  commit?: string | undefined;
  milestone: string;
  scenario: string;
  targets: StepTargets;
  resolution: number;
  steps: CapacityStepRow[];
  knee: Knee;
  cutShort?: string | undefined;
  usl?: UslFit | undefined;
  /** line: the model; milestones: the capacity against each roadmap DAU milestone. */
  demand: { dau: number; model: DemandModel; peakRps: number; line: string; milestones: string };
  headroom: HeadroomVerdict;
  minHeadroom: number;
  previous?: CapacityComparison | undefined;
  outcome: CapacityOutcome;
  wallSeconds: number;
}

const num = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const rps = (v: number) => Math.round(v).toLocaleString('en-US');

export function renderCapacityMarkdown(r: CapacityReport): string {
  const lines: string[] = [];
  lines.push(`## Capacity: ${r.outcome.line}`, '');
  lines.push(
    `${r.baseUrl} · scenario ${r.scenario} · milestone ${r.milestone} (P95 < ${r.targets.p95Ms} ms` +
      `${r.targets.p99Ms !== undefined ? `, P99 < ${r.targets.p99Ms} ms` : ''}, errors < ${(r.targets.errorRate * 100).toFixed(2)} %)` +
      ` · ${r.measuredAt}${r.commit ? ` · ${r.commit.slice(0, 12)}` : ''} · ${Math.round(r.wallSeconds)} s`,
    '',
  );
  const knee =
    r.knee.bound === 'found'
      ? `**${rps(r.knee.capacityRps)} req/s**, the highest passing step; ${rps(r.knee.failedAtRps ?? 0)} req/s failed (resolution ${(100 * (r.knee.resolution ?? 0)).toFixed(1)} %, goal ${(100 * r.resolution).toFixed(0)} %)`
      : r.knee.bound === 'above-max'
        ? `**at least ${rps(r.knee.capacityRps)} req/s**: the highest rate allowed (capacity.maxRate / --max-rate) still passed`
        : r.knee.bound === 'below-min'
          ? `**below ${rps(r.knee.failedAtRps ?? 0)} req/s**: even the lowest rate failed`
          : `**at least ${rps(r.knee.capacityRps)} req/s**: the search ended early (${r.cutShort ?? 'unfinished'})`;
  lines.push(`- Knee: ${knee}`);
  lines.push(`- Demand: ${r.demand.line}`);
  lines.push(`- Against the roadmap's milestones: ${r.demand.milestones}`);
  lines.push(`- Headroom: ${r.headroom.line} (required ${r.minHeadroom}×)`);
  if (r.previous) lines.push(`- Against the previous result: ${r.previous.line} — ${r.previous.status}`);
  if (r.usl)
    lines.push(
      `- USL fit over ${r.usl.points} steps: α ${r.usl.alpha.toPrecision(3)}, β ${r.usl.beta.toPrecision(3)}, γ ${r.usl.gamma.toPrecision(4)} req/s, ` +
        `peak ${Number.isFinite(r.usl.maxThroughput) ? `${rps(r.usl.maxThroughput)} req/s` : 'unbounded'}` +
        `${Number.isFinite(r.usl.peakConcurrency) ? ` at ${num(r.usl.peakConcurrency)} in flight` : ''}, R² ${r.usl.rSquared.toFixed(3)}` +
        `${r.usl.warning ? ` — warning: ${r.usl.warning}` : ''}`,
    );
  else lines.push('- USL fit: not enough measured steps (3 at least)');
  lines.push(
    '',
    '| offered req/s | achieved req/s | P50 ms | P95 ms | P99 ms | errors | dropped | step |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const s of r.steps)
    lines.push(
      `| ${rps(s.offeredRps)} | ${num(s.achievedRps)} | ${num(s.p50Ms)} | ${num(s.p95Ms)} | ${num(s.p99Ms)} | ${(s.errorRate * 100).toFixed(2)} % | ${s.dropped} | ${s.status}${s.reasons.length ? `: ${s.reasons.join('; ').replaceAll('|', '\\|')}` : ''} |`,
    );
  return `${lines.join('\n')}\n`;
}
