/** What the regression benchmarks share: a minimal run around one suite, and the fault knobs. */
import type { Item, RunCalibration, RunResult, SuiteResult } from '../core/results.ts';
import { machineInfo } from '../core/run-meta.ts';

export const suiteOf = (name: string, items: Item[]): SuiteResult => ({
  suite: name,
  status: 'measured',
  startedAt: new Date().toISOString(),
  durationMs: 0,
  items,
  notes: [],
  thresholds: [],
});

/** A minimal run around one suite, so baselines come from the same code the update uses. */
export function runOf(suite: SuiteResult, calibration?: RunCalibration): RunResult {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    run: {
      id: 'bench',
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      profile: 'bench',
      milestone: 'strictest',
      baseUrl: 'http://127.0.0.1',
      embeddedTarget: true,
      git: {},
      machine: machineInfo(),
      ...(calibration ? { calibration } : {}),
    },
    suites: [suite],
    verdicts: [],
    comparisons: [],
    outcome: { status: 'pass', exitCode: 0, line: 'PASS' },
  };
}

/** Sets an embedded target's fault knobs through its admin endpoint. */
export async function setFaults(url: string, token: string, faults: unknown): Promise<void> {
  const response = await fetch(new URL('/admin/faults', url), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`PUT /admin/faults: ${response.status} ${await response.text()}`);
}
