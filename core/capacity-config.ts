/** The capacity check's settings (`capacity` in perf.config.ts); defaults are the README's. */
import { z } from 'zod';
import { DEFAULT_DEMAND } from './demand.ts';

const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'a k6 duration such as "30s" or "2m"');

export const capacitySchema = z
  .object({
    /** The scenario whose request mix and user pool each step sends (shipped or the user's). */
    scenario: z.string().min(1).default('average-load'),
    /** The first step's rate, req/s; each step before the first failure multiplies it by `growth`. */
    startRate: z.number().positive().default(25),
    growth: z.number().min(1.1).max(10).default(2),
    /** Bisect until the first failing rate is within this share above the last passing one. */
    resolution: z.number().gt(0).max(0.5).default(0.05),
    /** Never offered more (also --max-rate; required for a remote target). */
    maxRate: z.number().positive().max(1_000_000).default(20_000),
    minRate: z.number().positive().default(1),
    /** Each step: warm-up (discarded), then the plateau that is judged. */
    warmup: duration.default('3s'),
    plateau: duration.default('10s'),
    /** The whole check stops by itself after this (the answer is then a lower bound). */
    timeBudget: duration.default('5m'),
    /** Worker threads sending each step (the generator's cores). */
    workers: z.number().int().min(1).max(64).default(1),
    /** The milestone whose API targets judge a step; default: the config's milestone. */
    milestone: z.string().optional(),
    /** The daily active users to size for (the roadmap: 5,000 today, 25,000, 100,000). */
    dau: z.number().int().positive().default(25_000),
    /** How users become requests per second; every assumption named (core/demand.ts). */
    demand: z
      .object({
        sessionsPerUserPerDay: z.number().positive().default(DEFAULT_DEMAND.sessionsPerUserPerDay),
        requestsPerSession: z.number().positive().default(DEFAULT_DEMAND.requestsPerSession),
        peakHourShare: z.number().gt(0).max(1).default(DEFAULT_DEMAND.peakHourShare),
        burstFactor: z.number().min(1).default(DEFAULT_DEMAND.burstFactor),
      })
      .strict()
      .default(DEFAULT_DEMAND),
    /** Capacity below this multiple of the peak fails the check (exit 1). */
    minHeadroom: z.number().positive().default(2),
    /** Lost capacity beyond this (plus both results' resolutions) is a regression. */
    regressionTolerance: z.number().min(0).max(1).default(0.1),
    /** A step with more errors or a P95 past latencyFactor × its target collapsed. */
    collapse: z
      .object({
        errorRate: z.number().gt(0).max(1).default(0.05),
        latencyFactor: z.number().min(1).default(10),
      })
      .strict()
      .default({ errorRate: 0.05, latencyFactor: 10 }),
  })
  .strict();

export type CapacityConfig = z.output<typeof capacitySchema>;
