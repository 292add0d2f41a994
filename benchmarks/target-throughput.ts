/**
 * `npm run bench:target`: the embedded target's throughput ceiling, measured with wrk (the peer
 * every later load benchmark runs under). Loopback only, 10 s per case by default (BENCH_SECONDS).
 * Prints requests/s and latency per endpoint, with the cache on and off, and the ratios.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnTarget } from '../target/process.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LUA = fileURLToPath(new URL('./wrk-json.lua', import.meta.url));
const ENDPOINTS = ['/api/trending', '/api/pitches?status=published&page=2', '/api/pitches/42', '/health'];

interface WrkSummary {
  requests: number;
  durationUs: number;
  status: number;
  latencyUs: { p50: number; p90: number; p99: number; max: number };
}

function wrk(url: string): WrkSummary {
  const out = execFileSync('wrk', ['-t2', '-c50', `-d${SECONDS}s`, '-s', LUA, url], {
    encoding: 'utf8',
    timeout: (SECONDS + 30) * 1000,
  });
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary for ${url}:\n${out}`);
  return JSON.parse(line.slice('WRK_JSON '.length)) as WrkSummary;
}

try {
  execFileSync('wrk', ['-v'], { stdio: 'ignore' });
} catch (error) {
  // wrk -v exits 1 after printing its version; only a missing binary is a problem.
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error('wrk is not installed: apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)');
    process.exit(2);
  }
}

const rows: { endpoint: string; cache: string; rps: number; p50: number; p99: number; non2xx: number }[] = [];
for (const cacheOff of [false, true]) {
  const target = await spawnTarget({ faults: { cacheOff } });
  try {
    for (const endpoint of ENDPOINTS) {
      const s = wrk(`${target.url}${endpoint}`);
      rows.push({
        endpoint,
        cache: cacheOff ? 'off' : 'on',
        rps: s.requests / (s.durationUs / 1e6),
        p50: s.latencyUs.p50 / 1000,
        p99: s.latencyUs.p99 / 1000,
        non2xx: s.status,
      });
    }
  } finally {
    await target.stop();
  }
}

console.log(`wrk -t2 -c50 -d${SECONDS}s, loopback, target in its own process (node ${process.version})\n`);
console.log('endpoint                                cache    req/s     p50 ms   p99 ms  non-2xx');
for (const r of rows) {
  console.log(
    `${r.endpoint.padEnd(40)}${r.cache.padEnd(5)}${r.rps.toFixed(0).padStart(8)}${r.p50.toFixed(2).padStart(11)}${r.p99.toFixed(2).padStart(9)}${String(r.non2xx).padStart(9)}`,
  );
}
console.log('\ncache on / cache off (req/s):');
for (const endpoint of ENDPOINTS) {
  const on = rows.find((r) => r.endpoint === endpoint && r.cache === 'on');
  const off = rows.find((r) => r.endpoint === endpoint && r.cache === 'off');
  if (on && off) console.log(`  ${endpoint.padEnd(40)}${(on.rps / off.rps).toFixed(2)}×`);
}
