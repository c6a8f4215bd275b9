import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SystemStatusView } from '../../src/manage/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { chatBody } from '../helpers/proxy-requests.js';

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

describe('GET /manage/status', () => {
  const directory = mkdtempSync(join(tmpdir(), 'llm-proxy-status-'));
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { FILE_EVENT_LOG: join(directory, 'events.jsonl'), DISPATCHER_FLUSH_INTERVAL: '50ms' },
    });
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('needs the management token', async () => {
    const answer = await gateway.inject({ method: 'GET', url: '/manage/status' });
    expect(answer.statusCode).toBe(401);
  });

  it('reports requests, the cache with its hit ratio, and the events delivered by the file dispatcher', async () => {
    const { token } = await gateway.issueToken();
    for (let round = 0; round < 2; round += 1) {
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: OPT_IN,
        body: chatBody(),
      });
      await response.text();
    }
    const read = async () => (await gateway.manage('GET', '/manage/status')).json<SystemStatusView>();
    await expect.poll(async () => (await read()).events.dispatchers[0]?.delivered, { timeout: 5000 }).toBe(2);
    const status = await read();
    expect(status).toMatchObject({
      database: { dialect: 'sqlite' },
      requests: { total: 2, errors: 0, in_flight: 0 },
      projects: { total: 1, active: 1 },
      // requests: as the database holds them, which the batched request counts reach a moment later.
      tokens: { total: 1, active: 1, expired: 0, revoked: 0, exhausted: 0 },
      cache: { enabled: true, backend: 'memory', entries: 1, hits: 1, misses: 1, stores: 1, hit_ratio: 0.5 },
      events: { enabled: true, bus: 'memory', published: 2, dropped: 0, spooled: 0 },
    });
    expect(status.cache.bytes).toBeGreaterThan(0);
    expect(status.events.dispatchers).toEqual([
      expect.objectContaining({
        sink: 'file',
        delivered: 2,
        failed: 0,
        dead_lettered: 0,
        failing_since: null,
      }),
    ]);
    expect(Date.parse(status.time)).not.toBeNaN();
  });

  it('counts tokens by status as the token list judges them', async () => {
    const { projectId, tokenId } = await gateway.issueToken();
    await gateway.createToken(projectId, { max_requests: 1 });
    await gateway.manage('DELETE', `/manage/tokens/${tokenId}`);
    const status = (await gateway.manage('GET', '/manage/status')).json<SystemStatusView>();
    const listed = (await gateway.manage('GET', '/manage/tokens')).json<{ status: string }[]>();
    const byStatus = (name: string) => listed.filter((token) => token.status === name).length;
    expect(status.tokens).toMatchObject({
      total: listed.length,
      active: byStatus('active'),
      revoked: byStatus('revoked'),
      expired: byStatus('expired'),
      exhausted: byStatus('exhausted'),
    });
    expect(status.tokens.revoked).toBe(1);
    expect(status.projects.total).toBe(2);
  });
});
