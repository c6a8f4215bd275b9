import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';

import { openRedisClients, reconnectDelay } from '../../src/redis/index.js';
import { LogCapture } from '../helpers/log-capture.js';
import { closedPort } from '../helpers/network.js';

describe('redis clients', () => {
  it('waits longer after each failed reconnect, up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 50, 10_000].map((attempt) => reconnectDelay(attempt, 2000));
    const bases = [100, 200, 400, 800, 1600, 2000, 2000, 2000];
    for (const [index, delay] of delays.entries()) {
      expect(delay).toBeGreaterThanOrEqual(bases[index]! * 0.8);
      expect(delay).toBeLessThanOrEqual(bases[index]! * 1.2);
    }
  });

  it('starts without a reachable server, logs the outage once across retries and both connections, and closes at once', async () => {
    const logs = new LogCapture();
    const port = await closedPort();
    const clients = await openRedisClients({
      url: `redis://:not-logged-secret@127.0.0.1:${String(port)}/2`,
      logger: pino({ level: 'debug' }, logs),
      reconnectMaxDelayMs: 50,
    });
    await vi.waitFor(
      () => {
        expect(clients.client.status).toBe('reconnecting');
      },
      { timeout: 2000, interval: 5 },
    );
    // Several reconnect attempts of both connections.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(clients.client.status).not.toBe('ready');
    const warnings = logs.entries.filter((entry) => entry.level === 40);
    expect(warnings.map((entry) => entry.msg)).toEqual([
      'redis unreachable: serving on without it, reconnecting with backoff',
    ]);
    expect(logs.text).not.toContain('not-logged-secret');
    const started = performance.now();
    await clients.close();
    expect(performance.now() - started).toBeLessThan(500);
  });
});
