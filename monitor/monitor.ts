/**
 * The long-running monitor: schedules the checks, runs each (attempts with retries, the
 * canary when the network seems gone, maintenance marked), stores every attempt with the
 * check's new state and its alerts in one transaction, and hands the alerts to the outbox.
 * Bounded: HTTP checks share `concurrency` slots, browser checks one browser at a time.
 * Stops cleanly: no new runs, in-flight ones finish within shutdownTimeout, pending records
 * flushed, browsers closed (the suites close their own), the database closed.
 * A write that fails (a full disk) is kept in memory, in order, and retried: alerts still go
 * out meanwhile, and the record lands once there is room.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import { request } from 'undici';
import type { Config } from '../core/config.ts';
import { type AlertContext, payloadFor } from './channels.ts';
import {
  type BrowserCheck,
  type HttpCheck,
  isBrowserCheck,
  type ResolvedCheck,
  resolveChecks,
} from './checks.ts';
import { type AlertEvent, advance, type CheckState, INITIAL_STATE, tick } from './incidents.ts';
import { maintenanceAt } from './maintenance.ts';
import { Outbox } from './outbox.ts';
import { type AttemptResult, probeHttp } from './probe-http.ts';
import { retryDelayMs } from './retry.ts';
import { Scheduler } from './scheduler.ts';
import {
  advanceSloAlert,
  type BurnRule,
  describeSlo,
  latencyThresholds,
  type Slo,
  type SloAlertState,
  sloAlertKey,
} from './slo.ts';
import { type SloStatus, sloStatuses } from './slo-status.ts';
import { type Attempt, type Delivery, MonitorStore } from './store.ts';
import type { MonitorView } from './view.ts';

export interface MonitorOptions {
  config: Config;
  baseUrl: URL;
  /** The SQLite file. */
  database: string;
  log?: (line: string) => void;
  /** Wall clock (timestamps, maintenance, reminders); durations use the monotonic one. */
  now?: () => number;
  /** The SLOs (loadSlos); none: no SLO figures nor burn-rate alerts. */
  slos?: Slo[];
  /** Told of every stored run (the /metrics histogram observes them). */
  onRun?: (record: RunRecord) => void;
  /** Stand-in probes (tests, benchmarks); default: the real ones. */
  probe?: (check: ResolvedCheck, signal: AbortSignal) => Promise<AttemptResult>;
}

export interface RunRecord {
  check: ResolvedCheck;
  attempts: Attempt[];
  state: CheckState;
  events: AlertEvent[];
}

const FLUSH_EVERY_MS = 5_000;
const TICK_EVERY_MS = 15_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Rollups are folded from the stored runs this often (each row encoded once a period). */
const ROLLUP_EVERY_MS = 60_000;
/** Burn rates are read this often: a 14.4× burn pages within a minute of the rollups holding it. */
const SLO_EVERY_MS = 30_000;
const CANARY_TIMEOUT_MS = 5_000;
/** Writes kept in memory while the disk refuses them; past this the oldest are dropped (and said). */
const MAX_BACKLOG = 100_000;

/** Writes that must land in order; the ones the disk refused wait in memory and are retried. */
class Journal {
  private readonly backlog: (() => void)[] = [];

  constructor(private readonly log: (line: string) => void) {}

  write(op: () => void): void {
    if (this.backlog.length === 0) {
      try {
        op();
        return;
      } catch (error) {
        this.log(
          `storage refused a write (${(error as Error).message}): kept in memory, retried every ${FLUSH_EVERY_MS / 1000} s`,
        );
      }
    }
    if (this.backlog.length >= MAX_BACKLOG) {
      this.backlog.shift();
      this.log(`storage has refused ${MAX_BACKLOG} writes in a row: the oldest waiting one is dropped`);
    }
    this.backlog.push(op);
  }

  /** Applies what waits, in order, until one fails again. */
  flush(): boolean {
    while (this.backlog.length) {
      try {
        (this.backlog[0] as () => void)();
      } catch {
        return false;
      }
      this.backlog.shift();
    }
    return true;
  }

  get waiting(): number {
    return this.backlog.length;
  }
}

export class Monitor {
  readonly checks: ResolvedCheck[];
  readonly store: MonitorStore;
  readonly outbox: Outbox;
  readonly scheduler: Scheduler;
  readonly slos: readonly Slo[];
  private readonly states: Map<string, CheckState>;
  private readonly sloAlerts: Map<string, SloAlertState>;
  private readonly journal: Journal;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly httpSlots: ReturnType<typeof pLimit>;
  private readonly browserSlot = pLimit(1);
  private readonly shutdown = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  /** Runs under way, scheduled or not (runAllOnce, tests): stop() waits for them. */
  private readonly inFlight = new Set<Promise<RunRecord>>();

  constructor(private readonly options: MonitorOptions) {
    this.log = options.log ?? ((line) => console.log(`${new Date().toISOString()} ${line}`));
    this.now = options.now ?? Date.now;
    this.checks = resolveChecks(options.config.monitor, options.baseUrl);
    this.slos = options.slos ?? [];
    this.store = MonitorStore.open(options.database, { latencyThresholdsMs: latencyThresholds(this.slos) });
    this.states = this.store.loadStates();
    this.sloAlerts = this.store.loadSloAlerts();
    this.journal = new Journal(this.log);
    this.httpSlots = pLimit(options.config.monitor.concurrency);
    this.outbox = new Outbox({
      channels: options.config.monitor.channels,
      save: (delivery) => this.journal.write(() => this.store.saveDeliveries([delivery])),
      log: this.log,
      now: this.now,
    });
    this.outbox.add(this.store.pendingDeliveries());
    this.scheduler = new Scheduler(
      this.checks.map((check) => ({
        name: check.name,
        schedule: check.schedule,
        run: (due) => this.runCheck(check, due).then(() => undefined),
      })),
      (check, error) => this.log(`check ${check} crashed: ${(error as Error).stack ?? String(error)}`),
    );
  }

  /** What the status page and /metrics read, now. */
  view(): MonitorView {
    return {
      store: this.store,
      checks: this.checks,
      slos: this.slos,
      now: this.now(),
      origin: this.options.baseUrl.origin,
    };
  }

  stateOf(check: string): CheckState {
    return this.states.get(check) ?? INITIAL_STATE;
  }

  /** Runs until stop(): the schedule, the outbox, reminders, retention. */
  start(): void {
    this.log(
      `monitoring ${this.options.baseUrl.origin}: ${this.checks.length} checks, database ${this.options.database}` +
        (this.outbox.pending ? `, ${this.outbox.pending} alert(s) still to deliver` : ''),
    );
    this.scheduler.start();
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      this.timers.push(timer);
    };
    every(1_000, () => void this.outbox.pump());
    every(FLUSH_EVERY_MS, () => {
      this.journal.flush();
      this.journal.write(() => this.store.setMeta('heartbeat', String(this.now())));
    });
    every(TICK_EVERY_MS, () => this.remind());
    every(ROLLUP_EVERY_MS, () => this.journal.write(() => this.store.rollUp()));
    every(SLO_EVERY_MS, () => this.evaluateSlos());
    every(PRUNE_EVERY_MS, () => this.prune());
    this.journal.write(() => this.store.setMeta('heartbeat', String(this.now())));
    this.prune();
  }

  /** Stops scheduling, waits for runs in flight (bounded), delivers what it can, closes storage. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.scheduler.stop();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.options.config.monitor.shutdownTimeout);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.log('checks still running at the shutdown bound: stopped, their attempts are not recorded');
      this.shutdown.abort();
    }
    await this.outbox.pump();
    if (!this.journal.flush()) this.log(`${this.journal.waiting} record(s) could not be written before exit`);
    else this.journal.write(() => this.store.rollUp());
    this.store.close();
  }

  /** Writes what the disk refused earlier; true when nothing is left waiting. */
  flush(): boolean {
    return this.journal.flush();
  }

  /** Records waiting in memory for the disk. */
  get unwritten(): number {
    return this.journal.waiting;
  }

  /** Every check once, now (health-monitor.sh once); then the alerts they raised. */
  async runAllOnce(): Promise<RunRecord[]> {
    const records = await Promise.all(this.checks.map((check) => this.runCheck(check, performance.now())));
    await this.outbox.pump();
    this.journal.flush();
    return records;
  }

  /** One run of a check: attempts (with retries), state, incidents, alerts, stored together. */
  runCheck(check: ResolvedCheck, due: number): Promise<RunRecord> {
    const run = this.runCheckNow(check, due);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  private runCheckNow(check: ResolvedCheck, due: number): Promise<RunRecord> {
    const slot = isBrowserCheck(check) ? this.browserSlot : this.httpSlots;
    return slot(async () => {
      // Queued behind the slot when the monitor began to stop: not started at all.
      if (this.stopping) return { check, attempts: [], state: this.stateOf(check.name), events: [] };
      this.scheduler.started(due);
      const attempts = await this.attempt(check);
      const final = attempts[attempts.length - 1] as Attempt;
      const previous = this.stateOf(check.name);
      // A failure that ends while the monitor stops is not trusted: on a signal the browsers
      // are closed under the journeys. It is in flight, and not recorded.
      if (this.stopping && final.outcome === 'fail') {
        this.log(`${check.name}: run ended failing while stopping (${final.message}): not recorded`);
        return { check, attempts, state: previous, events: [] };
      }
      let state = previous;
      let events: AlertEvent[] = [];
      if (final.maintenance === undefined && !final.offline) {
        ({ state, events } = advance(
          previous,
          { outcome: final.outcome, at: final.startedAt, message: final.message ?? '' },
          check.incidents,
          (at) => `${check.name}@${at}`,
        ));
        if (state.last !== previous.last)
          this.log(
            `${check.name}: ${previous.last} → ${state.last}${final.message ? ` (${final.message})` : ''}`,
          );
      }
      this.states.set(check.name, state);
      const deliveries = this.deliveriesFor(check, events);
      for (const e of events) this.log(`${check.name}: incident ${e.incident.id} ${e.type} (${e.message})`);
      this.journal.write(() => this.store.recordRun(attempts, state, events, deliveries));
      this.outbox.add(deliveries);
      if (deliveries.length) void this.outbox.pump();
      const record = { check, attempts, state, events };
      this.options.onRun?.(record);
      return record;
    });
  }

  private async attempt(check: ResolvedCheck): Promise<Attempt[]> {
    const runStartedAt = this.now();
    const runId = `${check.name}@${runStartedAt}`;
    const attempts: Attempt[] = [];
    for (let n = 1; ; n++) {
      const startedAt = this.now();
      const result = await this.probe(check);
      const attempt: Attempt = { check: check.name, runId, attempt: n, startedAt, ...result };
      attempts.push(attempt);
      if (result.outcome !== 'fail' || this.stopping) break;
      const delay = retryDelayMs(check.retry, n + 1, result.errorClass ?? 'internal');
      if (delay === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.stopping) break;
    }
    const final = attempts[attempts.length - 1] as Attempt;
    const window = maintenanceAt(this.options.config.monitor.maintenance, check.name, runStartedAt);
    if (window) for (const a of attempts) a.maintenance = window;
    else if (final.outcome === 'fail' && (final.errorClass === 'network' || final.errorClass === 'timeout'))
      if (!(await this.online())) {
        final.offline = true;
        final.message = `${final.message} — the monitor itself is offline (no canary answered): not counted, no alert`;
      }
    if (attempts.length > 1 && final.outcome !== 'fail')
      final.message = `${final.outcome === 'pass' ? 'passed' : 'degraded'} on attempt ${attempts.length} after ${attempts.length - 1} failed: ${attempts[0]?.message ?? ''}`;
    return attempts;
  }

  private async probe(check: ResolvedCheck): Promise<AttemptResult> {
    if (this.options.probe) return this.options.probe(check, this.shutdown.signal);
    if (!isBrowserCheck(check)) return probeHttp(check as HttpCheck, this.shutdown.signal);
    // Loaded on first use: Playwright's and Lighthouse's modules take ~170 MB a monitor of
    // HTTP checks does not need.
    const { probeBrowser } = await import('./probe-browser.ts');
    return probeBrowser(
      check as BrowserCheck,
      this.options.config,
      this.options.baseUrl,
      dirname(this.options.database),
      this.shutdown.signal,
    );
  }

  /** True when any canary answers (any HTTP status), or when there are none to ask. */
  private async online(): Promise<boolean> {
    const canaries = this.options.config.monitor.canary;
    if (!canaries.length) return true;
    const answers = await Promise.all(
      canaries.map(async (url) => {
        try {
          const res = await request(url, { method: 'HEAD', signal: AbortSignal.timeout(CANARY_TIMEOUT_MS) });
          await res.body.dump();
          return true;
        } catch {
          return false;
        }
      }),
    );
    return answers.some(Boolean);
  }

  private deliveriesFor(check: ResolvedCheck, events: readonly AlertEvent[]): Delivery[] {
    return this.deliveriesTo(
      check.channels,
      { check: check.name, group: check.group, type: check.type, target: check.target },
      events,
    );
  }

  private deliveriesTo(
    channels: readonly string[],
    context: AlertContext,
    events: readonly AlertEvent[],
  ): Delivery[] {
    const now = this.now();
    return events.flatMap((event) =>
      this.options.config.monitor.channels
        .filter((channel) => channels.includes(channel.name))
        .flatMap((channel): Delivery[] => {
          const payload = payloadFor(channel, event, context);
          if (payload === undefined) return [];
          return [
            {
              key: randomUUID(),
              incidentId: event.incident.id,
              check: context.check,
              channel: channel.name,
              event: event.type,
              payload,
              status: 'pending',
              attempts: 0,
              nextAt: now,
              createdAt: now,
            },
          ];
        }),
    );
  }

  /** Reminders of open incidents between runs (maintenance mutes them). */
  private remind(): void {
    const now = this.now();
    for (const check of this.checks) {
      const previous = this.states.get(check.name);
      if (!previous?.incident) continue;
      if (maintenanceAt(this.options.config.monitor.maintenance, check.name, now)) continue;
      const { state, events } = tick(previous, now, check.incidents);
      if (!events.length) continue;
      this.states.set(check.name, state);
      const deliveries = this.deliveriesFor(check, events);
      this.journal.write(() => this.store.recordTick(check.name, state, events, deliveries));
      this.outbox.add(deliveries);
    }
  }

  /**
   * The SLOs' burn rates now, and their alerts: per alerting SLO and severity, a trigger when a
   * rule starts firing and a resolve when none fires (stored with the deliveries, as a run's
   * alerts are). Returns the statuses read (the caller may show them).
   */
  evaluateSlos(): SloStatus[] {
    const alerting = this.slos.filter((s) => s.alert);
    if (!alerting.length || this.stopping) return [];
    const now = this.now();
    let statuses: SloStatus[];
    try {
      statuses = sloStatuses(this.store, alerting, now, ['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    } catch (error) {
      this.log(
        `SLO burn rates could not be read (${(error as Error).message}): tried again in ${SLO_EVERY_MS / 1000} s`,
      );
      return [];
    }
    const channels = this.options.config.monitor.channels.map((c) => c.name);
    for (const { slo, firing, burn } of statuses) {
      for (const severity of ['page', 'ticket'] as const) {
        const key = sloAlertKey(slo.name, severity);
        const rule = firing.find((r) => r.severity === severity);
        const explain = (r: BurnRule) =>
          `SLO ${slo.name} (${describeSlo(slo)}) burns its error budget ${formatRate(burn[r.long])} over ${r.long} and ${formatRate(burn[r.short])} over ${r.short} (${severity} at ${r.burnRate}×: ${Math.round(r.budgetShare * 100)} % of a 30-day budget in ${r.long})`;
        const { state, events } = advanceSloAlert(
          this.sloAlerts.get(key) ?? {},
          key,
          severity,
          rule,
          now,
          explain,
        );
        if (!events.length) continue;
        this.sloAlerts.set(key, state);
        for (const e of events) this.log(`${key}: incident ${e.incident.id} ${e.type} (${e.message})`);
        const deliveries = this.deliveriesTo(
          channels,
          { check: key, group: slo.scope.group ?? 'slo', type: 'slo', target: describeSlo(slo) },
          events,
        );
        this.journal.write(() => this.store.recordSloAlert(key, state, events, deliveries));
        this.outbox.add(deliveries);
        void this.outbox.pump();
      }
    }
    return statuses;
  }

  private prune(): void {
    const { retentionDays, hourlyRetentionDays } = this.options.config.monitor;
    this.journal.write(() => this.store.prune(this.now(), retentionDays, hourlyRetentionDays));
  }
}

function formatRate(rate: number | undefined): string {
  return `${(rate ?? 0) >= 100 ? Math.round(rate ?? 0) : (rate ?? 0).toFixed(1)}×`;
}
