/**
 * Scenarios are the user's: a NAME.scenario.ts file in load/scenarios/ is found by name,
 * validated with errors that name the file and the field, picked by profiles and --scenario,
 * exported for k6, and sent by the capacity check — without a change to core code.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { loadScenarios, pickScenarios, SCENARIO_DIR } from '../load/scenarios/registry.ts';
import { exportScenarios } from '../scripts/k6-export.ts';

const SHAPE = { rate: 40, duration: '20s', smokeIterations: 10, soakDuration: '1m', breakpointRate: 100 };
const REGISTRY = join(SCENARIO_DIR, 'registry.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenarios-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function only(file: string, text: string): Promise<string> {
  const folder = await mkdtemp(join(dir, 'case-'));
  await writeFile(join(folder, file), text);
  return folder;
}

describe('the scenario registry', () => {
  it("holds the shipped scenarios and the user's files, shaped by the profile", async () => {
    const all = await loadScenarios(SHAPE);
    expect([...all.keys()]).toEqual([
      'smoke',
      'average-load',
      'stress',
      'spike',
      'soak',
      'breakpoint',
      'browse-heavy',
    ]);
    expect(all.get('browse-heavy')).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 40,
      duration: '20s',
    });
  });

  it('a plain scenario object works as well as a function of the shape', async () => {
    const folder = await only(
      'checkout.scenario.ts',
      `export default { name: 'checkout', executor: 'constant-vus', vus: 2, duration: '5s',
        requests: [{ name: 'me', weight: 1, path: '/api/users/me', auth: true }], users: 2 };\n`,
    );
    const all = await loadScenarios(SHAPE, folder);
    expect(all.get('checkout')).toMatchObject({ executor: 'constant-vus', vus: 2, users: 2 });
  });

  it('names the file and what to do when a scenario file is wrong', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'empty.scenario.ts',
        'export const x = 1;\n',
        /empty\.scenario\.ts has no default export: export default defineScenario\(\{ name: 'empty'/,
      ],
      [
        'mine.scenario.ts',
        `export default { name: 'other', executor: 'constant-vus', vus: 1, duration: '1s', requests: [{ name: 'a', weight: 1, path: '/' }] };\n`,
        /mine\.scenario\.ts: name is "other": a scenario's name is its file's, "mine"/,
      ],
      [
        'bad.scenario.ts',
        `export default { name: 'bad', executor: 'constant-arrival-rate', rate: 10, duration: 'soon', preAllocatedVUs: 1, requests: [{ name: 'a', weight: 1, path: '/' }] };\n`,
        /bad\.scenario\.ts: scenario "bad": duration: a k6 duration/,
      ],
      [
        'smoke.scenario.ts',
        `import { defineScenario } from ${JSON.stringify(REGISTRY)};\nexport default defineScenario({ name: 'smoke', executor: 'constant-vus', vus: 1, duration: '1s', requests: [{ name: 'a', weight: 1, path: '/' }] });\n`,
        /smoke\.scenario\.ts: "smoke" is a shipped scenario's name: choose another/,
      ],
      ['broken.scenario.ts', 'export default {;\n', /broken\.scenario\.ts cannot be loaded: /],
    ];
    for (const [file, text, error] of cases)
      await expect(loadScenarios(SHAPE, await only(file, text)), file).rejects.toThrow(error);
  });

  it('an unknown name lists the scenarios there are and the file that would add it', async () => {
    const all = await loadScenarios(SHAPE);
    expect(pickScenarios(all, ['browse-heavy', 'smoke']).map((s) => s.name)).toEqual([
      'browse-heavy',
      'smoke',
    ]);
    expect(() => pickScenarios(all, ['checkout'])).toThrow(
      /no scenario "checkout": use one of smoke, average-load, .*browse-heavy, or add load\/scenarios\/checkout\.scenario\.ts/,
    );
  });

  it('profiles name any scenario; a name that cannot be one is refused at load', () => {
    const config = parseConfig(
      { profiles: { mine: { load: { ...SHAPE, scenarios: ['browse-heavy'] } } } },
      'perf.config.ts',
    );
    expect(config.profiles.mine?.load?.scenarios).toEqual(['browse-heavy']);
    expect(() =>
      parseConfig(
        { profiles: { mine: { load: { ...SHAPE, scenarios: ['Browse Heavy'] } } } },
        'perf.config.ts',
      ),
    ).toThrow(/profiles\.mine\.load\.scenarios\.0: a scenario name: lower-case letters, digits and "-"/);
  });

  it("exports the user's scenario for k6 with the others", async () => {
    const out = join(dir, 'k6');
    const paths = await exportScenarios([...(await loadScenarios(SHAPE)).values()], out);
    expect(paths.map((p) => p.slice(out.length + 1))).toContain('browse-heavy.ts');
    expect(await readFile(join(out, 'browse-heavy.ts'), 'utf8')).toMatch(/browse-heavy/);
  });
});
