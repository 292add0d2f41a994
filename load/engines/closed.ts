/**
 * The closed-model engine for VU executors, on autocannon: each VU is a connection that sends
 * its next request when the last answer arrives. Latency is recorded here in integer µs from
 * autocannon's `response` event (its own histogram has 1 ms resolution and no P95); its
 * coordinated-omission "correction" (a 1 ms interval whatever the rate) never applies, since
 * no rate is set.
 * ramping-vus runs as steps of constant VUs (autocannon cannot change connections mid-run).
 * autocannon's error events do not say which request failed: errors are filed under "(error)".
 * Paired mode (run.reference): each step runs as four ABBA slices (base, reference, reference,
 * base), each with a quarter of the step's iterations or duration, into each side's recorder.
 */
import autocannon from 'autocannon';
import type { Side } from '../../core/paired.ts';
import { type Random, seededRandom } from '../../core/random.ts';
import {
  failedCheck,
  isExpectedStatus,
  needsBody,
  type PreparedRequest,
  prepare,
  weightedPicker,
} from '../mix.ts';
import { abbaSlices, tickSides } from '../paired.ts';
import { Recorder } from '../recorder.ts';
import { ms, type Scenario } from '../scenario.ts';
import { type Clock, type EngineResult, type EngineRun, realClock } from './types.ts';

export interface Step {
  vus: number;
  durationMs: number;
  /** per-vu-iterations: the total requests of the step (autocannon's `amount`). */
  amount?: number;
}

/** The scenario as steps of constant VUs (pure). */
export function vuSteps(scenario: Scenario): Step[] {
  switch (scenario.executor) {
    case 'constant-vus':
      return [{ vus: scenario.vus, durationMs: ms(scenario.duration) }];
    case 'per-vu-iterations':
      return [
        {
          vus: scenario.vus,
          durationMs: ms(scenario.maxDuration),
          amount: scenario.vus * scenario.iterations,
        },
      ];
    case 'ramping-vus': {
      const steps: Step[] = [];
      let from = scenario.startVUs;
      for (const stage of scenario.stages) {
        const length = ms(stage.duration);
        const count = Math.max(1, Math.min(10, Math.round(length / 1000)));
        for (let k = 0; k < count; k++) {
          steps.push({
            vus: Math.round(from + ((stage.target - from) * (k + 0.5)) / count),
            durationMs: length / count,
          });
        }
        from = stage.target;
      }
      return steps;
    }
    default:
      throw new Error(`the closed model runs VU executors, not ${scenario.executor}`);
  }
}

interface RequestContext {
  current?: PreparedRequest;
  checkFailure?: string;
}

interface ClientLike {
  requestIterator?: { context?: RequestContext };
}

/** autocannon's sample interval in paired mode, which bounds how late a slice ends. */
const PAIRED_SAMPLE_MS = 25;

/** One deployment's side of the run. */
interface Lane {
  side: Side;
  url: URL;
  prefix: string;
  tokens: string[];
  tokenTurn: number;
  random: Random;
  recorder: Recorder;
  /** Time spent on this side's slices (paired mode). */
  activeMs: number;
}

export async function runClosedModel(run: EngineRun, clock: Clock = realClock): Promise<EngineResult> {
  const { scenario, signal } = run;
  const steps = vuSteps(scenario);
  const share = run.share ?? { index: 0, of: 1 };
  const pick = weightedPicker(scenario.requests);
  const timeoutMs = ms(scenario.timeout);
  const lane = (side: Side, url: URL, tokens: string[]): Lane => ({
    side,
    url,
    prefix: url.pathname.replace(/\/$/, ''),
    tokens,
    tokenTurn: share.index,
    // The same seed on both sides: each sends the same sequence of requests.
    random: seededRandom(run.seed ?? 1 + share.index),
    recorder: new Recorder(),
    activeMs: 0,
  });
  const lanes: Lane[] = [lane('base', run.baseUrl, run.tokens)];
  if (run.reference) lanes.push(lane('reference', run.reference.baseUrl, run.reference.tokens));
  const [base, reference] = lanes as [Lane, Lane | undefined];
  const requestCount = () => lanes.reduce((n, l) => n + l.recorder.requestCount, 0);
  const start = clock.now();
  const elapsed = () => clock.now() - start;
  let stoppedBy: string | undefined;
  const total = steps.reduce((n, s) => n + (s.amount ?? 0), 0);
  const bodiesNeeded = scenario.requests.some(needsBody);

  const runStep = (step: Step, lane: Lane) =>
    new Promise<void>((resolve, reject) => {
      const { recorder, random, tokens } = lane;
      const vus = Math.max(1, Math.round(step.vus / share.of));
      const amount = step.amount ? Math.ceil(step.amount / share.of) : undefined;
      const instance = autocannon(
        {
          url: lane.url.origin,
          // autocannon refuses more connections than requests, which a short slice may have.
          connections: reference && amount ? Math.min(vus, amount) : vus,
          ...(amount ? { amount } : { duration: step.durationMs / 1000 }),
          // autocannon ends a run only on its sample tick (every 1 s by default), sending on until
          // then: short slices would overrun their duration, or idle up to a second.
          ...(reference ? { sampleInt: PAIRED_SAMPLE_MS } : {}),
          timeout: Math.max(1, Math.round(timeoutMs / 1000)),
          // No connectionRate/overallRate: autocannon's CO "correction" applies only with one
          // (and it refuses ignoreCoordinatedOmission without one), so it is off here.
          requests: [
            {
              setupRequest: (request, context) => {
                const ctx = context as RequestContext;
                const prepared = prepare(pick(random()), random);
                ctx.current = prepared;
                const headers: Record<string, string> = {
                  accept: 'application/json',
                  'user-agent': 'pitchey-perf load',
                };
                if (prepared.body !== undefined) headers['content-type'] = 'application/json';
                if (prepared.spec.auth && tokens.length)
                  headers.authorization = `Bearer ${tokens[lane.tokenTurn++ % tokens.length]}`;
                return {
                  ...request,
                  method: prepared.method,
                  path: lane.prefix + prepared.path,
                  headers,
                  body: prepared.body,
                };
              },
              // autocannon keeps every body once onResponse is set: only when a check reads one.
              ...(bodiesNeeded
                ? {
                    onResponse: (status: number, body: string, context: object) => {
                      const ctx = context as RequestContext;
                      ctx.checkFailure = ctx.current && failedCheck(ctx.current.spec, status, body);
                    },
                  }
                : {}),
            },
          ],
        },
        (error) => (error ? reject(error) : resolve()),
      );
      const stopTimer = step.amount ? setTimeout(() => instance.stop(), step.durationMs) : undefined;
      const ticker = setInterval(() => {
        run.progress?.(requestCount(), total);
        stoppedBy ??= tickSides(run.onTick, lanes, elapsed());
        if (stoppedBy) instance.stop();
      }, 1000);
      const onAbort = () => {
        stoppedBy ??= 'interrupted';
        instance.stop();
      };
      signal.addEventListener('abort', onAbort);
      (instance as unknown as NodeJS.EventEmitter).on(
        'response',
        (client: ClientLike, status: number, bytes: number, responseTime: number) => {
          const ctx = client.requestIterator?.context;
          const spec = ctx?.current?.spec;
          const doneMs = elapsed();
          recorder.record({
            name: spec?.name ?? '(unknown)',
            intendedMs: doneMs - responseTime,
            sentMs: doneMs - responseTime,
            doneMs,
            status,
            expected: spec ? isExpectedStatus(spec, status) : status < 400,
            checkFailure: bodiesNeeded ? ctx?.checkFailure : spec && failedCheck(spec, status, ''),
            bytes,
          });
        },
      );
      (instance as unknown as NodeJS.EventEmitter).on('reqError', (error: Error) => {
        const timeout = /timed out/.test(error.message);
        const doneMs = elapsed();
        recorder.record({
          name: '(error)',
          intendedMs: timeout ? doneMs - timeoutMs : doneMs,
          sentMs: timeout ? doneMs - timeoutMs : doneMs,
          doneMs,
          error: timeout ? 'timeout' : 'network',
          expected: false,
          checkFailure: error.message,
          bytes: 0,
        });
      });
      (instance as unknown as NodeJS.EventEmitter).once('done', () => {
        clearInterval(ticker);
        if (stopTimer) clearTimeout(stopTimer);
        signal.removeEventListener('abort', onAbort);
      });
    });

  const runSlice = async (step: Step, lane: Lane) => {
    const from = elapsed();
    if (step.vus === 0) await clock.sleep(step.durationMs);
    else await runStep(step, lane);
    lane.activeMs += elapsed() - from;
  };

  for (const step of steps) {
    if (stoppedBy || signal.aborted) break;
    if (!reference) {
      await runSlice(step, base);
      continue;
    }
    // per-vu-iterations: maxDuration bounds the whole step, all its slices together.
    const deadline = elapsed() + step.durationMs;
    for (const slice of abbaSlices(step)) {
      if (stoppedBy || signal.aborted) break;
      const durationMs = slice.amount ? deadline - elapsed() : slice.durationMs;
      if (durationMs <= 0) break;
      await runSlice({ ...slice, durationMs }, slice.side === 'base' ? base : reference);
    }
  }
  run.progress?.(requestCount(), total);
  return {
    recorder: base.recorder,
    elapsedMs: reference ? base.activeMs : elapsed(),
    stoppedBy: stoppedBy ?? (signal.aborted ? 'interrupted' : undefined),
    ...(reference ? { reference: { recorder: reference.recorder, elapsedMs: reference.activeMs } } : {}),
  };
}
