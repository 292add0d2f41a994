import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AlertContext,
  pagerDutyPayload,
  payloadFor,
  send,
  signature,
  slackPayload,
} from '../monitor/channels.ts';
import type { ChannelConfig } from '../monitor/config.ts';
import type { AlertEvent, OpenIncident } from '../monitor/incidents.ts';
import { afterSend, Outbox } from '../monitor/outbox.ts';
import type { Delivery } from '../monitor/store.ts';
import { type Receiver, startReceiver } from './receiver.ts';

type PagerDutyBody = {
  event_action: string;
  dedup_key: string;
  routing_key?: string;
  payload: { summary: string; timestamp: string; severity: string } & Record<string, unknown>;
};

const incident: OpenIncident = {
  id: 'api-trending@1700000000000',
  severity: 'failed',
  openedAt: 1_700_000_000_000,
  lastNotifiedAt: 1_700_000_000_000,
  reminders: 0,
  cause: '[STATUS] == 200: [STATUS] is 500',
};
const context: AlertContext = {
  check: 'api-trending',
  group: 'api',
  type: 'http',
  target: 'https://pitchey.example/api/trending',
};
const trigger: AlertEvent = { type: 'trigger', incident, at: incident.openedAt, message: incident.cause };
const resolve: AlertEvent = {
  type: 'resolve',
  incident,
  at: incident.openedAt + 600_000,
  message: 'recovered after 2 passing runs',
  durationMs: 600_000,
};
const reminder: AlertEvent = {
  type: 'reminder',
  incident,
  at: incident.openedAt + 1_800_000,
  message: 'still failed',
};

describe('alert payloads', () => {
  it('PagerDuty Events v2: trigger and resolve share a stable dedup_key; documented fields; no reminders', () => {
    const t = pagerDutyPayload(trigger, context) as PagerDutyBody;
    expect(t.event_action).toBe('trigger');
    expect(t.dedup_key).toBe('pitchey-perf/api-trending');
    expect(t.payload).toMatchObject({
      source: context.target,
      severity: 'critical',
      component: 'api-trending',
      group: 'api',
      class: 'http',
    });
    expect(t.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(t.payload.summary).toContain('[STATUS] is 500');
    expect(new Date(t.payload.timestamp).getTime()).toBe(incident.openedAt);
    expect(t.routing_key).toBeUndefined();
    expect(pagerDutyPayload(resolve, context)).toEqual({
      event_action: 'resolve',
      dedup_key: 'pitchey-perf/api-trending',
    });
    expect(pagerDutyPayload(reminder, context)).toBeUndefined();
    const degraded = pagerDutyPayload(
      { ...trigger, incident: { ...incident, severity: 'degraded' } },
      context,
    ) as PagerDutyBody;
    expect(degraded.payload.severity).toBe('warning');
  });

  it('Slack: text (the fallback) names the state, the check and why; blocks carry the detail', () => {
    const s = slackPayload(trigger, context) as { text: string; blocks: unknown[] };
    expect(s.text).toMatch(/^:red_circle: FAILED api-trending: \[STATUS\] == 200/);
    expect(s.blocks.length).toBeGreaterThan(0);
    expect((slackPayload(resolve, context) as { text: string }).text).toMatch(
      /:large_green_circle: RESOLVED api-trending \(10 min\)/,
    );
  });

  it('channels that do not want reminders get none', () => {
    const slack: ChannelConfig = { name: 's', type: 'slack', urlEnv: 'X', reminders: false };
    expect(payloadFor(slack, reminder, context)).toBeUndefined();
    expect(payloadFor(slack, trigger, context)).toBeDefined();
  });
});

describe('sending', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('signs webhooks with HMAC-SHA256 of the body and names the delivery', async () => {
    const channel: ChannelConfig = {
      name: 'hook',
      type: 'webhook',
      url: `${receiver.url}/hook`,
      secretEnv: 'HOOK_SECRET',
      reminders: true,
    };
    const body = payloadFor(channel, trigger, context) as string;
    const result = await send(channel, body, 'key-1', { HOOK_SECRET: 's3cret' });
    expect(result).toEqual({ ok: true, status: 202 });
    const got = receiver.received[0];
    const expected = `sha256=${createHmac('sha256', 's3cret')
      .update(got?.body ?? '')
      .digest('hex')}`;
    expect(got?.headers['x-pitchey-signature']).toBe(expected);
    expect(signature('s3cret', got?.body ?? '')).toBe(expected);
    expect(got?.headers['x-pitchey-delivery']).toBe('key-1');
    expect(got?.json).toMatchObject({
      event: 'trigger',
      check: { check: 'api-trending' },
      incident: { id: incident.id },
    });
  });

  it('adds the PagerDuty routing key only when sending, from the environment', async () => {
    const channel: ChannelConfig = {
      name: 'pd',
      type: 'pagerduty',
      routingKeyEnv: 'PD_KEY',
      url: `${receiver.url}/v2/enqueue`,
    };
    const stored = payloadFor(channel, trigger, context) as string;
    expect(stored).not.toContain('R0UT1NG');
    await send(channel, stored, 'k', { PD_KEY: 'R0UT1NGKEY' });
    expect(receiver.received[0]?.json).toMatchObject({ routing_key: 'R0UT1NGKEY', event_action: 'trigger' });
    expect(await send(channel, stored, 'k', {})).toEqual({
      ok: false,
      retry: true,
      error: 'the environment variable PD_KEY is not set',
    });
  });

  it('retries 429, 5xx and network errors, not other 4xx; errors never show a secret URL', async () => {
    const secretUrl = `${receiver.url}/services/T000/B000/SECRETTOKEN`;
    const slack: ChannelConfig = { name: 'slack', type: 'slack', urlEnv: 'SLACK_URL', reminders: true };
    const env = { SLACK_URL: secretUrl };
    receiver.script.push(500, 429, 404);
    const results = [
      await send(slack, '{}', 'k', env),
      await send(slack, '{}', 'k', env),
      await send(slack, '{}', 'k', env),
    ];
    expect(results.map((r) => !r.ok && r.retry)).toEqual([true, true, false]);
    await receiver.close();
    const down = await send(slack, '{}', 'k', env, 2_000);
    expect(down).toMatchObject({ ok: false, retry: true });
    for (const r of [...results, down]) expect(JSON.stringify(r)).not.toContain('SECRETTOKEN');
    receiver = await startReceiver();
  });
});

describe('outbox', () => {
  const delivery = (key: string, event: Delivery['event'], createdAt = 0): Delivery => ({
    key,
    incidentId: 'c@1',
    check: 'c',
    channel: 'hook',
    event,
    payload: '{}',
    status: 'pending',
    attempts: 0,
    nextAt: createdAt,
    createdAt,
  });

  it('backs off exponentially, gives up after a day, records a refusal', () => {
    let d = delivery('a', 'trigger');
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      d = afterSend(d, { ok: false, retry: true, error: 'HTTP 500' }, 1_000);
      waits.push(d.nextAt - 1_000);
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
    expect(
      afterSend(delivery('b', 'trigger'), { ok: false, retry: true, error: 'x' }, 86_400_000).status,
    ).toBe('abandoned');
    expect(
      afterSend(delivery('c', 'trigger'), { ok: false, retry: false, error: 'HTTP 400' }, 5).status,
    ).toBe('rejected');
    expect(afterSend(delivery('d', 'trigger'), { ok: true, status: 200 }, 5)).toMatchObject({
      status: 'sent',
      sentAt: 5,
      attempts: 1,
    });
  });

  it('a receiver answering 500 then 200 gets the alert once; the resolve never overtakes its trigger', async () => {
    let now = 0;
    const answers = [500, 200, 200];
    const sent: string[] = [];
    const saved: Delivery[] = [];
    const outbox = new Outbox({
      channels: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:1/', reminders: true }],
      save: (d) => saved.push(d),
      log: () => {},
      now: () => now,
      send: async (_channel, _payload, key) => {
        const status = answers.shift() as number;
        if (status === 200) sent.push(key);
        return status === 200 ? { ok: true, status } : { ok: false, retry: true, error: `HTTP ${status}` };
      },
    });
    outbox.add([delivery('trigger', 'trigger'), delivery('resolve', 'resolve')]);
    await outbox.pump();
    expect(sent).toEqual([]);
    now = 1_000;
    await outbox.pump();
    expect(sent).toEqual([]);
    now = 2_000;
    await outbox.pump();
    expect(sent).toEqual(['trigger', 'resolve']);
    expect(outbox.pending).toBe(0);
    expect(saved.map((d) => `${d.key}:${d.status}`)).toEqual([
      'trigger:pending',
      'trigger:sent',
      'resolve:sent',
    ]);
  });
});
