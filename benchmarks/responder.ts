/**
 * A minimal loopback HTTP responder for the load-generator benchmark (`npm run bench:load`),
 * run as its own process so it never shares an event loop (or, pinned, a core) with the
 * generator. Raw TCP with one canned keep-alive answer: no HTTP parser, so the generator is
 * what runs out of CPU first. Requests are GETs without a body, so each one ends at its
 * `\r\n\r\n`; counting terminators handles pipelined and split input alike.
 *
 *   --port N        (or RESPONDER_PORT, default 0: any free port); prints `listening <port>`
 *   --delay-ms N    (or RESPONDER_DELAY_MS, default 0): every answer waits N ms after its request
 *   GET /__stall?ms=N   answered at once; every other answer is held until N ms later
 *
 * Exits when its stdin closes (so it cannot outlive the benchmark that spawned it) and on
 * SIGTERM/SIGINT.
 */
import { createServer, type Socket } from 'node:net';

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok');
const STALL_RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Type: text/plain\r\n\r\nstalled',
);
const TERMINATOR = '\r\n\r\n';
/** A client that sends this much without a terminator is not one of ours. */
const MAX_HEAD = 64 * 1024;
/** Answers closer than this to their time are finished by polling, not by a timer (±1 ms). */
const SPIN_MS = 2;

function option(flag: string, env: string, fallback: number): number {
  const index = process.argv.indexOf(flag);
  const raw = index >= 0 ? process.argv[index + 1] : process.env[env];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} must be a number ≥ 0, got ${raw}`);
  return value;
}

const port = option('--port', 'RESPONDER_PORT', 0);
const delayMs = option('--delay-ms', 'RESPONDER_DELAY_MS', 0);
/** performance.now() until which every ordinary answer is held; 0 when no stall is on. */
let stallUntil = 0;

/** n canned answers in one buffer (one write per burst of pipelined requests). */
const batches: Buffer[] = [];
function answers(n: number): Buffer {
  let batch = batches[n];
  if (!batch) {
    batch = Buffer.concat(new Array<Buffer>(n).fill(RESPONSE));
    if (n <= 256) batches[n] = batch;
  }
  return batch;
}

interface Held {
  at: number;
  data: Buffer;
}

/**
 * Answers on one connection, in request order (HTTP/1.1 has no other): a FIFO of what is
 * held, drained by one timer per connection.
 */
class Connection {
  private queue: Held[] = [];
  private head = 0;
  private carry = '';
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.clear());
  }

  private onData(chunk: Buffer): void {
    // latin1 maps bytes 1:1, so a terminator split across chunks is found once joined.
    const text = this.carry + chunk.toString('latin1');
    let from = 0;
    let ordinary = 0;
    for (let end = text.indexOf(TERMINATOR); end !== -1; end = text.indexOf(TERMINATOR, from)) {
      const stallMs = stallRequest(text, from, end);
      if (stallMs === undefined) ordinary++;
      else {
        this.flushOrdinary(ordinary);
        ordinary = 0;
        this.send(STALL_RESPONSE, performance.now());
        stallUntil = performance.now() + stallMs;
      }
      from = end + TERMINATOR.length;
    }
    this.flushOrdinary(ordinary);
    this.carry = from === text.length ? '' : text.slice(from);
    if (this.carry.length > MAX_HEAD) this.socket.destroy();
  }

  private flushOrdinary(n: number): void {
    if (n === 0) return;
    // The fast path (no delay, no stall, nothing held) reads no clock.
    if (delayMs === 0 && stallUntil === 0 && this.head === this.queue.length) {
      this.socket.write(answers(n));
      return;
    }
    const now = performance.now();
    if (stallUntil !== 0 && stallUntil <= now) stallUntil = 0;
    this.send(answers(n), Math.max(now + delayMs, stallUntil));
  }

  private send(data: Buffer, at: number): void {
    if (this.head === this.queue.length && at <= performance.now()) {
      this.socket.write(data);
      return;
    }
    this.queue.push({ at, data });
    if (this.timer === undefined && this.immediate === undefined) this.wake();
  }

  /** Writes what is due, then sleeps until the next answer's time (polling the last ms). */
  private wake = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const now = performance.now();
    while (this.head < this.queue.length && (this.queue[this.head] as Held).at <= now) {
      this.socket.write((this.queue[this.head++] as Held).data);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      return;
    }
    // Timers fire up to ~1 ms late; the accuracy test wants the answer within 1 ms of its time.
    const wait = (this.queue[this.head] as Held).at - now;
    if (wait > SPIN_MS) this.timer = setTimeout(this.wake, wait - SPIN_MS);
    else this.immediate = setImmediate(this.wake);
  };

  private clear(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.queue = [];
    this.head = 0;
  }
}

/** The stall length if the request in text[from, end) is `GET /__stall?ms=N`, else undefined. */
function stallRequest(text: string, from: number, end: number): number | undefined {
  if (!text.startsWith('GET /__stall', from)) return undefined;
  const line = text.slice(from, Math.min(end, text.indexOf('\r\n', from)));
  const ms = Number(/[?&]ms=(\d+)/.exec(line)?.[1] ?? 0);
  return Math.min(ms, 60_000);
}

const server = createServer({ noDelay: true }, (socket) => new Connection(socket));

function shutdown(code: number): void {
  server.close();
  process.exit(code);
}

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the responder has no TCP port');
  process.stdout.write(`listening ${address.port}\n`);
});
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(130));
// A pipe's end means the parent is gone (even if it was killed): stop with it. A terminal's
// stdin never ends, so a responder started by hand runs until Ctrl-C.
process.stdin.on('end', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
process.stdin.resume();
