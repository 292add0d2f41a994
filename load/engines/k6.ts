/**
 * `--engine k6`: the exported scripts run on a real k6 binary (K6_BIN, else PATH), and its
 * `--out json` samples are imported into the result schema with exact histograms. k6 is not
 * bundled (its licence and size): without a binary the run stops with how to get one.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PerfError } from '../../core/errors.ts';
import { isExecutable } from '../../core/files.ts';
import type { Item } from '../../core/results.ts';
import type { SuiteOutput } from '../../core/suite.ts';
import { k6Script } from '../k6/export.ts';
import { OVERALL_ITEM, readK6Results } from '../k6/import.ts';
import type { Scenario } from '../scenario.ts';
import { scenarioThresholds } from '../suite.ts';

export class K6MissingError extends PerfError {}

const INSTALL =
  "install k6 ≥ 0.57 (e.g. `brew install k6`, or Grafana's k6 package for your OS) or set K6_BIN to its path; or run without --engine k6";

/** The k6 binary to run: K6_BIN when set (it must exist), else the first k6 on PATH. */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.K6_BIN) {
    if (isExecutable(env.K6_BIN)) return env.K6_BIN;
    throw new K6MissingError(`K6_BIN=${env.K6_BIN} is not an executable file: ${INSTALL}`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === 'win32' ? 'k6.exe' : 'k6');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** k6 exits 99 when its thresholds fail: that is a measurement, judged again by our verdict. */
const K6_THRESHOLDS_FAILED = 99;

function runK6(bin: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, signal, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (!error || code === K6_THRESHOLDS_FAILED) resolve();
      else
        reject(
          new PerfError(
            `k6 ${args.join(' ')} failed (${code ?? error.message}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
    });
  });
}

/** Renames imported items the way the native engines name them: scenario, "scenario name". */
function asScenarioItems(scenario: Scenario, items: Item[]): Item[] {
  return items.map((item) =>
    item.name === OVERALL_ITEM
      ? { ...item, name: scenario.name, tags: { ...item.tags, scenario: scenario.name } }
      : {
          ...item,
          name: `${scenario.name} ${item.name}`,
          targets: 'none',
          tags: { ...item.tags, scenario: scenario.name },
        },
  );
}

export async function runWithK6(
  baseUrl: URL,
  scenarios: Scenario[],
  signal: AbortSignal,
): Promise<SuiteOutput> {
  const bin = findK6();
  if (!bin) throw new K6MissingError(`--engine k6: no k6 binary on PATH: ${INSTALL}`);
  const dir = await mkdtemp(join(tmpdir(), 'pitchey-k6-'));
  const output: Required<Omit<SuiteOutput, 'reference'>> = { items: [], notes: [], thresholds: [] };
  try {
    for (const scenario of scenarios) {
      if (signal.aborted) break;
      const script = join(dir, `${scenario.name}.ts`);
      const samples = join(dir, `${scenario.name}.ndjson`);
      await writeFile(script, k6Script(scenario));
      await runK6(
        bin,
        ['run', '--quiet', '--out', `json=${samples}`, script],
        { ...process.env, BASE_URL: baseUrl.origin },
        signal,
      );
      const imported = await readK6Results(samples);
      output.items.push(...asScenarioItems(scenario, imported.items));
      output.notes.push(...imported.notes.map((n) => `${scenario.name} (k6): ${n}`));
      output.thresholds.push(...scenarioThresholds(scenario));
    }
    return output;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
