import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';

const WAIT = { timeout: 10_000, interval: 50 };

function lines(path: string): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('FILE_EVENT_LOG: the server writes its own events as JSONL', () => {
  const directory = mkdtempSync(join(tmpdir(), 'llm-proxy-file-event-log-'));
  const path = join(directory, 'events', 'events.jsonl');
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { FILE_EVENT_LOG: path, DISPATCHER_FLUSH_INTERVAL: '50ms' },
    });
  });

  afterAll(async () => {
    await gateway.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('a streamed answer becomes one line in the original format, the stream merged', async () => {
    const { token, projectId } = await gateway.issueToken();
    const response = await gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token,
      headers: JSON_HEADERS,
      body: chatBody({ stream: true }),
    });
    await response.text();
    const id = response.headers.get('x-request-id');
    await expect.poll(() => lines(path).map((line) => line.request_id), WAIT).toContain(id);
    const line = lines(path).find((entry) => entry.request_id === id) as Record<string, unknown>;
    expect(line).toMatchObject({
      log_id: 0,
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      project_id: projectId,
      cache_hit: false,
    });
    const body = line.response_body as { object: string; choices: { message: { content: string } }[] };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.message.content).toBe('Hello from the fake upstream');
    expect(JSON.stringify(line)).not.toContain(token);
  });
});
