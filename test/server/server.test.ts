import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VERSION } from '../../src/core/index.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(TEST_DIALECTS)('server probes and request ids (%s)', (dialect) => {
  let t: TestGateway;
  const clock = new ManualClock(new Date('2025-07-01T12:34:56.789Z'));
  beforeAll(async () => {
    t = await startTestGateway({
      dialect,
      clock,
      extensions: [
        (app) =>
          app.register((scope, _options, done) => {
            scope.get('/extension-seam', () => ({ mounted: true }));
            done();
          }),
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /health with status, timestamp and version (scenario 1)', async () => {
    const response = await t.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(json(response)).toEqual({ status: 'ok', timestamp: '2025-07-01T12:34:56.789Z', version: VERSION });
  });

  it('answers /ready and /live in plain text (scenario 2)', async () => {
    const ready = await t.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.headers['content-type']).toMatch(/^text\/plain/);
    expect(ready.body).toBe('ready');
    const live = await t.inject({ method: 'GET', url: '/live' });
    expect(live.statusCode).toBe(200);
    expect(live.body).toBe('alive');
  });

  it('answers unknown routes with a JSON 404 (scenario 3, fixed)', async () => {
    const response = await t.inject({ method: 'GET', url: '/does-not-exist' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(json(response)).toEqual({ error: 'not found', code: 'not_found' });
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('echoes a sane X-Request-ID and generates X-Correlation-ID (scenario 6)', async () => {
    const response = await t.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc' } });
    expect(response.headers['x-request-id']).toBe('abc');
    expect(response.headers['x-correlation-id']).toMatch(UUID);
    const kept = await t.inject({
      method: 'GET',
      url: '/live',
      headers: { 'x-request-id': 'trace:01.A_b-2', 'x-correlation-id': 'corr-1' },
    });
    expect(kept.headers['x-request-id']).toBe('trace:01.A_b-2');
    expect(kept.headers['x-correlation-id']).toBe('corr-1');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'two words'],
    ['with a quote', 'x"y'],
    ['with a newline escape', 'a%0d%0ab'],
  ])('replaces an X-Request-ID that is %s', async (_case, value) => {
    const response = await t.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': value } });
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('echoes request ids on management responses, errors included', async () => {
    const ok = await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { ...AUTH, 'x-request-id': 'm-1' },
    });
    expect(ok.headers['x-request-id']).toBe('m-1');
    expect(ok.headers['cache-control']).toBe('no-store');
    const denied = await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { 'x-request-id': 'm-2' },
    });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['x-request-id']).toBe('m-2');
    expect(denied.headers['x-correlation-id']).toBeDefined();
  });

  it('registers extensions (the seam for /v1 and /metrics)', async () => {
    const response = await t.inject({ method: 'GET', url: '/extension-seam' });
    expect(json(response)).toEqual({ mounted: true });
  });
});

describe.each(TEST_DIALECTS)('readiness without a database (%s)', (dialect) => {
  it('answers /ready with 503 database_unavailable once the store is gone', async () => {
    const t = await startTestGateway({ dialect });
    try {
      // Close the store under the running server: the probe must notice.
      await t.store.close();
      const response = await t.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(503);
      expect(json(response)).toEqual({ error: 'database unavailable', code: 'database_unavailable' });
      expect((await t.inject({ method: 'GET', url: '/live' })).statusCode).toBe(200);

      const failed = await t.inject({ method: 'GET', url: '/manage/projects', headers: AUTH });
      expect(failed.statusCode).toBe(500);
      expect(json(failed)).toEqual({ error: 'internal server error', code: 'internal_error' });
      const logged = t.logs.entries.find((entry) => entry.msg === 'request failed');
      expect(logged).toMatchObject({ level: 50, err: expect.any(Object) });
    } finally {
      await t.close();
    }
  });
});

describe('server close', () => {
  it('drains the audit recorder, stops answering and leaves the store open', async () => {
    const t = await startTestGateway({ env: { AUDIT_LOG_FILE: '' }, listen: false });
    const { app, audit } = t.gateway;
    try {
      for (let i = 0; i < 20; i += 1) {
        await app.inject({ method: 'GET', url: '/manage/projects', headers: AUTH });
      }
      await t.gateway.close();
      expect(audit.stats()).toMatchObject({ queued: 0, dropped: 0 });
      expect((await t.store.audit.list({ action: 'project.list' }, 1, 100)).totalCount).toBe(20);
      await expect(t.store.ping()).resolves.toBeUndefined();
      await expect(app.inject({ method: 'GET', url: '/health' })).rejects.toThrow();
    } finally {
      await t.close();
    }
  });
});
