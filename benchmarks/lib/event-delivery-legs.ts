import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { pino } from 'pino';

import { resolveConfig } from '../../src/config/index.js';
import type { ConfigOf } from '../../src/config/index.js';
import {
  MemoryEventBus,
  createEventBus,
  createEventSink,
  dispatcherConsumerName,
  eventSinkConfig,
  redisStreamsBusConfig,
  startDispatcher,
} from '../../src/events/index.js';
import type { EventBus, EventPublisher, EventSource, ProxyEvent } from '../../src/events/index.js';
import { eventId } from './event-delivery-events.js';
import type { EventDeliveryRedis } from './event-delivery-redis.js';

/** The longest one leg may take before the run counts as failed (a stuck dispatcher). */
const LEG_TIMEOUT_MS = 300_000;
const POLL_MS = 2;
const SILENT = pino({ level: 'silent' });

/** What `llm-proxy dispatcher` resolves. */
type DispatcherCommandConfig = ConfigOf<'log' | 'redis' | 'events' | 'dispatcher'>;

/** One measured run of a leg. */
export interface LegRun {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU time of this process (user + system) per event, µs: the bus client, transformer and sink. */
  readonly cpuMicrosPerEvent: number;
}

/** What a leg needs: the events, a folder of its own, and Redis for the *-redis legs. */
export interface LegContext {
  readonly events: readonly ProxyEvent[];
  /** Each event's JSON as the publisher writes it to the stream. */
  readonly lineOf: (index: number) => string;
  readonly workDir: string;
  readonly redis: EventDeliveryRedis | undefined;
  /** `REDIS_URL` of the configuration the *-redis legs resolve. */
  readonly redisUrl: string;
  /** Names the files of this run. */
  readonly runName: string;
}

/**
 * The memory bus's publisher: events/s `publish` takes (synchronous: an event is published when `publish`
 * returns). The bus holds them all (`OBSERVABILITY_BUFFER_SIZE` = the event count), as nothing reads them.
 */
export async function publishMemory(context: LegContext): Promise<LegRun> {
  const { events } = context;
  const bus = new MemoryEventBus({ bufferSize: events.length });
  const run = await timed(events.length, () => {
    for (const event of events) bus.publish(event);
    return Promise.resolve();
  });
  assertAllPublished(bus, events.length);
  await bus.close();
  return run;
}

/**
 * The Redis Streams publisher as the proxy builds it (`createEventBus`, every default: batches of 100, buffer
 * 1000, `MAXLEN ~ 10000`): events/s from the first `publish` until `stats().published` counts them all. Events
 * are published as a proxy under sustained load would, never more than the buffer ahead of what is written,
 * so none goes to the spool.
 */
export async function publishRedis(context: LegContext): Promise<LegRun> {
  const redis = requireRedis(context);
  const { events } = context;
  await redis.reset();
  const config = dispatcherSettings('unused.jsonl', 'redis-streams', redis.streamKey, context.redisUrl);
  // The server's spool path is not this run's to write to.
  const spoolPath = join(context.workDir, `${context.runName}-spool.jsonl`);
  const bus = createEventBus(redisStreamsBusConfig({ ...config.events, spoolPath }, config.dispatcher), {
    logger: SILENT,
    redis: redis.client,
  });
  const { publisher } = bus;
  const window = config.events.bufferSize;
  try {
    const run = await timed(events.length, async () => {
      const deadline = Date.now() + LEG_TIMEOUT_MS;
      let next = 0;
      while (publisher.stats().published < events.length) {
        while (next < events.length && next - publisher.stats().published < window) {
          publisher.publish(events[next] as ProxyEvent);
          next += 1;
        }
        assertNoLoss(publisher);
        if (Date.now() > deadline) throw new Error('publish-redis: the publisher did not write every event');
        await sleep(1);
      }
    });
    assertAllPublished(publisher, events.length);
    return run;
  } finally {
    await bus.close();
  }
}

/**
 * The file backend behind the memory bus, as a server delivers in-process (`DISPATCHER_IN_PROCESS`): events/s
 * from the dispatcher's start until every event is in the file and acknowledged.
 */
export async function fileMemory(context: LegContext): Promise<LegRun> {
  const { events } = context;
  const path = join(context.workDir, `${context.runName}.jsonl`);
  const config = dispatcherSettings(path, 'memory', undefined, context.redisUrl);
  const bus = createEventBus({ type: 'memory', bufferSize: events.length }, { logger: SILENT });
  try {
    const source = bus.source(config.dispatcher.consumerGroup);
    for (const event of events) bus.publisher.publish(event);
    assertAllPublished(bus.publisher, events.length);
    return await deliverToFile(context, config, source, path);
  } finally {
    await bus.close();
    await rm(path, { force: true });
  }
}

/**
 * The file backend behind Redis Streams, as `llm-proxy dispatcher --service file` runs it (its configuration,
 * bus, consumer group, sink and dispatcher, every default): the stream is filled first (not measured), then
 * events/s from the dispatcher's start until every event is in the file and acknowledged (XPENDING 0).
 */
export async function fileRedis(context: LegContext): Promise<LegRun> {
  const redis = requireRedis(context);
  const { events } = context;
  const path = join(context.workDir, `${context.runName}.jsonl`);
  await redis.reset();
  await redis.fill(events.length, context.lineOf);
  const config = dispatcherSettings(path, 'redis-streams', redis.streamKey, context.redisUrl);
  const bus: EventBus = createEventBus(redisStreamsBusConfig(config.events, config.dispatcher), {
    logger: SILENT,
    redis: redis.client,
  });
  try {
    const consumer = dispatcherConsumerName(config.dispatcher.consumerName, 'file');
    const source = bus.source(config.dispatcher.consumerGroup, consumer);
    const run = await deliverToFile(context, config, source, path);
    const { dead } = await redis.lengths();
    if (dead > 0) throw new Error(`file-redis: ${String(dead)} events went to the dead letters`);
    return run;
  } finally {
    await bus.close();
    await rm(path, { force: true });
  }
}

/** Runs the dispatcher from `source` to a file sink at `path` until every event is delivered and acknowledged. */
async function deliverToFile(
  context: LegContext,
  config: DispatcherCommandConfig,
  source: EventSource,
  path: string,
): Promise<LegRun> {
  const total = context.events.length;
  const sink = createEventSink(eventSinkConfig(config.dispatcher.service), { logger: SILENT });
  let running: Awaited<ReturnType<typeof startDispatcher>> | undefined;
  try {
    const run = await timed(total, async () => {
      running = await startDispatcher({ config: config.dispatcher, source, sink, logger: SILENT });
      const { dispatcher } = running;
      const deadline = Date.now() + LEG_TIMEOUT_MS;
      for (;;) {
        const stats = dispatcher.stats();
        if (stats.failed > 0 || stats.rejected > 0) {
          throw new Error(`the file backend failed ${String(stats.failed + stats.rejected)} events`);
        }
        if (stats.delivered >= total && (await source.pending()) === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`delivered ${String(stats.delivered)} of ${String(total)} events in time`);
        }
        await sleep(POLL_MS);
      }
    });
    await running?.close();
    running = undefined;
    await assertFileHoldsEvents(path, total);
    return run;
  } finally {
    await running?.close(1000);
  }
}

/** The configuration `llm-proxy dispatcher --service file --endpoint <path>` resolves, on this run's stream. */
function dispatcherSettings(
  path: string,
  bus: 'memory' | 'redis-streams',
  streamKey: string | undefined,
  redisUrl: string,
): DispatcherCommandConfig {
  return resolveConfig(
    {
      flags: {
        LLM_PROXY_EVENT_BUS: bus,
        DISPATCHER_SERVICE: 'file',
        DISPATCHER_ENDPOINT: path,
        REDIS_CONSUMER_GROUP: 'llm-proxy-bench-file',
        ...(streamKey !== undefined && { REDIS_STREAM_KEY: streamKey, REDIS_URL: redisUrl }),
      },
    },
    ['log', 'redis', 'events', 'dispatcher'],
  );
}

/** Every event is in the file, once, as a line of the file format. */
async function assertFileHoldsEvents(path: string, total: number): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== total)
    throw new Error(`the file holds ${String(lines.length)} lines, not ${String(total)}`);
  const ids = new Set<string>();
  for (const line of lines) {
    const record = JSON.parse(line) as {
      request_id?: unknown;
      response_body?: unknown;
      token_usage?: unknown;
    };
    if (typeof record.request_id !== 'string') throw new Error('a file line has no request_id');
    if (typeof record.response_body !== 'object' || record.token_usage === null) {
      throw new Error(`the line of ${record.request_id} has no decoded answer or no token usage`);
    }
    ids.add(record.request_id);
  }
  for (let index = 0; index < total; index += 1) {
    if (!ids.has(eventId(index))) throw new Error(`event ${eventId(index)} is missing from the file`);
  }
}

async function timed(events: number, work: () => Promise<void>): Promise<LegRun> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / events,
  };
}

function assertAllPublished(publisher: EventPublisher, total: number): void {
  assertNoLoss(publisher);
  const { published } = publisher.stats();
  if (published !== total) throw new Error(`published ${String(published)} of ${String(total)} events`);
}

function assertNoLoss(publisher: EventPublisher): void {
  const { dropped, spooled } = publisher.stats();
  if (dropped > 0 || spooled > 0) {
    throw new Error(`the publisher dropped ${String(dropped)} and spooled ${String(spooled)} events`);
  }
}

function requireRedis(context: LegContext): EventDeliveryRedis {
  if (context.redis === undefined) throw new Error('a redis leg needs Redis');
  return context.redis;
}
