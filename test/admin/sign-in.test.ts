import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import {
  OWN_ORIGIN,
  cookieFrom,
  hiddenField,
  page,
  setCookieLine,
  signInToAdmin,
  submitSignIn,
} from '../helpers/admin-client.js';
import { MANAGEMENT_TOKEN } from '../helpers/management.js';

describe('admin UI sign-in and sessions', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ listen: false, env: { MANAGEMENT_AUTH_FAILURE_DELAY: '0s' } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('sends a browser without a session to the sign-in form and back to the page it asked for', async () => {
    const protectedPage = await gateway.inject({ method: 'GET', url: '/admin/audit?page=2' });
    expect(protectedPage.statusCode).toBe(303);
    expect(protectedPage.headers.location).toBe('/admin/auth/login?next=%2Fadmin%2Faudit%3Fpage%3D2');
    expect((await gateway.inject({ method: 'GET', url: '/admin' })).headers.location).toBe(
      '/admin/dashboard',
    );

    const form = await gateway.inject({ method: 'GET', url: '/admin/auth/login?next=/admin/projects' });
    expect(form.statusCode).toBe(200);
    const document = page(form);
    expect(document.querySelector('#management_token')?.getAttribute('name')).toBe('management_token');
    expect(document.querySelector('#remember_me')?.getAttribute('name')).toBe('remember_me');
    expect(document.querySelector('button[type=submit]')?.text).toBe('Sign In');

    const signedIn = await submitSignIn(gateway, {
      basePath: '/admin',
      token: MANAGEMENT_TOKEN,
      next: '/admin/projects',
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/admin/projects');
  });

  it('keeps only a random id in an HttpOnly, SameSite=Strict session cookie, never the token', async () => {
    const signedIn = await submitSignIn(gateway, { basePath: '/admin', token: MANAGEMENT_TOKEN });
    const line = setCookieLine(signedIn, 'llmproxy_session') ?? '';
    expect(line).toMatch(/^llmproxy_session=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict$/);
    expect(line).not.toContain(MANAGEMENT_TOKEN);
    expect(Buffer.from(line.split(';')[0]!.split('=')[1]!, 'base64url').toString('latin1')).not.toContain(
      MANAGEMENT_TOKEN,
    );
    expect(signedIn.headers.location).toBe('/admin/dashboard');
  });

  it('marks the cookie Secure behind X-Forwarded-Proto: https, and persistent with remember me', async () => {
    const signedIn = await submitSignIn(gateway, {
      basePath: '/admin',
      token: MANAGEMENT_TOKEN,
      rememberMe: true,
      headers: { 'x-forwarded-proto': 'https' },
    });
    // The browser's origin is now https; the form's Origin header says http, so the post is refused.
    expect(signedIn.statusCode).toBe(403);

    const form = await gateway.inject({
      method: 'GET',
      url: '/admin/auth/login',
      headers: { 'x-forwarded-proto': 'https' },
    });
    const answer = await gateway.inject({
      method: 'POST',
      url: '/admin/auth/login',
      headers: {
        'x-forwarded-proto': 'https',
        origin: 'https://localhost:80',
        cookie: cookieFrom(form, 'llmproxy_signin') ?? '',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({
        _csrf: hiddenField(form.body, '_csrf') ?? '',
        management_token: MANAGEMENT_TOKEN,
        remember_me: 'true',
      }).toString(),
    });
    expect(answer.statusCode).toBe(303);
    expect(setCookieLine(answer, 'llmproxy_session')).toMatch(/; Max-Age=2592000; Secure$/);
  });

  it('refuses a wrong or empty token with the form again, and audits the failed sign-in', async () => {
    const wrong = await submitSignIn(gateway, {
      basePath: '/admin',
      token: 'not-the-token',
      headers: { 'x-forwarded-for': '203.0.113.9', 'user-agent': 'WrongBrowser/1' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Invalid management token');
    expect(cookieFrom(wrong, 'llmproxy_session')).toBeUndefined();
    const empty = await submitSignIn(gateway, { basePath: '/admin', token: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Management token is required');

    await gateway.gateway.audit.flush();
    const events = await gateway.store.audit.list({ action: 'admin.login', clientIp: '203.0.113.9' }, 1, 10);
    expect(events.events).toHaveLength(1);
    expect(events.events[0]).toMatchObject({ outcome: 'denied', userAgent: 'WrongBrowser/1' });
    expect(JSON.parse(events.events[0]?.metadata ?? '{}')).toMatchObject({ origin: 'admin-ui' });
    expect(JSON.stringify(events.events[0])).not.toContain('not-the-token');
  });

  it('audits sign-in and sign-out with the browser address, and a signed-out session is gone', async () => {
    const headers = { 'x-forwarded-for': '198.51.100.7', 'user-agent': 'AdminBrowser/2' };
    const admin = await signInToAdmin(gateway, { headers });
    expect((await admin.get('/admin/dashboard')).statusCode).toBe(200);

    const signOut = await admin.post('/admin/auth/logout');
    expect(signOut.statusCode).toBe(303);
    expect(signOut.headers.location).toBe('/admin/auth/login');
    expect(setCookieLine(signOut, 'llmproxy_session')).toContain('Max-Age=0');
    expect((await admin.get('/admin/dashboard')).statusCode).toBe(303);

    await gateway.gateway.audit.flush();
    const trail = await gateway.store.audit.list({ clientIp: '198.51.100.7' }, 1, 10);
    const actions = trail.events.map((event) => `${event.action}:${event.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['admin.login:success', 'admin.logout:success']));
    for (const event of trail.events) {
      expect(event.userAgent).toBe('AdminBrowser/2');
      expect(JSON.parse(event.metadata ?? '{}')).toMatchObject({ origin: 'admin-ui' });
    }
  });

  it('refuses a form from another origin or without the CSRF token, and changes nothing', async () => {
    const admin = await signInToAdmin(gateway);
    const hostile = await admin.post(
      '/admin/auth/logout',
      {},
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(hostile.statusCode).toBe(403);
    expect(hostile.headers['content-type']).toContain('text/html');
    expect(hostile.body).toContain('came from another site');
    const noToken = await admin.post('/admin/auth/logout', { _csrf: '' });
    expect(noToken.statusCode).toBe(403);
    // Still signed in: neither post signed the session out.
    expect((await admin.get('/admin/dashboard')).statusCode).toBe(200);
    expect(OWN_ORIGIN).toBe('http://localhost:80');
  });

  it('answers every page with strict security headers and HTML errors', async () => {
    const admin = await signInToAdmin(gateway);
    const dashboard = await admin.get('/admin/dashboard');
    expect(dashboard.headers['content-security-policy']).toContain("script-src 'self'");
    expect(dashboard.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(dashboard.headers['x-content-type-options']).toBe('nosniff');
    expect(dashboard.headers['referrer-policy']).toBe('same-origin');
    expect(dashboard.headers['cache-control']).toBe('no-store');
    // Data blocks (type="application/json") are never executed; every script that runs is a file of ours.
    const scripts = page(dashboard).querySelectorAll('script');
    for (const script of scripts) {
      expect(script.getAttribute('src') ?? script.getAttribute('type')).toMatch(
        /^(\/admin\/assets\/|application\/json$)/,
      );
    }
    expect(scripts.some((script) => script.getAttribute('src') !== undefined)).toBe(true);
    const missing = await admin.get('/admin/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
  });

  it('serves its assets from the package under content-hashed names, cached for good', async () => {
    const login = await gateway.inject({ method: 'GET', url: '/admin/auth/login' });
    const sources = page(login)
      .querySelectorAll('link[rel=stylesheet], script[src]')
      .map((element) => element.getAttribute('href') ?? element.getAttribute('src') ?? '');
    expect(sources).toHaveLength(5);
    for (const source of sources) {
      expect(source).toMatch(/^\/admin\/assets\/[a-z-]+\.[0-9a-f]{12}\.(css|js)$/);
      const asset = await gateway.inject({ method: 'GET', url: source });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.body.length).toBeGreaterThan(100);
    }
  });
});
