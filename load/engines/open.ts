/**
 * The open-model engine for arrival-rate executors, on undici. Hand-written because no
 * maintained Node library schedules requests at a constant arrival rate (autocannon's
 * overallRate fires each second's quota in a burst). As wrk2 does, each iteration is released
 * at its intended time and its latency counts from that time (coordinated-omission safe);
 * the latency from the actual send is kept too. In flight are at most maxVUs requests; an
 * iteration due while all are busy waits in a backlog and is sent as soon as one frees,
 * measured from its intended time. What is still waiting when the scenario ends, or finds
 * the backlog full, is a dropped iteration, as in k6.
 */
import { Pool } from 'undici';
import { classifyError } from '../../core/http-errors.ts';
import { seededRandom } from '../../target/random.ts';
import { dispatch } from '../dispatch.ts';
import { failedCheck, isExpectedStatus, needsBody, prepare, weightedPicker } from '../mix.ts';
import { Recorder } from '../recorder.ts';
import { ms } from '../scenario.ts';
import { arrivalSchedule } from '../schedule.ts';
import { exchange } from './exchange.ts';
import { type Clock, type EngineResult, type EngineRun, realClock } from './types.ts';

const MAX_BACKLOG = 1_000_000;

export async function runOpenModel(run: EngineRun, clock: Clock = realClock): Promise<EngineResult> {
  const { scenario, tokens, signal } = run;
  if (scenario.executor !== 'constant-arrival-rate' && scenario.executor !== 'ramping-arrival-rate') {
    throw new Error(`the open model runs arrival-rate executors, not ${scenario.executor}`);
  }
  const share = run.share ?? { index: 0, of: 1 };
  const schedule = arrivalSchedule(scenario);
  const maxInFlight = Math.max(1, Math.ceil((scenario.maxVUs ?? scenario.preAllocatedVUs) / share.of));
  const timeoutMs = ms(scenario.timeout);
  const pool = new Pool(run.baseUrl.origin, {
    connections: maxInFlight,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
  });
  const prefix = run.baseUrl.pathname.replace(/\/$/, '');
  const random = seededRandom(run.seed ?? 1 + share.index);
  const pick = weightedPicker(scenario.requests);
  const recorder = new Recorder();
  const start = clock.now();
  const elapsed = () => clock.now() - start;
  let tokenTurn = share.index;
  let inFlight = 0;
  const backlog: number[] = [];
  let backlogHead = 0;
  let stoppedBy: string | undefined;
  /** Set when the schedule is over (or stopped): waiting iterations are dropped, not started. */
  let draining = false;
  let closing = false;
  const pending = new Set<Promise<void>>();
  let idle: (() => void) | undefined;

  async function send(intendedMs: number): Promise<void> {
    const prepared = prepare(pick(random()), random);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'pitchey-perf load' };
    if (prepared.body !== undefined) headers['content-type'] = 'application/json';
    if (prepared.spec.auth && tokens.length)
      headers.authorization = `Bearer ${tokens[tokenTurn++ % tokens.length]}`;
    const sentMs = elapsed();
    run.onSend?.(sentMs);
    try {
      const res = await exchange(
        pool,
        { method: prepared.method, path: prefix + prepared.path, headers, body: prepared.body },
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

  function launch(intendedMs: number): void {
    inFlight++;
    const sending = send(intendedMs).finally(() => {
      pending.delete(sending);
      inFlight--;
      if (backlogHead < backlog.length && !draining) launch(backlog[backlogHead++] as number);
      else if (inFlight === 0) idle?.();
    });
    pending.add(sending);
  }

  const onAbort = () => {
    stoppedBy ??= 'interrupted';
  };
  signal.addEventListener('abort', onAbort);
  try {
    await dispatch({
      schedule,
      share,
      clock,
      start,
      shouldStop: () => stoppedBy !== undefined || signal.aborted,
      onDue(intendedMs) {
        if (inFlight < maxInFlight) launch(intendedMs);
        else if (backlog.length - backlogHead < MAX_BACKLOG) backlog.push(intendedMs);
        else recorder.dropped++;
      },
      onTick(now) {
        run.progress?.(recorder.requestCount, Math.ceil(schedule.total / share.of));
        stoppedBy ??= run.onTick?.(recorder, now);
      },
    });
    // No new iteration starts after the schedule; what is in flight gets gracefulStop to end.
    draining = true;
    const grace = ms(scenario.gracefulStop);
    if (inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        idle = resolve;
        timer = setTimeout(resolve, grace);
      });
      clearTimeout(timer);
    }
    recorder.dropped += backlog.length - backlogHead;
    run.progress?.(recorder.requestCount, Math.ceil(schedule.total / share.of));
    return { recorder, elapsedMs: Math.min(elapsed(), schedule.durationMs + grace), stoppedBy };
  } finally {
    signal.removeEventListener('abort', onAbort);
    closing = true;
    await pool.destroy();
    // Requests the pool cut off settle (as dropped) before the recorder is handed over.
    await Promise.allSettled([...pending]);
  }
}
