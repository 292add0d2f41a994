/**
 * Our engine on Kubernetes: an Indexed Job whose pod i runs share i of N of a scenario
 * (`scripts/load-share.ts`; JOB_COMPLETION_INDEX picks the share), and a headless Service that
 * gives share 0 — which serves the start barrier — a stable name (`NAME-0.NAME`). Each pod writes
 * share-<i>.json to the results volume; `npm run load:merge -- share-*.json` makes them one result.
 */
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IService } from 'kubernetes-models/v1/Service';
import {
  type DistributeOptions,
  type K8sObject,
  labels,
  metadata,
  onePerNode,
  RESULTS_MOUNT,
  resultsClaim,
  resultsMount,
  resultsReader,
  resultsVolume,
  runDeadlineSeconds,
} from './common.ts';

export const BARRIER_PORT = 7777;
/** The image's user (node:20-slim's "node"): the results volume is made writable for its group. */
const IMAGE_UID = 1000;

function env(name: string, value: string) {
  return { name, value };
}

export function barrierService(options: DistributeOptions): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(options, options.name),
    spec: {
      clusterIP: 'None',
      // The shares ask share 0 before any pod is "ready": publish the names at once.
      publishNotReadyAddresses: true,
      selector: { 'job-name': options.name },
      ports: [{ name: 'barrier', port: BARRIER_PORT, targetPort: BARRIER_PORT }],
    },
  };
}

export function indexedJob(options: DistributeOptions): IJob {
  const n = options.parallelism;
  const podLabels = labels(options);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(options, options.name),
    spec: {
      completionMode: 'Indexed',
      completions: n,
      parallelism: n,
      // A share that fails is not run again: a rerun would load the target out of step.
      backoffLimit: 0,
      activeDeadlineSeconds: runDeadlineSeconds(options.scenario, options.barrierTimeoutS),
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: podLabels },
        spec: {
          restartPolicy: 'Never',
          subdomain: options.name,
          securityContext: { fsGroup: IMAGE_UID },
          // On the Job's own pods only: the results Pod may share a node with a share.
          ...(options.separate ? { affinity: onePerNode({ 'job-name': options.name }) } : {}),
          containers: [
            {
              name: 'share',
              image: options.image,
              command: ['node', '--import', 'tsx', 'scripts/load-share.ts'],
              args: ['--profile', options.profile, ...(options.allowRemote ? ['--allow-remote'] : [])],
              env: [
                env('SCENARIO', options.scenario.name),
                env('SHARES', String(n)),
                env('RUN_ID', options.runId),
                env('BASE_URL', options.baseUrl),
                env('BARRIER_URL', `http://${options.name}-0.${options.name}:${BARRIER_PORT}`),
                env('SERVE_BARRIER', '1'),
                env('BARRIER_TIMEOUT', String(options.barrierTimeoutS)),
                env('OUT_DIR', RESULTS_MOUNT),
              ],
              ports: [{ name: 'barrier', containerPort: BARRIER_PORT }],
              resources: { requests: { cpu: options.cpu } },
              volumeMounts: [resultsMount],
            },
          ],
          volumes: [resultsVolume(options)],
        },
      },
    },
  };
}

/** Every object to apply, in the order kubectl should create them. */
export function indexedJobManifests(options: DistributeOptions): K8sObject[] {
  const claim = resultsClaim(options);
  return [
    ...(claim ? [claim] : []),
    barrierService(options),
    indexedJob(options),
    resultsReader(options, options.image, IMAGE_UID),
  ];
}
