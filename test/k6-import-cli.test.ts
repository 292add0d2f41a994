/** `npm run load:k6-import`: a k6 run judged and reported like our own. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunResult } from '../core/results.ts';

const run = (...args: string[]) => {
  const reports = mkdtempSync(join(tmpdir(), 'k6-import-'));
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/k6-import.ts', ...args, '--reports-dir', reports],
    {
      encoding: 'utf8',
    },
  );
  return { ...child, reports };
};

describe('npm run load:k6-import', () => {
  it("judges k6's summary by the roadmap and k6's own thresholds, writing the reports", async () => {
    const out = run('test/fixtures/k6/benc-uk-k6-reporter__tests_data_simple.json.handleSummary-data.json');
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/^FAIL {2}k6 k6 +http_req_failed +rate < 0\.50 % +39\.75 %$/m);
    const result = await readRunResult(join(out.reports, 'latest', 'summary.json'));
    expect(result.suites[0]?.notes[0]).toMatch(/\(handleSummary\)$/);
    expect(result.verdicts.some((v) => v.origin === 'k6 k6' && v.threshold === 'max<4000')).toBe(true);
  });

  it('compares an import with the baseline taken from an earlier one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-baselines-'));
    const config = join(dir, 'perf.config.ts');
    writeFileSync(
      config,
      `export default { baselines: { dir: ${JSON.stringify(join(dir, 'baselines'))} } };\n`,
    );
    const fixture = 'test/fixtures/k6/benc-uk-k6-reporter__tests_data_simple.json.handleSummary-data.json';
    const first = run(fixture, '--config', config);
    expect(first.stdout).toMatch(/no baseline yet for 1 measured thing \(k6 /);
    const update = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/baselines-update.ts',
        '--config',
        config,
        '--from',
        join(first.reports, 'latest'),
      ],
      { encoding: 'utf8' },
    );
    expect(update.stderr).toBe('');
    expect(update.stdout).toMatch(/k6-import\/k6\/k6\.json \(new\)/);
    const second = run(fixture, '--config', config);
    const result = await readRunResult(join(second.reports, 'latest', 'summary.json'));
    expect(result.baseline?.missing).toEqual([]);
    expect(result.comparisons.length).toBeGreaterThan(0);
    expect(result.comparisons.filter((c) => c.status === 'regression')).toEqual([]);
  });

  it('exits 2 naming the file when it is not k6 output', () => {
    const out = run('package.json');
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^ERROR \(.*package\.json/);
  });
});
