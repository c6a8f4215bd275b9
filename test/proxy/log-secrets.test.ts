import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { MANAGEMENT_TOKEN } from '../helpers/management.js';
import { closedPort } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { chatChunk } from '../helpers/sse.js';

describe('logs of proxied requests hold no secrets', () => {
  let h: TestGateway;
  beforeAll(async () => {
    h = await startTestGateway({
      providers: { dead: openAiLikeProvider(`http://127.0.0.1:${String(await closedPort())}`) },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('never logs the provider key, the proxy token or the management token', async () => {
    const apiKey = 'sk-proj-SECRET-upstream-key-do-not-log-0123456789';
    const issued = await h.issueToken({ apiKey });
    const deadProject = await h.issueToken({ provider: 'dead', apiKey: `${apiKey}-dead` });
    const revoked = await h.createToken(issued.projectId);
    await h.manage('DELETE', `/manage/tokens/${revoked.id}`);
    const chat = (token: string, extra: Record<string, unknown> = {}) =>
      h.proxy('/v1/chat/completions', {
        method: 'POST',
        token,
        headers: { ...JSON_HEADERS, 'x-api-key': token },
        body: chatBody(extra),
      });

    expect((await chat(issued.token)).status).toBe(200);
    expect((await chat(revoked.token)).status).toBe(401);
    expect((await chat(`${issued.token}x`)).status).toBe(401);
    expect((await chat(deadProject.token)).status).toBe(502);
    h.upstream.script((request, res) => {
      if (request.url.startsWith('/v1/chat')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(chatChunk('x'))}\n\n`, () => res.socket?.destroy());
        return;
      }
      sendJson(res, 500, { error: { message: `echoing ${request.headers.authorization ?? ''}` } });
    });
    expect(await (await chat(issued.token, { stream: true })).text()).toContain('upstream_stream_error');
    expect((await h.proxy('/v1/models', { token: issued.token })).status).toBe(500);
    await h.gateway.requestCounts.flush();

    const text = h.logs.text;
    expect(h.logs.entries.some((entry) => entry.msg === 'proxy request failed')).toBe(true);
    expect(h.logs.entries.some((entry) => entry.msg === 'upstream failed mid-response')).toBe(true);
    for (const secret of [apiKey, issued.token, revoked.token, deadProject.token, MANAGEMENT_TOKEN]) {
      expect(text).not.toContain(secret);
    }
  });
});
