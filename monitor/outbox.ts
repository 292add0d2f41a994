/**
 * The alert outbox: deliveries wait here until their channel accepts them. A 429, a 5xx or a
 * network error is retried with exponential backoff (2 s doubling, at most 5 min apart) for up
 * to a day; any other 4xx is the receiver refusing it for good (recorded, not retried). Per
 * check and channel the order holds: a resolve never overtakes its trigger.
 * The queue lives in memory and every change is handed to `save` (the store), so a full disk
 * delays the record, never the alert; after a restart the pending ones are loaded again and
 * sent (at least once: a receiver can drop a repeat by its X-Pitchey-Delivery key).
 */

import { type SendResult, send as sendToChannel } from './channels.ts';
import type { ChannelConfig } from './config.ts';
import type { Delivery } from './store.ts';

export const FIRST_BACKOFF_MS = 2_000;
export const MAX_BACKOFF_MS = 5 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/** A delivery after one try (pure). */
export function afterSend(delivery: Delivery, result: SendResult, now: number): Delivery {
  const attempts = delivery.attempts + 1;
  if (result.ok) return { ...delivery, attempts, status: 'sent', sentAt: now, lastError: undefined };
  if (!result.retry) return { ...delivery, attempts, status: 'rejected', lastError: result.error };
  if (now - delivery.createdAt >= GIVE_UP_AFTER_MS)
    return { ...delivery, attempts, status: 'abandoned', lastError: result.error };
  const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
  return { ...delivery, attempts, nextAt: now + backoff, lastError: result.error };
}

export interface OutboxOptions {
  channels: readonly ChannelConfig[];
  /** Records a delivery's new status (it may throw: the outbox goes on). */
  save: (delivery: Delivery) => void;
  log: (line: string) => void;
  now?: () => number;
  send?: (channel: ChannelConfig, payload: string, key: string) => Promise<SendResult>;
}

export class Outbox {
  private readonly queue: Delivery[] = [];
  private pumping: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly send: NonNullable<OutboxOptions['send']>;

  constructor(private readonly options: OutboxOptions) {
    this.now = options.now ?? Date.now;
    this.send = options.send ?? ((channel, payload, key) => sendToChannel(channel, payload, key));
  }

  add(deliveries: readonly Delivery[]): void {
    for (const d of deliveries)
      if (d.status === 'pending' && !this.queue.some((q) => q.key === d.key)) this.queue.push(d);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sends what is due; one pump at a time (a second call waits for the first). */
  pump(): Promise<void> {
    this.pumping ??= this.pumpOnce().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async pumpOnce(): Promise<void> {
    const blocked = new Set<string>();
    for (const delivery of [...this.queue]) {
      const lane = `${delivery.check}\u0000${delivery.channel}`;
      if (blocked.has(lane)) continue;
      if (delivery.nextAt > this.now()) {
        blocked.add(lane);
        continue;
      }
      const channel = this.options.channels.find((c) => c.name === delivery.channel);
      const result: SendResult = channel
        ? await this.send(channel, delivery.payload, delivery.key)
        : { ok: false, retry: false, error: `no channel named "${delivery.channel}" in the config any more` };
      const next = afterSend(delivery, result, this.now());
      const index = this.queue.findIndex((q) => q.key === delivery.key);
      if (next.status === 'pending') {
        this.queue[index] = next;
        blocked.add(lane);
        this.options.log(
          `alert ${delivery.event} of ${delivery.check} to ${delivery.channel} not delivered (${next.lastError}); retry in ${Math.round((next.nextAt - this.now()) / 1000)} s`,
        );
      } else {
        this.queue.splice(index, 1);
        this.options.log(
          next.status === 'sent'
            ? `alert ${delivery.event} of ${delivery.check} delivered to ${delivery.channel}`
            : `alert ${delivery.event} of ${delivery.check} to ${delivery.channel} ${next.status}: ${next.lastError}`,
        );
      }
      try {
        this.options.save(next);
      } catch (error) {
        this.options.log(`could not record the delivery's status: ${(error as Error).message}`);
      }
    }
  }
}
