import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { createHistogram, recordMicros } from '../core/histogram.ts';
import { rateMetric, trendFromHistogram } from '../core/metrics.ts';
import { assembleResult } from '../core/pipeline.ts';
import { renderConsoleSummary } from '../core/report/console.ts';
import { renderJunit } from '../core/report/junit.ts';
import { renderMarkdown } from '../core/report/markdown.ts';
import { writeReports } from '../core/report/write.ts';
import { parseRunResult, type RunResult, readRunResult } from '../core/results.ts';
import { parseRules } from '../core/targets.ts';

function latencies(ms: number[]) {
  const h = createHistogram();
  for (const v of ms) recordMicros(h, v * 1000);
  return trendFromHistogram(h);
}

function sampleRun(): RunResult {
  const milestone = {
    api: parseRules(
      { http_req_duration: ['p(95)<200'], http_req_failed: ['rate<0.005'] },
      't',
      'milestone test',
    ),
    page: [],
    uptime: [],
  };
  const item = (name: string, ms: number, failed = 0) => ({
    name,
    kind: 'endpoint' as const,
    targets: 'api' as const,
    tags: {},
    metrics: {
      http_req_duration: latencies(Array.from({ length: 300 }, () => ms)),
      http_req_failed: rateMetric(failed, 300, { network: 0, timeout: 0, '4xx': 0, '5xx': failed }),
    },
  });
  return assembleResult(
    {
      id: '2026-01-01T00-00-00-000Z-abcd',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:02.000Z',
      durationMs: 2000,
      profile: 'smoke',
      milestone: 'test',
      baseUrl: 'http://127.0.0.1:1234',
      embeddedTarget: true,
      git: { commit: 'a'.repeat(40), branch: 'main', dirty: false },
      machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 1e9, nodeVersion: 'v20', platform: 'linux' },
    },
    [
      {
        suite: 'health',
        status: 'measured',
        startedAt: '2026-01-01T00:00:00.000Z',
        durationMs: 1500,
        items: [item('/fast', 1), item('/slow & <odd>', 250, 3)],
        notes: ['/slow & <odd>: HTTP 503'],
        thresholds: [],
      },
      {
        suite: 'broken',
        status: 'error',
        error: 'connect ECONNREFUSED',
        startedAt: '2026-01-01T00:00:01.000Z',
        durationMs: 5,
        items: [],
        notes: [],
        thresholds: [],
      },
    ],
    milestone,
    [],
  );
}

describe('reports', () => {
  it('summary.md puts failures first with their values, and says what could not be measured', () => {
    const md = renderMarkdown(sampleRun());
    expect(md).toMatch(
      /^## pitchey-perf: ERROR \(1 not measured: broken .*ECONNREFUSED.*also FAIL \(2 metrics\)/,
    );
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| verdict'));
    expect(rows[0]).toMatch(
      /^\| FAIL \| \/slow & <odd> \| http_req_duration \| p\(95\) < 200 ms \| 250\.\d ms \| 300 \|/,
    );
    expect(rows[1]).toMatch(/^\| FAIL \| \/slow & <odd> \| http_req_failed \| rate < 0\.50 % \| 1\.00 % \|/);
    expect(md).toContain('### broken — could not measure');
    expect(md).toContain('commit `aaaaaaaaaaaa`');
  });

  it('junit.xml parses, with one testcase per verdict and the numbers in each failure', () => {
    const result = sampleRun();
    const xml = renderJunit(result);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const suites = [parsed.testsuites.testsuite].flat();
    expect(Number(parsed.testsuites['@_tests'])).toBe(result.verdicts.length);
    expect(Number(parsed.testsuites['@_failures'])).toBe(2);
    expect(Number(parsed.testsuites['@_errors'])).toBe(1);
    const health = suites.find((s: { '@_name': string }) => s['@_name'] === 'health');
    const cases = [health.testcase].flat();
    expect(cases).toHaveLength(4);
    const slow = cases.find(
      (c: { '@_name': string }) => c['@_name'] === '/slow & <odd> http_req_duration p(95)<200',
    );
    expect(slow.failure['@_message']).toMatch(
      /measured 250\.\d ms, target p\(95\) < 200 ms, margin -50\.\d ms \(300 samples\)/,
    );
  });

  it('writes summary.json, summary.md and junit.xml atomically, points latest at them, appends the step summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitchey-reports-'));
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, 'before\n');
    const result = sampleRun();
    const written = await writeReports(result, join(dir, 'reports'), { GITHUB_STEP_SUMMARY: stepSummary });
    expect(readdirSync(written.dir).sort()).toEqual([
      'index.html',
      'junit.xml',
      'summary.json',
      'summary.md',
    ]);
    expect(readlinkSync(join(dir, 'reports', 'latest'))).toBe(result.run.id);
    expect(await readRunResult(join(dir, 'reports', 'latest', 'summary.json'))).toEqual(result);
    expect(readFileSync(stepSummary, 'utf8')).toMatch(/^before\n## pitchey-perf: ERROR/);

    const second = { ...result, run: { ...result.run, id: 'second-run' } };
    await writeReports(second, join(dir, 'reports'), {});
    expect(readlinkSync(join(dir, 'reports', 'latest'))).toBe('second-run');
    expect(existsSync(join(dir, 'reports', result.run.id, 'summary.json'))).toBe(true);
    expect(readdirSync(join(dir, 'reports')).some((f) => f.includes('tmp') || f.startsWith('.latest'))).toBe(
      false,
    );
  });

  it('the console ends with the compact table and one line', () => {
    const text = renderConsoleSummary(sampleRun());
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(
      /^FAIL +health \/slow & <odd> +http_req_duration +p\(95\) < 200 ms +250\.\d ms$/,
    );
    expect(lines.at(-1)).toMatch(/^ERROR \(1 not measured/);
  });
});

describe('result schema', () => {
  it('refuses another schema version or a malformed result, naming the file and field', async () => {
    const result = sampleRun();
    expect(() => parseRunResult({ ...result, schemaVersion: 2 }, 'old.json')).toThrow(
      /old\.json: schemaVersion 2 is not 1/,
    );
    const broken = JSON.parse(JSON.stringify(result));
    broken.suites[0].items[0].metrics.http_req_duration.count = 'many';
    expect(() => parseRunResult(broken, 'broken.json')).toThrow(
      /broken\.json: suites\.0\.items\.0\.metrics\.http_req_duration/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'pitchey-schema-'));
    writeFileSync(join(dir, 'x.json'), '{not json');
    await expect(readRunResult(join(dir, 'x.json'))).rejects.toThrow(/x\.json is not JSON/);
    await expect(readRunResult(join(dir, 'missing.json'))).rejects.toThrow(/cannot read .*missing\.json/);
  });
});
