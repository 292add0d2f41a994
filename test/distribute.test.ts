/**
 * `npm run load:distribute`: the manifests are valid without a cluster — core kinds against
 * Kubernetes' schemas (kubernetes-models), the TestRun against k6-operator's CRD (vendored,
 * checked strictly as `kubectl apply --validate=strict` would: unknown fields refused) — they
 * agree with each other (names, claims, $(VAR) references), and the Job's own command line and
 * environment, run here as N processes, make shares that load:merge turns into one result.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { readRunResult } from '../core/results.ts';
import { type DistributeOptions, manifestsYaml } from '../load/distribute/common.ts';
import { indexedJobManifests } from '../load/distribute/indexed-job.ts';
import { k6OperatorManifests } from '../load/distribute/k6-operator.ts';
import { k6Script } from '../load/k6/export.ts';
import { parseScenario, type ScenarioInput } from '../load/scenario.ts';
import { runScript, withTarget, writeLoadConfig } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPERATOR = join(ROOT, 'test', 'fixtures', 'k6-operator');

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };
// biome-ignore lint/suspicious/noExplicitAny: each kubernetes-models class takes its own shape
const CORE: Record<string, new (data: any) => { validate(): void }> = {
  'batch/v1 Job': Job,
  'v1 Service': Service,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'v1 Pod': Pod,
  'v1 ConfigMap': ConfigMap,
};

/** Kubernetes' own schema for a core kind; throws with the path of the first error. */
function validateCore(object: Obj): void {
  const Model = CORE[`${object.apiVersion} ${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/**
 * The CRD's schema made strict: where it lists properties and does not keep unknown fields,
 * anything else is refused — what the API server's strict field validation reports.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = strict(v);
  if (
    out.properties &&
    !out['x-kubernetes-preserve-unknown-fields'] &&
    out.additionalProperties === undefined
  )
    out.additionalProperties = false;
  return out;
}

let testRunSchema: ValidateFunction;
beforeAll(async () => {
  const crd = parseYaml(await readFile(join(OPERATOR, 'k6.io_testruns.yaml'), 'utf8'));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1');
  // strict: false lets ajv pass over the x-kubernetes-* keywords; formats like int32 are not checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  testRunSchema = ajv.compile(strict(version.schema.openAPIV3Schema) as object);
});

function validateTestRun(object: unknown): string[] {
  if (testRunSchema(object)) return [];
  return (testRunSchema.errors ?? []).map(
    (e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

const scenario = parseScenario({
  name: 'browse',
  executor: 'constant-arrival-rate',
  rate: 40,
  duration: '4s',
  preAllocatedVUs: 10,
  requests: [{ name: 'pitches', weight: 1, path: '/api/pitches' }],
  thresholds: { http_req_failed: ['rate<0.01'] },
} as ScenarioInput);

const options = (overrides: Partial<DistributeOptions> = {}): DistributeOptions => ({
  name: 'pitchey-browse',
  scenario,
  profile: 'smoke',
  parallelism: 4,
  baseUrl: 'http://pitchey-api.perf.svc:8080/',
  allowRemote: true,
  runId: '20261206-120000-abcd',
  image: 'registry.example/pitchey-perf:1',
  cpu: '1',
  separate: false,
  results: { claim: 'pitchey-browse-results', create: { size: '1Gi' } },
  barrierTimeoutS: 600,
  ...overrides,
});

// biome-ignore lint/suspicious/noExplicitAny: the tests walk into manifests and break them on purpose
type Loose = Obj & Record<string, any>;
const byKind = (objects: unknown[], kind: string) =>
  objects.filter((o) => (o as Obj).kind === kind) as unknown as Loose[];

/** `$(NAME)` references in a container's command and args, which the kubelet expands from its env. */
function references(container: { command?: string[]; args?: string[] }): string[] {
  const text = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  return [...text.matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)].map((m) => m[1] as string);
}

describe('the Indexed Job (our engine)', () => {
  it('is valid Kubernetes: every object against its kind schema; a broken Job is caught', () => {
    for (const separate of [false, true]) {
      const objects = indexedJobManifests(options({ separate }));
      expect(objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim', 'Service', 'Job', 'Pod']);
      for (const o of objects) expect(() => validateCore(o as Obj), `${o.kind}`).not.toThrow();
    }
    // The validator is not a rubber stamp: a wrong enum and a wrong type are refused.
    const job = structuredClone(byKind(indexedJobManifests(options()), 'Job')[0]) as Loose;
    job.spec.completionMode = 'indexed';
    expect(() => validateCore(job)).toThrow(/completionMode/);
    job.spec.completionMode = 'Indexed';
    job.spec.template.spec.containers[0].env[1].value = 4;
    expect(() => validateCore(job)).toThrow(/env\/1\/value must be string/);
  });

  it('runs share i in pod i, together, and keeps every share on the shared volume', () => {
    const objects = indexedJobManifests(options({ separate: true }));
    const [job] = byKind(objects, 'Job');
    const [service] = byKind(objects, 'Service');
    const [claim] = byKind(objects, 'PersistentVolumeClaim');
    const spec = job?.spec;
    expect(spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      backoffLimit: 0,
    });
    expect(spec.template.spec.restartPolicy).toBe('Never');
    // Bounded: the Job is stopped past the scenario, its graceful stop and the barrier's wait.
    expect(spec.activeDeadlineSeconds).toBeGreaterThanOrEqual(4 + 30 + 600);
    const container = spec.template.spec.containers[0];
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      SCENARIO: 'browse',
      SHARES: '4',
      RUN_ID: '20261206-120000-abcd',
      OUT_DIR: '/results',
    });
    // Share 0's stable name: <job>-0.<subdomain>, which the headless Service of the Job's pods publishes.
    expect(spec.template.spec.subdomain).toBe(service?.metadata.name);
    expect(env.BARRIER_URL).toBe(`http://pitchey-browse-0.${service?.metadata.name}:7777`);
    expect(service?.spec).toMatchObject({ clusterIP: 'None', selector: { 'job-name': job?.metadata.name } });
    expect(claim?.spec.accessModes).toEqual(['ReadWriteMany']);
    for (const pod of [spec.template.spec, byKind(objects, 'Pod')[0]?.spec])
      expect(pod.volumes[0].persistentVolumeClaim.claimName).toBe(claim?.metadata.name);
    expect(
      spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0],
    ).toEqual({
      labelSelector: { matchLabels: { 'job-name': 'pitchey-browse' } },
      topologyKey: 'kubernetes.io/hostname',
    });
    expect(references(container)).toEqual([]);
  });

  it('names an existing claim instead of creating one', () => {
    const objects = indexedJobManifests(options({ results: { claim: 'shared-results' } }));
    expect(byKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(byKind(objects, 'Job')[0]?.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      'shared-results',
    );
  });
});

describe('the k6-operator TestRun', () => {
  it("the operator's own samples pass the CRD's schema, and broken TestRuns do not", async () => {
    for (const file of (await readdir(OPERATOR)).filter(
      (f) => f.startsWith('grafana-') && f.includes('testrun'),
    )) {
      const object = parseYaml(await readFile(join(OPERATOR, file), 'utf8'));
      expect(validateTestRun(object), file).toEqual([]);
    }
    // And the sample's ConfigMap is a valid core object, as ours must be.
    const sample = parseYaml(
      await readFile(
        join(OPERATOR, 'grafana-k6-operator__config_samples_k6_v1alpha1_configmap.yaml'),
        'utf8',
      ),
    );
    expect(() => validateCore(sample)).not.toThrow();
    const [run] = byKind(k6OperatorManifests(options(), k6Script(scenario)), 'TestRun');
    const typo = structuredClone(run) as Loose;
    typo.spec.paralelism = typo.spec.parallelism;
    expect(validateTestRun(typo).join('\n')).toMatch(/additionalProperty.*paralelism/);
    const wrongType = structuredClone(run) as Loose;
    wrongType.spec.parallelism = '4';
    expect(validateTestRun(wrongType).join('\n')).toMatch(/\/spec\/parallelism must be integer/);
  });

  it('is valid: the TestRun against the CRD, the ConfigMap and the rest against Kubernetes', () => {
    for (const separate of [false, true]) {
      const objects = k6OperatorManifests(
        options({ separate, image: 'grafana/k6:1.5.0' }),
        k6Script(scenario),
      );
      expect(objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim', 'ConfigMap', 'TestRun', 'Pod']);
      for (const o of objects) {
        if (o.kind === 'TestRun') expect(validateTestRun(o)).toEqual([]);
        else expect(() => validateCore(o as Obj), o.kind).not.toThrow();
      }
    }
  });

  it('runs the exported script on N runners, each keeping every sample in its own file, judged once', () => {
    const script = k6Script(scenario);
    const objects = k6OperatorManifests(options(), script);
    const [map] = byKind(objects, 'ConfigMap');
    const [run] = byKind(objects, 'TestRun');
    const spec = run?.spec;
    expect(spec.parallelism).toBe(4);
    expect(spec.script.configMap.name).toBe(map?.metadata.name);
    expect(map?.data[spec.script.configMap.file]).toBe(script);
    expect(spec.args).toEqual([
      '--no-thresholds',
      '--out',
      'json=/results/$(POD_NAME).ndjson.gz',
      '--tag',
      'run_id=20261206-120000-abcd',
      '--tag',
      'runners=4',
      '-e',
      'BASE_URL=http://pitchey-api.perf.svc:8080/',
    ]);
    // Every $(NAME) in the arguments is one the kubelet can expand: defined in the runner's env.
    const defined = spec.runner.env.map((e: { name: string }) => e.name);
    for (const name of references({ args: spec.args })) expect(defined).toContain(name);
    expect(spec.runner.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
  });

  it('refuses a script too big for a ConfigMap, saying where to put it', () => {
    expect(() => k6OperatorManifests(options(), 'x'.repeat(1024 * 1024 + 1))).toThrow(
      /over a ConfigMap's 1 MiB: put it on a volume/,
    );
  });
});

describe('npm run load:distribute', () => {
  const DISTRIBUTE = join(ROOT, 'scripts', 'load-distribute.ts');
  const MERGE = join(ROOT, 'scripts', 'load-merge.ts');
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'distribute-'));
    // 240 requests: a rate needs 200 samples to pass.
    config = await writeLoadConfig(dir, 40, '6s');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const distribute = (...args: string[]) =>
    runScript(DISTRIBUTE, ['--config', config, '--profile', 'smoke', '--scenario', 'average-load', ...args]);

  it('refuses loopback, a remote target without --allow-remote, bad names and engines, naming the option', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--parallelism', '2', '--base-url', 'http://127.0.0.1:3000'],
        /loopback: in a pod that is the pod itself/,
      ],
      [['--parallelism', '2', '--base-url', 'http://api.perf.svc'], /not loopback: pass --allow-remote/],
      [['--parallelism', '0', '--base-url', 'http://api.perf.svc'], /--parallelism 0: the number of runners/],
      [
        ['--parallelism', '2', '--base-url', 'http://api.perf.svc', '--allow-remote', '--name', 'Bad_Name'],
        /--name "Bad_Name"/,
      ],
      [
        ['--parallelism', '2', '--engine', 'locust', '--base-url', 'http://api.perf.svc'],
        /--engine locust: one of pitchey, k6-operator/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await distribute(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('writes YAML that reads back as the same objects, and says how to apply, fetch and merge', async () => {
    for (const engine of ['pitchey', 'k6-operator']) {
      const out = join(dir, `${engine}.yaml`);
      const run = await distribute(
        '--engine',
        engine,
        '--parallelism',
        '3',
        '--base-url',
        'http://api.perf.svc:8080',
        '--allow-remote',
        '--run-id',
        'r1',
        '--out',
        out,
      );
      expect(run.code, run.stderr).toBe(0);
      const docs = parseAllDocuments(await readFile(out, 'utf8')).map((d) => d.toJS());
      expect(docs.map((d) => d.kind)).toEqual(
        engine === 'pitchey'
          ? ['PersistentVolumeClaim', 'Service', 'Job', 'Pod']
          : ['PersistentVolumeClaim', 'ConfigMap', 'TestRun', 'Pod'],
      );
      for (const d of docs) {
        if (d.kind === 'TestRun') expect(validateTestRun(d)).toEqual([]);
        else expect(() => validateCore(d)).not.toThrow();
      }
      expect(run.stdout).toContain(`kubectl apply -f ${out}`);
      expect(run.stdout).toContain('kubectl cp pitchey-average-load-results:/results ./results');
      expect(run.stdout).toMatch(
        engine === 'pitchey'
          ? /npm run load:merge -- results\/share-\*\.json/
          : /npm run load:k6-import -- results\/\*\.ndjson\.gz --scenario average-load --profile smoke/,
      );
    }
    expect(manifestsYaml([])).toBe('');
  });

  it("the Job's command and environment, run here as its pods would be, make shares that merge into one result", async () => {
    const out = join(dir, 'job.yaml');
    const written = await distribute(
      '--parallelism',
      '2',
      '--base-url',
      'http://api.perf.svc:8080',
      '--allow-remote',
      '--run-id',
      'job-run',
      '--out',
      out,
    );
    expect(written.code, written.stderr).toBe(0);
    const job = parseAllDocuments(await readFile(out, 'utf8'))
      .map((d) => d.toJS())
      .find((d) => d.kind === 'Job');
    const container = job.spec.template.spec.containers[0];
    expect(container.command.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    const target = await withTarget();
    const port = await freePort();
    const shares = join(dir, 'shares');
    try {
      const pods = Array.from({ length: job.spec.completions }, (_, index) => {
        // What differs here from a cluster: the target and share 0's address are on loopback,
        // the volume is a folder, and the test's config is added to the Job's arguments.
        const env: Record<string, string> = Object.fromEntries(
          container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
        );
        env.BASE_URL = target.url;
        env.BARRIER_URL = env.BARRIER_URL?.replace(/\/\/[^/]+$/, `//127.0.0.1:${port}`) ?? '';
        env.OUT_DIR = shares;
        env.JOB_COMPLETION_INDEX = String(index);
        return runPod(container.command, [...container.args, '--config', config], env);
      });
      const runs = await Promise.all(pods);
      for (const r of runs) expect(r.code, r.output).toBe(0);
    } finally {
      await target.close();
    }
    expect((await readdir(shares)).sort()).toEqual(['share-0.json', 'share-1.json']);
    const merged = await runScript(MERGE, [
      '--config',
      config,
      '--profile',
      'smoke',
      join(shares, 'share-0.json'),
      join(shares, 'share-1.json'),
    ]);
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    const reports = /reports: (\S+) /.exec(merged.stdout)?.[1] ?? '';
    const result = await readRunResult(join(reports, 'summary.json'));
    expect(result.suites[0]?.notes).toContain('2 shares of run job-run merged (exact: HDR histograms add)');
  }, 120_000);

  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  function runPod(command: string[], args: string[], env: Record<string, string>) {
    const [, ...rest] = command;
    const child = spawn(process.execPath, [...rest, ...args], {
      cwd: ROOT,
      env: { ...process.env, TARGET_FAULTS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return new Promise<{ code: number | null; output: string }>((resolve) =>
      child.once('exit', (code) => resolve({ code, output })),
    );
  }
});
