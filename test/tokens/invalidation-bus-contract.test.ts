import { randomBytes } from 'node:crypto';

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';

import { openRedisClients } from '../../src/redis/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import { createInvalidationBus } from '../../src/tokens/index.js';
import type { InvalidationBus, InvalidationEvent } from '../../src/tokens/index.js';
import { LogCapture } from '../helpers/log-capture.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';

/** Three instances of one deployment, as seen by their buses. */
interface Deployment {
  readonly buses: readonly [InvalidationBus, InvalidationBus, InvalidationBus];
  /** Whether the instances share one bus object (in-process): closing one closes them all. */
  readonly shared: boolean;
  /** Publishes raw text on the channel, as a foreign or broken publisher would (Redis only). */
  readonly publishRaw?: (text: string) => Promise<void>;
  close(): Promise<void>;
}

interface Implementation {
  readonly name: string;
  readonly available: boolean;
  start(logs: LogCapture): Promise<Deployment>;
}

const IMPLEMENTATIONS: Implementation[] = [
  {
    name: 'memory',
    available: true,
    start(logs) {
      const bus = createInvalidationBus({ type: 'memory', logger: pino({ level: 'debug' }, logs) });
      return Promise.resolve({ buses: [bus, bus, bus], shared: true, close: () => bus.close() });
    },
  },
  {
    name: 'redis',
    available: inject('redisAvailable'),
    async start(logs) {
      const logger = pino({ level: 'debug' }, logs);
      const channel = `llm-proxy-test-invalidation-${randomBytes(6).toString('hex')}`;
      const clients: RedisClients[] = [];
      const buses: InvalidationBus[] = [];
      for (let index = 0; index < 3; index += 1) {
        const opened = await openRedisClients({ url: TEST_REDIS_URL, logger });
        clients.push(opened);
        buses.push(createInvalidationBus({ type: 'redis', logger, channel, ...opened }));
      }
      await Promise.all(buses.map((bus) => bus.ready()));
      const [a, b, c] = buses as [InvalidationBus, InvalidationBus, InvalidationBus];
      return {
        buses: [a, b, c],
        shared: false,
        publishRaw: async (text) => {
          await clients[0]!.client.publish(channel, text);
        },
        async close() {
          await Promise.all(buses.map((bus) => bus.close()));
          await Promise.all(clients.map((opened) => opened.close()));
        },
      };
    },
  },
];

let markers = 0;

describe.each(IMPLEMENTATIONS)('invalidation bus contract ($name)', (implementation) => {
  let deployment: Deployment;
  let logs: LogCapture;
  beforeEach(async (context) => {
    if (!implementation.available) {
      context.skip();
      return;
    }
    logs = new LogCapture();
    deployment = await implementation.start(logs);
  });
  afterEach(async () => {
    if (implementation.available) await deployment.close();
  });

  /** What a listener received; `events` leaves out the markers of {@link settle}. */
  interface Recorder {
    readonly received: InvalidationEvent[];
    readonly events: InvalidationEvent[];
    stop(): void;
  }

  const record = (bus: InvalidationBus): Recorder => {
    const received: InvalidationEvent[] = [];
    const stop = bus.subscribe((event) => received.push(event));
    return {
      received,
      get events() {
        return received.filter(
          (event) => !(event.type === 'token-changed' && event.tokenId.startsWith('marker-')),
        );
      },
      stop,
    };
  };

  /**
   * Publishes a marker from `from` and waits until `listener` has it: Redis relays one channel in order, so
   * whatever was published before the marker has reached that listener by then.
   */
  const settle = async (from: InvalidationBus, listener: Recorder): Promise<void> => {
    markers += 1;
    const marker: InvalidationEvent = { type: 'token-changed', tokenId: `marker-${String(markers)}` };
    from.publish(marker);
    await vi.waitFor(
      () => {
        expect(listener.received).toContainEqual(marker);
      },
      { timeout: 2000, interval: 2 },
    );
  };

  it('delivers each event type to the listeners of every instance exactly once, the publisher’s own before publish returns', async () => {
    const [a, b] = deployment.buses;
    const onA = record(a);
    const onB = record(b);
    const events: InvalidationEvent[] = [
      { type: 'token-changed', tokenId: 'token-1' },
      { type: 'project-changed', projectId: 'project-1' },
      { type: 'cache-purged', selector: { kind: 'all' } },
      { type: 'cache-purged', selector: { kind: 'scope', scope: 'project-1' } },
      { type: 'cache-purged', selector: { kind: 'url', method: 'GET', url: '/v1/models?a=1&b=%7C' } },
      {
        type: 'cache-purged',
        selector: { kind: 'url', method: 'POST', url: '/v1/chat/completions', scope: 'shared' },
      },
      { type: 'cache-purged', selector: { kind: 'prefix', prefix: `/v1/${'é'.repeat(4000)}` } },
      { type: 'cache-purged', selector: { kind: 'prefix', prefix: '/v1/', scope: 'project-1' } },
      { type: 'resync' },
    ];
    for (const [index, event] of events.entries()) {
      a.publish(event);
      expect(onA.events).toEqual(events.slice(0, index + 1));
    }
    await vi.waitFor(
      () => {
        expect(onB.events).toEqual(events);
      },
      { timeout: 2000, interval: 2 },
    );
    // Had Redis echoed a's messages back to it, they would have arrived before b's marker.
    await settle(b, onA);
    expect(onA.events).toEqual(events);
    await settle(a, onB);
    expect(onB.events).toEqual(events);
  });

  it('stops delivering to a listener once it is unsubscribed, and keeps delivering to the others', async () => {
    const [a, b] = deployment.buses;
    const gone = record(b);
    const stays = record(b);
    const local = record(a);
    gone.stop();
    a.publish({ type: 'token-changed', tokenId: 'token-2' });
    a.publish({ type: 'resync' });
    local.stop();
    a.publish({ type: 'token-changed', tokenId: 'token-3' });
    await settle(a, stays);
    expect(gone.events).toEqual([]);
    expect(local.events).toEqual([{ type: 'token-changed', tokenId: 'token-2' }, { type: 'resync' }]);
    expect(stays.events).toEqual([
      { type: 'token-changed', tokenId: 'token-2' },
      { type: 'resync' },
      { type: 'token-changed', tokenId: 'token-3' },
    ]);
  });

  it('keeps delivering to the other listeners when one throws, and the publish does not fail', async () => {
    const [a, b] = deployment.buses;
    for (const bus of [a, b]) {
      bus.subscribe(() => {
        throw new Error('listener broke');
      });
    }
    const onA = record(a);
    const onB = record(b);
    expect(() => {
      a.publish({ type: 'project-changed', projectId: 'project-2' });
    }).not.toThrow();
    expect(onA.events).toEqual([{ type: 'project-changed', projectId: 'project-2' }]);
    await settle(a, onB);
    expect(onB.events).toEqual([{ type: 'project-changed', projectId: 'project-2' }]);
    expect(
      logs.entries.filter((entry) => entry.msg === 'invalidation listener failed').length,
    ).toBeGreaterThan(0);
  });

  // Only a bus with a wire can receive what another program wrote on its channel.
  if (implementation.name !== 'memory') {
    it('ignores malformed and unknown messages on the channel and applies the next well-formed one', async () => {
      const publishRaw = deployment.publishRaw as (text: string) => Promise<void>;
      const [a] = deployment.buses;
      const onA = record(a);
      const broken = [
        'not json',
        'null',
        '[]',
        '{}',
        JSON.stringify({ source: 'other-instance', type: 'token-dropped', tokenId: 'token-4' }),
        JSON.stringify({ source: 'other-instance', type: 'token-changed', tokenId: 42 }),
        JSON.stringify({ source: 'other-instance', type: 'project-changed' }),
        JSON.stringify({ source: 'other-instance', type: 'token-changed', tokenId: '../../etc' }),
        JSON.stringify({ type: 'resync' }),
        JSON.stringify({ source: 'other-instance', type: 'token-changed', tokenId: 'x'.repeat(5000) }),
        ...[
          undefined,
          null,
          'all',
          {},
          { kind: 'everything' },
          { kind: 'all', scope: 'p' },
          { kind: 'scope' },
          { kind: 'scope', scope: '*' },
          { kind: 'scope', scope: 'a|b' },
          { kind: 'url', method: 'GET' },
          { kind: 'url', method: 'get', url: '/v1/models' },
          { kind: 'url', method: 'GET', url: 'v1/models' },
          { kind: 'url', method: 'GET', url: '/v1/models|x' },
          { kind: 'url', method: 'GET', url: '/v1/models', scope: 7 },
          { kind: 'url', method: 'GET', url: '/v1/models', extra: true },
          { kind: 'prefix', prefix: '' },
          { kind: 'prefix', prefix: '/v1/\n' },
          { kind: 'prefix', prefix: `/${'x'.repeat(5000)}` },
        ].map((selector) => JSON.stringify({ source: 'other-instance', type: 'cache-purged', selector })),
      ];
      for (const text of broken) await publishRaw(text);
      await publishRaw(
        JSON.stringify({ source: 'other-instance', type: 'token-changed', tokenId: 'token-5' }),
      );
      await publishRaw(
        JSON.stringify({
          source: 'other-instance',
          type: 'cache-purged',
          selector: { kind: 'prefix', prefix: '/v1/models', scope: 'project-5' },
        }),
      );
      await vi.waitFor(
        () => {
          expect(onA.events).toEqual([
            { type: 'token-changed', tokenId: 'token-5' },
            { type: 'cache-purged', selector: { kind: 'prefix', prefix: '/v1/models', scope: 'project-5' } },
          ]);
        },
        { timeout: 2000, interval: 2 },
      );
      const ignored = logs.entries.filter(
        (entry) => entry.msg === 'ignored a malformed invalidation message',
      );
      // Each of the three buses ignored each broken message.
      expect(ignored).toHaveLength(broken.length * 3);
      expect(logs.text).not.toContain('etc');
    });
  }

  it('delivers nothing after close, ignores later publishes, and leaves the other instances working', async () => {
    const [a, b, c] = deployment.buses;
    const onB = record(b);
    await b.close();
    await b.close();
    expect(() => {
      b.publish({ type: 'token-changed', tokenId: 'token-6' });
    }).not.toThrow();
    expect(onB.events).toEqual([]);
    if (deployment.shared) return;
    const onC = record(c);
    a.publish({ type: 'token-changed', tokenId: 'token-7' });
    await settle(a, onC);
    expect(onC.events).toEqual([{ type: 'token-changed', tokenId: 'token-7' }]);
    expect(onB.events).toEqual([]);
  });
});
