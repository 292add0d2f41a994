/**
 * Plain autocannon in a process of its own (so `npm run bench:load` can pin it to one core),
 * printing one `AUTOCANNON_JSON {...}` line. The argument is a JSON job:
 *
 *   { "url": "http://127.0.0.1:1234", "connections": 50, "seconds": 10,
 *     "overallRate"?: n,    autocannon's own rate limit (req/s over all connections)
 *     "sendWindowMs"?: n }  counts requests sent per window (each client's 'request' event)
 *
 * Without sendWindowMs no listener is attached: the throughput figure is autocannon's own.
 * Exits when its stdin closes, so it cannot outlive the benchmark that spawned it.
 */
import autocannon from 'autocannon';

export interface AutocannonJob {
  url: string;
  connections: number;
  seconds: number;
  overallRate?: number;
  sendWindowMs?: number;
}

export interface AutocannonFigures {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  errors: number;
  /** CPU seconds per second of the run (1 = one core busy all along). */
  cpu: number;
  sendCounts?: number[];
}

function run(job: AutocannonJob): Promise<AutocannonFigures> {
  const counts: number[] = [];
  const windowMs = job.sendWindowMs;
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const counter = (ms: number) => () => {
    const w = Math.floor((performance.now() - start) / ms);
    counts[w] = (counts[w] ?? 0) + 1;
  };
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.seconds,
        ...(job.overallRate ? { overallRate: job.overallRate } : {}),
        // The client emits 'request' right before each write; the instance does not relay it.
        ...(windowMs
          ? { setupClient: (client) => (client as NodeJS.EventEmitter).on('request', counter(windowMs)) }
          : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        const cpu = process.cpuUsage(cpuBefore);
        const elapsedMs = performance.now() - start;
        resolve({
          requests: result.requests.total,
          // `duration: 10` sometimes runs 11 s (measurement.md): divide by what it really ran.
          durationS: result.duration,
          requestsPerSecond: result.requests.total / result.duration,
          errors: result.errors,
          cpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
          ...(windowMs
            ? { sendCounts: Array.from({ length: counts.length }, (_, i) => counts[i] ?? 0) }
            : {}),
        });
      },
    );
  });
}

const raw = process.argv[2];
if (!raw) {
  console.error('usage: tsx benchmarks/autocannon-plain.ts \'{"url": …, "connections": 50, "seconds": 10}\'');
  process.exit(2);
}
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
try {
  const out = await run(JSON.parse(raw) as AutocannonJob);
  process.stdout.write(`AUTOCANNON_JSON ${JSON.stringify(out)}\n`);
  process.exit(0);
} catch (error) {
  console.error((error as Error).stack ?? error);
  process.exit(1);
}
