/** --engine k6 without a real k6: a stand-in binary on PATH proves the wiring; none proves the message. */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findK6, K6MissingError, runWithK6 } from '../load/engines/k6.ts';
import { parseScenario } from '../load/scenario.ts';

const scenario = parseScenario({
  name: 'probe',
  executor: 'per-vu-iterations',
  vus: 1,
  iterations: 10,
  requests: [{ name: 'trending', weight: 1, path: '/api/trending' }],
  thresholds: { 'http_req_duration{name:trending}': ['p(95)<200'] },
});
const samples = readFileSync('test/fixtures/k6/out-json-two-requests.ndjson', 'utf8');

/** A fake k6: records its arguments and BASE_URL, writes the NDJSON sample to --out json=… */
function fakeK6(exitCode: number): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-k6-'));
  const log = join(dir, 'calls.log');
  writeFileSync(join(dir, 'samples.ndjson'), samples);
  writeFileSync(
    join(dir, 'k6'),
    `#!/bin/sh
echo "$BASE_URL $*" >> "${log}"
for arg in "$@"; do case "$arg" in json=*) cp "${join(dir, 'samples.ndjson')}" "\${arg#json=}";; esac; done
exit ${exitCode}
`,
  );
  chmodSync(join(dir, 'k6'), 0o755);
  return { dir, log };
}

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
  delete process.env.K6_BIN;
});

describe('--engine k6', () => {
  it('runs the exported script with BASE_URL and imports its samples as scenario items', async () => {
    const { dir, log } = fakeK6(0);
    process.env.PATH = `${dir}:${originalPath}`;
    const out = await runWithK6(new URL('http://127.0.0.1:4321'), [scenario], new AbortController().signal);
    const call = readFileSync(log, 'utf8').trim();
    expect(call).toMatch(/^http:\/\/127\.0\.0\.1:4321 run --quiet --out json=\S+probe\.ndjson \S+probe\.ts$/);
    expect(out.items[0]).toMatchObject({ name: 'probe', kind: 'scenario', targets: 'api' });
    const trending = out.items.find((i) => i.name === 'probe trending');
    expect(trending).toMatchObject({
      kind: 'request',
      targets: 'none',
      tags: { name: 'trending', scenario: 'probe' },
    });
    expect(trending?.metrics.http_req_duration).toMatchObject({ type: 'trend', count: 100 });
    expect(out.thresholds).toEqual([
      { item: 'probe *', metrics: { 'http_req_duration{name:trending}': ['p(95)<200'] } },
    ]);
  });

  it("takes k6's exit 99 (its thresholds failed) as a measurement, and other exits as errors", async () => {
    const failedThresholds = fakeK6(99);
    process.env.PATH = `${failedThresholds.dir}:${originalPath}`;
    await expect(
      runWithK6(new URL('http://127.0.0.1:1'), [scenario], new AbortController().signal),
    ).resolves.toBeDefined();
    const broken = fakeK6(107);
    process.env.K6_BIN = join(broken.dir, 'k6');
    await expect(
      runWithK6(new URL('http://127.0.0.1:1'), [scenario], new AbortController().signal),
    ).rejects.toThrow(/k6 run .* failed \(107\)/);
  });

  it('without a k6 binary says how to get one', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'empty-path-'));
    expect(findK6()).toBeUndefined();
    await expect(
      runWithK6(new URL('http://127.0.0.1:1'), [scenario], new AbortController().signal),
    ).rejects.toThrow(K6MissingError);
    await expect(
      runWithK6(new URL('http://127.0.0.1:1'), [scenario], new AbortController().signal),
    ).rejects.toThrow(/no k6 binary on PATH: install k6 .* or set K6_BIN/);
    process.env.K6_BIN = '/nonexistent/k6';
    expect(() => findK6()).toThrow(/K6_BIN=\/nonexistent\/k6 is not an executable file/);
  });
});
