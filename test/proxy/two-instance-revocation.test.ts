import { randomBytes } from 'node:crypto';

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { openRedisClients } from '../../src/redis/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import type { Store } from '../../src/store/index.js';
import { createInvalidationBus } from '../../src/tokens/index.js';
import type { InvalidationBus } from '../../src/tokens/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { LogCapture } from '../helpers/log-capture.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import type { TcpRelay } from '../helpers/tcp-relay.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

/** One gateway of a deployment, with its own Redis connections and bus. */
interface Instance {
  readonly h: TestGateway;
  readonly redisLogs: LogCapture;
  close(): Promise<void>;
}

async function startInstance(
  store: Store,
  channel: string,
  options: { redisUrl?: string; env?: Record<string, string> } = {},
): Promise<Instance> {
  const redisLogs = new LogCapture();
  const logger = pino({ level: 'debug' }, redisLogs);
  const clients: RedisClients = await openRedisClients({
    url: options.redisUrl ?? TEST_REDIS_URL,
    logger,
    reconnectMaxDelayMs: 200,
  });
  const bus: InvalidationBus = createInvalidationBus({ type: 'redis', logger, channel, ...clients });
  await bus.ready();
  const h = await startTestGateway({ store, invalidation: bus, ...(options.env && { env: options.env }) });
  return {
    h,
    redisLogs,
    async close() {
      await h.close();
      await bus.close();
      await clients.close();
    },
  };
}

const chat = (h: TestGateway, token: string) =>
  h.injectProxy('/v1/chat/completions', { method: 'POST', token, headers: JSON_HEADERS, body: chatBody() });

/** A successful request, which leaves the token and its project in that gateway's cache. */
async function warm(h: TestGateway, token: string): Promise<void> {
  const response = await chat(h, token);
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

/** Sends requests with the token until one is refused; the refusal and how long after the start it came. */
async function firstRefusal(
  h: TestGateway,
  token: string,
  timeoutMs: number,
): Promise<{ ms: number; status: number; code: string; served: number }> {
  const started = performance.now();
  let served = 0;
  for (;;) {
    const response = await chat(h, token);
    const ms = performance.now() - started;
    if (response.status !== 200)
      return { ms, status: response.status, code: (await errorOf(response)).code, served };
    await response.arrayBuffer();
    served += 1;
    if (ms > timeoutMs)
      throw new Error(`still served ${String(served)} requests after ${String(timeoutMs)} ms`);
  }
}

const both = !inject('postgresAvailable') || !inject('redisAvailable');

describe.skipIf(both)('a change made through one instance is refused by the other within 1 s', () => {
  let shared: TestStore;
  let a: Instance;
  let b: Instance;
  const delays: string[] = [];

  beforeAll(async () => {
    shared = await createTestStore('postgres');
    const channel = `llm-proxy-test-two-instances-${randomBytes(6).toString('hex')}`;
    a = await startInstance(shared.store, channel);
    b = await startInstance(shared.store, channel);
  });
  afterAll(async () => {
    console.info(`cross-instance refusal delays: ${delays.join(', ')}`);
    await a.close();
    await b.close();
    await shared.cleanup();
  });

  it('refuses a revoked token on instance B after DELETE on instance A', async () => {
    const issued = await a.h.issueToken();
    await warm(a.h, issued.token);
    await warm(b.h, issued.token);
    expect((await a.h.manage('DELETE', `/manage/tokens/${issued.tokenId}`)).statusCode).toBe(204);
    const refusal = await firstRefusal(b.h, issued.token, 1000);
    delays.push(`revoke ${refusal.ms.toFixed(1)} ms (${String(refusal.served)} served)`);
    expect(refusal).toMatchObject({ status: 401, code: 'token_inactive' });
    expect(refusal.ms).toBeLessThanOrEqual(1000);
  });

  it('refuses a deactivated token on instance B after PATCH is_active=false on instance A', async () => {
    const issued = await a.h.issueToken();
    await warm(a.h, issued.token);
    await warm(b.h, issued.token);
    const patched = await a.h.manage('PATCH', `/manage/tokens/${issued.tokenId}`, { is_active: false });
    expect(patched.statusCode).toBe(200);
    const refusal = await firstRefusal(b.h, issued.token, 1000);
    delays.push(`is_active ${refusal.ms.toFixed(1)} ms (${String(refusal.served)} served)`);
    expect(refusal).toMatchObject({ status: 401, code: 'token_inactive' });
    expect(refusal.ms).toBeLessThanOrEqual(1000);
  });

  it('applies a max_requests set on instance A to a token instance B cached as unlimited', async () => {
    const issued = await a.h.issueToken();
    await warm(a.h, issued.token);
    await warm(b.h, issued.token);
    await a.h.gateway.requestCounts.flush();
    await b.h.gateway.requestCounts.flush();
    const patched = await a.h.manage('PATCH', `/manage/tokens/${issued.tokenId}`, { max_requests: 2 });
    expect(patched.statusCode).toBe(200);
    const refusal = await firstRefusal(b.h, issued.token, 1000);
    delays.push(`max_requests ${refusal.ms.toFixed(1)} ms (${String(refusal.served)} served)`);
    expect(refusal).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(refusal.ms).toBeLessThanOrEqual(1000);
    expect((await a.h.tokenRecord(issued.tokenId)).requestCount).toBe(2);
  });

  it('refuses the tokens of a project deactivated on instance A on instance B', async () => {
    const issued = await a.h.issueToken();
    const second = await a.h.createToken(issued.projectId);
    for (const token of [issued.token, second.token]) {
      await warm(a.h, token);
      await warm(b.h, token);
    }
    const patched = await a.h.manage('PATCH', `/manage/projects/${issued.projectId}`, { is_active: false });
    expect(patched.statusCode).toBe(200);
    const refusal = await firstRefusal(b.h, issued.token, 1000);
    delays.push(`project ${refusal.ms.toFixed(1)} ms (${String(refusal.served)} served)`);
    expect(refusal).toMatchObject({ status: 403, code: 'project_inactive' });
    expect(refusal.ms).toBeLessThanOrEqual(1000);
    expect((await errorOf(await chat(b.h, second.token))).code).toBe('project_inactive');
  });
});

describe.skipIf(both)('instance B while its Redis is unreachable', () => {
  const TTL_MS = 1500;
  let shared: TestStore;
  let relay: TcpRelay;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    shared = await createTestStore('postgres');
    relay = await startTcpRelay(TEST_REDIS_URL);
    const channel = `llm-proxy-test-two-instances-${randomBytes(6).toString('hex')}`;
    const env = { TOKEN_CACHE_TTL: `${String(TTL_MS)}ms` };
    a = await startInstance(shared.store, channel, { env });
    b = await startInstance(shared.store, channel, { env, redisUrl: relay.url });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await relay.close();
    await shared.cleanup();
  });

  it('keeps serving and refuses a token revoked on instance A once its cache TTL has passed', async () => {
    const revoked = await a.h.issueToken();
    const other = await a.h.issueToken();
    await relay.cut();
    for (const token of [revoked.token, other.token]) {
      await warm(a.h, token);
      await warm(b.h, token);
    }
    await vi.waitFor(
      () => {
        expect(b.redisLogs.text).toContain('redis unreachable');
      },
      { timeout: 5000, interval: 5 },
    );
    expect((await a.h.manage('DELETE', `/manage/tokens/${revoked.tokenId}`)).statusCode).toBe(204);
    expect((await chat(a.h, revoked.token)).status).toBe(401);
    // B has not heard of the revocation: it serves from its cache until the TTL runs out, then asks the database.
    const refusal = await firstRefusal(b.h, revoked.token, TTL_MS + 1000);
    expect(refusal).toMatchObject({ status: 401, code: 'token_inactive' });
    expect(refusal.served).toBeGreaterThan(0);
    expect(refusal.ms).toBeLessThanOrEqual(TTL_MS + 1000);
    await warm(b.h, other.token);
  });
});

describe.skipIf(both)('gateways configured only with REDIS_URL', () => {
  let shared: TestStore;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    shared = await createTestStore('postgres');
    // The composition root opens the Redis connections and the bus from the configuration alone.
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_INVALIDATION_CHANNEL: `llm-proxy-test-root-${randomBytes(6).toString('hex')}`,
    };
    a = await startTestGateway({ store: shared.store, env });
    b = await startTestGateway({ store: shared.store, env });
    await Promise.all([a.gateway.invalidation.ready(), b.gateway.invalidation.ready()]);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await shared.cleanup();
  });

  it('refuse on instance B a token revoked through instance A within 1 s', async () => {
    const issued = await a.issueToken();
    await warm(a, issued.token);
    await warm(b, issued.token);
    expect((await a.manage('DELETE', `/manage/tokens/${issued.tokenId}`)).statusCode).toBe(204);
    const refusal = await firstRefusal(b, issued.token, 1000);
    expect(refusal).toMatchObject({ status: 401, code: 'token_inactive' });
    expect(refusal.ms).toBeLessThanOrEqual(1000);
  });
});
