import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { DeadLetter, Delivery, EventPublisher, EventSource } from '../../../src/events/index.js';
import { proxyEvent } from '../event-fixtures.js';

/** A bus opened for one test. */
export interface BusUnderTest {
  readonly publisher: EventPublisher;
  readonly source: (group: string, consumer: string) => EventSource;
  readonly deadLetters: (group: string) => Promise<readonly DeadLetter[]>;
  /** Closes the bus and removes what the test left (streams, spool files). */
  close(): Promise<void>;
}

/** One implementation of the bus, as the contract runs it. */
export interface BusImplementation {
  readonly name: string;
  readonly available: boolean;
  /** A fresh, empty bus; a failed delivery must come back well within 2 s. */
  open(options: { readonly maxAttempts: number }): Promise<BusUnderTest>;
}

/** How long a test waits at most for deliveries that should arrive. */
const ARRIVAL_MS = 3000;

/** Calls `next` until `count` deliveries arrived (or the wait is over) and returns them, in order. */
export async function collect(source: EventSource, count: number, waitMs = ARRIVAL_MS): Promise<Delivery[]> {
  const deadline = Date.now() + waitMs;
  const got: Delivery[] = [];
  while (got.length < count && Date.now() < deadline) got.push(...(await source.next(count - got.length)));
  return got;
}

/** Events `<prefix>-0` … with ids of one length (so that their JSON lines are of one size too). */
export function events(prefix: string, count: number) {
  return Array.from({ length: count }, (_, index) =>
    proxyEvent({ id: `${prefix}-${String(index).padStart(3, '0')}` }),
  );
}

const ids = (deliveries: readonly Delivery[]): string[] => deliveries.map(({ event }) => event.id);

/** The behaviour every event bus shares, run against `implementation`. */
export function eventBusContract(implementation: BusImplementation): void {
  describe(`event bus contract (${implementation.name})`, () => {
    let bus: BusUnderTest | undefined;
    const open = async (maxAttempts = 5): Promise<BusUnderTest> => {
      bus = await implementation.open({ maxAttempts });
      return bus;
    };

    beforeEach((context) => {
      if (!implementation.available) context.skip();
    });
    afterEach(async () => {
      await bus?.close();
      bus = undefined;
    });

    it('delivers published events in order, with their ids, on a first attempt', async () => {
      const { publisher, source } = await open();
      const published = events('order', 5);
      for (const event of published) publisher.publish(event);
      const got = await collect(source('dispatchers', 'one'), 5);
      expect(ids(got)).toEqual(published.map(({ id }) => id));
      expect(got.map(({ attempts }) => attempts)).toEqual([1, 1, 1, 1, 1]);
      expect(new Set(got.map(({ id }) => id)).size).toBe(5);
      expect(got[0]!.event).toEqual(published[0]);
      // Redis may hand an entry to a reader before the writer has the reply to its XADD.
      await vi.waitFor(() => {
        expect(publisher.stats()).toMatchObject({ published: 5, dropped: 0, spooled: 0 });
      });
    });

    it('counts deliveries read and not acknowledged as pending, and never delivers an acknowledged one again', async () => {
      const { publisher, source } = await open();
      for (const event of events('ack', 3)) publisher.publish(event);
      const consumer = source('dispatchers', 'one');
      const got = await collect(consumer, 3);
      expect(await consumer.pending()).toBe(3);
      await consumer.ack([got[0]!.id]);
      expect(await consumer.pending()).toBe(2);
      await consumer.ack(got.slice(1).map(({ id }) => id));
      expect(await consumer.pending()).toBe(0);
      // Longer than the claim and retry times of the implementations under test.
      expect(await collect(consumer, 1, 600)).toEqual([]);
    });

    it('gives a failed delivery back with one more attempt', async () => {
      const { publisher, source } = await open();
      publisher.publish(proxyEvent({ id: 'fails-once' }));
      const consumer = source('dispatchers', 'one');
      const [first] = await collect(consumer, 1);
      await consumer.fail([first!], 'backend answered 503', false);
      expect(await consumer.pending()).toBe(1);
      const [again] = await collect(consumer, 1);
      expect(again).toMatchObject({ id: first!.id, attempts: 2, event: { id: 'fails-once' } });
      await consumer.ack([again!.id]);
      expect(await consumer.pending()).toBe(0);
    });

    it('moves a delivery to the dead letters when it failed on its last attempt', async () => {
      const { publisher, source, deadLetters } = await open(2);
      publisher.publish(proxyEvent({ id: 'keeps-failing' }));
      const consumer = source('dispatchers', 'one');
      const [first] = await collect(consumer, 1);
      await consumer.fail([first!], 'timeout', false);
      const [second] = await collect(consumer, 1);
      expect(second!.attempts).toBe(2);
      await consumer.fail([second!], 'timeout again', false);
      expect(await consumer.pending()).toBe(0);
      const letters = await deadLetters('dispatchers');
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        attempts: 2,
        reason: 'timeout again',
        event: { id: 'keeps-failing' },
      });
      expect(await collect(consumer, 1, 600)).toEqual([]);
    });

    it('moves a permanent failure to the dead letters at once', async () => {
      const { publisher, source, deadLetters } = await open(5);
      publisher.publish(proxyEvent({ id: 'rejected' }));
      publisher.publish(proxyEvent({ id: 'accepted' }));
      const consumer = source('dispatchers', 'one');
      const got = await collect(consumer, 2);
      await consumer.fail([got[0]!], 'backend said 400: invalid event', true);
      await consumer.ack([got[1]!.id]);
      expect(await consumer.pending()).toBe(0);
      expect(await deadLetters('dispatchers')).toEqual([
        expect.objectContaining({
          attempts: 1,
          reason: 'backend said 400: invalid event',
          event: got[0]!.event,
        }),
      ]);
    });

    it('gives every group every event', async () => {
      const { publisher, source } = await open();
      const published = events('fanout', 4);
      for (const event of published) publisher.publish(event);
      const file = source('file-backend', 'one');
      const lunary = source('lunary-backend', 'one');
      expect(ids(await collect(file, 4))).toEqual(published.map(({ id }) => id));
      expect(ids(await collect(lunary, 4))).toEqual(published.map(({ id }) => id));
    });

    it('shares the events of one group between its consumers', async () => {
      const { publisher, source } = await open();
      const published = events('shared', 10);
      for (const event of published) publisher.publish(event);
      const one = source('dispatchers', 'one');
      const two = source('dispatchers', 'two');
      const first = await collect(one, 6);
      const second = await collect(two, 4);
      expect(first).toHaveLength(6);
      expect(second).toHaveLength(4);
      expect([...ids(first), ...ids(second)].sort()).toEqual(published.map(({ id }) => id));
      // Pending is the group's: what both consumers hold.
      expect(await one.pending()).toBe(10);
      expect(await collect(two, 1, 100)).toEqual([]);
    });
  });
}
