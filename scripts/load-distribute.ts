/**
 * `npm run load:distribute -- --engine pitchey|k6-operator --parallelism N --scenario NAME
 *  --base-url URL --allow-remote`: writes the Kubernetes manifests that run one scenario on N
 * runners, ready for `kubectl apply -f`, and prints how to fetch and merge the results.
 *   --engine pitchey       an Indexed Job of our engine (one share per pod, a start barrier);
 *                          results merged by `npm run load:merge -- share-*.json`
 *   --engine k6-operator   a TestRun and the ConfigMap with the exported k6 script;
 *                          results merged by `npm run load:k6-import -- *.ndjson.gz --scenario NAME`
 *   --name NAME            resource prefix (default pitchey-<scenario>); --namespace NS
 *   --image IMAGE          default pitchey-perf-monitor (deploy/Dockerfile) or grafana/k6
 *   --cpu CPU              CPU request per runner (default 1); --separate: one runner per node
 *   --results-claim NAME   an existing ReadWriteMany claim for the results, instead of a new one
 *   --results-size SIZE    the new claim's size (default 1Gi; 20Gi for k6: it keeps every sample)
 *   --storage-class NAME   the new claim's storage class (one that offers ReadWriteMany)
 *   --run-id ID            default: the time and a random suffix
 *   --out FILE             default reports/distribute/<name>.yaml
 *   --config, --profile    as everywhere (the profile shapes the scenario)
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../core/cli.ts';
import { loadConfig, resolveProfile } from '../core/config.ts';
import { PerfError } from '../core/errors.ts';
import { writeAtomic } from '../core/files.ts';
import { BARRIER_TIMEOUT_MS } from '../load/barrier.ts';
import {
  checkName,
  type DistributeOptions,
  defaultName,
  manifestsYaml,
  RESULTS_MOUNT,
} from '../load/distribute/common.ts';
import { indexedJobManifests } from '../load/distribute/indexed-job.ts';
import { k6OperatorManifests } from '../load/distribute/k6-operator.ts';
import { k6Script } from '../load/k6/export.ts';
import { loadScenarios, pickScenarios } from '../load/scenarios/registry.ts';
import { guardRemote, isLoopback } from '../load/suite.ts';
import { parseBaseUrl } from './target.ts';

const ENGINES = ['pitchey', 'k6-operator'] as const;
type Engine = (typeof ENGINES)[number];
const MAX_PARALLELISM = 100;

function cliArgs() {
  return parseArgs({
    options: {
      engine: { type: 'string', default: 'pitchey' },
      parallelism: { type: 'string' },
      scenario: { type: 'string' },
      'base-url': { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      name: { type: 'string' },
      namespace: { type: 'string' },
      image: { type: 'string' },
      cpu: { type: 'string', default: '1' },
      separate: { type: 'boolean', default: false },
      'results-claim': { type: 'string' },
      'results-size': { type: 'string' },
      'storage-class': { type: 'string' },
      'run-id': { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string', default: 'perf.config.ts' },
      profile: { type: 'string' },
    },
  }).values;
}

/** A run id that sorts by time and is a valid label value. */
function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

function engineOf(value: string): Engine {
  if (!(ENGINES as readonly string[]).includes(value))
    throw new PerfError(`--engine ${value}: one of ${ENGINES.join(', ')}`);
  return value as Engine;
}

function parallelismOf(value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1 || n > MAX_PARALLELISM)
    throw new PerfError(
      `--parallelism ${value ?? '(not set)'}: the number of runners, 1 to ${MAX_PARALLELISM}`,
    );
  return n;
}

/** The steps after `kubectl apply`, printed for the user. */
function nextSteps(engine: Engine, options: DistributeOptions, out: string): string {
  const ns = options.namespace ? ` -n ${options.namespace}` : '';
  const wait =
    engine === 'pitchey'
      ? `kubectl wait${ns} --for=condition=complete --timeout=-1s job/${options.name}`
      : `kubectl get${ns} testrun/${options.name} -w   # until its stage is "finished"`;
  const merge =
    engine === 'pitchey'
      ? 'npm run load:merge -- results/share-*.json'
      : `npm run load:k6-import -- results/*.ndjson.gz --scenario ${options.scenario.name} --profile ${options.profile}`;
  return [
    `wrote ${out}: ${options.parallelism} ${engine === 'pitchey' ? 'shares' : 'k6 runners'} of "${options.scenario.name}", run ${options.runId}`,
    `  kubectl apply${ns} -f ${out}`,
    `  ${wait}`,
    `  kubectl cp${ns} ${options.name}-results:${RESULTS_MOUNT} ./results`,
    `  ${merge}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const args = cliArgs();
  const engine = engineOf(args.engine as string);
  const parallelism = parallelismOf(args.parallelism);
  if (!args.scenario) throw new PerfError('--scenario NAME is required: the scenario the runners share');
  const base = args['base-url'] ?? process.env.BASE_URL;
  if (!base) throw new PerfError('--base-url URL (or BASE_URL) is required: the deployment the runners load');
  const baseUrl = parseBaseUrl(base, '--base-url');
  if (isLoopback(baseUrl))
    throw new PerfError(
      `--base-url ${baseUrl.origin} is loopback: in a pod that is the pod itself. Give the deployment's address (e.g. http://pitchey-api.pitchey.svc:8080) with --allow-remote, or use npm run load:merge -- --local-shares N here`,
    );
  const config = await loadConfig(args.config);
  const profile = args.profile ?? config.profile;
  const [scenario] = pickScenarios(await loadScenarios(resolveProfile(config, profile).load), [
    args.scenario,
  ]);
  if (!scenario) throw new PerfError(`no scenario "${args.scenario}"`);
  guardRemote(baseUrl, [scenario], {
    allowRemote: config.suites.load.allowRemote || Boolean(args['allow-remote']),
    maxRemoteRate: config.suites.load.maxRemoteRate,
  });
  const name = checkName(args.name ?? defaultName(scenario.name), '--name');
  const options: DistributeOptions = {
    name,
    ...(args.namespace ? { namespace: checkName(args.namespace, '--namespace') } : {}),
    scenario,
    profile,
    parallelism,
    baseUrl: baseUrl.href,
    allowRemote: true,
    runId: args['run-id'] ?? newRunId(),
    image: args.image ?? (engine === 'pitchey' ? 'pitchey-perf-monitor' : 'grafana/k6'),
    cpu: args.cpu as string,
    separate: Boolean(args.separate),
    results: args['results-claim']
      ? { claim: checkName(args['results-claim'], '--results-claim') }
      : {
          claim: `${name}-results`,
          create: {
            size: args['results-size'] ?? (engine === 'pitchey' ? '1Gi' : '20Gi'),
            ...(args['storage-class'] ? { storageClass: args['storage-class'] } : {}),
          },
        },
    barrierTimeoutS: BARRIER_TIMEOUT_MS / 1000,
  };
  const objects =
    engine === 'pitchey' ? indexedJobManifests(options) : k6OperatorManifests(options, k6Script(scenario));
  const out = args.out ?? join('reports', 'distribute', `${name}.yaml`);
  await mkdir(dirname(out), { recursive: true });
  await writeAtomic(out, manifestsYaml(objects));
  console.log(nextSteps(engine, options, out));
  return 0;
}

await runCli(main);
