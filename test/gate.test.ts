/** The gate end to end: `npm run test:performance` as a user runs it, against the embedded target. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { readRunResult } from '../core/results.ts';
import { isAlive, runScript } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/test-performance.ts');

/**
 * A config in a temp folder: few health requests (fast), the load suite off unless asked for
 * (with a short average-load), the synthetic and Lighthouse suites off (their own tests cover them),
 * reports kept apart from the project's.
 */
function tempConfig(extra = '', smokeRequests = 20, load = false): { file: string; reports: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pitchey-gate-'));
  const reports = join(dir, 'reports');
  const file = join(dir, 'perf.config.ts');
  const suites = extra.includes('suites:')
    ? ''
    : `suites: { load: { enabled: ${load} }, synthetic: { enabled: false }, lighthouse: { enabled: false } },`;
  writeFileSync(
    file,
    `export default {
      reportsDir: ${JSON.stringify(reports)},
      targetsFile: ${JSON.stringify(join(ROOT, 'baselines/targets.json'))},
      profiles: {
        smoke: {
          health: { requests: ${smokeRequests} },
          load: { scenarios: ['average-load'], rate: 50, duration: '5s' },
        },
      },
      thresholds: [{ suite: 'health', metrics: { checks: ['rate==1'] } }],
      ${extra.includes('baselines:') ? '' : `baselines: { dir: ${JSON.stringify(join(dir, 'baselines'))} },`}
      ${suites}
      ${extra}
    };\n`,
  );
  return { file, reports };
}

const gate = (args: string[], env?: NodeJS.ProcessEnv, onStdout?: (text: string, kill: () => void) => void) =>
  runScript(SCRIPT, args, env, onStdout);

describe('npm run test:performance', () => {
  it('a clean run exits 0 and writes the three reports, valid and parseable', async () => {
    const { file, reports } = tempConfig('', 200);
    const run = await gate(['--profile', 'smoke', '--milestone', 'month-1', '--config', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[health\] .* 600\/600/);
    expect(run.stdout.trim().split('\n').at(-2)).toMatch(/^PASS \(\d+ metrics\)$/);

    const latest = join(reports, 'latest');
    expect(realpathSync(latest)).not.toBe(latest);
    const result = await readRunResult(join(latest, 'summary.json'));
    expect(result.outcome).toMatchObject({ status: 'pass', exitCode: 0 });
    expect(result.run).toMatchObject({ profile: 'smoke', milestone: 'month-1', embeddedTarget: true });
    expect(result.suites[0]?.items.map((i) => i.name)).toEqual([
      '/health',
      '/health/ready',
      '/health/detailed',
    ]);

    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(join(latest, 'junit.xml'), 'utf8'),
    );
    expect(Number(junit.testsuites['@_tests'])).toBe(result.verdicts.length);
    expect(Number(junit.testsuites['@_failures'])).toBe(0);
    expect(existsSync(join(latest, 'summary.md'))).toBe(true);
  });

  it('runs the load suite too, and never writes the user pool password into a report', async () => {
    const { file, reports } = tempConfig('', 200, true);
    const run = await gate(['--profile', 'smoke', '--config', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[load\] .* 250\/250 +average-load/);
    const result = await readRunResult(join(reports, 'latest', 'summary.json'));
    expect(result.suites.map((s) => s.suite)).toEqual(['health', 'load']);
    for (const name of ['summary.json', 'summary.md', 'junit.xml']) {
      expect(readFileSync(join(reports, 'latest', name), 'utf8')).not.toContain('pitchey-demo');
    }
  }, 60_000);

  it('exits 1 when /health is 400 ms slow, and summary.md names the failing metric with its value', async () => {
    const { file, reports } = tempConfig();
    const run = await gate(['--profile', 'smoke', '--config', file], {
      TARGET_FAULTS: JSON.stringify({ latency: [{ route: '/health', ms: 400 }] }),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL \(2 metrics/m);
    const markdown = readFileSync(join(reports, 'latest', 'summary.md'), 'utf8');
    const rows = markdown.split('\n').filter((l) => l.startsWith('| FAIL'));
    expect(rows[0]).toMatch(
      /^\| FAIL \| \/health \| http_req_duration \| p\(50\) < 100 ms \| 4\d\d\.\d ms \|/,
    );
    expect(rows.some((r) => r.includes('/health/ready'))).toBe(false);
    const junit = readFileSync(join(reports, 'latest', 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<failure message="http_req_duration p\(95\)&lt;200: measured 4\d\d\.\d ms, target p\(95\) &lt; 200 ms/,
    );
  }, 60_000);

  it('exits 2, not 0, when a clean run has too few samples to pass', async () => {
    const { file } = tempConfig('', 20);
    const run = await gate(['--profile', 'smoke', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^ERROR \(\d+ inconclusive: too few samples/m);
  });

  it('exits 2 within 10 s when BASE_URL points at a closed port, saying so', async () => {
    const { file } = tempConfig();
    const run = await gate(['--config', file], { BASE_URL: 'http://127.0.0.1:59999' });
    expect(run.code).toBe(2);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr).toMatch(
      /^ERROR \(http:\/\/127\.0\.0\.1:59999\/health\/ready was not ready .*ECONNREFUSED.*BASE_URL/,
    );
  });

  it('exits 2 naming an unknown config key and the file', async () => {
    const { file } = tempConfig('suites: { health: { endpointz: [] } },');
    const run = await gate(['--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`ERROR (${file}: unknown key "suites.health.endpointz"`);
  });

  it.each([
    [['--profile', 'turbo'], /unknown profile "turbo": choose one of smoke, ci, nightly, pr, capacity/],
    [['--milestone', 'year-9'], /unknown milestone "year-9"/],
    [['--suite', 'nope'], /--suite nope: no such suite/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('exits 2 on bad arguments %j', async (args, message) => {
    const { file } = tempConfig();
    const run = await gate(['--config', file, ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('leaves no target process behind after Ctrl-C during load', async () => {
    const { file } = tempConfig('', 200, true);
    let pid = 0;
    const run = await gate(['--profile', 'smoke', '--config', file], {}, (out, kill) => {
      const match = /pid (\d+)/.exec(out);
      if (match && !pid && /\[load\] .* [1-9]\d*\/\d+/.test(out)) {
        pid = Number(match[1]);
        kill();
      }
    });
    expect(pid).toBeGreaterThan(0);
    expect(run.code).toBe(130);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(pid)).toBe(false);
  }, 30_000);
});

const UPDATE = join(ROOT, 'scripts/baselines-update.ts');

const updateBaselines = (args: string[]) => runScript(UPDATE, args);

describe('the gate against committed baselines', () => {
  it('warns without a baseline, takes one on command, passes the same build and fails a slower one', async () => {
    // What this test checks is the regression verdict: the calibration still runs, but tolerates
    // the load of the tests beside it (a changed machine is the calibration tests' subject).
    const { file, reports } = tempConfig('calibration: { tolerance: 1 },', 300);
    const baselines = join(reports, '..', 'baselines');
    const first = await gate(['--profile', 'smoke', '--config', file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/no baseline yet for 3 measured things .*: run npm run baselines:update/);
    expect(existsSync(baselines)).toBe(false);

    const dry = await updateBaselines(['--config', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/health-ready\.json \(new\)/);
    expect(existsSync(baselines)).toBe(false);
    const update = await updateBaselines(['--config', file, '--suite', 'health']);
    // On a shared machine the calibration may say, rightly, that the machine changed during the
    // run: a warning, not a failure of what this test checks.
    expect(update.stderr.replace(/^warning: the machine changed during this run.*\n?/m, '')).toBe('');
    expect(update.code).toBe(0);
    expect(update.stdout).toMatch(/wrote 3 baseline files/);
    const taken = join(baselines, 'smoke', 'health', 'health.json');
    expect(JSON.parse(readFileSync(taken, 'utf8'))).toMatchObject({
      suite: 'health',
      group: '/health',
      profile: 'smoke',
    });

    const same = await gate(['--profile', 'smoke', '--config', file]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/baselines: \d+ comparisons, 0 regressed/);

    // +30 ms on /health only: its median regresses; the other endpoints stay as they were.
    const slower = await gate(['--profile', 'smoke', '--config', file], {
      TARGET_FAULTS: JSON.stringify({ latency: [{ route: '/health', ms: 30 }] }),
    });
    expect(slower.code, slower.stdout).toBe(1);
    const result = await readRunResult(join(reports, 'latest', 'summary.json'));
    const regressions = result.comparisons.filter((c) => c.status === 'regression');
    expect(regressions.length).toBeGreaterThan(0);
    expect(new Set(regressions.map((c) => c.item))).toEqual(new Set(['/health']));
    expect(regressions.find((c) => c.stat === 'med')).toMatchObject({ metric: 'http_req_duration' });
    expect(result.verdicts.every((v) => v.status === 'pass')).toBe(true);
    expect(result.outcome.line).toMatch(/^FAIL \(\d+ metrics?: \d+ regressions?\)$/);
    const markdown = readFileSync(join(reports, 'latest', 'summary.md'), 'utf8');
    expect(markdown).toMatch(
      /\| REGRESSION \| \/health \| http_req_duration med \| [\d.]+ ms \| 3\d\.\d+ ms \| \+/,
    );
    expect(readFileSync(join(reports, 'latest', 'junit.xml'), 'utf8')).toMatch(/type="regression"/);
    expect(readFileSync(join(reports, 'history.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);

    // The update refuses a run that could not measure, and prints old → new otherwise.
    const again = await updateBaselines(['--config', file, '--only', '/health']);
    expect(again.stdout).toMatch(
      /health\.json \(updated, was \d{4}-\d\d-\d\d\)\n {2}\/health: http_req_duration p\(95\) [\d.]+ ms → 3\d/,
    );
  }, 120_000);

  it('stops with exit 2 naming a corrupt or incompatible baseline, before measuring', async () => {
    const { file, reports } = tempConfig('', 300);
    const dir = join(reports, '..', 'baselines', 'smoke', 'health');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'health.json'), '{"schemaVersion": 1, "suite": "health"');
    const corrupt = await gate(['--profile', 'smoke', '--config', file]);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(
      /baselines\/smoke\/health\/health\.json is not valid JSON .*npm run baselines:update/,
    );
    expect(corrupt.stdout).not.toMatch(/\[health\]/);
    writeFileSync(join(dir, 'health.json'), JSON.stringify({ schemaVersion: 99 }));
    const incompatible = await gate(['--profile', 'smoke', '--config', file]);
    expect(incompatible.code).toBe(2);
    expect(incompatible.stderr).toMatch(/health\.json: schemaVersion 99 is not 1/);
  }, 60_000);

  it('will not make a baseline of a run that could not measure', async () => {
    const { file } = tempConfig('', 20); // 20 health requests: too few for P95, the run is inconclusive
    expect((await gate(['--profile', 'smoke', '--config', file])).code).toBe(2);
    const update = await updateBaselines(['--config', file]);
    expect(update.code).toBe(2);
    expect(update.stderr).toMatch(
      /summary\.json: the run could not measure \(ERROR .*\): it cannot become a baseline/,
    );
  }, 60_000);

  it("judges nothing against another machine's baseline: inconclusive with the figures, exit 0, one line on what to do", async () => {
    const { file, reports } = tempConfig('', 300);
    expect((await gate(['--profile', 'smoke', '--config', file])).code).toBe(0);
    expect((await updateBaselines(['--config', file, '--suite', 'health'])).code).toBe(0);
    // The baselines say they were taken on a machine 60 % faster than this one (as a new CI VM is).
    const dir = join(reports, '..', 'baselines', 'smoke', 'health');
    for (const name of ['health.json', 'health-ready.json', 'health-detailed.json']) {
      const path = join(dir, name);
      const baseline = JSON.parse(readFileSync(path, 'utf8'));
      expect(baseline.calibration.start.nodeCpu.value).toBeGreaterThan(0);
      for (const side of ['start', 'end'])
        for (const figure of ['nodeCpu', 'nodeCpuAll']) baseline.calibration[side][figure].value *= 1.6;
      writeFileSync(path, JSON.stringify(baseline));
    }
    // +30 ms on /health would be a regression on the baseline's machine; here it cannot be told
    // from the machine, so nothing is judged a regression.
    const slower = await gate(['--profile', 'smoke', '--config', file], {
      TARGET_FAULTS: JSON.stringify({ latency: [{ route: '/health', ms: 30 }] }),
    });
    expect(slower.stderr).toBe('');
    expect(slower.code).toBe(0);
    expect(slower.stdout).toMatch(
      /machine: \d+ comparisons inconclusive: this machine is \d+ % slower than the baseline's: node CPU .* — re-take baselines here, or compare paired \(--compare-url\)/,
    );
    const result = await readRunResult(join(reports, 'latest', 'summary.json'));
    expect(result.comparisons.length).toBeGreaterThan(0);
    expect(result.comparisons.every((c) => c.status === 'inconclusive' && c.machine === 'other')).toBe(true);
    expect(result.run.calibration?.end?.nodeCpu.value).toBeGreaterThan(0);
    const history = readFileSync(join(reports, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(history.at(-1) as string).calibration.nodeCpu).toBeGreaterThan(0);
    expect(readFileSync(join(reports, 'latest', 'summary.md'), 'utf8')).toMatch(/node CPU: [\d.]+ it\/ms/);
  }, 120_000);
});

describe('the paired gate (--compare-url)', () => {
  it('judges the target against a second embedded target measured in the same run: the same build passes, +30 ms fails', async () => {
    const { file, reports } = tempConfig('', 300);
    const same = await gate(['--profile', 'smoke', '--config', file, '--compare-url', 'embedded']);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/reference: a second embedded Pitchey at http:\/\/127\.0\.0\.1:\d+/);
    expect(same.stdout).toMatch(/paired with http:\/\/127\.0\.0\.1:\d+: \d+ comparisons, 0 regressed/);
    const paired = await readRunResult(join(reports, 'latest', 'summary.json'));
    expect(paired.reference?.suites.map((s) => s.suite)).toEqual(['health']);
    expect(paired.comparisons.every((c) => c.against === 'reference')).toBe(true);
    // Each side got the profile's requests, interleaved.
    expect(paired.reference?.suites[0]?.items[0]?.metrics.http_req_duration?.count).toBe(300);

    // The target (base URL) +30 ms on /health, the reference unchanged: a regression.
    const slower = await gate(['--profile', 'smoke', '--config', file, '--compare-url', 'embedded'], {
      TARGET_FAULTS: JSON.stringify({ latency: [{ route: '/health', ms: 30 }] }),
    });
    expect(slower.code, slower.stdout).toBe(1);
    const result = await readRunResult(join(reports, 'latest', 'summary.json'));
    const regressions = result.comparisons.filter((c) => c.status === 'regression');
    expect(new Set(regressions.map((c) => c.item))).toEqual(new Set(['/health']));
    expect(readFileSync(join(reports, 'latest', 'summary.md'), 'utf8')).toMatch(
      /Compared with the reference/,
    );
    // The reference slower instead: the target improved, nothing regressed.
    const faster = await gate(['--profile', 'smoke', '--config', file, '--compare-url', 'embedded'], {
      COMPARE_TARGET_FAULTS: JSON.stringify({ latency: [{ route: '/health', ms: 30 }] }),
    });
    expect(faster.code).toBe(0);
    const improved = await readRunResult(join(reports, 'latest', 'summary.json'));
    expect(improved.comparisons.some((c) => c.item === '/health' && c.status === 'improved')).toBe(true);
    // A paired run is no baseline.
    const update = await updateBaselines(['--config', file]);
    expect(update.code).toBe(2);
    expect(update.stderr).toMatch(/a paired run .* cannot become a baseline/);
  }, 180_000);
});
