import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { deferred } from '../helpers/network.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { chatChunk, sendChatStream } from '../helpers/sse.js';

const UNKNOWN_TOKEN = 'sk-AAAAAAAAAAAAAAAAAAAAAA';

describe('the OpenAI SDK through the proxy', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  let client: OpenAI;
  beforeAll(async () => {
    h = await startTestGateway();
    issued = await h.issueToken();
    client = h.openai(issued.token);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  it('completes a chat without streaming', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream');
    expect(completion.usage?.total_tokens).toBe(10);
    expect(h.upstream.requests).toHaveLength(1);
    const received = h.upstream.requests[0]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/v1/chat/completions');
    expect(JSON.parse(received.body.toString())).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
  });

  it('streams a chat chunk by chunk: the first chunk arrives while the upstream is still generating', async () => {
    const releaseRest = deferred();
    let upstreamFinished = false;
    h.upstream.script(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chatChunk('Hel'))}\n\n`);
      await releaseRest.promise;
      res.write(`data: ${JSON.stringify(chatChunk('lo'))}\n\n`);
      res.write(`data: ${JSON.stringify(chatChunk('!'))}\n\n`);
      upstreamFinished = true;
      res.end('data: [DONE]\n\n');
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
    });
    const pieces: string[] = [];
    let finishedWhenFirstArrived: boolean | undefined;
    for await (const part of stream) {
      if (pieces.length === 0) {
        finishedWhenFirstArrived = upstreamFinished;
        releaseRest.resolve();
      }
      pieces.push(part.choices[0]?.delta.content ?? '');
    }
    expect(finishedWhenFirstArrived).toBe(false);
    expect(pieces.join('')).toBe('Hello!');
    expect(JSON.parse(h.upstream.requests[0]!.body.toString())).toMatchObject({ stream: true });
  });

  it('streams the default fake answer completely', async () => {
    h.upstream.script((_request, res) => sendChatStream(res, ['One', ' two', ' three'], 1));
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? '';
      finish = part.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('One two three');
    expect(finish).toBe('stop');
  });

  it('creates embeddings', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      encoding_format: 'float',
    });
    expect(result.data[0]?.embedding).toEqual([0.1, 0.2, 0.3]);
    expect(h.upstream.requests[0]?.url).toBe('/v1/embeddings');
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o-mini']);
    expect(h.upstream.requests[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
  });

  it('raises AuthenticationError with code token_not_found for an unknown token', async () => {
    const error: unknown = await h
      .openai(UNKNOWN_TOKEN)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'token_not_found', type: 'authentication_error' });
    expect(h.upstream.requests).toHaveLength(0);
  });

  describe.each([
    { status: 400, errorClass: OpenAI.BadRequestError, code: 'context_length_exceeded' },
    { status: 500, errorClass: OpenAI.InternalServerError, code: 'server_error' },
  ])('an upstream $status', ({ status, errorClass, code }) => {
    // Deliberately odd formatting: a pass-through must not re-serialise the body.
    const body = `{ "error" : {"message": "upstream says no (${String(status)})", "type": "invalid_request_error", "param": null, "code": "${code}"} }\n`;
    beforeEach(() => {
      h.upstream.script((_request, res) => {
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'openai-organization': 'org-fake',
          'x-ratelimit-remaining-requests': '42',
        });
        res.end(body);
      });
    });

    it('passes status, body and headers through byte for byte', async () => {
      const response = await h.proxy('/v1/chat/completions', {
        method: 'POST',
        token: issued.token,
        headers: JSON_HEADERS,
        body: chatBody(),
      });
      expect(response.status).toBe(status);
      expect(await response.text()).toBe(body);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
      expect(response.headers.get('openai-organization')).toBe('org-fake');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('42');
    });

    it('makes the SDK raise the matching error', async () => {
      const error: unknown = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(errorClass);
      expect(error).toMatchObject({
        status,
        code,
        message: `${String(status)} upstream says no (${String(status)})`,
      });
    });
  });
});
