import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { cookieFrom, page, signInToAdmin, submitSignIn } from '../helpers/admin-client.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { MANAGEMENT_TOKEN } from '../helpers/management.js';
import { closedPort } from '../helpers/network.js';
import { TEST_REDIS_URL } from '../helpers/service-urls.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import type { TcpRelay } from '../helpers/tcp-relay.js';

const WAIT = { timeout: 10_000, interval: 20 };
const MESSAGE = 'admin sessions cannot be reached right now; you are still signed in, try again in a moment';

function sessionEnv(redisUrl: string): Record<string, string> {
  const prefix = `llm-proxy-test:admin-session:${randomBytes(6).toString('hex')}:`;
  return {
    MANAGEMENT_AUTH_FAILURE_DELAY: '0s',
    REDIS_URL: redisUrl,
    REDIS_INVALIDATION_CHANNEL: `${prefix}invalidation`,
    ADMIN_UI_SESSION_STORE: 'redis',
    ADMIN_UI_SESSION_KEY_PREFIX: prefix,
  };
}

describe('admin UI whose session Redis is unreachable', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    const url = `redis://127.0.0.1:${String(await closedPort())}`;
    gateway = await startTestGateway({ listen: false, env: sessionEnv(url) });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('still shows the sign-in form, but answers a valid sign-in with the 503 page and no session cookie', async () => {
    const form = await gateway.inject({ method: 'GET', url: '/admin/auth/login' });
    expect(form.statusCode).toBe(200);
    const answer = await submitSignIn(gateway, { basePath: '/admin', token: MANAGEMENT_TOKEN });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page(answer).querySelector('.alert-danger')?.text).toContain(MESSAGE);
    expect(cookieFrom(answer, 'llmproxy_session')).toBeUndefined();
    expect(gateway.logs.text).toContain('admin session store unavailable');
  });

  it('answers a signed-in page with the 503 page rather than sending the browser to sign in', async () => {
    const answer = await gateway.inject({
      method: 'GET',
      url: '/admin/projects',
      headers: { cookie: 'llmproxy_session=a-session-the-store-cannot-be-asked-about' },
    });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers.location).toBeUndefined();
    expect(page(answer).querySelector('h1')?.text).toBe('Unavailable');
    expect(answer.body).toContain(MESSAGE);
    expect(answer.headers['set-cookie']).toBeUndefined();
  });
});

describe.skipIf(!inject('redisAvailable'))(
  'admin UI while its session Redis goes away and comes back',
  () => {
    let relay: TcpRelay;
    let gateway: TestGateway;

    beforeAll(async () => {
      relay = await startTcpRelay(TEST_REDIS_URL);
      gateway = await startTestGateway({ listen: false, env: sessionEnv(relay.url) });
    });
    afterAll(async () => {
      await gateway.close();
      await relay.close();
    });

    it('keeps the operator signed in across the outage: 503 pages while it lasts, the same cookie after', async () => {
      const admin = await signInToAdmin(gateway);
      await relay.cut();
      const during = await admin.get('/admin/dashboard');
      expect(during.statusCode).toBe(503);
      expect(during.body).toContain(MESSAGE);
      const signOut = await admin.post('/admin/auth/logout');
      expect(signOut.statusCode).toBe(503);
      expect(signOut.headers['set-cookie']).toBeUndefined();

      await relay.restore();
      await vi.waitFor(async () => {
        expect((await admin.get('/admin/dashboard')).statusCode).toBe(200);
      }, WAIT);
      const after = await admin.post('/admin/auth/logout');
      expect(after.statusCode).toBe(303);
      expect((await admin.get('/admin/dashboard')).statusCode).toBe(303);
    });
  },
);
