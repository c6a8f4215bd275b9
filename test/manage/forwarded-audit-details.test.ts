import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH, auditEvents } from '../helpers/management.js';

/** The admin UI forwards the browser's facts to /manage with the original's headers (original-spec §9.1, §10). */
describe("audit details from the admin UI's forwarded headers", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ listen: false });
  });
  afterAll(async () => {
    await t.close();
  });

  async function lastProjectList(): Promise<{
    event: Record<string, unknown>;
    details: Record<string, unknown>;
  }> {
    const { events } = await auditEvents(t, 'action=project.list&page_size=1');
    const event = events[0] ?? {};
    return { event, details: JSON.parse(String(event.metadata)) as Record<string, unknown> };
  }

  it('records referer, origin "admin-ui", the browser address and user agent', async () => {
    const response = await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: {
        ...AUTH,
        'user-agent': 'llm-proxy-admin/1.0',
        'x-forwarded-user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
        'x-forwarded-referer': 'https://admin.example/projects?page=2',
        'x-forwarded-for': '203.0.113.9, 10.0.0.1',
        'x-admin-origin': '1',
      },
    });
    expect(response.statusCode).toBe(200);
    const { event, details } = await lastProjectList();
    expect(event).toMatchObject({
      client_ip: '203.0.113.9',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    });
    expect(details).toMatchObject({ referer: 'https://admin.example/projects?page=2', origin: 'admin-ui' });
    const [line] = (await t.auditFileLines()).filter((entry) => entry.action === 'project.list').slice(-1);
    expect(JSON.stringify(line)).toContain('admin-ui');
  });

  it('adds neither key to calls that do not send the headers', async () => {
    await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: { ...AUTH, referer: 'https://x.example/' },
    });
    const { details } = await lastProjectList();
    expect(details).not.toHaveProperty('referer');
    expect(details).not.toHaveProperty('origin');
  });

  it('marks the origin only for X-Admin-Origin: 1 and bounds a long referer', async () => {
    await t.inject({
      method: 'GET',
      url: '/manage/projects',
      headers: {
        ...AUTH,
        'x-admin-origin': 'yes',
        'x-forwarded-referer': `https://r.example/${'a'.repeat(5000)}`,
      },
    });
    const { details } = await lastProjectList();
    expect(details).not.toHaveProperty('origin');
    expect(String(details.referer).length).toBe(512);
  });
});
