/**
 * The monitor's section of perf.config.ts: checks as code, their schedules, assertions,
 * retries and incident thresholds, the alert channels, maintenance windows and storage.
 * Validated with the rest of the config: an error names the check and the field.
 * Without `checks`, the Pitchey defaults (defaultChecks) watch the base URL.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { AssertionSyntaxError, parseAssertion } from './assertions.ts';
import type { IncidentPolicy } from './incidents.ts';
import { validateWindow } from './maintenance.ts';
import type { RetryPolicy } from './retry.ts';

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'a duration such as "30s", "5m" or "1h30m"')
  .transform((s) => parseDuration(s) as number);

const assertion = z.string().superRefine((source, ctx) => {
  try {
    parseAssertion(source);
  } catch (error) {
    if (!(error instanceof AssertionSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

const cron = z.string().superRefine((pattern, ctx) => {
  try {
    new Cron(pattern, { paused: true });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a cron expression: ${(error as Error).message}` });
  }
});

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA timezone such as "Europe/London" or "UTC"');

const retrySchema = z
  .object({
    strategy: z.enum(['none', 'fixed', 'linear', 'exponential']),
    /** Attempts in all, the first included. */
    maxAttempts: z.number().int().min(1).max(10),
    baseBackoff: duration,
    maxBackoff: duration,
    /** Retry only when the check could not connect or timed out. */
    onlyNetworkErrors: z.boolean(),
  })
  .strict()
  .partial()
  // The policy's names (durations in ms), so a check's settings merge over the defaults as they are.
  .transform(
    ({ baseBackoff, maxBackoff, ...rest }): Partial<RetryPolicy> => ({
      ...rest,
      ...(baseBackoff !== undefined ? { baseBackoffMs: baseBackoff } : {}),
      ...(maxBackoff !== undefined ? { maxBackoffMs: maxBackoff } : {}),
    }),
  );

const incidentSchema = z
  .object({
    /** N consecutive failed runs open an incident… */
    failureThreshold: z.number().int().min(1).max(100),
    /** …or failing this long, whichever comes first. */
    failingFor: duration,
    /** M consecutive passing runs resolve it. */
    successThreshold: z.number().int().min(1).max(100),
    /** Reminders while open ("0s": none). */
    reminderEvery: duration,
    /** Degraded runs open warning incidents too. */
    alertOnDegraded: z.boolean(),
  })
  .strict()
  .partial()
  .transform(
    ({ failingFor, reminderEvery, ...rest }): Partial<IncidentPolicy> => ({
      ...rest,
      ...(failingFor !== undefined ? { failingForMs: failingFor } : {}),
      ...(reminderEvery !== undefined ? { reminderEveryMs: reminderEvery } : {}),
    }),
  );

const checkName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, ".", "_" or "-", as "api-trending"');

const common = {
  name: checkName,
  /** Where it belongs on the status page and in SLOs (default by type: health, api, journeys, lighthouse). */
  group: z.string().min(1).optional(),
  /** Run every… (spread so checks do not fire together)… */
  every: duration.optional(),
  /** …or on a cron expression (5 or 6 fields), in a timezone. */
  cron: cron.optional(),
  timezone: timezone.optional(),
  timeout: duration.optional(),
  /** Slower than this (ms of the response, or of the journey or page load): degraded, not failed. */
  degradedAfter: duration.optional(),
  retry: retrySchema.optional(),
  incidents: incidentSchema.optional(),
  /** Send its alerts to these channels only (names; default: all). */
  channels: z.array(z.string()).optional(),
};

const httpCheck = z
  .object({
    ...common,
    type: z.literal('http'),
    /** An absolute URL, or a path on the base URL. */
    url: z.string().min(1),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    /** Gatus conditions; all must hold, or the run failed. */
    assertions: z.array(assertion).default(['[STATUS] == 200']),
    /** Conditions whose failure makes the run degraded, not failed. */
    softAssertions: z.array(assertion).default([]),
  })
  .strict();

const healthCheck = z
  .object({
    ...common,
    type: z.literal('health'),
    /** A health endpoint: its body is checked as the health suite checks it (every component ok). */
    url: z.string().min(1),
    assertions: z.array(assertion).default([]),
    softAssertions: z.array(assertion).default([]),
  })
  .strict();

const journeyCheck = z
  .object({
    ...common,
    type: z.literal('journey'),
    /** A Playwright journey of synthetic/journeys.spec.ts, by the name before its colon. */
    journey: z.string().min(1),
    project: z.enum(['desktop', 'mobile']).default('desktop'),
  })
  .strict();

const lighthouseCheck = z
  .object({
    ...common,
    type: z.literal('lighthouse'),
    /** A path on the base URL (or an absolute URL). */
    url: z.string().min(1),
    preset: z.enum(['desktop', 'mobile']).default('mobile'),
  })
  .strict();

export const checkSchema = z.discriminatedUnion('type', [
  httpCheck,
  healthCheck,
  journeyCheck,
  lighthouseCheck,
]);

const channelSchema = z.discriminatedUnion('type', [
  z
    .object({
      name: z.string().min(1),
      type: z.literal('webhook'),
      /** The receiver; or urlEnv, the environment variable holding it. */
      url: z.url({ protocol: /^https?$/ }).optional(),
      urlEnv: z.string().optional(),
      /** The environment variable holding the HMAC-SHA256 secret (X-Pitchey-Signature). */
      secretEnv: z.string().optional(),
      /** Send reminders and degraded alerts too. */
      reminders: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal('slack'),
      /** The environment variable holding the incoming-webhook URL (it is a secret). */
      urlEnv: z.string().default('SLACK_WEBHOOK_URL'),
      reminders: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal('pagerduty'),
      /** The environment variable holding the Events API v2 routing key (it is a secret). */
      routingKeyEnv: z.string().default('PAGERDUTY_ROUTING_KEY'),
      /** Events API endpoint (a test receiver may stand in). */
      url: z.url({ protocol: /^https?$/ }).default('https://events.pagerduty.com/v2/enqueue'),
    })
    .strict(),
]);

const sloSchema = z
  .object({
    name: checkName,
    /** availability: runs that pass (degraded included); latency: answers within `threshold`. */
    sli: z.enum(['availability', 'latency']).default('availability'),
    /** The share promised, as a ratio: 0.999 for 99.9 %. */
    objective: z.number().gt(0).lt(1),
    /** Latency SLOs: an answer within this is good ("200ms"). */
    threshold: duration.optional(),
    /** The checks it covers: a group, or names and globs ("api-*"); neither: every check. */
    group: z.string().optional(),
    checks: z.array(z.string()).optional(),
    /** Multiwindow burn-rate alerts (page and ticket) through the channels. */
    alert: z.boolean().default(true),
  })
  .strict()
  .superRefine((slo, ctx) => {
    if (slo.sli === 'latency' && slo.threshold === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `SLO "${slo.name}": a latency SLO needs a threshold, e.g. "200ms"`,
      });
    if (slo.sli === 'availability' && slo.threshold !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `SLO "${slo.name}": a threshold is for latency SLOs (set sli: 'latency')`,
      });
  });

const maintenanceSchema = z.union([
  z
    .object({
      name: z.string().min(1),
      checks: z.array(z.string()).optional(),
      start: z.string(),
      end: z.string(),
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      checks: z.array(z.string()).optional(),
      cron,
      duration,
      timezone: timezone.optional(),
    })
    .strict()
    .transform(({ duration: durationMs, ...rest }) => ({ ...rest, durationMs })),
]);

export const monitorSchema = z
  .object({
    /** The checks; without them, the Pitchey defaults on the base URL. */
    checks: z.array(checkSchema).optional(),
    /**
     * Service level objectives; without them, those of the config's milestone in the targets
     * file (uptime per group and check, the API's latency percentiles and error rate).
     */
    slos: z.array(sloSchema).optional(),
    /**
     * The status page, /metrics and /healthz on this port (MONITOR_PORT overrides): 0 takes any
     * free port, false serves nothing.
     */
    port: z.union([z.number().int().min(0).max(65535), z.literal(false)]).default(9464),
    /** The address they listen on: loopback unless you mean to expose them. */
    host: z.string().default('127.0.0.1'),
    /** SQLite file (MONITOR_DB overrides it). */
    database: z.string().default('monitor-data/monitor.db'),
    /** Attempts older than this are deleted; per-minute rollups last as long, per-hour 400 days. */
    retentionDays: z.number().int().min(1).max(3650).default(14),
    hourlyRetentionDays: z.number().int().min(1).max(3650).default(400),
    retry: retrySchema.default({}),
    incidents: incidentSchema.default({}),
    channels: z.array(channelSchema).default([]),
    maintenance: z.array(maintenanceSchema).default([]),
    /**
     * URLs that tell whether the monitor itself is online. When a check fails on a network
     * error and none of these answers, the monitor is offline: that is recorded, no one is paged.
     */
    canary: z.array(z.url({ protocol: /^https?$/ })).default([]),
    /** Checks at once (browser checks: one at a time, always). */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** On SIGINT/SIGTERM, how long checks in flight may take to finish. */
    shutdownTimeout: duration.default(30_000),
  })
  .strict()
  .superRefine((monitor, ctx) => {
    const names = new Set<string>();
    monitor.checks?.forEach((check, i) => {
      if (names.has(check.name))
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i, 'name'],
          message: `"${check.name}" is used twice`,
        });
      names.add(check.name);
      if (check.every === undefined && check.cron === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i],
          message: `check "${check.name}": set "every" or "cron"`,
        });
      if (check.every !== undefined && check.cron !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i],
          message: `check "${check.name}": "every" or "cron", not both`,
        });
      if (check.every !== undefined && check.every < 1000)
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i, 'every'],
          message: `check "${check.name}": at least 1s`,
        });
      for (const channel of check.channels ?? [])
        if (!monitor.channels.some((c) => c.name === channel))
          ctx.addIssue({
            code: 'custom',
            path: ['checks', i, 'channels'],
            message: `check "${check.name}": no channel named "${channel}" in monitor.channels`,
          });
    });
    const sloNames = new Set<string>();
    monitor.slos?.forEach((slo, i) => {
      if (sloNames.has(slo.name))
        ctx.addIssue({
          code: 'custom',
          path: ['slos', i, 'name'],
          message: `SLO "${slo.name}" is defined twice`,
        });
      sloNames.add(slo.name);
    });
    monitor.maintenance.forEach((window, i) => {
      try {
        validateWindow(window);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['maintenance', i],
          message: `window "${window.name}": ${(error as Error).message}`,
        });
      }
    });
    monitor.channels.forEach((channel, i) => {
      if (channel.type === 'webhook' && !channel.url && !channel.urlEnv)
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i],
          message: `channel "${channel.name}": set url or urlEnv`,
        });
    });
  });

export type MonitorConfig = z.output<typeof monitorSchema>;
export type CheckConfig = z.output<typeof checkSchema>;
export type ChannelConfig = MonitorConfig['channels'][number];
export type SloConfig = z.output<typeof sloSchema>;
