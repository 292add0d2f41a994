/**
 * `npm run bench:synthetic`: the synthetic suite on this machine, against the embedded target
 * in its own process. Prints (1) the wall time of the suite in the ci profile, (2) the
 * collectors' overhead: median journey duration with and without them, as a ratio (goal
 * < 1.05), (3) stability: the coefficient of variation of each journey's P50 page load over
 * 5 repeated runs.
 */

import { BUILT_IN_PROFILES } from '../core/config.ts';
import type { Item, TrendMetric } from '../core/results.ts';
import { spawnTarget } from '../target/process.ts';
import { playwright } from './playwright-run.ts';

const med = (item: Item | undefined, metric: string) =>
  (item?.metrics[metric] as TrendMetric | undefined)?.values.med ?? Number.NaN;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function cv(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) / mean;
}

const target = await spawnTarget();
try {
  console.log(
    `# Synthetic benchmark (${new Date().toISOString().slice(0, 10)}), node ${process.version}, embedded target\n`,
  );
  const ci = BUILT_IN_PROFILES.ci?.synthetic.iterations ?? 10;
  const full = await playwright(target.url, ci, ['desktop', 'mobile']);
  console.log(
    `1. ci profile (${ci} iterations × 3 journeys × desktop + mobile): ${full.seconds.toFixed(1)} s wall`,
  );

  const journeys = ['visitor', 'investor', 'creator'];
  const off = await playwright(target.url, 5, ['desktop'], { PERF_COLLECTORS: 'off' });
  const on = await playwright(target.url, 5, ['desktop']);
  console.log('\n2. collector overhead (desktop, 5 iterations, median journey duration)');
  const ratios: number[] = [];
  for (const j of journeys) {
    const a = med(
      on.items.find((i) => i.name === `desktop ${j}`),
      'journey_duration',
    );
    const b = med(
      off.items.find((i) => i.name === `desktop ${j}`),
      'journey_duration',
    );
    ratios.push(a / b);
    console.log(
      `   ${j.padEnd(9)} with ${a.toFixed(0)} ms, without ${b.toFixed(0)} ms: ${(a / b).toFixed(3)}×`,
    );
  }
  console.log(
    `   goal < 1.05: ${Math.max(...ratios) < 1.05 ? 'MET' : 'NOT MET'} (worst ${Math.max(...ratios).toFixed(3)}×)`,
  );

  console.log(
    "\n3. stability: each journey's P50 page load (median over its pages) in 5 runs (desktop, 3 iterations)",
  );
  const perJourney = new Map<string, number[]>(journeys.map((j) => [j, []]));
  for (let run = 0; run < 5; run++) {
    const { items } = await playwright(target.url, 3, ['desktop']);
    for (const j of journeys) {
      const pages = items.filter((i) => i.kind === 'page' && i.tags.journey === j);
      perJourney.get(j)?.push(median(pages.map((p) => med(p, 'page_load'))));
    }
  }
  for (const [j, values] of perJourney) {
    console.log(
      `   ${j.padEnd(9)} ${values.map((v) => v.toFixed(1)).join(', ')} ms: CV ${cv(values).toFixed(3)}`,
    );
  }
} finally {
  await target.stop();
}
