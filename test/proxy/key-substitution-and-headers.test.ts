import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { headerText, sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { rawRequest } from '../helpers/network.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('key substitution and header rules', () => {
  let h: TestGateway;
  let openaiProject: IssuedToken;
  let anthropicProject: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway();
    openaiProject = await h.issueToken({ apiKey: 'sk-proj-openai-upstream-key-0123456789' });
    anthropicProject = await h.issueToken({
      provider: 'anthropic',
      apiKey: 'sk-ant-api03-upstream-key-0123456789',
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
    h.anthropic.requests.length = 0;
  });

  it("sends the project's key as Bearer and never the client's token", async () => {
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: openaiProject.token,
      headers: { ...JSON_HEADERS, 'x-request-id': 'client-chosen-id', 'openai-beta': 'assistants=v2' },
      body: chatBody(),
    });
    expect(response.status).toBe(200);
    const received = h.upstream.requests[0]!;
    expect(received.headers.authorization).toBe(`Bearer ${openaiProject.apiKey}`);
    expect(headerText(received.headers)).not.toContain(openaiProject.token.toLowerCase());
    expect(received.headers['x-api-key']).toBeUndefined();
    expect(received.headers['x-request-id']).toMatch(UUID);
    expect(received.headers['x-request-id']).toBe(response.headers.get('x-request-id'));
    expect(received.headers['x-proxy']).toBe('llm-proxy');
    expect(received.headers['x-proxy-id']).toBe(openaiProject.projectId);
    expect(received.headers['openai-beta']).toBe('assistants=v2');
    expect(received.headers.host).toBe(new URL(h.upstream.url).host);
  });

  it('strips client-address headers and adds no X-Forwarded-For of its own', async () => {
    await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: openaiProject.token,
      headers: {
        ...JSON_HEADERS,
        'x-forwarded-for': '203.0.113.7',
        'x-real-ip': '203.0.113.7',
        'cf-connecting-ip': '203.0.113.7',
        'cf-ipcountry': 'DE',
        'x-client-ip': '203.0.113.7',
        'true-client-ip': '203.0.113.7',
        forwarded: 'for=203.0.113.7',
        'x-custom-header': 'kept',
      },
      body: chatBody(),
    });
    const received = h.upstream.requests[0]!;
    for (const name of [
      'x-forwarded-for',
      'x-real-ip',
      'cf-connecting-ip',
      'cf-ipcountry',
      'x-client-ip',
      'true-client-ip',
      'forwarded',
    ]) {
      expect(received.headers[name], name).toBeUndefined();
    }
    expect(headerText(received.headers)).not.toContain('203.0.113.7');
    expect(received.headers['x-custom-header']).toBe('kept');
  });

  it('drops hop-by-hop headers the client sent, including those named in Connection', async () => {
    const body = chatBody();
    const response = await rawRequest(h.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {
        authorization: `Bearer ${openaiProject.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'keep-alive, x-hop-secret',
        'x-hop-secret': 'for-the-next-hop-only',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
        'proxy-connection': 'keep-alive',
      },
      body,
    });
    expect(response.status).toBe(200);
    const received = h.upstream.requests[0]!;
    for (const name of ['x-hop-secret', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection']) {
      expect(received.headers[name], name).toBeUndefined();
    }
    expect(JSON.parse(received.body.toString())).toEqual(JSON.parse(body));
  });

  it("answers with the upstream's status, body and headers plus the proxy's own", async () => {
    const upstreamBody = { id: 'chatcmpl-custom', object: 'chat.completion', choices: [] };
    h.upstream.script((_request, res) => {
      sendJson(res, 201, upstreamBody, {
        'x-upstream-custom': 'yes',
        'openai-processing-ms': '17',
        'x-request-id': 'req_provider123',
      });
    });
    const before = BigInt(Date.now()) * 1_000_000n;
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: openaiProject.token,
      headers: { ...JSON_HEADERS, 'x-request-id': 'client-chosen-id' },
      body: chatBody(),
    });
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual(upstreamBody);
    expect(response.headers.get('x-upstream-custom')).toBe('yes');
    expect(response.headers.get('openai-processing-ms')).toBe('17');
    expect(response.headers.get('x-proxy')).toBe('llm-proxy');
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(response.headers.get('x-request-id')).not.toBe('client-chosen-id');
    expect(response.headers.get('x-upstream-request-id')).toBe('req_provider123');
    const start = BigInt(response.headers.get('x-upstream-request-start') ?? '0');
    const stop = BigInt(response.headers.get('x-upstream-request-stop') ?? '0');
    expect(start >= before - 1_000_000n).toBe(true);
    expect(stop >= start).toBe(true);
    expect(stop <= after).toBe(true);
  });

  it("sends an Anthropic project's key as x-api-key and no Authorization", async () => {
    const response = await h.proxy('/v1/messages', {
      method: 'POST',
      token: anthropicProject.token,
      headers: { ...JSON_HEADERS, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 10, messages: [] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe('msg_fake');
    expect(h.upstream.requests).toHaveLength(0);
    const received = h.anthropic.requests[0]!;
    expect(received.headers['x-api-key']).toBe(anthropicProject.apiKey);
    expect(received.headers.authorization).toBeUndefined();
    expect(received.headers['anthropic-version']).toBe('2023-06-01');
    expect(headerText(received.headers)).not.toContain(anthropicProject.token.toLowerCase());
  });

  it('accepts the proxy token in x-api-key, as Anthropic clients send it', async () => {
    const response = await h.proxy('/v1/messages', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-api-key': anthropicProject.token, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 10, messages: [] }),
    });
    expect(response.status).toBe(200);
    expect(h.anthropic.requests[0]?.headers['x-api-key']).toBe(anthropicProject.apiKey);
  });

  it('replaces an x-api-key token with the Bearer key for an OpenAI project', async () => {
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-api-key': openaiProject.token },
      body: chatBody(),
    });
    expect(response.status).toBe(200);
    const received = h.upstream.requests[0]!;
    expect(received.headers.authorization).toBe(`Bearer ${openaiProject.apiKey}`);
    expect(received.headers['x-api-key']).toBeUndefined();
  });

  it('uses a rotated project key from the very next request', async () => {
    const issued = await h.issueToken({ apiKey: 'sk-proj-before-rotation-0123456789' });
    const chat = () =>
      h.proxy('/v1/chat/completions', {
        method: 'POST',
        token: issued.token,
        headers: JSON_HEADERS,
        body: chatBody(),
      });
    expect((await chat()).status).toBe(200);
    const rotated = 'sk-proj-after-rotation-9876543210';
    expect(
      (await h.manage('PATCH', `/manage/projects/${issued.projectId}`, { api_key: rotated })).statusCode,
    ).toBe(200);
    expect((await chat()).status).toBe(200);
    expect(h.upstream.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer sk-proj-before-rotation-0123456789',
      `Bearer ${rotated}`,
    ]);
  });

  it("refuses a path the project's provider does not serve, though another provider does", async () => {
    const response = await h.proxy('/v1/messages', {
      method: 'POST',
      token: openaiProject.token,
      headers: JSON_HEADERS,
      body: '{}',
    });
    expect(response.status).toBe(404);
    // The route is Anthropic's: the answer is in Anthropic's error shape (test/proxy/anthropic-errors.test.ts).
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error', details: { error_code: 'endpoint_not_served' } },
    });
    expect(h.anthropic.requests).toHaveLength(0);
    expect(h.upstream.requests).toHaveLength(0);
  });
});
