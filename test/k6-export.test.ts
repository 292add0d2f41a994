import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { seededRandom } from '../core/random.ts';
import { DEFAULT_PASSWORD, DEFAULT_USER_PATTERN, k6Options, k6Script } from '../load/k6/export.ts';
import { failedCheck, prepare, weightedPicker } from '../load/mix.ts';
import { parseScenario, type Scenario, type ScenarioInput } from '../load/scenario.ts';
import { shippedScenarios } from '../load/scenarios/index.ts';
import { exportScenarios } from '../scripts/k6-export.ts';
import { DEMO_PASSWORD, seededEmail } from '../target/seed.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASE_URL = 'http://perf.test:8080';

// ---------------------------------------------------------------------------------------------
// Scenarios: every executor, thresholds with tag filters and abortOnFail objects, a user pool.

const MIX: ScenarioInput['requests'] = [
  {
    name: 'pitch-list',
    weight: 5,
    path: '/api/pitches?page={page}&genre={genre}',
    vars: { page: { min: 1, max: 5 }, genre: ['drama', 'sci fi'] },
    // Quotes and backslashes must survive the trip into a TypeScript literal.
    tags: { group: 'browse', quoted: `it's "quoted" \\ back\\"slash`, apostrophes: "it's Ada's" },
    checks: { status: [200], jsonHas: ['items', 'total'] },
  },
  {
    name: 'pitch',
    weight: 3,
    path: '/api/pitches/{id}',
    vars: { id: { min: 1, max: 40 } },
    expectedStatuses: [200, 404],
    checks: { jsonHas: ['id', 'creator.name'] },
  },
  {
    name: 'nda',
    weight: 2,
    method: 'POST',
    path: '/api/ndas',
    vars: { id: { min: 1, max: 40 }, via: ['list', 'page'] },
    body: { pitchId: '{id}', note: 'from the {via}', nested: { again: '{id}' } },
    auth: true,
    expectedStatuses: [201, 409],
    checks: { status: [201, 409] },
  },
];

const THRESHOLDS: ScenarioInput['thresholds'] = {
  http_req_duration: ['p(95)<300', 'p(99)<500'],
  http_req_failed: ['rate<0.005'],
  'http_req_duration{name:pitch}': [{ threshold: 'p(95)<200', abortOnFail: true, delayAbortEval: '10s' }],
  'checks{name:nda}': ['rate>0.99'],
  'http_reqs{group:browse}': [{ threshold: 'count>10' }],
};

const SCENARIOS: Scenario[] = [
  {
    name: 'steady-browse',
    description: 'Constant arrival rate.\nTwo lines, one with */ in it.',
    executor: 'constant-arrival-rate',
    rate: 20,
    duration: '1m30s',
    preAllocatedVUs: 10,
    maxVUs: 40,
    users: 3,
    thresholds: THRESHOLDS,
    requests: MIX,
  },
  {
    name: 'ramp-rate',
    executor: 'ramping-arrival-rate',
    startRate: 5,
    timeUnit: '1m',
    stages: [
      { duration: '30s', target: 50 },
      { duration: '1m', target: 50 },
      { duration: '500ms', target: 0 },
    ],
    preAllocatedVUs: 5,
    users: 2,
    thresholds: { 'http_req_failed{name:nda}': [{ threshold: 'rate<0.01', abortOnFail: true }] },
    requests: MIX,
  },
  {
    name: 'closed-steady',
    executor: 'constant-vus',
    vus: 4,
    duration: '45s',
    gracefulStop: '10s',
    requests: MIX.filter((r) => !r.auth),
  },
  {
    name: 'closed-ramp',
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '20s', target: 8 },
      { duration: '1h', target: 0 },
    ],
    gracefulRampDown: '5s',
    users: 1,
    timeout: '5s',
    thresholds: { http_req_duration: ['avg<100'] },
    requests: MIX,
  },
  {
    name: 'per-vu',
    executor: 'per-vu-iterations',
    vus: 2,
    iterations: 25,
    maxDuration: '2m',
    requests: [{ name: 'health', weight: 1, path: '/health' }],
  },
].map((input) => parseScenario(input));

const scenario = (name: string): Scenario => {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no test scenario ${name}`);
  return found;
};

/** The executor options each executor must carry over, besides executor and gracefulStop. */
const EXECUTOR_FIELDS: Record<Scenario['executor'], string[]> = {
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
};

describe('k6Options', () => {
  it('covers every executor', () => {
    expect(new Set(SCENARIOS.map((s) => s.executor)).size).toBe(Object.keys(EXECUTOR_FIELDS).length);
  });

  for (const source of SCENARIOS) {
    it(`${source.executor}: carries the executor options and thresholds exactly`, () => {
      const options = k6Options(source);
      expect(Object.keys(options.scenarios)).toEqual([source.name]);
      const exported = options.scenarios[source.name] as unknown as Record<string, unknown>;
      const original = source as unknown as Record<string, unknown>;
      const fields = ['executor', 'gracefulStop', ...EXECUTOR_FIELDS[source.executor]];
      for (const field of fields) expect(exported[field], field).toEqual(original[field]);
      // Nothing else: k6 rejects unknown options, and our engine-only fields must stay out.
      const present = fields.filter((f) => original[f] !== undefined);
      expect(Object.keys(exported).sort()).toEqual(present.sort());
      for (const [key, value] of Object.entries(exported)) {
        if (/duration|timeUnit|graceful/i.test(key)) expect(typeof value, key).toBe('string');
      }
      expect(options.thresholds).toEqual(source.thresholds);
      expect(options.summaryTrendStats).toEqual([
        'avg',
        'min',
        'med',
        'max',
        'p(90)',
        'p(95)',
        'p(99)',
        'p(99.9)',
        'count',
      ]);
    });
  }

  it('keeps threshold objects and tag filters verbatim, and copies rather than shares them', () => {
    const source = scenario('steady-browse');
    const { thresholds } = k6Options(source);
    expect(thresholds['http_req_duration{name:pitch}']).toEqual([
      { threshold: 'p(95)<200', abortOnFail: true, delayAbortEval: '10s' },
    ]);
    expect(thresholds['http_req_duration{name:pitch}']).not.toBe(
      source.thresholds['http_req_duration{name:pitch}'],
    );
  });

  it('leaves maxVUs out when the scenario has none (k6 then uses preAllocatedVUs)', () => {
    expect('maxVUs' in (k6Options(scenario('ramp-rate')).scenarios['ramp-rate'] ?? {})).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Type-checking against @types/k6 only, with the project's own load/k6/tsconfig.json.

/** The diagnostics of a k6 tsconfig (load/k6/tsconfig.json, typeRoots made absolute) over `files`. */
async function k6Diagnostics(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'k6-export-tsc-'));
  try {
    await mkdir(join(dir, 'scripts'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'scripts', name), text);
    const read = ts.readConfigFile(join(ROOT, 'load', 'k6', 'tsconfig.json'), ts.sys.readFile);
    if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
    const config = read.config as { compilerOptions: Record<string, unknown> };
    config.compilerOptions.typeRoots = [join(ROOT, 'node_modules', '@types')];
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(dir, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!parsed) throw new Error('tsconfig could not be read');
    expect(parsed.fileNames).toHaveLength(Object.keys(files).length);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
    return diagnostics.map((d) => {
      const where =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const at = where ? `${d.file?.fileName.replace(dir, '')}:${where.line + 1}: ` : '';
      return `${at}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `biome check` over `files` with the project's biome.json: in a temp dir, because Biome refuses
 * paths outside its root and the tree's load/k6/scripts/ must not receive test files.
 */
async function biomeCheck(files: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'k6-export-biome-'));
  try {
    await mkdir(join(dir, 'scripts'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'scripts', name), text);
    const config = JSON.parse(await readFile(join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
    // No git repository there, and no schema path relative to the project.
    const { $schema: _schema, ...rest } = config;
    await writeFile(join(dir, 'biome.json'), JSON.stringify({ ...rest, vcs: { enabled: false } }));
    const biome = join(ROOT, 'node_modules', '.bin', 'biome');
    const result = spawnSync(biome, ['check', 'scripts'], { cwd: dir, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('generated scripts type-check against @types/k6', () => {
  it('with zero diagnostics, for every scenario', { timeout: 60_000 }, async () => {
    const files = Object.fromEntries(SCENARIOS.map((s) => [`${s.name}.ts`, k6Script(s)]));
    expect(await k6Diagnostics(files)).toEqual([]);
  });

  it('and the check can fail: wrong k6 calls and Node globals are reported', {
    timeout: 60_000,
  }, async () => {
    const broken = [
      "import http from 'k6/http';",
      'http.get(123);',
      // k6 has no Node runtime: the k6 tsconfig must not know Node's globals.
      'export const home: string = process.env.HOME ?? "";',
      '',
    ].join('\n');
    const diagnostics = await k6Diagnostics({ 'broken.ts': broken });
    expect(diagnostics.some((d) => d.includes('TS2345'))).toBe(true);
    expect(diagnostics.some((d) => /process/.test(d))).toBe(true);
  });

  it('imports only k6 modules (k6 resolves no npm packages)', () => {
    for (const s of SCENARIOS) {
      const specifiers = [...k6Script(s).matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      expect(specifiers.sort()).toEqual(['k6', 'k6/http', 'k6/options']);
    }
  });

  it("passes the project's Biome config (format and lint) as generated", { timeout: 30_000 }, async () => {
    const files = Object.fromEntries(SCENARIOS.map((s) => [`${s.name}.ts`, k6Script(s)]));
    expect(await biomeCheck(files)).toEqual({
      status: 0,
      output: expect.stringContaining('No fixes applied'),
    });
    // The same check does fail: one double-quoted string is enough.
    const misformatted = k6Script(scenario('per-vu')).replace("'/health'", '"/health"');
    expect((await biomeCheck({ 'per-vu.ts': misformatted })).status).not.toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny fake k6 runtime: the script compiled by esbuild to CommonJS, its k6 imports served by
// fakes that record what the script sends and checks.

interface SentRequest {
  method: string;
  url: string;
  body: string | null;
  params: {
    headers: Record<string, string>;
    tags: Record<string, string>;
    timeout: string;
    responseCallback: unknown;
  };
}

interface FakeResponse {
  seq: number;
  status: number;
  body: string;
  json(): unknown;
}

interface CheckRun {
  seq: number;
  results: Record<string, boolean>;
  tags: Record<string, string>;
}

type Respond = (request: SentRequest) => { status: number; body: string };

interface ScriptModule {
  options: unknown;
  setup(): { tokens: string[] };
  default(data: { tokens: string[] }): void;
}

interface FakeRun {
  script: ScriptModule;
  sent: SentRequest[];
  logins: SentRequest[];
  checks: CheckRun[];
}

const compiled = new Map<string, string>();

async function compile(source: Scenario): Promise<string> {
  const cached = compiled.get(source.name);
  if (cached) return cached;
  const { code } = await transform(k6Script(source), { loader: 'ts', format: 'cjs' });
  compiled.set(source.name, code);
  return code;
}

function respondFake(seq: number, status: number, body: string): FakeResponse {
  // Like k6: res.json() throws when the body is not JSON.
  return { seq, status, body, json: () => JSON.parse(body) };
}

const defaultRespond: Respond = (request) =>
  request.url.endsWith('/api/auth/login')
    ? { status: 200, body: JSON.stringify({ token: `token-of-${JSON.parse(request.body ?? '{}').email}` }) }
    : { status: 200, body: '{}' };

interface FakeOptions {
  env?: Record<string, string>;
  vu?: number;
  random?: () => number;
  respond?: Respond;
}

/** Evaluates the script once (its init context) with fake k6 modules and a stubbed Math.random. */
async function load(source: Scenario, fake: FakeOptions = {}): Promise<FakeRun> {
  const run: Omit<FakeRun, 'script'> = { sent: [], logins: [], checks: [] };
  const respond = fake.respond ?? defaultRespond;
  const send = (request: SentRequest, into: SentRequest[]): FakeResponse => {
    into.push(request);
    const { status, body } = respond(request);
    return respondFake(into.length - 1, status, body);
  };
  const http = {
    request: (method: string, url: string, body: string | null, params: SentRequest['params']) =>
      send({ method, url, body, params }, run.sent),
    batch: (requests: SentRequest[]) => requests.map((r) => send(r, run.logins)),
    expectedStatuses: (...expected: unknown[]) => ({ expectedStatuses: expected }),
  };
  const check = (
    res: FakeResponse,
    sets: Record<string, (r: FakeResponse) => boolean>,
    tags: Record<string, string>,
  ) => {
    const results = Object.fromEntries(Object.entries(sets).map(([name, fn]) => [name, fn(res)]));
    run.checks.push({ seq: res.seq, results, tags });
    return Object.values(results).every(Boolean);
  };
  const modules: Record<string, unknown> = { k6: { check }, 'k6/http': { __esModule: true, default: http } };
  const require = (id: string): unknown => {
    if (!(id in modules)) throw new Error(`the script imports "${id}", which k6 would not resolve`);
    return modules[id];
  };
  const math = Object.create(Math, { random: { value: fake.random ?? Math.random } }) as Math;
  const module: { exports: unknown } = { exports: {} };
  const evaluate = new Function(
    'require',
    'module',
    'exports',
    '__ENV',
    '__VU',
    'Math',
    await compile(source),
  );
  evaluate(require, module, module.exports, fake.env ?? { BASE_URL }, fake.vu ?? 1, math);
  return { ...run, script: module.exports as ScriptModule };
}

const iterate = (run: FakeRun, times: number): void => {
  const data = run.script.setup();
  for (let i = 0; i < times; i++) run.script.default(data);
};

describe('the generated script in a fake k6 runtime', () => {
  it('exports the same options object as k6Options', async () => {
    for (const s of SCENARIOS) expect((await load(s)).script.options).toEqual(k6Options(s));
  });

  it('stops in the init context when BASE_URL is missing', async () => {
    await expect(load(scenario('per-vu'), { env: {} })).rejects.toThrow(/BASE_URL is not set/);
  });

  it('strips a trailing slash from BASE_URL', async () => {
    const run = await load(scenario('per-vu'), { env: { BASE_URL: `${BASE_URL}/` } });
    iterate(run, 1);
    expect(run.sent[0]?.url).toBe(`${BASE_URL}/health`);
  });

  it('picks requests in proportion to their weights', async () => {
    const run = await load(scenario('steady-browse'), { random: seededRandom(11) });
    const times = 20_000;
    iterate(run, times);
    const counts: Record<string, number> = {};
    for (const r of run.sent)
      counts[r.params.tags.name as string] = (counts[r.params.tags.name as string] ?? 0) + 1;
    const total = MIX.reduce((sum, r) => sum + r.weight, 0);
    for (const r of MIX)
      expect(Math.abs((counts[r.name] ?? 0) / times - r.weight / total), r.name).toBeLessThan(0.015);
  });

  it('draws and fills exactly as load/mix.ts does, given the same random sequence', async () => {
    const source = scenario('steady-browse');
    const run = await load(source, { random: seededRandom(7) });
    iterate(run, 2_000);
    const random = seededRandom(7);
    const pick = weightedPicker(source.requests);
    const expected = run.sent.map(() => {
      const prepared = prepare(pick(random()), random);
      return { method: prepared.method, url: BASE_URL + prepared.path, body: prepared.body ?? null };
    });
    expect(run.sent.map(({ method, url, body }) => ({ method, url, body }))).toEqual(expected);
  });

  it('fills placeholders: URL-encoded in paths, raw values for a whole "{var}" body string', async () => {
    const run = await load(scenario('steady-browse'), { random: seededRandom(3) });
    iterate(run, 500);
    for (const r of run.sent) expect(r.url).not.toMatch(/[{}]/);
    expect(run.sent.some((r) => r.url.includes('genre=sci%20fi'))).toBe(true);
    const nda = run.sent.find((r) => r.params.tags.name === 'nda');
    const body = JSON.parse(nda?.body ?? 'null') as {
      pitchId: unknown;
      note: string;
      nested: { again: unknown };
    };
    expect(typeof body.pitchId).toBe('number');
    expect(body.nested.again).toBe(body.pitchId);
    expect(body.note).toMatch(/^from the (list|page)$/);
    expect(nda?.params.headers['Content-Type']).toBe('application/json');
  });

  it('tags every request with its name and own tags, and sets timeout and expected statuses', async () => {
    const source = scenario('closed-ramp');
    const run = await load(source, { random: seededRandom(5) });
    iterate(run, 300);
    for (const r of run.sent) {
      const spec = source.requests.find((s) => s.name === r.params.tags.name);
      expect(spec, r.url).toBeDefined();
      expect(r.params.tags).toEqual({ name: spec?.name, ...spec?.tags });
      expect(r.params.timeout).toBe('5s');
      expect(r.params.responseCallback).toEqual({
        expectedStatuses: spec?.expectedStatuses ?? [{ min: 200, max: 399 }],
      });
    }
  });

  it('logs the user pool in during setup and sends its tokens in turn on auth requests only', async () => {
    const run = await load(scenario('steady-browse'), { random: seededRandom(9), vu: 2 });
    iterate(run, 400);
    expect(run.logins.map((l) => [l.method, l.url, JSON.parse(l.body ?? '{}')])).toEqual(
      [1, 2, 3].map((n) => [
        'POST',
        `${BASE_URL}/api/auth/login`,
        { email: `investor${n}@pitchey.test`, password: DEMO_PASSWORD },
      ]),
    );
    const auth = run.sent
      .filter((r) => r.params.tags.name === 'nda')
      .map((r) => r.params.headers.Authorization);
    // VU 2 starts at the second user, then takes the pool in turn.
    const tokens = [2, 3, 1].map((n) => `Bearer token-of-investor${n}@pitchey.test`);
    expect(auth.length).toBeGreaterThan(10);
    expect(auth).toEqual(auth.map((_, i) => tokens[i % 3]));
    for (const r of run.sent.filter((r) => r.params.tags.name !== 'nda')) {
      expect(r.params.headers.Authorization).toBeUndefined();
    }
  });

  it('defaults to the seeded investors of the embedded target and its demo password', () => {
    expect(DEFAULT_USER_PATTERN.replace('{n}', '7')).toBe(seededEmail('investor', 7));
    expect(DEFAULT_PASSWORD).toBe(DEMO_PASSWORD);
  });

  it('reads the user pattern and password from the environment', async () => {
    const env = { BASE_URL, PERF_USER_PATTERN: 'load-{n}@example.test', PERF_PASSWORD: 's3cret' };
    const run = await load(scenario('ramp-rate'), { env });
    run.script.setup();
    expect(run.logins.map((l) => JSON.parse(l.body ?? '{}'))).toEqual([
      { email: 'load-1@example.test', password: 's3cret' },
      { email: 'load-2@example.test', password: 's3cret' },
    ]);
  });

  it('fails setup when a login fails, and logs nobody in without a user pool', async () => {
    const refused = await load(scenario('ramp-rate'), { respond: () => ({ status: 401, body: '{}' }) });
    expect(() => refused.script.setup()).toThrow(/login failed for investor1@pitchey.test: status 401/);
    const anonymous = await load(scenario('closed-steady'));
    expect(anonymous.script.setup()).toEqual({ tokens: [] });
    expect(anonymous.logins).toEqual([]);
  });

  it('evaluates each check, agreeing with load/mix.ts on pass or fail', async () => {
    const source = scenario('steady-browse');
    const respond: Respond = (request) => {
      if (request.url.endsWith('/api/auth/login')) return defaultRespond(request);
      const id = Number(/\/api\/pitches\/(\d+)$/.exec(request.url)?.[1]);
      if (request.params.tags.name === 'pitch-list') return { status: 200, body: '{"items":[],"total":0}' };
      if (request.params.tags.name === 'nda') return { status: id % 2 ? 409 : 201, body: 'created' };
      if (id % 5 === 0) return { status: 200, body: 'not json' };
      if (id % 2) return { status: 404, body: '{"error":"no such pitch"}' };
      return { status: 200, body: JSON.stringify({ id, creator: { name: 'Ada' } }) };
    };
    const run = await load(source, { random: seededRandom(13), respond });
    iterate(run, 1_000);
    // Every request of this mix has checks, so each one is checked exactly once.
    expect(run.checks.map((c) => c.seq)).toEqual(run.sent.map((_, i) => i));
    const outcomes = new Set<string>();
    for (const c of run.checks) {
      const request = run.sent[c.seq] as SentRequest;
      const spec = source.requests.find((s) => s.name === request.params.tags.name);
      if (!spec) throw new Error(`unknown request ${request.params.tags.name}`);
      const { status, body } = respond(request);
      const passed = Object.values(c.results).every(Boolean);
      expect(passed, `${request.url} → ${status} ${body}`).toBe(
        failedCheck(spec, status, body) === undefined,
      );
      expect(c.tags).toEqual({ name: spec.name, ...spec.tags });
      outcomes.add(`${spec.name}:${passed}`);
      for (const path of spec.checks.jsonHas ?? [])
        expect(c.results).toHaveProperty([`${spec.name}: JSON has ${path}`]);
    }
    expect([...outcomes].sort()).toEqual(['nda:true', 'pitch-list:true', 'pitch:false', 'pitch:true']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('exportScenarios', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k6-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one script per scenario, named after it, with no temp files left', async () => {
    const out = join(dir, 'nested', 'scripts');
    const paths = await exportScenarios(SCENARIOS, out);
    expect(paths).toEqual(SCENARIOS.map((s) => join(out, `${s.name}.ts`)));
    expect((await readdir(out)).sort()).toEqual(SCENARIOS.map((s) => `${s.name}.ts`).sort());
    for (const s of SCENARIOS) expect(await readFile(join(out, `${s.name}.ts`), 'utf8')).toBe(k6Script(s));
    // A second export replaces the scripts in place.
    await exportScenarios(SCENARIOS.slice(0, 1), out);
    expect(await readdir(out)).toHaveLength(SCENARIOS.length);
  });

  it('refuses two scenarios with one name before writing anything', async () => {
    const out = join(dir, 'twice');
    const twice = [scenario('per-vu'), { ...scenario('per-vu') }];
    await expect(exportScenarios(twice, out)).rejects.toThrow(/two scenarios are named "per-vu"/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});

// ---------------------------------------------------------------------------------------------
// Real k6, when the machine has it: the script runs against the embedded Pitchey target.

const k6Available = spawnSync('k6', ['version'], { encoding: 'utf8' }).status === 0;

describe('real k6', () => {
  it.skipIf(!k6Available)(
    'runs an exported script against the embedded target',
    { timeout: 120_000 },
    async () => {
      const { withTarget } = await import('./helpers.ts');
      const target = await withTarget();
      const dir = await mkdtemp(join(tmpdir(), 'k6-run-'));
      try {
        const source = parseScenario({
          name: 'k6-smoke',
          executor: 'per-vu-iterations',
          vus: 2,
          iterations: 5,
          users: 2,
          thresholds: { http_req_failed: ['rate<0.01'], checks: ['rate==1'] },
          requests: [
            {
              name: 'pitches',
              weight: 2,
              path: '/api/pitches',
              checks: { status: [200], jsonHas: ['items'] },
            },
            { name: 'me', weight: 1, path: '/api/users/me', auth: true, checks: { status: [200] } },
          ],
        });
        const [script] = await exportScenarios([source], dir);
        // Asynchronous on purpose: the target answers from this very process.
        const code = await new Promise<number>((resolve) => {
          const child = execFile(
            'k6',
            ['run', '--quiet', '-e', `BASE_URL=${target.url}`, script as string],
            (error) => resolve(error ? Number((error as { code?: unknown }).code ?? 1) : 0),
          );
          child.stdout?.resume();
        });
        expect(code).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
        await target.close();
      }
    },
  );
});

describe('committed k6 scripts', () => {
  it('load/k6/scripts holds what `npm run load:k6-export` writes for the default profile', async () => {
    const config = await loadConfig('perf.config.ts');
    for (const scenario of Object.values(shippedScenarios(resolveProfile(config, config.profile).load))) {
      const committed = await readFile(`load/k6/scripts/${scenario.name}.ts`, 'utf8');
      expect(committed, `load/k6/scripts/${scenario.name}.ts is stale: run npm run load:k6-export`).toBe(
        k6Script(scenario),
      );
    }
  });
});
