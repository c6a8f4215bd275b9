import { randomBytes } from 'node:crypto';

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { hashToken, tokenPreview } from '../../src/core/index.js';
import { openRedisClients } from '../../src/redis/index.js';
import type { RedisClients } from '../../src/redis/index.js';
import { createInvalidationBus } from '../../src/tokens/index.js';
import type { InvalidationBus } from '../../src/tokens/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { LogCapture } from '../helpers/log-capture.js';
import { auditEvents, json } from '../helpers/management.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { TEST_DIALECTS, createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const TOKEN = /^sk-[A-Za-z0-9_-]{22}$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const chat = (h: TestGateway, token: string) =>
  h.injectProxy('/v1/chat/completions', { method: 'POST', token, headers: JSON_HEADERS, body: chatBody() });

async function status(h: TestGateway, token: string): Promise<number | string> {
  const response = await chat(h, token);
  if (response.status === 200) {
    await response.arrayBuffer();
    return 200;
  }
  return (await errorOf(response)).code;
}

describe.each(TEST_DIALECTS)('token rotation (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect, listen: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives the same token id a new secret; the old secret is refused at once, the new one works', async () => {
    const issued = await t.issueToken({ token: { max_requests: 50, name: 'deploy bot' } });
    expect(await status(t, issued.token)).toBe(200);
    const before = await t.tokenRecord(issued.tokenId);

    const response = await t.manage('POST', `/manage/tokens/${issued.tokenId}/rotate`);
    expect(response.statusCode, response.body).toBe(200);
    const body = json<{ id: string; token: string; expires_at: string; max_requests: number; name: string }>(
      response,
    );
    // The shape of POST /manage/tokens: the secret is shown once, here.
    expect(Object.keys(body).sort()).toEqual(['expires_at', 'id', 'max_requests', 'name', 'token']);
    expect(body).toMatchObject({
      id: issued.tokenId,
      expires_at: before.expiresAt?.toISOString(),
      max_requests: 50,
      name: 'deploy bot',
    });
    expect(body.token).toMatch(TOKEN);
    expect(body.token).not.toBe(issued.token);

    expect(await status(t, issued.token)).toBe('token_not_found');
    expect(await status(t, body.token)).toBe(200);

    const after = await t.tokenRecord(issued.tokenId);
    expect(after.tokenHash).toBe(hashToken(body.token));
    expect(after.requestCount).toBe(before.requestCount + 1);
    expect(after.projectId).toBe(issued.projectId);
  });

  it('audits the rotation with both masked secrets and no grace period, never a secret', async () => {
    const issued = await t.issueToken();
    const response = await t.manage('POST', `/manage/tokens/${issued.tokenId}/rotate`);
    const fresh = json<{ token: string }>(response).token;
    const { events } = await auditEvents(t, 'action=token.rotate');
    const event = events.find((candidate) => String(candidate.metadata).includes(issued.tokenId));
    expect(event).toMatchObject({ outcome: 'success', project_id: issued.projectId });
    const metadata = JSON.parse(String(event?.metadata)) as Record<string, unknown>;
    expect(metadata).toMatchObject({ token_record_id: issued.tokenId, grace_period_seconds: 0 });
    expect(metadata.previous_token).toBe(tokenPreview(issued.token));
    const all = JSON.stringify(events) + JSON.stringify(await t.auditFileLines());
    expect(all).not.toContain(issued.token);
    expect(all).not.toContain(fresh);
  });

  it('refuses to rotate a revoked token with 409 and leaves its secret as it was', async () => {
    const issued = await t.issueToken();
    await t.manage('DELETE', `/manage/tokens/${issued.tokenId}`);
    const response = await t.manage('POST', `/manage/tokens/${issued.tokenId}/rotate`);
    expect(response.statusCode).toBe(409);
    expect(json(response)).toMatchObject({ code: 'token_revoked' });
    expect((await t.tokenRecord(issued.tokenId)).tokenHash).toBe(hashToken(issued.token));
  });

  it('answers 404 for an unknown token, 400 for a malformed id and 405 for another method', async () => {
    expect((await t.manage('POST', `/manage/tokens/${UNKNOWN_ID}/rotate`)).statusCode).toBe(404);
    expect(json(await t.manage('POST', '/manage/tokens/not a valid id!/rotate')).code).toBe(
      'invalid_token_id',
    );
    const wrongMethod = await t.manage('GET', `/manage/tokens/${UNKNOWN_ID}/rotate`);
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });

  it('accepts a rotation sent with an empty JSON body', async () => {
    const issued = await t.issueToken();
    const response = await t.inject({
      method: 'POST',
      url: `/manage/tokens/${issued.tokenId}/rotate`,
      headers: {
        authorization: 'Bearer test-management-token-5d1f0a7b9c3e',
        'content-type': 'application/json',
      },
      payload: '',
    });
    expect(response.statusCode, response.body).toBe(200);
  });
});

describe.skipIf(!inject('redisAvailable'))('token rotation across instances', () => {
  let shared: TestStore;
  const instances: { h: TestGateway; bus: InvalidationBus; clients: RedisClients }[] = [];

  beforeAll(async () => {
    shared = await createTestStore('sqlite');
    const channel = `llm-proxy-test-rotation-${randomBytes(6).toString('hex')}`;
    for (let index = 0; index < 2; index += 1) {
      const logger = pino({ level: 'warn' }, new LogCapture());
      const clients = await openRedisClients({ url: TEST_REDIS_URL, logger, reconnectMaxDelayMs: 200 });
      const bus = createInvalidationBus({ type: 'redis', logger, channel, ...clients });
      await bus.ready();
      instances.push({
        h: await startTestGateway({ store: shared.store, invalidation: bus, listen: false }),
        bus,
        clients,
      });
    }
  });
  afterAll(async () => {
    for (const instance of instances) {
      await instance.h.close();
      await instance.bus.close();
      await instance.clients.close();
    }
    await shared.cleanup();
  });

  it('an old secret cached by instance B is refused there soon after a rotation through instance A', async () => {
    const [a, b] = instances.map((instance) => instance.h) as [TestGateway, TestGateway];
    const issued = await a.issueToken();
    expect(await status(b, issued.token)).toBe(200);
    const rotated = json<{ token: string }>(
      await a.manage('POST', `/manage/tokens/${issued.tokenId}/rotate`),
    );
    const deadline = Date.now() + 2000;
    let answer = await status(b, issued.token);
    while (answer === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await status(b, issued.token);
    }
    expect(answer).toBe('token_not_found');
    expect(await status(b, rotated.token)).toBe(200);
  });
});
