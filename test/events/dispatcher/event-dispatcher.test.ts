import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { EventDispatcher, SinkError, createEventBus } from '../../../src/events/index.js';
import type { EventBus, EventDispatcherOptions, EventSource } from '../../../src/events/index.js';
import { collect, events } from '../bus/event-bus-contract.js';
import { RecordingSink, gate } from './recording-sink.js';
import type { SinkStep } from './recording-sink.js';

const silent = pino({ level: 'silent' });
const WAIT = { timeout: 3000, interval: 5 };
const GROUP = 'dispatchers';

/** A memory bus, one source of it and a dispatcher reading that source, closed after each test. */
interface Rig {
  readonly bus: EventBus;
  readonly source: EventSource;
  readonly dispatcher: EventDispatcher;
  readonly publish: (prefix: string, count: number) => string[];
}

const open: Rig[] = [];

afterEach(async () => {
  for (const rig of open.splice(0)) {
    await rig.dispatcher.drain(200);
    await rig.bus.close();
  }
});

function rig(
  sink: RecordingSink,
  options: Partial<EventDispatcherOptions> & { readonly busMaxAttempts?: number } = {},
): Rig {
  const maxAttempts = options.busMaxAttempts ?? 5;
  const bus = createEventBus(
    { type: 'memory', maxAttempts, retryDelayMs: 20, blockMs: 50 },
    { logger: silent },
  );
  const source = bus.source(GROUP);
  // Tiny backoff: the tests wait milliseconds, never the production seconds.
  const dispatcher = new EventDispatcher({
    source,
    sink,
    logger: silent,
    batchSize: 3,
    buffer: 30,
    flushIntervalMs: 20,
    retryBaseMs: 1,
    retryMaxMs: 4,
    maxAttempts,
    ...options,
  });
  const made: Rig = {
    bus,
    source,
    dispatcher,
    publish(prefix, count) {
      const published = events(prefix, count);
      for (const event of published) bus.publisher.publish(event);
      return published.map(({ id }) => id);
    },
  };
  open.push(made);
  return made;
}

const temporary =
  (message = 'backend answered 503'): SinkStep =>
  () => {
    throw new SinkError(message, false);
  };

describe('event dispatcher', () => {
  it('cuts full batches of batchSize and holds the rest until the flush interval', async () => {
    const sink = new RecordingSink();
    const { publish, dispatcher } = rig(sink, { batchSize: 3, flushIntervalMs: 60_000 });
    const ids = publish('size', 7);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.sends).toEqual([ids.slice(0, 3), ids.slice(3, 6)]);
    }, WAIT);
    // The seventh waits for a full batch or the (here one-minute) interval …
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.sends).toHaveLength(2);
    // … or for the drain, which sends it.
    await dispatcher.drain(1000);
    expect(sink.sends).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    expect(dispatcher.stats()).toMatchObject({ delivered: 7, batches: 3, buffered: 0 });
  });

  it('sends an incomplete batch once the flush interval has passed', async () => {
    const sink = new RecordingSink();
    const { publish, dispatcher, source } = rig(sink, { batchSize: 100, flushIntervalMs: 80 });
    dispatcher.start();
    const started = Date.now();
    const ids = publish('interval', 2);
    await vi.waitFor(() => {
      expect(sink.sends).toEqual([ids]);
    }, WAIT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await vi.waitFor(async () => {
      expect(await source.pending()).toBe(0);
    }, WAIT);
  });

  it('acknowledges a batch only once the backend has accepted it', async () => {
    const held = gate();
    const sink = new RecordingSink([
      async () => {
        await held.opened;
        return { rejected: [] };
      },
    ]);
    const { publish, dispatcher, source } = rig(sink);
    publish('ack', 3);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.sends).toHaveLength(1);
    }, WAIT);
    // Sent, not yet accepted: still pending on the bus.
    expect(await source.pending()).toBe(3);
    expect(dispatcher.stats().delivered).toBe(0);
    held.open();
    await vi.waitFor(async () => {
      expect(await source.pending()).toBe(0);
    }, WAIT);
    expect(dispatcher.stats()).toMatchObject({ delivered: 3, failed: 0 });
    expect(dispatcher.stats().lastDeliveryAt).not.toBeNull();
  });

  it('retries a batch after temporary failures and delivers it once the backend takes it', async () => {
    const sink = new RecordingSink([temporary(), temporary()]);
    const { publish, dispatcher, source, bus } = rig(sink, { maxRetries: 3 });
    const ids = publish('retry', 3);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.accepted).toEqual(ids);
    }, WAIT);
    expect(sink.sends).toEqual([ids, ids, ids]);
    await vi.waitFor(async () => {
      expect(await source.pending()).toBe(0);
    }, WAIT);
    expect(dispatcher.stats()).toMatchObject({ delivered: 3, retried: 6, failed: 0, batches: 1 });
    expect(await bus.deadLetters(GROUP)).toEqual([]);
  });

  it('hands a batch back to the bus when its retries are spent, and delivers it when it comes back', async () => {
    // One send and one retry fail: the batch goes back to the bus, which redelivers it (attempt 2).
    const sink = new RecordingSink([temporary(), temporary()]);
    const { publish, dispatcher, bus } = rig(sink, { maxRetries: 1 });
    const ids = publish('spent', 3);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.accepted).toEqual(ids);
    }, WAIT);
    expect(sink.sends).toEqual([ids, ids, ids]);
    expect(dispatcher.stats()).toMatchObject({ delivered: 3, failed: 3, retried: 3, deadLettered: 0 });
    expect(await bus.deadLetters(GROUP)).toEqual([]);
  });

  it('hands a failed batch back instead of retrying when the retry would end after the claim time', async () => {
    const sink = new RecordingSink([temporary()]);
    const { publish, dispatcher } = rig(sink, {
      maxRetries: 5,
      retryBaseMs: 1000,
      retryMaxMs: 1000,
      random: () => 0.99,
      settleWithinMs: 500,
    });
    const ids = publish('claim', 3);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.accepted).toEqual(ids);
    }, WAIT);
    // Not retried by the dispatcher (a 990 ms wait): the bus redelivered it.
    expect(dispatcher.stats()).toMatchObject({ retried: 0, failed: 3, delivered: 3 });
  });

  it('does not send a second copy of an event it still holds when the bus hands it out again', async () => {
    const held = gate();
    const sink = new RecordingSink([async () => held.opened.then(() => ({ rejected: [] }))]);
    const [event] = events('copy', 1);
    const delivery = { id: '1-0', event: event!, attempts: 1 };
    // A bus that hands the same delivery out twice, as Redis does when it was claimed past the claim time.
    const reads: (readonly (typeof delivery)[])[] = [[delivery], [{ ...delivery, attempts: 2 }]];
    const acked: string[] = [];
    const source: EventSource = {
      next: async () =>
        reads.shift() ??
        new Promise((resolve) =>
          setTimeout(() => {
            resolve([]);
          }, 10),
        ),
      ack: (ids) => {
        acked.push(...ids);
        return Promise.resolve();
      },
      fail: () => Promise.resolve(),
      pending: () => Promise.resolve(0),
      close: () => Promise.resolve(),
    };
    const dispatcher = new EventDispatcher({
      source,
      sink,
      logger: silent,
      batchSize: 1,
      flushIntervalMs: 5,
    });
    dispatcher.start();
    await vi.waitFor(() => {
      expect(reads).toEqual([]);
    }, WAIT);
    held.open();
    await vi.waitFor(() => {
      expect(acked).toEqual(['1-0']);
    }, WAIT);
    await dispatcher.drain(200);
    expect(sink.sends).toEqual([['copy-000']]);
  });

  it('with readToEndOnDrain, a drain delivers what the memory bus still held unread', async () => {
    const held = gate();
    const sink = new RecordingSink([async () => held.opened.then(() => ({ rejected: [] }))]);
    // A read-ahead of one batch: while the first batch waits for the backend, the rest stays unread on the bus.
    const { publish, dispatcher } = rig(sink, { batchSize: 3, buffer: 3, readToEndOnDrain: true });
    const ids = publish('rest', 10);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.sends).toHaveLength(1);
    }, WAIT);
    const drained = dispatcher.drain(3000);
    held.open();
    expect(await drained).toEqual({ unsettled: 0 });
    expect(sink.accepted).toEqual(ids);
  });

  it('without it, a drain leaves what was not read on the bus', async () => {
    const held = gate();
    const sink = new RecordingSink([async () => held.opened.then(() => ({ rejected: [] }))]);
    const { publish, dispatcher } = rig(sink, { batchSize: 3, buffer: 3 });
    const ids = publish('left', 10);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.sends).toHaveLength(1);
    }, WAIT);
    const drained = dispatcher.drain(3000);
    held.open();
    await drained;
    expect(sink.accepted).toEqual(ids.slice(0, 3));
  });

  it('dead-letters a batch that fails on its last allowed attempt', async () => {
    const sink = new RecordingSink([], temporary('still down'));
    const { publish, dispatcher, bus, source } = rig(sink, { maxRetries: 0, busMaxAttempts: 2 });
    const ids = publish('exhausted', 3);
    dispatcher.start();
    await vi.waitFor(async () => {
      expect((await bus.deadLetters(GROUP)).map(({ event }) => event.id)).toEqual(ids);
    }, WAIT);
    const [letter] = await bus.deadLetters(GROUP);
    expect(letter).toMatchObject({ attempts: 2, reason: 'still down' });
    expect(sink.sends).toEqual([ids, ids]);
    expect(sink.accepted).toEqual([]);
    expect(await source.pending()).toBe(0);
    expect(dispatcher.stats()).toMatchObject({ delivered: 0, failed: 6, deadLettered: 3 });
  });

  it('dead-letters a batch at once on a permanent error, without retrying it', async () => {
    const sink = new RecordingSink([
      () => {
        throw new SinkError('backend answered 401', true);
      },
    ]);
    const { publish, dispatcher, bus, source } = rig(sink, { maxRetries: 3 });
    const ids = publish('permanent', 3);
    dispatcher.start();
    await vi.waitFor(async () => {
      expect((await bus.deadLetters(GROUP)).map(({ event }) => event.id)).toEqual(ids);
    }, WAIT);
    expect(sink.sends).toEqual([ids]);
    expect((await bus.deadLetters(GROUP))[0]?.reason).toContain('backend answered 401');
    expect(await source.pending()).toBe(0);
    expect(dispatcher.stats()).toMatchObject({ delivered: 0, retried: 0, deadLettered: 3 });
  });

  it('settles refused events one by one: permanent ones dead-lettered, temporary ones redelivered', async () => {
    const sink = new RecordingSink([
      () => ({
        rejected: [
          { index: 0, reason: 'malformed event', permanent: true },
          { index: 1, reason: 'rate limited', permanent: false },
        ],
      }),
    ]);
    const { publish, dispatcher, bus, source } = rig(sink);
    const [bad, later, good] = publish('rejected', 3);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.accepted).toEqual([good, later]);
    }, WAIT);
    // The refused-for-now event came back alone, on its second attempt.
    expect(sink.sends).toEqual([[bad, later, good], [later]]);
    const letters = await bus.deadLetters(GROUP);
    expect(letters.map(({ event }) => event.id)).toEqual([bad]);
    expect(letters[0]?.reason).toContain('malformed event');
    await vi.waitFor(async () => {
      expect(await source.pending()).toBe(0);
    }, WAIT);
    expect(dispatcher.stats()).toMatchObject({ delivered: 2, rejected: 2, failed: 2, deadLettered: 1 });
  });

  it('reads ahead while a batch is in flight, but no more than the buffer', async () => {
    const held = gate();
    const sink = new RecordingSink([
      async () => {
        await held.opened;
        return { rejected: [] };
      },
    ]);
    const { publish, dispatcher, source } = rig(sink, { batchSize: 2, buffer: 6 });
    const ids = publish('ahead', 20);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(dispatcher.stats().buffered).toBe(6);
    }, WAIT);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await source.pending()).toBe(6);
    expect(sink.sends).toHaveLength(1);
    held.open();
    await vi.waitFor(() => {
      expect(sink.accepted).toEqual(ids);
    }, WAIT);
  });

  it('drain sends what was read, waits for the batch in flight, then closes sink and source', async () => {
    const held = gate();
    const sink = new RecordingSink([
      async () => {
        await held.opened;
        return { rejected: [] };
      },
    ]);
    const { publish, dispatcher, source } = rig(sink, { batchSize: 3, flushIntervalMs: 60_000 });
    const ids = publish('drain', 5);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(dispatcher.stats().buffered).toBe(5);
    }, WAIT);
    const drained = dispatcher.drain(5000);
    setTimeout(held.open, 30);
    expect(await drained).toEqual({ unsettled: 0 });
    expect(sink.sends).toEqual([ids.slice(0, 3), ids.slice(3)]);
    expect(sink.accepted).toEqual(ids);
    expect(await source.pending()).toBe(0);
    expect(sink.closed).toBe(true);
    // Closed: nothing more is read.
    publish('after', 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sink.sends).toHaveLength(2);
  });

  it('drain leaves what the backend did not accept by the deadline pending on the bus, never acknowledged', async () => {
    const sink = new RecordingSink([], temporary('backend down'));
    // Long backoff: the batch is between retries when the deadline passes.
    const { publish, dispatcher, bus } = rig(sink, {
      retryBaseMs: 60_000,
      retryMaxMs: 60_000,
      maxRetries: 5,
      random: () => 0.99,
    });
    const ids = publish('deadline', 3);
    dispatcher.start();
    await vi.waitFor(() => {
      expect(sink.sends).toHaveLength(1);
    }, WAIT);
    const started = Date.now();
    expect(await dispatcher.drain(50)).toEqual({ unsettled: 3 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sink.closed).toBe(true);
    // Neither acknowledged nor dead-lettered: another consumer of the group receives them.
    const next = await collect(bus.source(GROUP), 3);
    expect(next.map(({ event }) => event.id)).toEqual(ids);
    expect(await bus.deadLetters(GROUP)).toEqual([]);
  });
});
