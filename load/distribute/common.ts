/**
 * What both distributed engines' manifests share: names, labels, the results volume every
 * runner writes its encoded result to, the Pod that lets `kubectl cp` fetch them, and the run's
 * time bound. Pure: objects in, objects out; scripts/load-distribute.ts writes them as YAML.
 * Types come from kubernetes-models (type-only), so tsc rejects a misspelt field.
 */
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPod } from 'kubernetes-models/v1/Pod';
import { stringify } from 'yaml';
import { PerfError } from '../../core/errors.ts';
import { ms, plannedDurationMs, type Scenario } from '../scenario.ts';

export class DistributeError extends PerfError {}

export const RESULTS_MOUNT = '/results';
/** A ConfigMap holds at most 1 MiB (etcd's object limit). */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

export interface ResultsVolume {
  /** The PersistentVolumeClaim every runner mounts (ReadWriteMany: runners sit on several nodes). */
  claim: string;
  /** Set when the manifests create the claim; absent when the user names an existing one. */
  create?: { size: string; storageClass?: string };
}

export interface DistributeOptions {
  /** Prefix of every resource: a DNS-1123 label. */
  name: string;
  namespace?: string;
  scenario: Scenario;
  profile: string;
  parallelism: number;
  baseUrl: string;
  allowRemote: boolean;
  runId: string;
  image: string;
  /** CPU each runner asks for, e.g. "1". */
  cpu: string;
  /** One runner per node (required anti-affinity), so runners do not share a machine's CPU. */
  separate: boolean;
  results: ResultsVolume;
  /** How long shares wait for each other before giving up. */
  barrierTimeoutS: number;
}

export type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string } };

// Room for the suffixes the controllers add to job and pod names ("-<index>-xxxxx").
const MAX_NAME = 40;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a resource name prefix; the message says what a valid one looks like. */
export function checkName(name: string, what: string): string {
  if (name.length > MAX_NAME || !DNS_LABEL.test(name))
    throw new DistributeError(
      `${what} "${name}": lower-case letters, digits and "-", starting and ending with a letter or digit, at most ${MAX_NAME} characters (e.g. pitchey-browse)`,
    );
  return name;
}

/** A default resource name for a scenario: its name made a DNS label. */
export function defaultName(scenario: string): string {
  const cleaned = `pitchey-${scenario}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-');
  return cleaned.slice(0, MAX_NAME).replace(/-+$/, '');
}

export function labels(options: DistributeOptions): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'pitchey-perf',
    'app.kubernetes.io/instance': options.name,
    'pitchey-perf/run-id': options.runId,
  };
}

export function metadata(options: DistributeOptions, name: string) {
  return {
    name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    labels: labels(options),
  };
}

/** The longest the run can take: the scenario, its graceful stop, the barrier and pod start-up. */
export function runDeadlineSeconds(scenario: Scenario, barrierTimeoutS: number): number {
  return Math.ceil((plannedDurationMs(scenario) + ms(scenario.gracefulStop)) / 1000) + barrierTimeoutS + 120;
}

export function resultsClaim(options: DistributeOptions): IPersistentVolumeClaim | undefined {
  const create = options.results.create;
  if (!create) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(options, options.results.claim),
    spec: {
      // Runners on several nodes write at once: the volume must be mountable read-write by many.
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: create.size } },
      ...(create.storageClass ? { storageClassName: create.storageClass } : {}),
    },
  };
}

export function resultsVolume(options: DistributeOptions) {
  return { name: 'results', persistentVolumeClaim: { claimName: options.results.claim } };
}

export const resultsMount = { name: 'results', mountPath: RESULTS_MOUNT };

/**
 * A Pod that only holds the results volume, for `kubectl cp NAME-results:/results ./results`.
 * It sleeps, bounded: past the run's deadline plus an hour it ends by itself.
 */
export function resultsReader(options: DistributeOptions, image: string, uid: number): IPod {
  const seconds = runDeadlineSeconds(options.scenario, options.barrierTimeoutS) + 3600;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(options, `${options.name}-results`),
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: seconds,
      securityContext: { runAsUser: uid, fsGroup: uid },
      containers: [
        {
          name: 'results',
          image,
          command: ['sleep', String(seconds)],
          volumeMounts: [resultsMount],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
      volumes: [resultsVolume(options)],
    },
  };
}

/** Required anti-affinity on this run's label: one runner per node. */
export function onePerNode(selector: Record<string, string>) {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  };
}

/** The objects as one multi-document YAML file, for `kubectl apply -f`. */
export function manifestsYaml(objects: K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
