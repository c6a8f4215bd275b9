import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { SinkError, createEventBus, startDispatcher } from '../../../src/events/index.js';
import type { EventBus, RunningDispatcher } from '../../../src/events/index.js';
import { events } from '../bus/event-bus-contract.js';
import { RecordingSink } from './recording-sink.js';

const silent = pino({ level: 'silent' });
const WAIT = { timeout: 3000, interval: 5 };
const CONFIG = {
  batchSize: 2,
  buffer: 10,
  flushIntervalMs: 10,
  maxAttempts: 100,
  retryBaseMs: 1,
  retryMaxMs: 2,
  readBatchSize: 10,
  claimTimeMs: 30_000,
};

const running: { dispatcher: RunningDispatcher; bus: EventBus }[] = [];

afterEach(async () => {
  for (const { dispatcher, bus } of running.splice(0)) {
    await dispatcher.close(200);
    await bus.close();
  }
});

async function serve(sink: RecordingSink, now: () => number = Date.now) {
  const bus = createEventBus(
    { type: 'memory', maxAttempts: 100, retryDelayMs: 10, blockMs: 50 },
    { logger: silent },
  );
  const dispatcher = await startDispatcher({
    config: CONFIG,
    source: bus.source('dispatchers'),
    sink,
    logger: silent,
    listen: { host: '127.0.0.1', port: 0 },
    maxRetries: 0,
    now,
  });
  running.push({ dispatcher, bus });
  const url = dispatcher.url ?? '';
  return { bus, dispatcher, url };
}

async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The value of an unlabelled series in Prometheus text. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('dispatcher health and metrics over HTTP', () => {
  it('GET /health answers 200 with the counters and the lag; GET /metrics the Prometheus series', async () => {
    const sink = new RecordingSink();
    const { bus, url } = await serve(sink);
    for (const event of events('served', 5)) bus.publisher.publish(event);
    await vi.waitFor(() => {
      expect(sink.accepted).toHaveLength(5);
    }, WAIT);
    await vi.waitFor(async () => {
      const health = await json(`${url}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', sink: 'recording', delivered: 5, failed: 0, lag: 0 });
    }, WAIT);

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sample(text, 'llm_proxy_dispatcher_events_delivered_total')).toBe(5);
    expect(sample(text, 'llm_proxy_dispatcher_events_failed_total')).toBe(0);
    expect(sample(text, 'llm_proxy_dispatcher_events_retried_total')).toBe(0);
    expect(sample(text, 'llm_proxy_dispatcher_events_dead_lettered_total')).toBe(0);
    expect(sample(text, 'llm_proxy_dispatcher_lag')).toBe(0);
    expect(sample(text, 'llm_proxy_dispatcher_batches_total')).toBe(3);
    // Scraped twice, a counter does not count twice.
    const again = await (await fetch(`${url}/metrics`)).text();
    expect(sample(again, 'llm_proxy_dispatcher_events_delivered_total')).toBe(5);
  });

  it('GET /health answers 503 once the backend has been failing for more than a minute', async () => {
    let skew = 0;
    const sink = new RecordingSink([], () => {
      throw new SinkError('backend answered 503', false);
    });
    const { bus, url } = await serve(sink, () => Date.now() + skew);
    for (const event of events('failing', 2)) bus.publisher.publish(event);
    await vi.waitFor(() => {
      expect(sink.sends.length).toBeGreaterThanOrEqual(2);
    }, WAIT);
    expect((await json(`${url}/health`)).status).toBe(200);
    skew = 61_000;
    const health = await json(`${url}/health`);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', delivered: 0 });
    expect(health.body.problems).toEqual([
      expect.stringContaining('recording backend has failed every send'),
    ]);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sample(text, 'llm_proxy_dispatcher_events_failed_total')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'llm_proxy_dispatcher_lag')).toBe(2);
  });

  it('serves nothing else: 404 for other paths, 405 for other methods', async () => {
    const { url } = await serve(new RecordingSink());
    expect((await fetch(`${url}/v1/chat/completions`)).status).toBe(404);
    const post = await fetch(`${url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
