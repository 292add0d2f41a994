/**
 * The open-model engine for arrival-rate executors, on undici. Hand-written because no
 * maintained Node library schedules requests at a constant arrival rate (autocannon's
 * overallRate fires each second's quota in a burst). As wrk2 does, each iteration is released
 * at its intended time and its latency counts from that time (coordinated-omission safe);
 * the latency from the actual send is kept too. In flight are at most maxVUs requests; an
 * iteration due while all are busy waits in a backlog and is sent as soon as one frees,
 * measured from its intended time. What is still waiting when the scenario ends, or finds
 * the backlog full, is a dropped iteration, as in k6.
 * Paired mode (run.reference): the same schedule is split between the two deployments,
 * iteration i going to abbaSide(i); each side has its own pool (maxVUs in flight), backlog,
 * user tokens and recorder, and draws the same sequence of requests as the other.
 */
import { Pool } from 'undici';
import { classifyError } from '../../core/http-errors.ts';
import { abbaSide, type Side } from '../../core/paired.ts';
import { type Random, seededRandom } from '../../core/random.ts';
import { dispatch } from '../dispatch.ts';
import { watchGenerator } from '../generator-watch.ts';
import { failedCheck, isExpectedStatus, needsBody, prepare, weightedPicker } from '../mix.ts';
import { sideCapacity, tickSides } from '../paired.ts';
import { Recorder } from '../recorder.ts';
import { ms } from '../scenario.ts';
import { arrivalSchedule } from '../schedule.ts';
import { exchange } from './exchange.ts';
import { type Clock, type EngineResult, type EngineRun, realClock } from './types.ts';

const MAX_BACKLOG = 1_000_000;

/** One deployment's side of the run: where it sends, what it may have in flight, what it saw. */
interface Lane {
  side: Side;
  pool: Pool;
  prefix: string;
  tokens: string[];
  tokenTurn: number;
  random: Random;
  recorder: Recorder;
  maxInFlight: number;
  inFlight: number;
  backlog: number[];
  backlogHead: number;
}

export async function runOpenModel(run: EngineRun, clock: Clock = realClock): Promise<EngineResult> {
  const { scenario, signal } = run;
  if (scenario.executor !== 'constant-arrival-rate' && scenario.executor !== 'ramping-arrival-rate') {
    throw new Error(`the open model runs arrival-rate executors, not ${scenario.executor}`);
  }
  const share = run.share ?? { index: 0, of: 1 };
  const schedule = arrivalSchedule(scenario);
  const maxVUs = scenario.maxVUs ?? scenario.preAllocatedVUs;
  const timeoutMs = ms(scenario.timeout);
  const pick = weightedPicker(scenario.requests);
  const recorderFor = () => {
    const recorder = new Recorder();
    recorder.measureFromMs = run.measureFromMs ?? 0;
    return recorder;
  };
  // undici opens a connection only when every open one is busy: connections follow the need
  // (rate × latency, Little's law) up to this cap, not one per maxVU.
  const connectionCap = (maxInFlight: number) =>
    Math.max(1, Math.min(maxInFlight, run.maxConnections ?? maxInFlight));
  const lane = (side: Side, baseUrl: URL, tokens: string[], maxInFlight: number): Lane => ({
    side,
    pool: new Pool(baseUrl.origin, {
      connections: connectionCap(maxInFlight),
      pipelining: 1,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: Math.min(timeoutMs, 10_000),
    }),
    prefix: baseUrl.pathname.replace(/\/$/, ''),
    tokens,
    tokenTurn: share.index,
    // The same seed on both sides: each sends the same sequence of requests.
    random: seededRandom(run.seed ?? 1 + share.index),
    recorder: recorderFor(),
    maxInFlight: connectionCap(maxInFlight),
    inFlight: 0,
    backlog: [],
    backlogHead: 0,
  });
  const lanes: Lane[] = run.reference
    ? [
        lane('base', run.baseUrl, run.tokens, sideCapacity(maxVUs, 'base', share)),
        lane(
          'reference',
          run.reference.baseUrl,
          run.reference.tokens,
          sideCapacity(maxVUs, 'reference', share),
        ),
      ]
    : [lane('base', run.baseUrl, run.tokens, Math.max(1, Math.ceil(maxVUs / share.of)))];
  const [base, reference] = lanes as [Lane, Lane | undefined];
  const laneOf = (index: number): Lane => (reference && abbaSide(index) === 'reference' ? reference : base);
  const requestCount = () => lanes.reduce((n, l) => n + l.recorder.requestCount, 0);
  const start = clock.now();
  const elapsed = () => clock.now() - start;
  let stoppedBy: string | undefined;
  /** Set when the schedule is over (or stopped): waiting iterations are dropped, not started. */
  let draining = false;
  let closing = false;
  const pending = new Set<Promise<void>>();
  let idle: (() => void) | undefined;

  async function send(lane: Lane, intendedMs: number): Promise<void> {
    const { recorder, random, tokens } = lane;
    const prepared = prepare(pick(random()), random);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'pitchey-perf load' };
    if (prepared.body !== undefined) headers['content-type'] = 'application/json';
    if (prepared.spec.auth && tokens.length)
      headers.authorization = `Bearer ${tokens[lane.tokenTurn++ % tokens.length]}`;
    const sentMs = elapsed();
    run.onSend?.(sentMs);
    try {
      const res = await exchange(
        lane.pool,
        { method: prepared.method, path: lane.prefix + prepared.path, headers, body: prepared.body },
        needsBody(prepared.spec),
      );
      recorder.record({
        name: prepared.spec.name,
        intendedMs,
        sentMs,
        doneMs: elapsed(),
        status: res.status,
        expected: isExpectedStatus(prepared.spec, res.status),
        checkFailure: failedCheck(prepared.spec, res.status, res.body),
        bytes: res.bytes,
      });
    } catch (error) {
      // Cut off by our own stop after gracefulStop: an interrupted iteration, not a failure.
      if (closing) {
        recorder.dropped++;
        return;
      }
      recorder.record({
        name: prepared.spec.name,
        intendedMs,
        sentMs,
        doneMs: elapsed(),
        error: classifyError(error),
        expected: false,
        checkFailure: (error as Error).message,
        bytes: 0,
      });
    }
  }

  function launch(lane: Lane, intendedMs: number): void {
    lane.inFlight++;
    const sending = send(lane, intendedMs).finally(() => {
      pending.delete(sending);
      lane.inFlight--;
      if (lane.backlogHead < lane.backlog.length && !draining)
        launch(lane, lane.backlog[lane.backlogHead++] as number);
      else if (lanes.every((l) => l.inFlight === 0)) idle?.();
    });
    pending.add(sending);
  }

  const onAbort = () => {
    stoppedBy ??= 'interrupted';
  };
  const watch = watchGenerator();
  signal.addEventListener('abort', onAbort);
  try {
    await dispatch({
      schedule,
      share,
      clock,
      start,
      shouldStop: () => stoppedBy !== undefined || signal.aborted,
      onDue(intendedMs, index) {
        const lane = laneOf(index);
        if (lane.inFlight < lane.maxInFlight) {
          watch.dispatched(elapsed() - intendedMs);
          launch(lane, intendedMs);
        } else if (lane.backlog.length - lane.backlogHead < MAX_BACKLOG) lane.backlog.push(intendedMs);
        else lane.recorder.dropped++;
      },
      onTick(now) {
        run.progress?.(requestCount(), Math.ceil(schedule.total / share.of));
        stoppedBy ??= tickSides(run.onTick, lanes, now);
      },
    });
    // No new iteration starts after the schedule; what is in flight gets gracefulStop to end.
    draining = true;
    const grace = ms(scenario.gracefulStop);
    if (lanes.some((l) => l.inFlight > 0)) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        idle = resolve;
        timer = setTimeout(resolve, grace);
      });
      clearTimeout(timer);
    }
    for (const l of lanes) l.recorder.dropped += l.backlog.length - l.backlogHead;
    run.progress?.(requestCount(), Math.ceil(schedule.total / share.of));
    const elapsedMs = Math.min(elapsed(), schedule.durationMs + grace);
    return {
      recorder: base.recorder,
      elapsedMs,
      stoppedBy,
      generator: watch.stop(),
      ...(reference ? { reference: { recorder: reference.recorder, elapsedMs } } : {}),
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
    closing = true;
    await Promise.all(lanes.map((l) => l.pool.destroy()));
    // Requests the pool cut off settle (as dropped) before the recorder is handed over.
    await Promise.allSettled([...pending]);
  }
}
