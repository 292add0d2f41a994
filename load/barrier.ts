/**
 * A start barrier for the shares of a distributed run, as k6-operator's starter un-pauses its
 * runners: every share logs in, then waits here; once all N have arrived, each is told to start
 * in `leadMs`. The reply is relative (start in X ms), not an epoch, so the shares' clocks need
 * not agree: they start within the time the replies take to travel (milliseconds in a cluster).
 * An Indexed Job's share 0 serves it; `load:merge --local-shares` serves it from the parent.
 * Written by hand: a few lines of HTTP long-poll, which no barrier library here does with the
 * bounded wait and the named missing shares a run needs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { PerfError } from '../core/errors.ts';

export class BarrierError extends PerfError {}

/** Time between a full barrier and the start: the replies reach every share first. */
export const BARRIER_LEAD_MS = 2_000;
/** How long shares wait for the others by default (pods scheduled, images pulled). */
export const BARRIER_TIMEOUT_MS = 10 * 60_000;
const RETRY_MS = 500;

export interface BarrierServer {
  /** The address to give the shares, e.g. http://127.0.0.1:7777. */
  url: string;
  /** Resolves once every share has been released; rejects on the timeout. */
  released: Promise<void>;
  close(): Promise<void>;
}

export interface BarrierOptions {
  parties: number;
  host?: string;
  port?: number;
  leadMs?: number;
  timeoutMs?: number;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}

/** Shares 0…n-1 not in `arrived`, for the messages. */
function missing(arrived: Set<number>, parties: number): number[] {
  return Array.from({ length: parties }, (_, i) => i).filter((i) => !arrived.has(i));
}

/** Why a request cannot wait at the barrier, if it cannot. */
function refusal(url: URL, parties: number, state: string): { status: number; error: string } | undefined {
  const share = url.searchParams.get('share');
  const of = url.searchParams.get('of');
  const party = Number(share);
  if (url.pathname !== '/ready') return { status: 404, error: 'the barrier answers /ready only' };
  if (Number(of) !== parties)
    return {
      status: 409,
      error: `share ${share} was started as one of ${of}, this barrier waits for ${parties}: give every share the same SHARES`,
    };
  if (!Number.isInteger(party) || party < 0 || party >= parties)
    return { status: 400, error: `share ${share} is not one of 0…${parties - 1}` };
  if (state !== 'open')
    return { status: 410, error: `the barrier has ${state}: share ${party} came too late` };
  return undefined;
}

/** Serves the barrier for `parties` shares; closes itself once they are released or on the timeout. */
export async function serveBarrier(options: BarrierOptions): Promise<BarrierServer> {
  const { parties, leadMs = BARRIER_LEAD_MS, timeoutMs = BARRIER_TIMEOUT_MS } = options;
  // One held reply per share: a share that retries after a dropped connection replaces its own.
  const waiting = new Map<number, ServerResponse>();
  let state: 'open' | 'released' | 'timed out' = 'open';
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const released = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  released.catch(() => {}); // the caller may only look at the shares' side

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://barrier');
    const party = Number(url.searchParams.get('share'));
    const refused = refusal(url, parties, state);
    if (refused) {
      reply(res, refused.status, { error: refused.error });
      return;
    }
    waiting.get(party)?.destroy();
    waiting.set(party, res);
    res.once('close', () => {
      if (!res.writableFinished && waiting.get(party) === res) waiting.delete(party);
    });
    if (waiting.size === parties) {
      state = 'released';
      clearTimeout(timer);
      for (const held of waiting.values()) reply(held, 200, { startInMs: leadMs });
      waiting.clear();
      settle?.resolve();
      void close();
    }
  };

  const server = createServer(handle);
  const timer = setTimeout(() => {
    state = 'timed out';
    const absent = missing(new Set(waiting.keys()), parties);
    const error = `waited ${Math.round(timeoutMs / 1000)} s: ${waiting.size} of ${parties} shares arrived, missing share ${absent.join(', ')}`;
    for (const held of waiting.values()) reply(held, 504, { error });
    waiting.clear();
    settle?.reject(new BarrierError(`start barrier: ${error}`));
    void close();
  }, timeoutMs);
  const close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(timer);
      for (const held of waiting.values()) held.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new BarrierError(`cannot serve the start barrier on port ${options.port ?? 0}: ${error.message}`),
      ),
    );
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    released,
    close,
  };
}

export interface JoinOptions {
  url: string;
  share: number;
  of: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Waits at the barrier; resolves with the epoch (this machine's clock) at which to start.
 * Until the barrier answers (share 0's pod not yet up, its name not yet in DNS) it retries every
 * half second, up to the timeout: shares start in any order.
 */
export async function joinBarrier(options: JoinOptions): Promise<number> {
  const { share, of, timeoutMs = BARRIER_TIMEOUT_MS, signal } = options;
  const deadline = Date.now() + timeoutMs;
  const target = new URL('/ready', options.url);
  target.searchParams.set('share', String(share));
  target.searchParams.set('of', String(of));
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    try {
      const res = await request(target, {
        headersTimeout: remaining,
        bodyTimeout: remaining,
        ...(signal ? { signal } : {}),
      });
      const body = (await res.body.json()) as { startInMs?: number; error?: string };
      if (res.statusCode === 200 && typeof body.startInMs === 'number') return Date.now() + body.startInMs;
      throw new BarrierError(`start barrier ${options.url}: ${body.error ?? `answered ${res.statusCode}`}`);
    } catch (error) {
      if (error instanceof BarrierError || signal?.aborted) throw error;
      // Not up yet, or the connection dropped: ask again (the barrier keeps one reply per share).
      lastProblem = (error as Error).message;
      await sleep(Math.min(RETRY_MS, Math.max(0, deadline - Date.now())));
    }
  }
  throw new BarrierError(
    `start barrier ${options.url}: no start after ${Math.round(timeoutMs / 1000)} s (last: ${lastProblem}): is share 0 running, and the barrier Service in place?`,
  );
}
