/**
 * npm run capacity as a user runs it, on the embedded target with a known capacity (the
 * capacity knob: K slots × S ms = K/S req/s): the knee is found within the resolution, the
 * answer is written for go/no-go, lost capacity fails against it, a flood the generator cannot
 * send is inconclusive and leaves the previous answer, and a remote target is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { capacityResultPath, readCapacityResult } from '../core/capacity-result.ts';
import { runScript } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'capacity.ts');
const dir = mkdtempSync(join(tmpdir(), 'capacity-cli-'));
const reports = join(dir, 'reports');
const config = join(dir, 'perf.config.ts');
writeFileSync(
  config,
  `export default ${JSON.stringify({
    reportsDir: reports,
    targetsFile: join(ROOT, 'baselines/targets.json'),
    milestone: 'month-1',
    capacity: { startRate: 20, growth: 2, resolution: 0.1, warmup: '1s', plateau: '3s', dau: 5_000 },
  })};\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capacity = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runScript(SCRIPT, ['--config', config, ...args], env);

const knob = (concurrency: number, serviceMs: number) =>
  JSON.stringify({ capacity: { concurrency, serviceMs } });

describe('npm run capacity', () => {
  it('finds a K/S knee within the resolution, writes the answer; lost capacity then fails', async () => {
    // 4 slots × 50 ms: at most 80 req/s.
    const first = await capacity([], { TARGET_FAULTS: knob(4, 50) });
    expect(first.stderr).toBe('');
    expect(first.code, first.stdout).toBe(0);
    const latest = await readCapacityResult(capacityResultPath(reports));
    expect(latest?.capacityRps).toBeGreaterThanOrEqual(80 / 1.1);
    expect(latest?.capacityRps).toBeLessThanOrEqual(80 * 1.1);
    expect(latest).toMatchObject({ milestone: 'month-1', dau: 5_000 });
    expect(latest?.peakRps).toBeCloseTo(16.667, 2);
    expect(first.stdout).toMatch(
      /^## Capacity: PASS: capacity \d+ req\/s = \d\.\d× the 5,000-DAU peak \(16\.7 req\/s\)$/m,
    );
    expect(first.stdout).toMatch(/^step 1: 20 req\/s → 20\.0 carried, .* — pass$/m);
    const summary = readFileSync(join(reports, 'capacity', 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| 20 \| 20\.0 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 0\.00 % \| 0 \| pass \|/);
    expect(summary).toMatch(/- USL fit over \d+ steps: α /);
    const report = JSON.parse(readFileSync(join(reports, 'capacity', 'report.json'), 'utf8'));
    expect(report.knee.bound).toBe('found');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(join(reports, 'capacity', 'junit.xml'), 'utf8'),
    );
    expect(junit.testsuites).toMatchObject({ '@_tests': '1', '@_failures': '0', '@_errors': '0' });

    // Half the slots: half the capacity, still 2.4× the peak, but lost against the answer before.
    const second = await capacity([], { TARGET_FAULTS: knob(2, 50) });
    expect(second.code, second.stdout).toBe(1);
    expect(readFileSync(join(reports, 'capacity', 'junit.xml'), 'utf8')).toMatch(
      /<failure message="\d+ req\/s against \d+ before[^"]*" type="regression">/,
    );
    expect(second.stdout).toMatch(
      /^## Capacity: FAIL: capacity lost: \d+ req\/s against \d+ before \(−\d+\.\d %; beyond ±\d+\.\d % counts\)$/m,
    );
  }, 180_000);

  it('a flood the generator cannot send is inconclusive (exit 2) and leaves the previous answer', async () => {
    const before = readFileSync(capacityResultPath(reports), 'utf8');
    const flood = await capacity(['--start-rate', '100000', '--max-rate', '100000']);
    expect(flood.code, flood.stdout).toBe(2);
    expect(flood.stdout).toMatch(/^## Capacity: INCONCLUSIVE: generator-bound at 100,000 req\/s: /m);
    expect(readFileSync(capacityResultPath(reports), 'utf8')).toBe(before);
  }, 120_000);

  it('refuses a remote target without --allow-remote, and --allow-remote without --max-rate', async () => {
    const refused = await capacity([], { BASE_URL: 'https://pitchey.example' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /refusing to load pitchey\.example, which is not loopback: .*--allow-remote and --max-rate N/,
    );
    const uncapped = await capacity(['--allow-remote'], { BASE_URL: 'https://pitchey.example' });
    expect(uncapped.code).toBe(2);
    expect(uncapped.stderr).toMatch(
      /--allow-remote needs an explicit --max-rate N \(req\/s\) for pitchey\.example/,
    );
  }, 60_000);
});
