import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStandaloneAdmin } from '../../src/admin/index.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { LogCapture, captureLogger } from '../helpers/log-capture.js';
import { MANAGEMENT_TOKEN } from '../helpers/management.js';
import { page, signInToAdmin, submitSignIn } from '../helpers/admin-client.js';

const SESSION = { idleTimeoutMs: 60_000, maxAgeMs: 600_000, rememberMeMaxAgeMs: 6_000_000 };

describe('llm-proxy admin: the UI as a process of its own', () => {
  let gateway: TestGateway;
  let admin: FastifyInstance;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { MANAGEMENT_AUTH_FAILURE_DELAY: '0s' } });
    admin = await createStandaloneAdmin({
      apiBaseUrl: gateway.url,
      managementToken: MANAGEMENT_TOKEN,
      session: SESSION,
      logger: captureLogger(new LogCapture()),
    });
  });
  afterAll(async () => {
    await admin.close();
    await gateway.close();
  });

  it('serves the UI at the root over the server API, the audit trail keeping the browser address', async () => {
    const { projectId } = await gateway.issueToken();
    const client = await signInToAdmin(admin, {
      basePath: '',
      headers: { 'x-forwarded-for': '192.0.2.44', 'user-agent': 'RemoteAdmin/1' },
    });
    const projects = await client.get('/projects');
    expect(projects.statusCode).toBe(200);
    expect(page(projects).querySelector(`a[href="/projects/${projectId}"]`)).not.toBeNull();
    expect((await admin.inject({ method: 'GET', url: '/' })).headers.location).toBe('/dashboard');

    await gateway.gateway.audit.flush();
    const trail = await gateway.store.audit.list({ clientIp: '192.0.2.44' }, 1, 20);
    expect(trail.events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['admin.login', 'project.list']),
    );
    expect(trail.events.every((event) => event.userAgent === 'RemoteAdmin/1')).toBe(true);
  });

  it('refuses a wrong token typed at sign-in', async () => {
    const answer = await submitSignIn(admin, { basePath: '', token: 'wrong-token-value' });
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toContain('Invalid management token');
  });

  it("answers /health with its own state and the server's", async () => {
    const health = (await admin.inject({ method: 'GET', url: '/health' })).json<{
      admin: { status: string; service: string };
      backend: { status: string };
    }>();
    expect(health.admin).toMatchObject({ status: 'ok', service: 'admin-ui' });
    expect(health.backend.status).toBe('ok');
  });
});

describe('llm-proxy admin without its server', () => {
  it('answers an HTML 502 page, and /health says the backend is down', async () => {
    const admin = await createStandaloneAdmin({
      apiBaseUrl: 'http://127.0.0.1:9',
      managementToken: MANAGEMENT_TOKEN,
      session: SESSION,
      logger: captureLogger(new LogCapture()),
    });
    try {
      const signIn = await submitSignIn(admin, { basePath: '', token: MANAGEMENT_TOKEN });
      expect(signIn.statusCode).toBe(502);
      expect(signIn.headers['content-type']).toContain('text/html');
      expect(signIn.body).toContain('the management API could not be reached');
      const health = (await admin.inject({ method: 'GET', url: '/health' })).json<{ backend: unknown }>();
      expect(health.backend).toEqual({ status: 'down', error: 'Backend unavailable' });
    } finally {
      await admin.close();
    }
  });
});
