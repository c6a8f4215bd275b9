import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { slowStream } from '../helpers/sse.js';

describe('streams have no total-time limit', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway({ openai: { timeouts: { response_header: '500ms', idle_read: '500ms' } } });
    issued = await h.issueToken();
  });
  afterAll(async () => {
    await h.close();
  });

  it('relays a stream that runs four times longer than response_header and idle_read', async () => {
    h.upstream.script((_request, res) => slowStream(res, 10, 200));
    const started = Date.now();
    const stream = await h.openai(issued.token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'take your time' }],
      stream: true,
    });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toBe('w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 ');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    expect(h.upstream.requests.at(-1)?.aborted).toBe(false);
  });

  it('waits for response headers up to response_header', async () => {
    h.upstream.script(async (_request, res) => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      sendJson(res, 200, { id: 'late-but-in-time', object: 'chat.completion', choices: [] });
    });
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe('late-but-in-time');
  });
});
