/**
 * Every scenario the suite knows, by name: the shipped ones (index.ts) and the user's, one per
 * file named NAME.scenario.ts in this folder. A user's file exports, as default, a scenario in
 * k6's vocabulary or a function of the profile's load shape returning one, typed with
 * defineScenario; its `name` is the file's. Adding one never touches core code: profiles list
 * it by name, `--scenario NAME` runs it, k6 export writes it, the capacity check sends its mix.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PerfError } from '../../core/errors.ts';
import { parseScenario, type Scenario, type ScenarioInput } from '../scenario.ts';
import { type LoadShape, SCENARIO_NAMES, shippedScenarios } from './index.ts';

export type ScenarioDefinition = ScenarioInput | ((shape: LoadShape) => ScenarioInput);

/** Typed identity for a scenario file: `export default defineScenario((shape) => ({ … }))`. */
export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}

export class ScenarioFileError extends PerfError {}

export const SCENARIO_DIR = fileURLToPath(new URL('.', import.meta.url));
const SUFFIX = '.scenario.ts';

export async function userScenarioFiles(dir = SCENARIO_DIR): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(SUFFIX))
    .sort()
    .map((n) => join(dir, n));
}

async function loadUserScenario(file: string, shape: LoadShape): Promise<Scenario> {
  const name = basename(file, SUFFIX);
  let definition: unknown;
  try {
    definition = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new ScenarioFileError(`${file} cannot be loaded: ${(error as Error).message}`);
  }
  if (definition === undefined || definition === null)
    throw new ScenarioFileError(
      `${file} has no default export: export default defineScenario({ name: '${name}', … })`,
    );
  const input =
    typeof definition === 'function' ? (definition as (s: LoadShape) => unknown)(shape) : definition;
  const given = (input as { name?: unknown } | undefined)?.name;
  if (given !== name)
    throw new ScenarioFileError(
      `${file}: name is ${JSON.stringify(given)}: a scenario's name is its file's, "${name}"`,
    );
  try {
    return parseScenario(input as ScenarioInput);
  } catch (error) {
    throw new ScenarioFileError(`${file}: ${(error as Error).message}`);
  }
}

/** The shipped scenarios for `shape` and the user's files in `dir`, validated, by name. */
export async function loadScenarios(shape: LoadShape, dir = SCENARIO_DIR): Promise<Map<string, Scenario>> {
  const all = new Map<string, Scenario>(Object.entries(shippedScenarios(shape)));
  for (const file of await userScenarioFiles(dir)) {
    const scenario = await loadUserScenario(file, shape);
    if ((SCENARIO_NAMES as readonly string[]).includes(scenario.name))
      throw new ScenarioFileError(`${file}: "${scenario.name}" is a shipped scenario's name: choose another`);
    all.set(scenario.name, scenario);
  }
  return all;
}

/** The scenarios named, in order; an unknown name is an error listing those there are. */
export function pickScenarios(all: ReadonlyMap<string, Scenario>, names: readonly string[]): Scenario[] {
  return names.map((name) => {
    const scenario = all.get(name);
    if (!scenario)
      throw new ScenarioFileError(
        `no scenario "${name}": use one of ${[...all.keys()].join(', ')}, or add load/scenarios/${name}${SUFFIX}`,
      );
    return scenario;
  });
}
