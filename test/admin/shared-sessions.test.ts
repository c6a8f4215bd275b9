import { createHash, randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { signInToAdmin, page } from '../helpers/admin-client.js';
import type { AdminClient, Injectable } from '../helpers/admin-client.js';
import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { MANAGEMENT_TOKEN } from '../helpers/management.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { createTestStore } from '../helpers/test-store.js';
import type { TestStore } from '../helpers/test-store.js';

const MINUTE = 60_000;

/** The same browser (its session cookie and CSRF token) talking to another instance. */
function sameBrowserOn(app: Injectable, client: AdminClient): AdminClient {
  return {
    cookie: client.cookie,
    csrfToken: client.csrfToken,
    get: (path, headers = {}) =>
      app.inject({ method: 'GET', url: path, headers: { cookie: client.cookie, ...headers } }),
    post: (path, form = {}, headers = {}) =>
      app.inject({
        method: 'POST',
        url: path,
        headers: {
          cookie: client.cookie,
          origin: 'http://localhost:80',
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        payload: new URLSearchParams({ _csrf: client.csrfToken, ...form }).toString(),
      }),
  };
}

describe.skipIf(!inject('redisAvailable'))('admin sessions shared by two instances over Redis', () => {
  const prefix = `llm-proxy-test:admin-session:${randomBytes(6).toString('hex')}:`;
  const clock = new ManualClock();
  let shared: TestStore;
  let a: TestGateway;
  let b: TestGateway;
  let redis: Redis;

  beforeAll(async () => {
    shared = await createTestStore('sqlite');
    const env = {
      MANAGEMENT_AUTH_FAILURE_DELAY: '0s',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_INVALIDATION_CHANNEL: `${prefix}invalidation`,
      ADMIN_UI_SESSION_STORE: 'redis',
      ADMIN_UI_SESSION_KEY_PREFIX: prefix,
      ADMIN_UI_SESSION_IDLE_TIMEOUT: '10m',
      ADMIN_UI_SESSION_MAX_AGE: '1h',
    };
    a = await startTestGateway({ store: shared.store, env, clock, listen: false });
    b = await startTestGateway({ store: shared.store, env, clock, listen: false });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await a.close();
    await b.close();
    await shared.cleanup();
  });

  async function held(): Promise<{ key: string; value: string }[]> {
    const keys = await redis.keys(`${prefix}*`);
    return Promise.all(keys.map(async (key) => ({ key, value: (await redis.get(key)) ?? '' })));
  }

  it('accepts on the second instance the cookie of a sign-in on the first', async () => {
    const onA = await signInToAdmin(a);
    const onB = sameBrowserOn(b, onA);
    const dashboard = await onB.get('/admin/dashboard');
    expect(dashboard.statusCode).toBe(200);
    expect(page(dashboard).querySelector('input[name="_csrf"]')?.getAttribute('value')).toBe(onA.csrfToken);
  });

  it('shows a notice left by a form on one instance once, on the page the other instance serves', async () => {
    const onA = await signInToAdmin(a);
    const onB = sameBrowserOn(b, onA);
    const created = await onA.post('/admin/projects', {
      name: `shared-${randomBytes(4).toString('hex')}`,
      api_key: 'sk-shared-sessions-test-key-0000000000',
    });
    expect(created.statusCode).toBe(303);
    const details = await onB.get(String(created.headers.location));
    expect(details.statusCode).toBe(200);
    expect(page(details).querySelector('.alert-success')?.text).toBe('Project created');
    const again = await onA.get(String(created.headers.location));
    expect(again.statusCode).toBe(200);
    expect(page(again).querySelector('.alert-success')).toBeNull();
  });

  it('ends the session on every instance when it signs out on one', async () => {
    const onA = await signInToAdmin(a);
    const onB = sameBrowserOn(b, onA);
    const signOut = await onB.post('/admin/auth/logout');
    expect(signOut.statusCode).toBe(303);
    expect(signOut.headers.location).toBe('/admin/auth/login');
    const afterwards = await onA.get('/admin/projects');
    expect(afterwards.statusCode).toBe(303);
    expect(afterwards.headers.location).toBe('/admin/auth/login?next=%2Fadmin%2Fprojects');
    expect((await held()).some((entry) => entry.key === `${prefix}${hashOf(onA.cookie)}`)).toBe(false);
  });

  it('signs out a session unused for the idle timeout, whichever instance it comes back to', async () => {
    const onA = await signInToAdmin(a);
    const onB = sameBrowserOn(b, onA);
    clock.advance(9 * MINUTE);
    expect((await onB.get('/admin/dashboard')).statusCode).toBe(200);
    clock.advance(9 * MINUTE);
    expect((await onA.get('/admin/dashboard')).statusCode).toBe(200);
    clock.advance(10 * MINUTE);
    const idle = await onB.get('/admin/dashboard');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toBe('/admin/auth/login');
    expect((await onA.get('/admin/dashboard')).statusCode).toBe(303);
  });

  it('ends a session at its absolute expiry however active it is on both instances', async () => {
    const onA = await signInToAdmin(a);
    const onB = sameBrowserOn(b, onA);
    for (let minute = 8; minute < 60; minute += 8) {
      clock.advance(8 * MINUTE);
      const instance = minute % 16 === 0 ? onA : onB;
      expect((await instance.get('/admin/dashboard')).statusCode, `minute ${String(minute)}`).toBe(200);
    }
    clock.advance(4 * MINUTE);
    expect((await onA.get('/admin/dashboard')).statusCode).toBe(303);
    expect((await onB.get('/admin/dashboard')).statusCode).toBe(303);
  });

  it('keeps in Redis neither the cookie id nor the management token', async () => {
    const onA = await signInToAdmin(a, { rememberMe: true });
    const id = onA.cookie.split('=')[1]!;
    const entries = await held();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map((entry) => entry.key)).toContain(`${prefix}${hashOf(onA.cookie)}`);
    for (const entry of entries) {
      expect(entry.key.startsWith(prefix)).toBe(true);
      for (const secret of [id, MANAGEMENT_TOKEN]) {
        expect(entry.key).not.toContain(secret);
        expect(entry.value).not.toContain(secret);
      }
    }
  });
});

/** The SHA-256 of the id a `llmproxy_session=<id>` cookie carries. */
function hashOf(cookie: string): string {
  return createHash('sha256').update(cookie.split('=')[1]!).digest('hex');
}
