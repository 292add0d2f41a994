/**
 * The monitor's metrics for Prometheus (text 0.0.4) and OpenMetrics scrapers. Names are
 * blackbox_exporter's and Grafana Synthetic Monitoring's where they have one (probe_success,
 * probe_duration_seconds, probe_http_status_code), so their dashboards and alert rules apply;
 * the rest are pitchey_*. Every per-check metric has the labels check, group and type.
 * - Runs feed a histogram and a counter as they happen (observeRun); they live in the process,
 *   and Prometheus's rate() takes a restart's counter reset in its stride.
 * - Everything else is a gauge computed from the store at scrape time (render), so a scrape
 *   says what the status page says, and a restart loses none of it.
 * Maintenance and monitor-offline runs count as they do for uptime and the SLOs: not at all.
 * They have outcomes of their own in pitchey_check_runs_total (maintenance, offline), stay out
 * of the latency histogram, and leave probe_success and the check's state as they were.
 */
import { Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import type { ResolvedCheck } from './checks.ts';
import type { CheckState } from './incidents.ts';
import { ALERT_WINDOWS, type BurnRule, REPORT_WINDOWS, type Slo, WINDOWS, type WindowName } from './slo.ts';
import { evaluateSlos, readWindowCounts, type SloStatus, type WindowCounts } from './slo-status.ts';
import type { Attempt } from './store.ts';
import type { MonitorView } from './view.ts';

/** 10 ms … 60 s; 0.2 and 0.5 are bounds so the roadmap's 200 ms and 500 ms targets read exactly. */
export const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60];

export const RUN_OUTCOMES = ['pass', 'degraded', 'fail', 'maintenance', 'offline'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export const CHECK_STATES = ['pass', 'degraded', 'fail', 'unknown'] as const;

/** Uptime and the SLI and budget are reported over these; burn rates over the alert windows too. */
export const RATIO_WINDOWS: readonly WindowName[] = REPORT_WINDOWS;
export const BURN_WINDOWS: readonly WindowName[] = [...new Set([...ALERT_WINDOWS, ...REPORT_WINDOWS])].sort(
  (a, b) => WINDOWS[a] - WINDOWS[b],
);

const RUNS = 'pitchey_check_runs_total';
const DURATION = 'probe_duration_seconds';
const CHECK_LABELS = ['check', 'group', 'type'] as const;
const SLO_LABELS = ['slo', 'sli', 'group', 'check'] as const;

/** The gauges, built at scrape time. */
export const GAUGES = {
  probe_success: {
    help: 'Whether the check is up: 1 when its latest counted run passed or was degraded, 0 when it failed (no sample before its first run).',
    labelNames: CHECK_LABELS,
  },
  probe_http_status_code: {
    help: 'HTTP status of the latest run of an http or health check (its final attempt).',
    labelNames: CHECK_LABELS,
  },
  pitchey_check_state: {
    help: 'The check state as a state set: 1 for the current one of pass, degraded, fail, unknown; 0 for the others.',
    labelNames: [...CHECK_LABELS, 'state'],
  },
  pitchey_check_incident_open: {
    help: 'Whether the check has an open incident (1) or not (0).',
    labelNames: CHECK_LABELS,
  },
  pitchey_uptime_ratio: {
    help: 'Runs that passed or were degraded / runs counted over a rolling window (maintenance and offline runs left out; no sample without counted runs).',
    labelNames: [...CHECK_LABELS, 'window'],
  },
  pitchey_slo_objective_ratio: {
    help: 'The SLO objective: the share of good events promised.',
    labelNames: SLO_LABELS,
  },
  pitchey_slo_sli_ratio: {
    help: 'The SLI over a rolling window: good events / events (no sample without events).',
    labelNames: [...SLO_LABELS, 'window'],
  },
  pitchey_slo_error_budget_remaining_ratio: {
    help: "Share of the window's error budget left: 1 untouched, 0 spent, negative overspent.",
    labelNames: [...SLO_LABELS, 'window'],
  },
  pitchey_slo_burn_rate: {
    help: 'Error rate / error rate the objective allows over a rolling window (1 spends the budget exactly over 30 days).',
    labelNames: [...SLO_LABELS, 'window'],
  },
  pitchey_slo_alert_firing: {
    help: "Whether a multiwindow burn-rate rule of the severity fires for an alerting SLO (the SRE workbook's rules).",
    labelNames: [...SLO_LABELS, 'severity'],
  },
  pitchey_monitor_heartbeat_timestamp_seconds: {
    help: 'When the monitor last wrote its heartbeat (every 5 s while it runs), Unix time; absent before the first.',
    labelNames: [],
  },
  pitchey_monitor_alerts_pending: {
    help: 'Alert deliveries waiting to be sent or retried.',
    labelNames: [],
  },
} as const satisfies Record<string, { help: string; labelNames: readonly string[] }>;

export type GaugeName = keyof typeof GAUGES;
export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}

/** One check as the store has it at the view's instant. */
export interface CheckSnapshot {
  check: string;
  group: string;
  type: string;
  state: CheckState['last'];
  incidentOpen: boolean;
  /** The latest final attempt's status (http and health checks). */
  httpStatus?: number | undefined;
}

export interface MetricsSnapshot {
  checks: CheckSnapshot[];
  /** Each window's per-check counts (at least RATIO_WINDOWS). */
  counts: WindowCounts;
  slos: SloStatus[];
  heartbeatAt?: number | undefined;
  pendingAlerts: number;
}

// ---------------------------------------------------------------------------------------------
// From plain data to samples (pure)

export function checkLabels(check: Pick<ResolvedCheck, 'name' | 'group' | 'type'>): Labels {
  return { check: check.name, group: check.group, type: check.type };
}

/** A run's outcome as the counter has it: runs that uptime leaves out are named for why. */
export function runOutcome(final: Pick<Attempt, 'outcome' | 'maintenance' | 'offline'>): RunOutcome {
  if (final.maintenance !== undefined) return 'maintenance';
  if (final.offline) return 'offline';
  return final.outcome;
}

/**
 * Whether a run's latency goes into the histogram: counted runs that got an answer, as the
 * store's latency histograms and the latency SLIs take them (a refused connection has no latency).
 */
export function observesLatency(final: Attempt): boolean {
  return runOutcome(final) === final.outcome && final.errorClass !== 'network';
}

export function sloLabels(slo: Slo): Labels {
  return {
    slo: slo.name,
    sli: slo.sli,
    ...(slo.scope.group !== undefined ? { group: slo.scope.group } : {}),
    ...(slo.scope.check !== undefined ? { check: slo.scope.check } : {}),
  };
}

/** Every gauge's samples; a gauge without evidence has none (not a made-up 0). */
export function gaugeSamples(snapshot: MetricsSnapshot): Record<GaugeName, Sample[]> {
  const out = Object.fromEntries(Object.keys(GAUGES).map((name) => [name, []])) as unknown as Record<
    GaugeName,
    Sample[]
  >;
  const add = (name: GaugeName, labels: Labels, value: number) => out[name].push({ labels, value });

  for (const c of snapshot.checks) {
    const labels = { check: c.check, group: c.group, type: c.type };
    if (c.state !== 'unknown') add('probe_success', labels, c.state === 'fail' ? 0 : 1);
    if (c.httpStatus !== undefined) add('probe_http_status_code', labels, c.httpStatus);
    for (const state of CHECK_STATES)
      add('pitchey_check_state', { ...labels, state }, c.state === state ? 1 : 0);
    add('pitchey_check_incident_open', labels, c.incidentOpen ? 1 : 0);
    for (const window of RATIO_WINDOWS) {
      const counts = snapshot.counts.get(window)?.get(c.check);
      if (counts?.total) add('pitchey_uptime_ratio', { ...labels, window }, counts.good / counts.total);
    }
  }

  for (const { slo, windows, firing } of snapshot.slos) {
    const labels = sloLabels(slo);
    add('pitchey_slo_objective_ratio', labels, slo.objective);
    for (const window of RATIO_WINDOWS) {
      const status = windows[window];
      if (status?.sli !== undefined) add('pitchey_slo_sli_ratio', { ...labels, window }, status.sli);
      if (status?.budgetRemaining !== undefined)
        add('pitchey_slo_error_budget_remaining_ratio', { ...labels, window }, status.budgetRemaining);
    }
    for (const window of BURN_WINDOWS) {
      const status = windows[window];
      if (status?.total) add('pitchey_slo_burn_rate', { ...labels, window }, status.burnRate);
    }
    // Only SLOs that alert: the others' burn is in pitchey_slo_burn_rate, nobody is told of it.
    if (slo.alert)
      for (const severity of ['page', 'ticket'] as const satisfies readonly BurnRule['severity'][])
        add(
          'pitchey_slo_alert_firing',
          { ...labels, severity },
          firing.some((r) => r.severity === severity) ? 1 : 0,
        );
  }

  if (snapshot.heartbeatAt !== undefined)
    add('pitchey_monitor_heartbeat_timestamp_seconds', {}, snapshot.heartbeatAt / 1000);
  add('pitchey_monitor_alerts_pending', {}, snapshot.pendingAlerts);
  return out;
}

/**
 * Whether a scraper's Accept header prefers OpenMetrics text to Prometheus text (q-values
 * honoured); anything else, or no header, gets Prometheus text.
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!Number.isFinite(weight)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, weight);
    else if (type === 'text/plain') text = Math.max(text, weight);
  }
  return openMetrics > 0 && openMetrics >= text;
}

// ---------------------------------------------------------------------------------------------
// Reading the store

/** The windows whose counts the gauges need, read once per scrape. */
const SNAPSHOT_WINDOWS: readonly string[] = [...new Set([...RATIO_WINDOWS, ...BURN_WINDOWS])];

export function readSnapshot(view: MonitorView): MetricsSnapshot {
  const { store } = view;
  const states = store.loadStates();
  // By the (check_name, started_at) index: store.attempts() orders by rowid, which would sort a
  // check's whole retention on every scrape.
  const latestStatus = store.db.prepare(
    'SELECT http_status FROM attempts WHERE check_name = ? AND final = 1 ORDER BY started_at DESC, id DESC LIMIT 1',
  );
  const checks = view.checks.map((check): CheckSnapshot => {
    const state = states.get(check.name);
    const status =
      check.type === 'http' || check.type === 'health'
        ? (latestStatus.get(check.name) as { http_status: number | null } | undefined)?.http_status
        : undefined;
    return {
      check: check.name,
      group: check.group,
      type: check.type,
      state: state?.last ?? 'unknown',
      incidentOpen: state?.incident !== undefined,
      httpStatus: status ?? undefined,
    };
  });
  const counts = readWindowCounts(store, view.now, SNAPSHOT_WINDOWS);
  const heartbeat = Number(store.getMeta('heartbeat'));
  return {
    checks,
    counts,
    // sloStatuses' arithmetic on the counts already read (one pass over the rollups per window).
    slos: evaluateSlos(view.slos, counts),
    heartbeatAt: Number.isFinite(heartbeat) && heartbeat > 0 ? heartbeat : undefined,
    pendingAlerts: store.pendingDeliveries().length,
  };
}

// ---------------------------------------------------------------------------------------------
// The registry

export class MonitorMetrics {
  /** The instance's own registry: never prom-client's global one. */
  readonly registry = new Registry<RegistryContentType>();
  private readonly duration = new Histogram({
    name: DURATION,
    help: 'Duration of a counted run that got an answer, its final attempt (blackbox_exporter: the probe duration), seconds.',
    labelNames: CHECK_LABELS,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: RUNS,
    help: 'Check runs by outcome: pass, degraded, fail, and those uptime leaves out (maintenance, offline).',
    labelNames: [...CHECK_LABELS, 'outcome'],
    registers: [this.registry],
  });
  private readonly gauges = Object.fromEntries(
    Object.entries(GAUGES).map(([name, { help, labelNames }]) => [
      name,
      new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] }),
    ]),
  ) as Record<GaugeName, Gauge>;
  /** Checks whose series exist (at 0 from their first sight, so rate() sees a first failure). */
  private readonly known = new Set<string>();
  /** Renders one at a time: each resets and sets the gauges and the registry's format. */
  private queue: Promise<unknown> = Promise.resolve();

  /** After each stored run (the monitor's onRun); a run without attempts was never started. */
  observeRun(record: { check: ResolvedCheck; attempts: readonly Attempt[] }): void {
    const final = record.attempts[record.attempts.length - 1];
    if (!final) return;
    const labels = checkLabels(record.check);
    this.know(labels);
    this.runs.inc({ ...labels, outcome: runOutcome(final) });
    if (observesLatency(final)) this.duration.observe(labels, final.durationMs / 1000);
  }

  /** The exposition at the view's instant, as OpenMetrics when `accept` asks for it. */
  render(view: MonitorView, accept?: string): Promise<{ contentType: string; body: string }> {
    const next = this.queue.then(() => this.renderNow(view, accept));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async renderNow(
    view: MonitorView,
    accept?: string,
  ): Promise<{ contentType: string; body: string }> {
    for (const check of view.checks) this.know(checkLabels(check));
    const samples = gaugeSamples(readSnapshot(view));
    for (const name of Object.keys(GAUGES) as GaugeName[]) {
      const gauge = this.gauges[name];
      gauge.reset();
      // reset() leaves an unlabelled gauge at 0: absent is the truth when there is no sample.
      if (GAUGES[name].labelNames.length === 0) gauge.remove({});
      for (const { labels, value } of samples[name]) gauge.set(labels, value);
    }
    const contentType = wantsOpenMetrics(accept)
      ? Registry.OPENMETRICS_CONTENT_TYPE
      : Registry.PROMETHEUS_CONTENT_TYPE;
    this.registry.setContentType(contentType);
    try {
      return { contentType, body: await this.registry.metrics() };
    } finally {
      // prom-client (15.1.3) renames a counter in place, without _total, when it writes
      // OpenMetrics: the next Prometheus text would lose the suffix.
      (this.runs as unknown as { name: string }).name = RUNS;
    }
  }

  private know(labels: Labels): void {
    const key = JSON.stringify(labels);
    if (this.known.has(key)) return;
    this.known.add(key);
    for (const outcome of RUN_OUTCOMES) this.runs.inc({ ...labels, outcome }, 0);
    this.duration.zero(labels);
  }
}
