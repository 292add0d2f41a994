/**
 * k6 on Kubernetes through grafana/k6-operator: a ConfigMap holding the scenario's exported k6
 * script and a TestRun (k6.io/v1alpha1) that splits it over N runners (k6's execution
 * segments). The operator does not merge the runners' percentiles (k6-operator #812), and each
 * runner would judge thresholds on its share alone, so the runners run with --no-thresholds and
 * keep every sample (`--out json`, gzipped) on the results volume, tagged with the run; `npm run
 * load:k6-import -- runner-*.ndjson.gz --scenario NAME` rebuilds the exact global histograms and
 * judges the run once, on the whole.
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import {
  CONFIG_MAP_MAX_BYTES,
  DistributeError,
  type DistributeOptions,
  type K8sObject,
  metadata,
  RESULTS_MOUNT,
  resultsClaim,
  resultsMount,
  resultsReader,
  resultsVolume,
} from './common.ts';

/** grafana/k6 runs as this user; the results volume is made writable for its group. */
const K6_UID = 12345;

/** The fields of a TestRun this writer sets (the CRD's schema checks them in the tests). */
export interface TestRun extends K8sObject {
  apiVersion: 'k6.io/v1alpha1';
  kind: 'TestRun';
  metadata: ReturnType<typeof metadata>;
  spec: {
    parallelism: number;
    separate?: boolean;
    script: { configMap: { name: string; file: string } };
    args: string[];
    runner: Record<string, unknown>;
  };
}

export function scriptFile(options: DistributeOptions): string {
  return `${options.scenario.name}.ts`;
}

export function scriptConfigMap(options: DistributeOptions, script: string): IConfigMap {
  const bytes = Buffer.byteLength(script);
  if (bytes > CONFIG_MAP_MAX_BYTES)
    throw new DistributeError(
      `the k6 script of "${options.scenario.name}" is ${bytes} bytes, over a ConfigMap's 1 MiB: put it on a volume (TestRun spec.script.volumeClaim)`,
    );
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(options, `${options.name}-script`),
    data: { [scriptFile(options)]: script },
  };
}

/** The arguments every runner gets (k6-operator adds the segment, instance_id and testrun_name). */
export function runnerArgs(options: DistributeOptions): string[] {
  return [
    '--no-thresholds',
    // Kubernetes expands $(POD_NAME) from the runner's env: one file per runner on the shared volume.
    '--out',
    `json=${RESULTS_MOUNT}/$(POD_NAME).ndjson.gz`,
    '--tag',
    `run_id=${options.runId}`,
    '--tag',
    `runners=${options.parallelism}`,
    // As an argument, not the runner's env: the initializer's `k6 archive` runs the script's init
    // code too, which stops without BASE_URL.
    '-e',
    `BASE_URL=${options.baseUrl}`,
  ];
}

export function testRun(options: DistributeOptions): TestRun {
  return {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: metadata(options, options.name),
    spec: {
      parallelism: options.parallelism,
      ...(options.separate ? { separate: true } : {}),
      script: { configMap: { name: `${options.name}-script`, file: scriptFile(options) } },
      args: runnerArgs(options),
      runner: {
        image: options.image,
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: options.cpu } },
        securityContext: { fsGroup: K6_UID },
        volumes: [resultsVolume(options)],
        volumeMounts: [resultsMount],
      },
    },
  };
}

export function k6OperatorManifests(options: DistributeOptions, script: string): K8sObject[] {
  const claim = resultsClaim(options);
  return [
    ...(claim ? [claim] : []),
    scriptConfigMap(options, script),
    testRun(options),
    resultsReader(options, options.image, K6_UID),
  ];
}
