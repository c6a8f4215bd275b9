import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { MemoryEventBus, createEventBus } from '../../../src/events/index.js';
import { proxyEvent } from '../event-fixtures.js';
import { collect, eventBusContract, events } from './event-bus-contract.js';

eventBusContract({
  name: 'memory',
  available: true,
  open({ maxAttempts }) {
    const bus = createEventBus(
      { type: 'memory', maxAttempts, retryDelayMs: 20, blockMs: 50 },
      { logger: pino({ level: 'silent' }) },
    );
    return Promise.resolve({
      publisher: bus.publisher,
      source: (group, consumer) => bus.source(group, consumer),
      deadLetters: (group) => bus.deadLetters(group),
      close: () => bus.close(),
    });
  },
});

describe('memory event bus', () => {
  it('drops and counts events beyond its buffer while a group holds them unacknowledged', async () => {
    const bus = new MemoryEventBus({ bufferSize: 3, blockMs: 50 });
    const source = bus.source('dispatchers');
    for (const event of events('full', 5)) bus.publish(event);
    expect(bus.stats()).toEqual({ published: 3, dropped: 2, spooled: 0 });
    const got = await collect(source, 3);
    expect(got.map(({ event }) => event.id)).toEqual(['full-000', 'full-001', 'full-002']);
    bus.publish(proxyEvent({ id: 'still-full' }));
    expect(bus.stats().dropped).toBe(3);
    await source.ack(got.map(({ id }) => id));
    bus.publish(proxyEvent({ id: 'room-again' }));
    expect(bus.stats()).toEqual({ published: 4, dropped: 3, spooled: 0 });
    expect((await collect(source, 1)).map(({ event }) => event.id)).toEqual(['room-again']);
    await bus.close();
  });

  it('keeps events published before any group exists for the first group', async () => {
    const bus = new MemoryEventBus({ blockMs: 50 });
    bus.publish(proxyEvent({ id: 'early' }));
    const got = await collect(bus.source('dispatchers'), 1);
    expect(got.map(({ event }) => event.id)).toEqual(['early']);
    await bus.close();
  });

  it('gives the pending deliveries of a closed source to another source of its group at once', async () => {
    const bus = new MemoryEventBus({ blockMs: 50 });
    const first = bus.source('dispatchers');
    const second = bus.source('dispatchers');
    bus.publish(proxyEvent({ id: 'orphan' }));
    const [taken] = await collect(first, 1);
    await first.close();
    const [again] = await collect(second, 1, 200);
    expect(again).toMatchObject({ id: taken!.id, attempts: 2, event: { id: 'orphan' } });
    await bus.close();
  });

  it('wakes a waiting next when an event is published, and releases it on close', async () => {
    const bus = new MemoryEventBus({ blockMs: 10_000 });
    const source = bus.source('dispatchers');
    const waiting = source.next(10);
    bus.publish(proxyEvent({ id: 'wake-up' }));
    expect((await waiting).map(({ event }) => event.id)).toEqual(['wake-up']);
    const started = Date.now();
    const released = source.next(10);
    await bus.close();
    expect(await released).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
    bus.publish(proxyEvent({ id: 'after-close' }));
    expect(bus.stats().dropped).toBe(1);
  });

  it('keeps a bounded list of dead letters per group', async () => {
    const bus = new MemoryEventBus({ blockMs: 50, maxDeadLetters: 2 });
    const source = bus.source('dispatchers');
    for (const event of events('dead', 3)) bus.publish(event);
    const got = await collect(source, 3);
    await source.fail(got, 'invalid', true);
    expect(bus.deadLetters('dispatchers').map(({ event }) => event.id)).toEqual(['dead-001', 'dead-002']);
    expect(bus.deadLetters('other')).toEqual([]);
    await bus.close();
  });
});
