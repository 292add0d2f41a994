/**
 * perf.config.ts: the typed `defineConfig`, its schema, the built-in profiles, and loading with
 * validation (an unknown key or a wrong type fails before anything runs, naming key and file).
 * Profiles change how long and how often, never what passes: they hold no thresholds.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { monitorSchema } from '../monitor/config.ts';
import { capacitySchema } from './capacity-config.ts';
import { PerfError } from './errors.ts';

const healthSuiteSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Paths probed on the base URL. */
    endpoints: z
      .array(z.string().startsWith('/', 'an endpoint is a path starting with "/"'))
      .min(1)
      .default(['/health', '/health/ready', '/health/detailed']),
    /** One request's timeout; a slower answer counts as a timeout error. */
    timeoutMs: z.number().int().positive().max(120_000).default(5_000),
  })
  .strict();

const loadSuiteSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** "native": our engines; "k6": the k6 binary (K6_BIN or PATH) runs the exported scripts. */
    engine: z.enum(['native', 'k6']).default('native'),
    /** Worker threads per scenario (the machine's cores are shared with a local target). */
    workers: z.number().int().min(1).max(64).default(1),
    /**
     * Open model: connections per worker thread at most. They open as the load needs them (rate ×
     * latency); past the cap, iterations wait and count late, instead of the generator opening
     * one connection per maxVU and meeting the target's own connection limit.
     */
    maxConnections: z.number().int().min(1).max(100_000).default(1_000),
    /** Load may go to a host that is not loopback only with this (or --allow-remote). */
    allowRemote: z.boolean().default(false),
    /** The highest arrival rate (requests/s) any scenario may send to a remote host. */
    maxRemoteRate: z.number().positive().max(100_000).default(50),
  })
  .strict();

const syntheticSuiteSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Playwright projects (playwright.config.ts): device emulations. */
    projects: z
      .array(z.enum(['desktop', 'mobile']))
      .min(1)
      .default(['desktop', 'mobile']),
    /** Browsers at once: 1 on small machines, so one journey's timings are not another's load. */
    workers: z.number().int().min(1).max(16).default(1),
    /** Only the journeys whose title starts with one of these (e.g. ["visitor"]); default: all. */
    journeys: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

const lighthouseSuiteSchema = z
  .object({
    enabled: z.boolean().default(true),
    pages: z
      .array(z.object({ name: z.string().min(1), path: z.string().startsWith('/') }).strict())
      .min(1)
      .default([
        { name: 'home', path: '/' },
        { name: 'browse', path: '/browse' },
        { name: 'pitch', path: '/pitch/42' },
        { name: 'login', path: '/login' },
      ]),
    presets: z
      .array(z.enum(['mobile', 'desktop']))
      .min(1)
      .default(['mobile', 'desktop']),
    /** Lighthouse CI assertions ('error' judge, 'warn' note), checked in lighthouse/assertions.ts. */
    assertions: z.record(z.string(), z.unknown()).default({}),
    /** A Lighthouse budgets.json (timings, resourceSizes, resourceCounts). */
    budgetsFile: z.string().optional(),
  })
  .strict();

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'a k6 duration such as "30s" or "2m"');

/** What a profile may set: counts, rates and durations per suite. */
const profileSchema = z
  .object({
    health: z
      .object({ requests: z.number().int().min(1).max(100_000).describe('requests per endpoint') })
      .strict()
      .optional(),
    load: z
      .object({
        /** Shipped (smoke, average-load, stress, spike, soak, breakpoint) or load/scenarios/NAME.scenario.ts. */
        scenarios: z
          .array(z.string().regex(/^[a-z0-9-]+$/, 'a scenario name: lower-case letters, digits and "-"'))
          .min(1),
        rate: z.number().positive().max(100_000),
        duration,
        smokeIterations: z.number().int().min(1).max(1_000_000),
        soakDuration: duration,
        breakpointRate: z.number().positive().max(1_000_000),
      })
      .strict()
      .partial()
      .optional(),
    synthetic: z
      .object({
        iterations: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .describe('iterations of each journey (a side, when paired)'),
        /** Only these Playwright projects (default: the suite's). */
        projects: z
          .array(z.enum(['desktop', 'mobile']))
          .min(1)
          .optional(),
        /**
         * How long a loaded page may still shift or paint before the next step (default 500 ms).
         * Shorter is quicker; CLS, LCP and INP are read again when the page is left either way.
         */
        settleMs: z.number().int().min(0).max(10_000).optional(),
      })
      .strict()
      .optional(),
    lighthouse: z
      .object({
        runs: z
          .number()
          .int()
          .min(1)
          .max(25)
          .describe('Lighthouse runs per page and preset (a side, when paired)'),
        /** Only these presets (default: the suite's). */
        presets: z
          .array(z.enum(['mobile', 'desktop']))
          .min(1)
          .optional(),
        /**
         * 'measured': only the audits the gate reads (metrics, byte weight, requests, resource
         * summary, and whatever the assertions name), and quiet windows of 250 ms instead of
         * Lighthouse's 1 s: 2.9 s a run instead of 5.1 on the embedded home page. Default 'all'.
         */
        audits: z.enum(['all', 'measured']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const thresholdOverrideSchema = z
  .object({
    /** Suite name or "*" (default: every suite). */
    suite: z.string().optional(),
    /** Item name or glob, e.g. "/health/*" (default: every item). */
    item: z.string().optional(),
    /** k6 thresholds by metric key, e.g. { "http_req_duration": ["p(95)<400"] }. */
    metrics: z.record(z.string(), z.array(z.string()).min(1)),
  })
  .strict();

const effectSchema = z
  .object({
    /** The smallest worsening that counts, relative to the baseline (0.1 = 10 %). */
    relative: z.number().min(0).max(10).optional(),
    /** … and in the metric's unit (ms, bytes, ratio…), so noise on tiny values cannot fail a run. */
    absolute: z.number().min(0).optional(),
  })
  .strict();

const baselinesSchema = z
  .object({
    /** Compare each run with the committed baselines (baselines/<profile>/<suite>/*.json). */
    enabled: z.boolean().default(true),
    dir: z.string().default('baselines'),
    /** One-sided significance level of the regression tests. */
    alpha: z.number().gt(0).lt(0.5).default(0.01),
    /**
     * The percentiles compared for latency histograms (load, health). Not P99 by default: it needs
     * ~500 requests a side, and from run to run on a shared machine it moves with the machine's
     * own hiccups (the roadmap's P99 target still judges every run). Add 99 on dedicated hardware.
     */
    percentiles: z.array(z.number().gt(0).lt(100)).min(1).default([50, 95]),
    /** Minimum effects by metric name (e.g. "page_load"); defaults depend on the unit. */
    minEffect: z.record(z.string(), effectSchema).default({}),
    /**
     * Judge only against baselines taken on the same machine, as the calibration decides (within
     * calibration.tolerance); a comparison with another machine's baseline is inconclusive.
     */
    sameMachine: z.boolean().default(true),
    /**
     * The nightly gate also judges against the recent history of runs (reports/history.jsonl):
     * a regression must also lie outside the between-run spread, machine-adjusted.
     */
    history: z
      .object({
        /** Profiles whose runs are judged against history. */
        profiles: z.array(z.string()).default(['nightly']),
        /** N: the last N comparable runs form the history. */
        runs: z.number().int().min(3).max(200).default(20),
        /** Control limit: expected on this machine + k × the robust between-run spread. */
        k: z.number().positive().max(10).default(3),
        /** Fewer comparable runs than this: the history cannot judge yet (and says so). */
        minRuns: z.number().int().min(2).max(200).default(5),
      })
      .strict()
      .default({ profiles: ['nightly'], runs: 20, k: 3, minRuns: 5 }),
    /** A comparison with too few samples: shown ("warn"), or counted as a failure ("fail"). */
    inconclusive: z.enum(['warn', 'fail']).default('warn'),
  })
  .strict();

const calibrationSchema = z
  .object({
    /** Measure the machine at the run's start and end (CPU in Node and the browser, timer, round trip). */
    enabled: z.boolean().default(true),
    /** A deciding figure further than this from the baseline's means another machine (0.1 = ±10 %). */
    tolerance: z.number().gt(0).max(1).default(0.1),
    /**
     * The figures that decide "same machine"; the others are shown only. Node's CPU figures stay
     * within ±2 % (one thread) and ±5 % (all cores) from probe to probe on an idle machine; the
     * browser's wobbles by ±15–20 %, like Lighthouse's benchmarkIndex, so it does not decide.
     */
    figures: z
      .array(z.enum(['nodeCpu', 'nodeCpuAll', 'browserCpu', 'timerJitterMs', 'rttMs']))
      .min(1)
      .default(['nodeCpu', 'nodeCpuAll']),
    /** Repeats of each figure (each CPU repeat lasts 100 ms). */
    repeats: z.number().int().min(3).max(50).default(5),
  })
  .strict();

export const configSchema = z
  .object({
    /** The deployment to measure; BASE_URL or --base-url override it. None: the embedded target. */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    profile: z.string().default('ci'),
    /** A milestone of the targets file, or "strictest" (computed: the tightest of all). */
    milestone: z.string().default('strictest'),
    targetsFile: z.string().default('baselines/targets.json'),
    reportsDir: z.string().default('reports'),
    /** How long a BASE_URL deployment may take to answer /health/ready with 200. */
    readyTimeoutMs: z.number().int().positive().max(600_000).default(5_000),
    suites: z
      .object({
        health: healthSuiteSchema.default(healthSuiteSchema.parse({})),
        load: loadSuiteSchema.default(loadSuiteSchema.parse({})),
        synthetic: syntheticSuiteSchema.default(syntheticSuiteSchema.parse({})),
        lighthouse: lighthouseSuiteSchema.default(lighthouseSuiteSchema.parse({})),
      })
      .strict()
      .default({
        health: healthSuiteSchema.parse({}),
        load: loadSuiteSchema.parse({}),
        synthetic: syntheticSuiteSchema.parse({}),
        lighthouse: lighthouseSuiteSchema.parse({}),
      }),
    /** Added or replaced per profile name; merged over the built-in profiles. */
    profiles: z.record(z.string(), profileSchema).default({}),
    thresholds: z.array(thresholdOverrideSchema).default([]),
    baselines: baselinesSchema.default(baselinesSchema.parse({})),
    calibration: calibrationSchema.default(calibrationSchema.parse({})),
    /** The synthetic monitor (npm run monitor): checks, alerts, maintenance, storage. */
    monitor: monitorSchema.default(monitorSchema.parse({})),
    /** The capacity check (npm run capacity): the search, the DAU milestone and demand model. */
    capacity: capacitySchema.default(capacitySchema.parse({})),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type Profile = z.output<typeof profileSchema>;
export type HealthSuiteConfig = z.output<typeof healthSuiteSchema>;
export type LoadSuiteConfig = z.output<typeof loadSuiteSchema>;
export type SyntheticSuiteConfig = z.output<typeof syntheticSuiteSchema>;
export type LighthouseSuiteConfig = z.output<typeof lighthouseSuiteSchema>;
export type LoadProfile = Required<NonNullable<Profile['load']>>;
export type BaselinesConfig = z.output<typeof baselinesSchema>;
export type CalibrationConfig = z.output<typeof calibrationSchema>;
export type ThresholdOverrideConfig = z.output<typeof thresholdOverrideSchema>;

interface ResolvedProfile {
  health: { requests: number };
  load: LoadProfile;
  synthetic: NonNullable<Profile['synthetic']>;
  lighthouse: NonNullable<Profile['lighthouse']>;
}

export const BUILT_IN_PROFILES: Record<string, ResolvedProfile> = {
  smoke: {
    health: { requests: 200 },
    synthetic: { iterations: 3 },
    lighthouse: { runs: 1 },
    load: {
      scenarios: ['smoke', 'average-load'],
      rate: 50,
      duration: '10s',
      smokeIterations: 200,
      soakDuration: '10m',
      breakpointRate: 2000,
    },
  },
  ci: {
    health: { requests: 500 },
    synthetic: { iterations: 10 },
    lighthouse: { runs: 3 },
    load: {
      scenarios: ['smoke', 'average-load', 'stress', 'spike'],
      rate: 100,
      duration: '30s',
      smokeIterations: 300,
      soakDuration: '10m',
      breakpointRate: 2000,
    },
  },
  nightly: {
    health: { requests: 2_000 },
    synthetic: { iterations: 30 },
    lighthouse: { runs: 5 },
    load: {
      scenarios: ['smoke', 'average-load', 'stress', 'spike', 'soak'],
      rate: 200,
      duration: '2m',
      smokeIterations: 500,
      soakDuration: '15m',
      breakpointRate: 3000,
    },
  },
  /**
   * Pull requests, paired (--compare-url): the fewest runs that still reach a verdict a side —
   * 5 Lighthouse runs (the U test's smallest p is then 1/252 < 0.01), 8 journey iterations (one
   * outlier then still leaves p < 0.01 for a clear change; with 5 it does not), ~1,000 API
   * requests — on one device each, quick Lighthouse runs and a short settle: about 4.5 minutes.
   */
  pr: {
    health: { requests: 200 },
    synthetic: { iterations: 8, projects: ['desktop'], settleMs: 100 },
    lighthouse: { runs: 5, presets: ['desktop'], audits: 'measured' },
    load: {
      scenarios: ['average-load'],
      rate: 100,
      duration: '20s',
      smokeIterations: 100,
      soakDuration: '10m',
      breakpointRate: 2000,
    },
  },
  capacity: {
    health: { requests: 500 },
    synthetic: { iterations: 3 },
    lighthouse: { runs: 1 },
    load: {
      scenarios: ['breakpoint'],
      rate: 200,
      duration: '2m',
      smokeIterations: 300,
      soakDuration: '10m',
      breakpointRate: 5000,
    },
  },
};

/** Typed identity, as Playwright's defineConfig: editors check perf.config.ts as you type. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

export class ConfigError extends PerfError {}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}: remove it or check its spelling`;
  }
  return `${path || '(root)'}: ${issue.message}`;
}

export function parseConfig(value: unknown, file: string): Config {
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`${file}: ${result.error.issues.map(describeIssue).join('; ')}`);
}

/** Imports and validates a config file (its default export). */
export async function loadConfig(file: string): Promise<Config> {
  const path = resolve(file);
  if (!existsSync(path))
    throw new ConfigError(`config file ${file} not found: pass --config <file> or create perf.config.ts`);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError(`${file} could not be loaded: ${(error as Error).message}`);
  }
  if (module.default === undefined)
    throw new ConfigError(`${file} has no default export: export default defineConfig({ … })`);
  return parseConfig(module.default, file);
}

/** The profile's settings: built-in, with the config's own profile entries merged over it. */
export function resolveProfile(config: Config, name: string): ResolvedProfile {
  const builtIn = BUILT_IN_PROFILES[name];
  const own = config.profiles[name];
  if (!builtIn && !own) {
    const known = [...new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(config.profiles)])];
    throw new ConfigError(`unknown profile "${name}": choose one of ${known.join(', ')}`);
  }
  const base = builtIn ?? (BUILT_IN_PROFILES.ci as ResolvedProfile);
  return {
    health: { ...base.health, ...own?.health },
    load: { ...base.load, ...own?.load },
    synthetic: { ...base.synthetic, ...own?.synthetic },
    lighthouse: { ...base.lighthouse, ...own?.lighthouse },
  };
}
