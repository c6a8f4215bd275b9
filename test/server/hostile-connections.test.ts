import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { sleep } from '../helpers/network.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { openRawClient, requestHead } from '../helpers/raw-client.js';
import type { RawClient } from '../helpers/raw-client.js';

const HOSTILE = 1000;
/** Source addresses the hostile connections come from, 250 each: within the default per-address limit. */
const SOURCES = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'];
/** Generous on a loaded 2-core machine; an answer that waited for the hostile connections would miss it. */
const PROMPT_MS = 5000;

describe('1,000 hostile connections', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  const hostile: RawClient[] = [];
  let trickling: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    // The default limits: the point is that they hold without any tuning.
    h = await startTestGateway();
    issued = await h.issueToken();
  });
  afterAll(async () => {
    clearInterval(trickling);
    for (const client of hostile) client.destroy();
    await h.close();
  });

  it('still answers /health, management calls and proxied requests promptly', async () => {
    const body = chatBody({ padding: 'h'.repeat(2000) });
    for (let batch = 0; batch < HOSTILE; batch += 100) {
      const opened = await Promise.all(
        Array.from({ length: 100 }, (_unused, index) =>
          openRawClient(h.url, { localAddress: SOURCES[(batch + index) % SOURCES.length] as string }),
        ),
      );
      for (const [index, client] of opened.entries()) {
        const kind = (batch + index) % 3;
        // Headers that never end (slowloris).
        if (kind === 0)
          client.write('POST /v1/chat/completions HTTP/1.1\r\nHost: llm-proxy.test\r\nX-Slow: ');
        // A valid request whose body is trickled: the proxy is reading it.
        if (kind === 1) {
          client.write(
            requestHead('POST', '/v1/chat/completions', {
              authorization: `Bearer ${issued.token}`,
              'content-type': 'application/json',
              'content-length': String(body.length),
            }) + body.slice(0, 10),
          );
        }
        // kind 2: a connection that sends nothing at all.
        hostile.push(client);
      }
    }
    trickling = setInterval(() => {
      for (const [index, client] of hostile.entries()) if (index % 3 === 1) client.write(' ');
    }, 500);
    for (let waited = 0; (await h.connections()) < HOSTILE && waited < 10_000; waited += 50) await sleep(50);
    expect(await h.connections()).toBeGreaterThanOrEqual(HOSTILE);

    const health = await fetch(`${h.url}/health`, { signal: AbortSignal.timeout(PROMPT_MS) });
    expect(health.status).toBe(200);

    const projects = await fetch(`${h.url}/manage/projects`, {
      headers: { authorization: `Bearer ${h.config.managementToken}` },
      signal: AbortSignal.timeout(PROMPT_MS),
    });
    expect(projects.status).toBe(200);

    const proxied = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody(),
      signal: AbortSignal.timeout(PROMPT_MS),
    });
    expect(proxied.status).toBe(200);
    expect(((await proxied.json()) as { object: string }).object).toBe('chat.completion');

    const completion = await h
      .openai(issued.token)
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] },
        { timeout: PROMPT_MS },
      );
    expect(completion.object).toBe('chat.completion');

    // The hostile connections were held, not refused: every one is still open.
    expect(hostile.filter((client) => client.socket.destroyed)).toHaveLength(0);
  });
});
