/**
 * `npm run load:k6-export`: writes every shipped load scenario as a k6 TypeScript script, so the
 * same load can be run with k6 itself (k6 >= 0.57 runs .ts files as they are).
 *
 *   --profile NAME   the profile whose rates and durations shape the scenarios (default: the config's)
 *   --config FILE    default perf.config.ts
 *   --out DIR        default load/k6/scripts
 *
 * Type-check the result with `npx tsc -p load/k6/tsconfig.json` (k6 itself only strips types).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import { k6Script } from '../load/k6/export.ts';
import type { Scenario } from '../load/scenario.ts';
import { loadScenarios } from '../load/scenarios/registry.ts';

export class K6ExportError extends PerfError {}

/** Writes `<dir>/<scenario name>.ts` for each scenario; returns the paths in the given order. */
export async function exportScenarios(scenarios: Scenario[], dir: string): Promise<string[]> {
  const names = scenarios.map((s) => s.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  // Checked before writing anything: the second script would silently replace the first.
  if (twice) throw new K6ExportError(`two scenarios are named "${twice}": each needs its own script`);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const scenario of scenarios) {
    const path = join(dir, `${scenario.name}.ts`);
    await writeAtomic(path, k6Script(scenario));
    paths.push(path);
  }
  return paths;
}

function cliArgs() {
  return parseArgs({
    options: {
      profile: { type: 'string' },
      config: { type: 'string', default: 'perf.config.ts' },
      out: { type: 'string', default: join('load', 'k6', 'scripts') },
    },
  }).values;
}

async function main(): Promise<number> {
  const args = cliArgs();
  const config = await loadConfig(args.config);
  const profileName = args.profile ?? config.profile;
  const scenarios = [...(await loadScenarios(resolveProfile(config, profileName).load)).values()];
  const paths = await exportScenarios(scenarios, args.out);
  console.log(`k6 scripts for profile "${profileName}":\n${paths.map((p) => `  ${p}`).join('\n')}`);
  console.log('run one with: k6 run -e BASE_URL=https://host <script>');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runCli(main);
