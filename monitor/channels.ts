/**
 * Alert channels: what each receives (pure payload builders) and how it is sent.
 * - webhook: our JSON, signed with HMAC-SHA256 of the body (X-Pitchey-Signature: sha256=<hex>,
 *   as GitHub signs its webhooks); X-Pitchey-Delivery carries a stable id so a receiver can drop
 *   a duplicate if the monitor died between sending and recording.
 * - Slack incoming webhook: {text, blocks}; the URL is the secret.
 * - PagerDuty Events API v2: trigger and resolve with a stable dedup_key per check; reminders
 *   are not sent (PagerDuty escalates by itself).
 * Secrets come from the environment when a delivery is sent: stored payloads never hold them.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { ChannelConfig } from './config.ts';
import type { AlertEvent } from './incidents.ts';

export interface AlertContext {
  check: string;
  group: string;
  type: string;
  /** What the check watches (URL, journey), shown to the person paged. */
  target: string;
}

const SEVERITY = { failed: 'critical', degraded: 'warning' } as const;

function title(event: AlertEvent, context: AlertContext): string {
  // An SLO alert's "check" is its key (slo:NAME:page|ticket); its severity is the burn's.
  const what =
    context.type === 'slo'
      ? 'ERROR BUDGET BURNING'
      : event.incident.severity === 'failed'
        ? 'FAILED'
        : 'DEGRADED';
  if (event.type === 'resolve')
    return `RESOLVED ${context.check} (${Math.round(event.durationMs / 60_000)} min)`;
  if (event.type === 'reminder') return `STILL ${what} ${context.check}`;
  return `${what} ${context.check}`;
}

function summary(event: AlertEvent, context: AlertContext): string {
  return `${title(event, context)}: ${event.message}`.slice(0, 1024);
}

export function webhookPayload(event: AlertEvent, context: AlertContext): Record<string, unknown> {
  return {
    version: 1,
    event: event.type,
    summary: summary(event, context),
    check: context,
    incident: {
      id: event.incident.id,
      severity: event.incident.severity,
      openedAt: new Date(event.incident.openedAt).toISOString(),
      cause: event.incident.cause,
      reminders: event.incident.reminders,
      ...(event.type === 'resolve'
        ? { resolvedAt: new Date(event.at).toISOString(), durationMs: event.durationMs }
        : {}),
    },
    message: event.message,
    at: new Date(event.at).toISOString(),
  };
}

export function slackPayload(event: AlertEvent, context: AlertContext): Record<string, unknown> {
  const icon =
    event.type === 'resolve'
      ? ':large_green_circle:'
      : event.incident.severity === 'failed'
        ? ':red_circle:'
        : ':large_yellow_circle:';
  const text = `${icon} ${summary(event, context)}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${icon} ${title(event, context)}*\n${event.message}` },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${context.type} · ${context.group} · ${context.target} · incident ${event.incident.id} · opened ${new Date(event.incident.openedAt).toISOString()}`,
          },
        ],
      },
    ],
  };
}

/** The dedup_key: one per check, so a trigger and its resolve meet in one PagerDuty alert. */
export function pagerDutyDedupKey(check: string): string {
  return `pitchey-perf/${check}`;
}

/** Without routing_key: it is added from the environment when sent. */
export function pagerDutyPayload(
  event: AlertEvent,
  context: AlertContext,
): Record<string, unknown> | undefined {
  if (event.type === 'reminder') return undefined;
  if (event.type === 'resolve')
    return { event_action: 'resolve', dedup_key: pagerDutyDedupKey(context.check) };
  return {
    event_action: 'trigger',
    dedup_key: pagerDutyDedupKey(context.check),
    payload: {
      summary: summary(event, context),
      source: context.target,
      severity: SEVERITY[event.incident.severity],
      timestamp: new Date(event.at).toISOString(),
      component: context.check,
      group: context.group,
      class: context.type,
      custom_details: { incident: event.incident.id, cause: event.incident.cause, message: event.message },
    },
  };
}

/** The stored body for a channel, or undefined when the channel does not take this event. */
export function payloadFor(
  channel: ChannelConfig,
  event: AlertEvent,
  context: AlertContext,
): string | undefined {
  if (channel.type === 'pagerduty') {
    const body = pagerDutyPayload(event, context);
    return body && JSON.stringify(body);
  }
  if (event.type === 'reminder' && !channel.reminders) return undefined;
  return JSON.stringify(
    channel.type === 'slack' ? slackPayload(event, context) : webhookPayload(event, context),
  );
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type SendResult =
  | { ok: true; status: number }
  /** retry: 429, 5xx or a network error; otherwise the receiver refused it for good. */
  | { ok: false; retry: boolean; error: string };

/** Raised before sending when the environment lacks a secret: retried (the operator may set it). */
function missing(variable: string): SendResult {
  return { ok: false, retry: true, error: `the environment variable ${variable} is not set` };
}

/** Sends one stored payload. Errors never carry the secret (a Slack URL is one). */
export async function send(
  channel: ChannelConfig,
  payload: string,
  deliveryKey: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 10_000,
): Promise<SendResult> {
  let url: string;
  let body = payload;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'pitchey-perf monitor',
  };
  if (channel.type === 'pagerduty') {
    const key = env[channel.routingKeyEnv];
    if (!key) return missing(channel.routingKeyEnv);
    url = channel.url;
    body = JSON.stringify({ routing_key: key, ...(JSON.parse(payload) as object) });
  } else if (channel.type === 'slack') {
    const fromEnv = env[channel.urlEnv];
    if (!fromEnv) return missing(channel.urlEnv);
    url = fromEnv;
  } else {
    const fromEnv = channel.urlEnv ? env[channel.urlEnv] : undefined;
    if (channel.urlEnv && !fromEnv && !channel.url) return missing(channel.urlEnv);
    url = (fromEnv ?? channel.url) as string;
    headers['x-pitchey-delivery'] = deliveryKey;
    if (channel.secretEnv) {
      const secret = env[channel.secretEnv];
      if (!secret) return missing(channel.secretEnv);
      headers['x-pitchey-signature'] = signature(secret, body);
    }
  }
  const where = channel.type === 'webhook' && !channel.urlEnv ? url : `channel "${channel.name}"`;
  try {
    const res = await request(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = (await res.body.text()).slice(0, 200);
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
    const retry = res.statusCode === 429 || res.statusCode >= 500;
    return { ok: false, retry, error: `${where} answered HTTP ${res.statusCode}${text ? `: ${text}` : ''}` };
  } catch (error) {
    return {
      ok: false,
      retry: true,
      error: `${where} could not be reached: ${(error as Error).message.replaceAll(url, '<url>')}`,
    };
  }
}
