import { afterEach, describe, expect, it, vi } from 'vitest';

import { startFakeUpstream } from '../helpers/fake-upstream.js';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';

let gateway: TestGateway | undefined;
let other: FakeUpstream | undefined;
afterEach(async () => {
  await gateway?.close();
  await other?.close();
  gateway = undefined;
  other = undefined;
});

function accessLines(harness: TestGateway): Record<string, unknown>[] {
  return harness.logs.entries.filter((entry) => entry.msg === 'proxy request');
}

describe('access log', () => {
  it('writes one info line per proxied request with who, what, how it ended and what it cost — never the token', async () => {
    gateway = await startTestGateway();
    const { token, tokenId, projectId } = await gateway.issueToken();
    const answer = await gateway.openai(token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'the word "model" in a message' }],
    });
    expect(answer.choices.length).toBeGreaterThan(0);
    const harness = gateway;
    await vi.waitFor(() => {
      expect(accessLines(harness)).toHaveLength(1);
    });
    const [line] = accessLines(harness);
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      path: '/v1/chat/completions',
      projectId,
      tokenId,
      provider: 'openai',
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      status: 200,
      outcome: 'completed',
      errorCode: null,
    });
    expect(line?.requestId).toEqual(expect.any(String));
    expect(line?.durationMs).toEqual(expect.any(Number));
    expect(line?.bytesIn).toBeGreaterThan(0);
    expect(line?.bytesOut).toBeGreaterThan(0);
    expect(harness.logs.text).not.toContain(token);
  });

  it('a refused request is logged too, with its status and error code', async () => {
    gateway = await startTestGateway();
    const response = await gateway.injectProxy('/v1/chat/completions', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: chatBody({ model: 'gpt-4o' }),
      token: 'sk-not-a-real-token',
    });
    expect(response.status).toBe(401);
    const harness = gateway;
    await vi.waitFor(() => {
      expect(accessLines(harness)).toHaveLength(1);
    });
    expect(accessLines(harness)[0]).toMatchObject({
      status: 401,
      outcome: 'refused',
      errorCode: 'invalid_token',
      tokenId: null,
      projectId: null,
    });
    expect(harness.logs.text).not.toContain('sk-not-a-real-token');
  });

  it('LOG_ACCESS=false writes none', async () => {
    gateway = await startTestGateway({ env: { LOG_ACCESS: 'false' } });
    const { token } = await gateway.issueToken();
    const response = await gateway.injectProxy('/v1/chat/completions', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: chatBody(),
      token,
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accessLines(gateway)).toEqual([]);
  });
});

describe('OPENAI_API_URL with a provider file', () => {
  it('sends the openai provider to that URL instead of the base_url of the file', async () => {
    other = await startFakeUpstream();
    gateway = await startTestGateway({ env: { OPENAI_API_URL: other.url } });
    const { token } = await gateway.issueToken();
    const response = await gateway.injectProxy('/v1/chat/completions', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: chatBody(),
      token,
    });
    expect(response.status).toBe(200);
    expect(other.requests).toHaveLength(1);
    expect(gateway.upstream.requests).toHaveLength(0);
  });
});
