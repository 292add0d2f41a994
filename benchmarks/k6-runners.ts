/**
 * `npm run bench:k6-merge [-- --requests 1000000 --runners 8]`: what merging k6-operator runners
 * costs (load:k6-import with several files). Writes `--runners` gzipped `--out json` files for
 * `--requests` requests in all, as k6 writes them (per request the http_req_* trends, http_reqs,
 * http_req_failed, data_sent/received, iterations, iteration_duration, checks; vus gauges each
 * second; k6's tags plus instance_id, testrun_name, run_id, runners), then times the merged import
 * (median of 3, each in a fresh process, for its peak RSS) against the least work a reader can
 * do on the same files: gunzip and count lines (Node's zlib, and `zcat | wc -l`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import { seededRandom } from '../core/random.ts';
import { readK6Runners } from '../load/k6/runners.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '1000000' },
    runners: { type: 'string', default: '8' },
    /** Internal: import these files once and print {ms, points, maxRssKiB} (one timed run). */
    'import-once': { type: 'boolean', default: false },
  },
});

if (values['import-once']) {
  const start = performance.now();
  const merged = await readK6Runners(positionals);
  const ms = performance.now() - start;
  const reqs = merged.items[0]?.metrics.http_reqs;
  console.log(
    JSON.stringify({
      ms,
      requests: reqs?.type === 'counter' ? reqs.total : 0,
      maxRssKiB: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
}

const REQUESTS = Number(values.requests);
const RUNNERS = Number(values.runners);
const RATE = 1000; // requests per second over all runners: a 1,000,000-request run lasts ~17 min
const START_MS = Date.parse('2026-11-02T10:00:00Z');
const MIX = [
  { name: 'pitches', method: 'GET', path: '/api/pitches', bytes: 18_000 },
  { name: 'pitch', method: 'GET', path: '/api/pitches/42', bytes: 4_200 },
  { name: 'trending', method: 'GET', path: '/api/pitches/trending', bytes: 9_800 },
  { name: 'login', method: 'POST', path: '/api/auth/login', bytes: 650 },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Go's time.RFC3339Nano, as k6 writes it: nanoseconds with trailing zeros trimmed. */
function rfc3339Nano(ms: number, nanos: number): string {
  const iso = new Date(Math.floor(ms)).toISOString(); // …T10:00:00.123Z
  const fraction = `${iso.slice(20, 23)}${String(nanos).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

const point = (metric: string, time: string, value: number, tags: string) =>
  `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}\n`;

const METRICS: [string, string, string][] = [
  ['http_reqs', 'counter', 'default'],
  ['http_req_duration', 'trend', 'time'],
  ['http_req_blocked', 'trend', 'time'],
  ['http_req_connecting', 'trend', 'time'],
  ['http_req_tls_handshaking', 'trend', 'time'],
  ['http_req_sending', 'trend', 'time'],
  ['http_req_waiting', 'trend', 'time'],
  ['http_req_receiving', 'trend', 'time'],
  ['http_req_failed', 'rate', 'default'],
  ['data_sent', 'counter', 'data'],
  ['data_received', 'counter', 'data'],
  ['iteration_duration', 'trend', 'time'],
  ['iterations', 'counter', 'default'],
  ['checks', 'rate', 'default'],
  ['vus', 'gauge', 'default'],
  ['vus_max', 'gauge', 'default'],
];

/** One runner's file: its share of the requests (every RUNNERS-th), as k6 would write it. */
async function writeRunner(path: string, instance: number): Promise<{ bytes: number; lines: number }> {
  const random = seededRandom(instance);
  const gzip = createGzip();
  const done = new Promise<void>((resolve, reject) => {
    gzip.pipe(createWriteStream(path)).on('finish', resolve).on('error', reject);
  });
  const run = `"instance_id":"${instance}","testrun_name":"pitchey-breakpoint","run_id":"20261102-1000","runners":"${RUNNERS}"`;
  let bytes = 0;
  let lines = 0;
  let chunk = METRICS.map(
    ([name, type, contains]) =>
      `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${name}"}\n`,
  ).join('');
  lines += METRICS.length;
  let second = -1;
  for (let i = instance - 1; i < REQUESTS; i += RUNNERS) {
    const ms = START_MS + (i / RATE) * 1000;
    const time = rfc3339Nano(ms, Math.floor(random() * 1e6));
    const r = MIX[i % MIX.length] as (typeof MIX)[number];
    const failed = random() < 0.002;
    const waiting = 2 + random() * 40 + (random() < 0.01 ? random() * 400 : 0);
    const tags = `{"expected_response":"${!failed}","group":"","method":"${r.method}","name":"${r.name}","proto":"HTTP/1.1","scenario":"average-load","status":"${failed ? 503 : 200}","tls_version":"","url":"http://api.pitchey.test${r.path}",${run}}`;
    const iterTags = `{"group":"","scenario":"average-load",${run}}`;
    const sending = random() * 0.05;
    const receiving = random() * 0.5;
    const round = (n: number) => Math.round(n * 1e6) / 1e6;
    if (Math.floor(ms / 1000) !== second) {
      second = Math.floor(ms / 1000);
      chunk += point('vus', time, 50, `{${run}}`) + point('vus_max', time, 100, `{${run}}`);
      lines += 2;
    }
    chunk +=
      point('http_reqs', time, 1, tags) +
      point('http_req_duration', time, round(sending + waiting + receiving), tags) +
      point('http_req_blocked', time, round(random() * 0.01), tags) +
      point('http_req_connecting', time, 0, tags) +
      point('http_req_tls_handshaking', time, 0, tags) +
      point('http_req_sending', time, round(sending), tags) +
      point('http_req_waiting', time, round(waiting), tags) +
      point('http_req_receiving', time, round(receiving), tags) +
      point('http_req_failed', time, failed ? 1 : 0, tags) +
      point('data_sent', time, 180, iterTags) +
      point('data_received', time, r.bytes, iterTags) +
      point('iteration_duration', time, round(sending + waiting + receiving + 0.2), iterTags) +
      point('iterations', time, 1, iterTags) +
      point(
        'checks',
        time,
        failed ? 0 : 1,
        `{"check":"status is 2xx","group":"","scenario":"average-load",${run}}`,
      );
    lines += 14;
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  gzip.end(chunk);
  await done;
  return { bytes, lines };
}

/** The floor: gunzip every file and count its newlines, nothing else (Node's zlib). */
async function gunzipAndCount(files: string[]): Promise<number> {
  let lines = 0;
  for (const file of files) {
    for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    }
  }
  return lines;
}

function zcatWcL(files: string[]): number | undefined {
  try {
    return Number(
      execFileSync('sh', ['-c', 'zcat "$@" | wc -l', 'sh', ...files], { encoding: 'utf8' }).trim(),
    );
  } catch {
    return undefined;
  }
}

const timed = async <T>(run: () => Promise<T> | T): Promise<[T, number]> => {
  const start = performance.now();
  const result = await run();
  return [result, performance.now() - start];
};

const dir = await mkdtemp(join(tmpdir(), 'bench-k6-merge-'));
try {
  const files = Array.from({ length: RUNNERS }, (_, i) => join(dir, `runner-${i + 1}.ndjson.gz`));
  const [written, buildMs] = await timed(() => Promise.all(files.map((f, i) => writeRunner(f, i + 1))));
  const raw = written.reduce((n, w) => n + w.bytes, 0);
  const lines = written.reduce((n, w) => n + w.lines, 0);
  const gz = (await Promise.all(files.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);
  const mb = (n: number) => n / 1e6;
  console.log(
    `${RUNNERS} runner files, ${REQUESTS.toLocaleString('en-US')} requests, ${lines.toLocaleString('en-US')} lines: ${mb(raw).toFixed(0)} MB NDJSON, ${mb(gz).toFixed(0)} MB gzipped (written in ${(buildMs / 1000).toFixed(0)} s)`,
  );

  const self = fileURLToPath(import.meta.url);
  const runs: { ms: number; requests: number; maxRssKiB: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--import-once', ...files], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`the merged import failed: ${child.stderr}`);
    runs.push(JSON.parse(child.stdout.trim().split('\n').at(-1) as string));
  }
  if (runs.some((r) => r.requests !== REQUESTS))
    throw new Error(`merged ${runs.map((r) => r.requests).join(', ')} requests, not ${REQUESTS}`);
  const s = median(runs.map((r) => r.ms)) / 1000;
  const peak = Math.max(...runs.map((r) => r.maxRssKiB)) / 1024;
  console.log(
    `merged import (read, check, merge, items): median ${s.toFixed(1)} s of 3; ${(lines / s / 1e6).toFixed(2)} M points/s, ${(mb(raw) / s).toFixed(0)} MB/s NDJSON, ${(mb(gz) / s).toFixed(1)} MB/s gzipped; peak RSS ${peak.toFixed(0)} MB`,
  );

  const floors: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [counted, ms] = await timed(() => gunzipAndCount(files));
    if (counted !== lines) throw new Error(`counted ${counted} lines, wrote ${lines}`);
    floors.push(ms);
  }
  const floor = median(floors) / 1000;
  console.log(
    `floor, Node gunzip + newline count: median ${floor.toFixed(1)} s of 3 (${(mb(raw) / floor).toFixed(0)} MB/s); the import takes ${(s / floor).toFixed(1)}×`,
  );
  const [zcat, zcatMs] = await timed(() => zcatWcL(files));
  if (zcat === undefined) console.log('floor, zcat | wc -l: not available here');
  else
    console.log(
      `floor, zcat | wc -l: ${(zcatMs / 1000).toFixed(1)} s (${zcat === lines ? 'same line count' : `${zcat} lines?`}); the import takes ${(s / (zcatMs / 1000)).toFixed(1)}×`,
    );
} finally {
  await rm(dir, { recursive: true, force: true });
}
