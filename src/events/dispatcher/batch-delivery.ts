import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../../core/index.js';
import type { Delivery, EventSource } from '../bus/event-bus.js';
import { SinkError } from '../sinks/event-sink.js';
import type { EventSink, SinkRejection, SinkResult } from '../sinks/event-sink.js';
import type { DispatcherCounters } from './dispatcher-stats.js';
import { retryDelay } from './retry-delay.js';
import type { RetryBackoff } from './retry-delay.js';

/** What delivering one batch needs: where it comes from, where it goes, and how hard to try. */
export interface BatchDeliveryContext {
  readonly source: EventSource;
  readonly sink: EventSink;
  readonly logger: Logger;
  readonly counters: DispatcherCounters;
  readonly backoff: RetryBackoff;
  /** Retries of a whole batch after temporary failures before it is handed back to the bus. */
  readonly maxRetries: number;
  /** The bus's attempt limit, to count which failures it dead-letters. */
  readonly maxAttempts: number;
  /**
   * How long after it was read a batch must be settled: past the bus's claim time another consumer may take
   * its events over, so a retry that would end later hands the batch back instead.
   */
  readonly settleWithinMs: number;
  /** Aborted when a drain's deadline passed: no more retries, what is unsettled stays pending. */
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly random: () => number;
}

/**
 * Sends one batch and settles every delivery of it on the bus — at-least-once: only what the backend accepted
 * is acknowledged. A temporary failure of the whole batch is retried with backoff; once the retries are spent
 * the batch is failed on the bus, which redelivers it later (or dead-letters it on its last attempt). A
 * batch that could not be retried within `settleWithinMs` of being read goes back too. A permanent failure
 * dead-letters the batch at once; events refused one by one are failed likewise, each by its own kind. When
 * the drain deadline aborts the retries, the batch is left as it is: pending on the bus.
 */
export async function deliverBatch(
  batch: readonly Delivery[],
  readAt: number,
  context: BatchDeliveryContext,
): Promise<void> {
  const events = batch.map(({ event }) => event);
  context.counters.batches += 1;
  for (let retry = 0; ; retry += 1) {
    let result: SinkResult;
    try {
      result = await context.sink.send(events);
    } catch (error) {
      const failure = sinkErrorOf(error);
      context.counters.failingSince ??= context.now();
      if (failure.permanent) {
        await giveBack(batch, `permanent: ${failure.message}`, true, context);
        return;
      }
      if (context.signal.aborted) return;
      const delayMs = retryDelay(retry, context.backoff, failure.retryAfterMs, context.random);
      const late = context.now() + delayMs - readAt > context.settleWithinMs;
      if (retry >= context.maxRetries || late) {
        await giveBack(batch, failure.message, false, context);
        return;
      }
      context.logger.warn(
        { sink: context.sink.name, events: batch.length, retry: retry + 1, delayMs, err: failure.message },
        'event batch failed; retrying',
      );
      if (!(await pause(delayMs, context.signal))) return;
      context.counters.retried += batch.length;
      continue;
    }
    await settle(batch, result, context);
    return;
  }
}

/** Acknowledges what the backend accepted and fails what it refused, each refusal by its kind and reason. */
async function settle(
  batch: readonly Delivery[],
  result: SinkResult,
  context: BatchDeliveryContext,
): Promise<void> {
  const refused = new Map<number, SinkRejection>();
  for (const rejection of result.rejected) {
    if (batch[rejection.index] !== undefined) refused.set(rejection.index, rejection);
  }
  const accepted = batch.filter((_, index) => !refused.has(index));
  if (accepted.length > 0) {
    context.counters.delivered += accepted.length;
    context.counters.lastDeliveryAt = context.now();
    context.counters.failingSince = null;
    try {
      await context.source.ack(accepted.map(({ id }) => id));
    } catch (error) {
      // They reached the backend but stay pending: they will be delivered once more (receivers deduplicate).
      context.logger.warn(
        { sink: context.sink.name, events: accepted.length, err: messageOf(error) },
        'acknowledging delivered events failed; they will be delivered again',
      );
    }
  }
  context.counters.rejected += refused.size;
  for (const [key, group] of groupRejections(batch, refused)) {
    const permanent = key.startsWith('p');
    const reason = key.slice(2);
    context.logger.warn(
      { sink: context.sink.name, events: group.length, permanent, reason },
      'the backend refused events',
    );
    await giveBack(group, permanent ? `permanent: ${reason}` : reason, permanent, context);
  }
}

/** Hands deliveries back to the bus: permanent ones to the dead letters, the others for redelivery. */
async function giveBack(
  deliveries: readonly Delivery[],
  reason: string,
  permanent: boolean,
  context: BatchDeliveryContext,
): Promise<void> {
  const dead = permanent
    ? deliveries.length
    : deliveries.filter(({ attempts }) => attempts >= context.maxAttempts).length;
  context.counters.failed += deliveries.length;
  context.counters.deadLettered += dead;
  if (!permanent) {
    context.logger.warn(
      { sink: context.sink.name, events: deliveries.length, deadLettered: dead, reason },
      'event batch failed; handed back to the bus',
    );
  } else {
    context.logger.error(
      { sink: context.sink.name, events: deliveries.length, reason },
      'events failed permanently; moved to the dead letters',
    );
  }
  try {
    await context.source.fail(deliveries, reason, permanent);
  } catch (error) {
    // Left pending, they come back after the claim time all the same.
    context.logger.warn(
      { sink: context.sink.name, events: deliveries.length, err: messageOf(error) },
      'handing failed events back to the bus failed; they stay pending',
    );
  }
}

/** Refused deliveries by kind and reason (`p:` permanent, `t:` temporary), so that each kind is one call. */
function groupRejections(
  batch: readonly Delivery[],
  refused: ReadonlyMap<number, SinkRejection>,
): Map<string, Delivery[]> {
  const groups = new Map<string, Delivery[]>();
  for (const [index, rejection] of refused) {
    const delivery = batch[index];
    if (delivery === undefined) continue;
    const key = `${rejection.permanent ? 'p' : 't'}:${rejection.reason}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [delivery]);
    else group.push(delivery);
  }
  return groups;
}

/** Whatever a sink threw, as a SinkError: an unexpected error counts as temporary (the bus limits the attempts). */
function sinkErrorOf(error: unknown): SinkError {
  if (error instanceof SinkError) return error;
  return new SinkError(messageOf(error), false, undefined, { cause: error });
}

/** Waits `ms`; false when the wait was aborted. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
