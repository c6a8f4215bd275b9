import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { page, signInToAdmin } from '../helpers/admin-client.js';
import type { AdminClient } from '../helpers/admin-client.js';
import { chatBody } from '../helpers/proxy-requests.js';

const OPT_IN = { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' };

describe('admin UI: cache and events pages', () => {
  let gateway: TestGateway;
  let admin: AdminClient;

  beforeAll(async () => {
    gateway = await startTestGateway();
    admin = await signInToAdmin(gateway);
  });
  afterAll(async () => {
    await gateway.close();
  });

  async function cachedTwice(token: string, content: string): Promise<void> {
    for (let round = 0; round < 2; round += 1) {
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: OPT_IN,
        body: chatBody({ messages: [{ role: 'user', content }] }),
      });
      await response.text();
    }
  }

  function stat(body: ReturnType<typeof page>, label: string): string | undefined {
    return body.querySelector(`[data-cache-stat="${label}"]`)?.text;
  }

  it('shows the entries held and the hit ratio, and purges one project, then everything', async () => {
    const first = await gateway.issueToken();
    const second = await gateway.issueToken();
    await cachedTwice(first.token, 'one');
    await cachedTwice(second.token, 'two');

    const before = page(await admin.get('/admin/cache'));
    expect(stat(before, 'Entries')?.trim()).toBe('2');
    expect(stat(before, 'Hit ratio')?.trim()).toBe('50.0 %');
    const choice = `form[data-confirm] select[name=project_id] option[value="${first.projectId}"]`;
    expect(before.querySelector(choice)).not.toBeNull();

    const purged = await admin.post('/admin/cache/purge', { kind: 'project', project_id: first.projectId });
    expect(purged.statusCode).toBe(303);
    expect(purged.headers.location).toBe('/admin/cache');
    const afterProject = page(await admin.get('/admin/cache'));
    expect(afterProject.querySelector('.alert-success')?.text.trim()).toBe('Purged 1 cache entry.');
    expect(stat(afterProject, 'Entries')?.trim()).toBe('1');

    await admin.post('/admin/cache/purge', { kind: 'all' });
    expect(stat(page(await admin.get('/admin/cache')), 'Entries')?.trim()).toBe('0');
    await gateway.gateway.audit.flush();
    const trail = await gateway.store.audit.list({ action: 'cache.purge' }, 1, 10);
    expect(trail.events).toHaveLength(2);
    expect(JSON.parse(trail.events[0]?.metadata ?? '{}')).toMatchObject({ origin: 'admin-ui' });
  });

  it('shows the API message when a purge names nothing, and purges an exact request', async () => {
    const refused = await admin.post('/admin/cache/purge', {
      kind: 'exact',
      method: 'POST',
      url: 'not a path',
    });
    expect(refused.statusCode).toBe(400);
    expect(page(refused).querySelector('.alert-danger')?.text.length).toBeGreaterThan(5);

    const { token } = await gateway.issueToken();
    await cachedTwice(token, 'exact');
    const purged = await admin.post('/admin/cache/purge', {
      kind: 'exact',
      method: 'POST',
      url: '/v1/chat/completions',
    });
    expect(purged.statusCode).toBe(303);
    expect(
      page(await admin.get('/admin/cache'))
        .querySelector('.alert-success')
        ?.text.trim(),
    ).toBe('Purged 1 cache entry.');
  });

  it('shows the event bus as off when nothing consumes events', async () => {
    const events = page(await admin.get('/admin/events'));
    expect(events.querySelector('h1')?.text.trim()).toBe('Events');
    expect(events.querySelector('[data-events-stat="Bus"]')?.text.trim()).toBe('off');
    expect(events.querySelector('.alert-info')?.text).toContain('Request events are off');
  });
});

describe('admin UI: events page with the file event log', () => {
  it('lists the in-process dispatcher with what it delivered', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'llm-proxy-admin-events-'));
    const gateway = await startTestGateway({
      env: { FILE_EVENT_LOG: join(directory, 'events.jsonl'), DISPATCHER_FLUSH_INTERVAL: '50ms' },
    });
    try {
      const admin = await signInToAdmin(gateway);
      const { token } = await gateway.issueToken();
      const response = await gateway.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: chatBody(),
      });
      await response.text();
      const delivered = async () =>
        page(await admin.get('/admin/events'))
          .querySelectorAll('tbody tr td')[2]
          ?.text.trim();
      await expect.poll(delivered, { timeout: 5000 }).toBe('1');
      const events = page(await admin.get('/admin/events'));
      expect(events.querySelector('[data-events-stat="Bus"]')?.text.trim()).toBe('memory');
      expect(events.querySelector('[data-events-stat="Published"]')?.text.trim()).toBe('1');
      expect(events.querySelector('tbody tr td')?.text.trim()).toBe('file');
    } finally {
      await gateway.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
