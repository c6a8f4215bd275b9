import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import type { ProxyEvent } from '../../src/events/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';

const available = inject('redisAvailable');
const WAIT = { timeout: 5000, interval: 20 };

async function streamEvents(redis: Redis, key: string): Promise<ProxyEvent[]> {
  const entries = (await redis.xrange(key, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1] as string) as ProxyEvent);
}

describe.runIf(available)('request events on Redis Streams', () => {
  const key = `llm-proxy-test-gateway-events-${randomBytes(6).toString('hex')}`;
  const directory = mkdtempSync(join(tmpdir(), 'llm-proxy-stream-events-'));
  let redis: Redis;
  let gateway: TestGateway;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
    gateway = await startTestGateway({
      env: {
        LLM_PROXY_EVENT_BUS: 'redis-streams',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_STREAM_KEY: key,
        EVENT_SPOOL_PATH: join(directory, 'spool.jsonl'),
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
    await redis.del(key, `${key}:dead`);
    await redis.quit();
    rmSync(directory, { recursive: true, force: true });
  });

  it('each proxied request lands in the stream as one event, its id the request id', async () => {
    const { token, tokenId } = await gateway.issueToken();
    const response = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    await response.arrayBuffer();
    const id = response.headers.get('x-request-id');
    await expect
      .poll(async () => (await streamEvents(redis, key)).map((event) => event.id), WAIT)
      .toEqual([id]);
    const [event] = await streamEvents(redis, key);
    expect(event).toMatchObject({ tokenId, status: 200, model: 'gpt-4o-mini', source: 'upstream' });
    expect(JSON.stringify(event)).not.toContain(token);
  });

  it('counts what it published in the Prometheus metrics', async () => {
    // The counter follows the XADD replies, which may arrive after the entry is readable.
    const metrics = async (): Promise<string> =>
      (await gateway.inject({ method: 'GET', url: '/metrics/prometheus' })).body;
    await expect.poll(metrics, WAIT).toMatch(/^llm_proxy_events_published_total [1-9]/m);
    expect(await metrics()).toMatch(/^llm_proxy_events_dropped_total 0/m);
  });
});
