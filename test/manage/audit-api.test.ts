import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ManualClock } from '../helpers/clock.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, auditEvents, createProject, createToken, json } from '../helpers/management.js';
import { TEST_DIALECTS } from '../helpers/test-store.js';

const MASKED_TOKEN = /^sk-[A-Za-z0-9_-]{4}\*{14}[A-Za-z0-9_-]{4}$/;

describe.each(TEST_DIALECTS)('audit API (%s)', (dialect) => {
  let t: TestGateway;
  const clock = new ManualClock(new Date('2025-03-01T10:00:00.000Z'));
  beforeAll(async () => {
    t = await startTestGateway({ dialect, clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('records token creation with request facts and masked token id (scenario 55)', async () => {
    const project = await createProject(t, 'audited-project');
    const issued = await t.inject({
      method: 'POST',
      url: '/manage/tokens',
      headers: {
        ...AUTH,
        'user-agent': 'curl/8',
        'x-request-id': 'req-55',
        'x-correlation-id': 'corr-55',
        'x-real-ip': '198.51.100.7',
      },
      payload: { project_id: project.id, duration_minutes: 60 },
    });
    expect(issued.statusCode).toBe(201);
    const secret = json(issued).token as string;

    const response = await t.manage('GET', '/manage/audit?action=token.create');
    expect(response.statusCode).toBe(200);
    const { events, pagination } = json<{
      events: Record<string, unknown>[];
      pagination: Record<string, unknown>;
    }>(response);
    expect(pagination.page_size).toBe(20);
    const event = events[0]!;
    expect(event).toMatchObject({
      action: 'token.create',
      actor: 'management_api',
      outcome: 'success',
      method: 'POST',
      path: '/manage/tokens',
      project_id: project.id,
      request_id: 'req-55',
      correlation_id: 'corr-55',
      client_ip: '198.51.100.7',
      user_agent: 'curl/8',
      reason: null,
      token_id: expect.stringMatching(MASKED_TOKEN),
    });
    expect(event.metadata).toEqual(expect.stringContaining('duration_minutes'));
    expect(JSON.parse(event.metadata as string)).toMatchObject({
      duration_minutes: 60,
      max_requests: 'unlimited',
    });
    expect(Object.keys(event).sort()).toEqual(
      [
        'id',
        'timestamp',
        'action',
        'actor',
        'project_id',
        'request_id',
        'correlation_id',
        'client_ip',
        'method',
        'path',
        'user_agent',
        'outcome',
        'reason',
        'token_id',
        'metadata',
      ].sort(),
    );
    expect(response.body).not.toContain(secret);
    expect(JSON.stringify(await t.auditFileLines())).not.toContain(secret);
  });

  it('clamps page_size to 100 and refuses page_size 0, negative or non-numeric (scenario 56)', async () => {
    expect((await auditEvents(t, 'page_size=500')).pagination.page_size).toBe(100);
    for (const value of ['0', '-1', 'ten', '1.5']) {
      const response = await t.manage('GET', `/manage/audit?page_size=${value}`);
      expect(response.statusCode, value).toBe(400);
      expect(json(response).code).toBe('validation_failed');
    }
    expect((await t.manage('GET', '/manage/audit?page=0')).statusCode).toBe(400);
  });

  it('reads one event; unknown → 404, malformed id → 400 (scenario 57)', async () => {
    const { events } = await auditEvents(t, 'page_size=1');
    const id = events[0]!.id as string;
    const response = await t.manage('GET', `/manage/audit/${id}`);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual(events[0]);
    const unknown = await t.manage('GET', '/manage/audit/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toEqual({ error: 'audit event not found', code: 'audit_event_not_found' });
    const shown = await auditEvents(t, 'action=audit.show&outcome=success');
    expect(JSON.parse(shown.events[0]!.metadata as string)).toMatchObject({ audit_event_id: id });
  });

  it('records a failed create with validation_error (scenario 58)', async () => {
    await t.manage('POST', '/manage/projects', { name: 'P2' });
    const { events } = await auditEvents(t, 'action=project.create&outcome=failure');
    expect(events[0]).toMatchObject({ outcome: 'failure', reason: 'name and api_key are required' });
    expect(JSON.parse(events[0]!.metadata as string)).toMatchObject({
      validation_error: 'missing required fields',
    });
  });

  it('records every project DELETE as a failure (scenario 59)', async () => {
    const project = await createProject(t, 'delete-attempts');
    await t.manage('DELETE', `/manage/projects/${project.id}`);
    await t.manage('DELETE', `/manage/projects/${project.id}`);
    const { events } = await auditEvents(t, `action=project.delete&project_id=${project.id}`);
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({ outcome: 'failure', reason: 'project deletion is not permitted' });
      expect(JSON.parse(event.metadata as string)).toMatchObject({ error_type: 'method not allowed' });
    }
  });

  it('audits every management action with its details', async () => {
    const project = await createProject(t, 'every-action');
    const token = await createToken(t, project.id, { max_requests: 4 });
    await t.manage('GET', '/manage/projects');
    await t.manage('GET', `/manage/projects/${project.id}`);
    await t.manage('PATCH', `/manage/projects/${project.id}`, { name: 'every-action-renamed' });
    await t.manage('GET', `/manage/tokens?project_id=${project.id}`);
    await t.manage('GET', `/manage/tokens/${token.id}`);
    await t.manage('PATCH', `/manage/tokens/${token.id}`, { max_requests: 0 });
    await t.manage('DELETE', `/manage/tokens/${token.id}`);
    await t.manage('DELETE', `/manage/tokens/${token.id}`);
    await t.manage('POST', `/manage/projects/${project.id}/tokens/revoke`);
    await t.manage('GET', '/manage/audit');

    const expectations: [string, Record<string, unknown>][] = [
      ['project.create', { project_name: 'every-action' }],
      ['token.create', { duration_minutes: 60, max_requests: 4 }],
      ['project.list', { project_count: expect.any(Number) }],
      ['project.read', { project_name: 'every-action' }],
      ['project.update', { updated_fields: ['name'], project_name: 'every-action-renamed' }],
      ['token.list', { token_count: 1, filtered_by_project: project.id }],
      ['token.read', { token_record_id: token.id }],
      ['token.update', { updated_max_requests: 'unlimited' }],
      ['token.revoke', { already_revoked: false }],
      ['token.revoke_batch', { total_tokens: 1, revoked_count: 0, already_revoked_count: 1 }],
      ['audit.list', { page: 1, page_size: 20 }],
    ];
    for (const [action, details] of expectations) {
      const { events } = await auditEvents(t, `action=${action}&outcome=success`);
      expect(events.length, action).toBeGreaterThan(0);
      const matching = events.filter((event) => {
        const metadata = JSON.parse(event.metadata as string) as Record<string, unknown>;
        try {
          expect(metadata).toMatchObject(details);
          return true;
        } catch {
          return false;
        }
      });
      expect(matching.length, `${action} with ${JSON.stringify(details)}`).toBeGreaterThan(0);
    }
    const revokes = await auditEvents(t, `action=token.revoke&project_id=${project.id}`);
    expect(
      revokes.events.map(
        (event) => (JSON.parse(event.metadata as string) as Record<string, unknown>).already_revoked,
      ),
    ).toEqual(expect.arrayContaining([true, false]));
  });

  it('writes the same events to the JSONL file in the original format', async () => {
    const project = await createProject(t, 'jsonl-project', 'sk-jsonl-secret-key-0000');
    const lines = await t.auditFileLines();
    const line = lines.find((entry) => entry.action === 'project.create' && entry.project_id === project.id);
    expect(line).toMatchObject({
      timestamp: expect.stringMatching(/Z$/),
      action: 'project.create',
      actor: 'management_api',
      project_id: project.id,
      request_id: expect.any(String),
      correlation_id: expect.any(String),
      client_ip: '127.0.0.1',
      result: 'success',
      details: {
        http_method: 'POST',
        endpoint: '/manage/projects',
        user_agent: 'lightMyRequest',
        project_name: 'jsonl-project',
      },
    });
    expect(JSON.stringify(lines)).not.toContain('sk-jsonl-secret-key-0000');
  });

  it('filters by exact fields and searches substrings', async () => {
    await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { ...AUTH, 'x-forwarded-for': '192.0.2.44', 'x-request-id': 'needle-request-77' },
    });
    const byIp = await auditEvents(t, 'client_ip=192.0.2.44');
    expect(byIp.events).toHaveLength(1);
    expect(byIp.events[0]).toMatchObject({ action: 'project.list', request_id: 'needle-request-77' });
    expect((await auditEvents(t, 'request_id=needle-request-77')).events).toHaveLength(1);
    expect((await auditEvents(t, 'search=NEEDLE-REQUEST')).events.length).toBeGreaterThan(0);
    expect((await auditEvents(t, 'search=needle-request-77&method=POST')).events).toHaveLength(0);
    expect((await auditEvents(t, 'search=%25_')).events).toHaveLength(0);
    const denied = await auditEvents(t, 'outcome=denied&actor=management_api');
    expect(denied.events.every((event) => event.outcome === 'denied')).toBe(true);
    expect((await t.manage('GET', '/manage/audit?outcome=maybe')).statusCode).toBe(400);
  });

  it('filters by time range on every dialect and rejects invalid times', async () => {
    clock.set('2030-06-01T08:00:00.000Z');
    await t.manage('GET', '/manage/projects?marker=early');
    clock.set('2030-06-01T12:00:00.000Z');
    await t.manage('GET', '/manage/projects?marker=late');
    clock.set('2030-06-02T00:00:00.000Z');

    const window = await auditEvents(t, 'start_time=2030-06-01T07:00:00Z&end_time=2030-06-01T09:00:00Z');
    expect(window.events.map((event) => event.timestamp)).toEqual(['2030-06-01T08:00:00.000Z']);
    const after = await auditEvents(t, 'action=project.list&start_time=2030-06-01T10:00:00Z');
    expect(after.events.map((event) => event.timestamp)).toEqual(['2030-06-01T12:00:00.000Z']);
    const offset = await auditEvents(
      t,
      `action=project.list&start_time=${encodeURIComponent('2030-06-01T13:30:00+02:00')}`,
    );
    expect(offset.events.map((event) => event.timestamp)).toEqual(['2030-06-01T12:00:00.000Z']);
    const dateOnly = await auditEvents(
      t,
      'action=project.list&start_time=2030-06-01&end_time=2030-06-01T23:59:59',
    );
    expect(dateOnly.events).toHaveLength(2);
    expect(dateOnly.events[0]!.timestamp).toBe('2030-06-01T12:00:00.000Z');

    for (const bad of ['yesterday', '2030-13-01T00:00:00Z', '1717171717']) {
      const response = await t.manage('GET', `/manage/audit?start_time=${bad}`);
      expect(response.statusCode, bad).toBe(400);
      expect(json(response).error).toMatch(/^start_time must be an ISO 8601 date-time/);
    }
    const reversed = await t.manage(
      'GET',
      '/manage/audit?start_time=2030-06-02T00:00:00Z&end_time=2030-06-01T00:00:00Z',
    );
    expect(reversed.statusCode).toBe(400);
    clock.set(new Date());
  });

  it('paginates newest first with consistent totals', async () => {
    const first = await auditEvents(t, 'page=1&page_size=3');
    const total = first.pagination.total_count as number;
    expect(total).toBeGreaterThan(6);
    expect(first.pagination).toEqual({
      page: 1,
      page_size: 3,
      total_count: total,
      total_pages: Math.ceil(total / 3),
      has_next: true,
      has_prev: false,
    });
    const second = await auditEvents(t, 'page=2&page_size=3');
    expect(second.pagination).toMatchObject({ page: 2, has_prev: true });
    const timestamps = [...first.events, ...second.events].map((event) =>
      Date.parse(event.timestamp as string),
    );
    expect(timestamps).toEqual([...timestamps].sort((a, b) => b - a));
    const ids = new Set([...first.events, ...second.events].map((event) => event.id));
    expect(ids.size).toBe(6);
    const beyond = await auditEvents(t, 'page=999&page_size=3');
    expect(beyond.events).toEqual([]);
    expect(beyond.pagination).toMatchObject({ has_next: false, has_prev: true });
    const none = await auditEvents(t, 'action=never.happened');
    expect(none).toEqual({
      events: [],
      pagination: {
        page: 1,
        page_size: 20,
        total_count: 0,
        total_pages: 0,
        has_next: false,
        has_prev: false,
      },
    });
  });
});

describe.each(TEST_DIALECTS)('audit API without AUDIT_STORE_IN_DB (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect, env: { AUDIT_STORE_IN_DB: 'false' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 audit_unavailable and still writes the JSONL file', async () => {
    await createProject(t, 'file-only');
    for (const url of ['/manage/audit', '/manage/audit/00000000-0000-4000-8000-000000000000']) {
      const response = await t.manage('GET', url);
      expect(response.statusCode).toBe(503);
      expect(json(response).code).toBe('audit_unavailable');
    }
    const lines = await t.auditFileLines();
    expect(lines.map((line) => line.action)).toEqual(['project.create', 'audit.list', 'audit.show']);
    expect(lines[1]).toMatchObject({ result: 'error' });
    expect((await t.store.audit.list({}, 1, 10)).totalCount).toBe(0);
  });
});

describe.each(TEST_DIALECTS)('audit disabled (%s)', (dialect) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ dialect, env: { AUDIT_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('records nothing but the API keeps working', async () => {
    await createProject(t, 'unaudited');
    const { events } = await auditEvents(t);
    expect(events).toEqual([]);
    expect((await t.store.audit.list({}, 1, 10)).totalCount).toBe(0);
  });
});
