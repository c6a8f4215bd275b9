import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { AUTH } from '../helpers/management.js';

describe('management API over a real socket', () => {
  let t: TestGateway;
  let base: string;
  beforeAll(async () => {
    t = await startTestGateway();
    base = t.url;
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a project and a token, then reads them back', async () => {
    const project = await fetch(`${base}/manage/projects`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', 'x-request-id': 'socket-1' },
      body: JSON.stringify({ name: 'socket-project', api_key: 'sk-socket-0123456789abcdef' }),
    });
    expect(project.status).toBe(201);
    expect(project.headers.get('x-request-id')).toBe('socket-1');
    expect(project.headers.get('x-correlation-id')).toBeTruthy();
    const { id, api_key: masked } = (await project.json()) as { id: string; api_key: string };
    expect(masked).toBe('sk-socke...cdef');

    const token = await fetch(`${base}/manage/tokens`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ project_id: id, duration_minutes: 15 }),
    });
    expect(token.status).toBe(201);
    expect(token.headers.get('cache-control')).toBe('no-store');

    const list = await fetch(`${base}/manage/tokens?project_id=${id}`, { headers: AUTH });
    expect(((await list.json()) as unknown[]).length).toBe(1);
  });

  it('refuses a body over 1 MiB with 413 JSON before reading it all', async () => {
    const before = (await t.store.projects.list()).length;
    const response = await fetch(`${base}/manage/projects`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'huge', api_key: 'k'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'request body too large', code: 'payload_too_large' });
    expect((await t.store.projects.list()).length).toBe(before);
  });

  it('refuses an oversized chunked body (no Content-Length) with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 32) {
          controller.close();
          return;
        }
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${base}/manage/projects`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it('serves probes and JSON 404s', async () => {
    expect(await (await fetch(`${base}/ready`)).text()).toBe('ready');
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
