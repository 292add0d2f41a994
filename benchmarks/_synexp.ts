import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import type { Item, TrendMetric } from '../core/results.ts';
import { syntheticSuite } from '../synthetic/suite.ts';
import { spawnTarget } from '../target/process.ts';
import { setFaults } from './bench-run.ts';
import { startHogs } from './hogs.ts';
const config = await loadConfig('perf.config.ts');
const TOKEN = 'x';
const a = await spawnTarget({ adminToken: TOKEN, faults: {} });
const b = await spawnTarget({ adminToken: TOKEN, faults: {} });
const N = Number(process.argv[2] ?? 10);
const hogs = process.argv[3] === 'hogs' ? startHogs(2) : undefined;
try {
  for (const slow of (process.env.X_SLOW ?? "0,78").split(",").map(Number)) {
    await setFaults(a.url, TOKEN, { latency: [{ route: '/', ms: 200 + slow }] });
    await setFaults(b.url, TOKEN, { latency: [{ route: '/', ms: 200 }] });
    const t0 = performance.now();
    const out = await syntheticSuite.run({
      baseUrl: new URL(a.url), compareUrl: new URL(b.url),
      settings: { ...config.suites.synthetic, projects: ['desktop'], journeys: ['visitor'], iterations: N, settleMs: 250, reportDir: await mkdtemp(join(tmpdir(), 'x-')) },
      progress: { update() {} }, signal: new AbortController().signal,
    });
    const s = (items: Item[], m: string) => ((items.find((i) => /› home$/.test(i.name))?.metrics[m]) as TrendMetric).samples!.map((v) => Math.round(v));
    for (const m of ['page_load', 'ttfb', 'fcp', 'lcp']) {
      try { console.log(`slow+${slow} ${m} base ${s(out.items, m).join(',')} | ref ${s(out.reference!.items, m).join(',')}`); } catch { console.log(m, 'n/a'); }
    }
    console.log(`took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
} finally { await hogs?.stop(); await a.stop(); await b.stop(); }
