import { createReadStream, existsSync } from 'node:fs';

import { readPrometheusSeries } from './cache-metrics.js';
import type { EventsRedis } from './events-redis.js';
import type { EventsProcess, EventsTargetName } from './events-targets.js';

/** The prefix of the request events' Prometheus series. */
const EVENT_SERIES_PREFIX = 'llm_proxy_events_';
const POLL_MS = 250;
/**
 * How long events may take to reach their consumer: the JSONL file's dispatcher sends a batch when it is full
 * or after DISPATCHER_FLUSH_INTERVAL (5 s by default), and a stream's publisher flushes on the next turn.
 */
const SETTLE_TIMEOUT_MS = 15_000;

/** The proxy's own counts of the events it handed to the bus. */
export interface EventCounters {
  /** `llm_proxy_events_published_total` (0 when the series is absent: events off). */
  readonly published: number;
  /** `llm_proxy_events_dropped_total`: the bus buffer or the spool was full. */
  readonly dropped: number;
  /** `llm_proxy_events_spooled`: waiting in the local spool for Redis (a gauge). */
  readonly spooled: number;
}

/** What one process served and what reached its consumer, checked after (and before) the measurement. */
export interface EventsDelivery {
  /** Requests the harness completed against the process, warm-ups and checks included. */
  readonly served: number;
  /** Of them, the measured ones (throughput and sequential latency): the least that must have arrived. */
  readonly measured: number;
  readonly counters: EventCounters;
  /** Lines of the FILE_EVENT_LOG file (events off and the memory bus). */
  readonly fileLines?: number;
  /** The Redis stream: its length now and the entries ever added (trimming lowers the first, not the second). */
  readonly streamLength?: number;
  readonly streamEntriesAdded?: number | null;
}

/** Thrown when a process with events on did not deliver them, or events off wrote some: the run measured nothing. */
export class EventsNotPublishedError extends Error {
  override readonly name = 'EventsNotPublishedError';
}

/** Reads the `llm_proxy_events_*` series of one llm-proxy process. */
export async function readEventCounters(origin: string): Promise<EventCounters> {
  const series = await readPrometheusSeries(origin, EVENT_SERIES_PREFIX);
  return {
    published: series[`${EVENT_SERIES_PREFIX}published_total`] ?? 0,
    dropped: series[`${EVENT_SERIES_PREFIX}dropped_total`] ?? 0,
    spooled: series[`${EVENT_SERIES_PREFIX}spooled`] ?? 0,
  };
}

/**
 * Waits until each process's consumer holds every event the process says it published — the JSONL file of the
 * memory bus, the Redis stream — or {@link SETTLE_TIMEOUT_MS} passed, then checks: events on delivered at least that many, events
 * off wrote nothing and published nothing. Throws {@link EventsNotPublishedError} otherwise.
 */
export async function assertEventsDelivered(
  processes: readonly EventsProcess[],
  redis: EventsRedis | undefined,
  counts: Readonly<Record<EventsTargetName, { readonly served: number; readonly measured: number }>>,
  least: (counts: { readonly served: number; readonly measured: number }) => number,
): Promise<Partial<Record<EventsTargetName, EventsDelivery>>> {
  const delivery: Partial<Record<EventsTargetName, EventsDelivery>> = {};
  for (const { target, eventLog } of processes) {
    const { served, measured } = counts[target.name];
    const required = least(counts[target.name]);
    const counters = await readEventCounters(target.origin);
    const problems: string[] = [];
    let found: Omit<EventsDelivery, 'served' | 'measured' | 'counters'>;
    if (target.name === 'events-off') {
      const fileLines = eventLog === undefined ? 0 : await countLines(eventLog);
      found = { fileLines };
      if (fileLines > 0) problems.push(`wrote ${fileLines} line(s) to FILE_EVENT_LOG with events off`);
      if (counters.published > 0) problems.push(`published ${counters.published} event(s) with events off`);
    } else if (target.name === 'events-memory') {
      const path = eventLog ?? '';
      const fileLines = await settle(() => countLines(path), Math.max(required, counters.published));
      found = { fileLines };
      if (fileLines < required) {
        problems.push(
          `wrote ${fileLines} line(s) to FILE_EVENT_LOG for ${served} requests served (at least ${required} expected)`,
        );
      }
    } else {
      if (redis === undefined) throw new Error('the redis leg needs a Redis');
      const added = async (): Promise<number> => (await redis.entriesAdded()) ?? (await redis.length());
      const entriesAdded = await settle(added, Math.max(required, counters.published));
      const streamLength = await redis.length();
      found = { streamLength, streamEntriesAdded: (await redis.entriesAdded()) ?? null };
      if (entriesAdded < required) {
        problems.push(
          `added ${entriesAdded} entries to ${redis.streamKey} for ${served} requests served (at least ${required} expected)`,
        );
      }
    }
    if (target.name !== 'events-off' && counters.published < required) {
      problems.push(
        `llm_proxy_events_published_total is ${counters.published} (at least ${required} expected)`,
      );
    }
    if (problems.length > 0) {
      throw new EventsNotPublishedError(
        `llm-proxy ${target.name}: ${problems.join('; ')} (dropped ${counters.dropped}, spooled ${counters.spooled})`,
      );
    }
    delivery[target.name] = { served, measured, counters, ...found };
  }
  return delivery;
}

/** Polls `read` until it reaches `atLeast` or time runs out; returns the last value. */
async function settle(read: () => Promise<number>, atLeast: number): Promise<number> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let value = await read();
  while (value < atLeast && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    value = await read();
  }
  return value;
}

/** Newlines in a file, streamed (the JSONL file of a run holds hundreds of MB); 0 when it does not exist. */
async function countLines(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    for (let index = bytes.indexOf(10); index !== -1; index = bytes.indexOf(10, index + 1)) lines++;
  }
  return lines;
}
