import { gzipSync } from 'node:zlib';

import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { IssuedToken } from '../helpers/management.js';
import { chatBody } from '../helpers/proxy-requests.js';
import {
  OPENAI_RECORDED,
  OPENAI_REPORTED,
  STREAM_WORDS,
  asIfUsageNotAsked,
  chatStreamUpstream,
  completion,
  rawPost,
  sentBody,
  startUsageGateway,
  usageChunk,
  writeJson,
} from './usage-kit.js';
import type { ChatStreamUpstream, UsageGateway } from './usage-kit.js';

const MESSAGES = [{ role: 'user', content: 'Count my tokens, please.' }];

describe('exact usage of OpenAI chat completions', () => {
  let usage: UsageGateway;
  let issued: IssuedToken;
  let upstream: ChatStreamUpstream;

  beforeAll(async () => {
    usage = await startUsageGateway();
    issued = await usage.gateway.issueToken();
  });
  afterAll(async () => {
    await usage.gateway.close();
  });
  beforeEach(() => {
    usage.gateway.upstream.reset();
    upstream = chatStreamUpstream();
    usage.gateway.upstream.script(upstream.script);
  });

  it('a stream that did not ask for usage is sent upstream asking for it, with a right Content-Length', async () => {
    const body = `{"model":"gpt-4o-mini",  "messages":[{"role":"user","content":"hi"}],"stream":true}\n`;
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body, {
      'accept-encoding': 'gzip, br',
    });
    expect(answer.status).toBe(200);
    const received = usage.gateway.upstream.requests[0]!;
    // The client's bytes stay as they were, the option inserted before the closing brace.
    expect(received.body.toString()).toBe(
      `{"model":"gpt-4o-mini",  "messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}\n`,
    );
    expect(received.headers['content-length']).toBe(String(received.body.length));
    // A compressed stream could not have its usage chunk removed.
    expect(received.headers['accept-encoding']).toBe('identity');
  });

  it('the client receives the upstream stream byte for byte, minus exactly what asking for usage added; its usage is recorded', async () => {
    const answer = await rawPost(
      usage.gateway.url,
      '/v1/chat/completions',
      issued.token,
      chatBody({ stream: true }),
    );
    const sent = upstream.sent[0]!;
    expect(sent).toContain(usageChunk());
    expect(sent).toContain(',"usage":null');
    expect(answer.body).toBe(asIfUsageNotAsked(sent));
    expect(answer.body).not.toContain('"choices":[]');
    expect(answer.body).not.toContain('"usage"');
    expect((await usage.recordOf(answer.requestId)).usage).toEqual(OPENAI_RECORDED);
  });

  it("a client's own include_usage: true is sent as it was and keeps its usage chunk", async () => {
    const body = chatBody({ stream: true, stream_options: { include_usage: true } });
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body);
    expect(usage.gateway.upstream.requests[0]!.body.toString()).toBe(body);
    expect(answer.body).toBe(upstream.sent[0]);
    expect(answer.body).toContain(usageChunk());
    expect((await usage.recordOf(answer.requestId)).usage).toEqual(OPENAI_RECORDED);
  });

  it("a client's own include_usage: false is not overridden: the stream has no usage and is estimated", async () => {
    const body = chatBody({
      model: 'gpt-4o',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: false },
    });
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body);
    expect(usage.gateway.upstream.requests[0]!.body.toString()).toBe(body);
    expect(answer.body).toBe(upstream.sent[0]);
    expect((await usage.recordOf(answer.requestId)).usage).toEqual({
      inputTokens: countTokens('Count my tokens, please.') + 3 + 3,
      outputTokens: countTokens(STREAM_WORDS.join('')),
      cachedTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    });
  });

  it('stream_options without include_usage gets it merged in', async () => {
    const body = chatBody({ stream: true, stream_options: { include_obfuscation: false } });
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body);
    expect(sentBody(usage.gateway.upstream.requests[0]).stream_options).toEqual({
      include_obfuscation: false,
      include_usage: true,
    });
    expect(answer.body).toBe(asIfUsageNotAsked(upstream.sent[0]!));
  });

  it('a non-streamed request is sent untouched and its usage is read from the JSON answer', async () => {
    const body = chatBody();
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body);
    expect(usage.gateway.upstream.requests[0]!.body.toString()).toBe(body);
    expect((await usage.recordOf(answer.requestId)).usage).toEqual(OPENAI_RECORDED);
  });

  it('the OpenAI SDK streams without seeing the usage chunk, and the usage is recorded', async () => {
    const client = usage.gateway.openai(issued.token);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.choices).not.toHaveLength(0);
      expect(chunk.usage ?? null).toBeNull();
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(STREAM_WORDS.join(''));
    expect(chunks).toBe(STREAM_WORDS.length + 1);
    expect(sentBody(usage.gateway.upstream.requests[0]).stream_options).toEqual({ include_usage: true });
    expect((await usage.recordOf(response.headers.get('x-request-id'))).usage).toEqual(OPENAI_RECORDED);
  });

  it('the OpenAI SDK completes without streaming; cached and reasoning tokens are recorded', async () => {
    const client = usage.gateway.openai(issued.token);
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(1280);
    expect((await usage.recordOf(response.headers.get('x-request-id'))).usage).toEqual(OPENAI_RECORDED);
  });

  it('an answer without usage is estimated with the model tokenizer, and marked estimated', async () => {
    usage.gateway.upstream.script((_request, res) => {
      writeJson(res, completion());
    });
    const body = chatBody({ model: 'gpt-4o', messages: MESSAGES });
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body);
    expect((await usage.recordOf(answer.requestId)).usage).toEqual({
      inputTokens: countTokens('Count my tokens, please.') + 3 + 3,
      outputTokens: countTokens('Usage is counted.'),
      cachedTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    });
  });

  it('a gzip-compressed JSON answer reaches the client as it came, and its usage is read', async () => {
    const compressed = gzipSync(JSON.stringify({ ...completion(), usage: OPENAI_REPORTED }));
    usage.gateway.upstream.script((_request, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': compressed.length,
      });
      res.end(compressed);
    });
    const response = await usage.gateway.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: chatBody(),
    });
    expect(((await response.json()) as { usage: unknown }).usage).toEqual(OPENAI_REPORTED);
    expect((await usage.recordOf(response.headers.get('x-request-id'))).usage).toEqual(OPENAI_RECORDED);
  });

  it('a failed answer records no usage', async () => {
    usage.gateway.upstream.script((_request, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad","type":"invalid_request_error"}}');
    });
    const answer = await rawPost(
      usage.gateway.url,
      '/v1/chat/completions',
      issued.token,
      chatBody({ stream: true }),
    );
    expect(answer.status).toBe(400);
    expect((await usage.recordOf(answer.requestId)).usage).toBeNull();
  });

  it('the pipeline has the stream-usage step before the cache lookup', () => {
    const steps = usage.gateway.gateway.pipeline;
    expect(steps.indexOf('stream-usage')).toBe(steps.indexOf('provider-rules') + 1);
  });
});

describe('a provider with request_stream_usage: false', () => {
  let usage: UsageGateway;
  let issued: IssuedToken;
  let upstream: ChatStreamUpstream;

  beforeAll(async () => {
    usage = await startUsageGateway({ openai: { request_stream_usage: false } });
    issued = await usage.gateway.issueToken();
    upstream = chatStreamUpstream();
    usage.gateway.upstream.script(upstream.script);
  });
  afterAll(async () => {
    await usage.gateway.close();
  });

  it('gets the body untouched; the stream passes as it came and its usage is estimated', async () => {
    const body = chatBody({ stream: true });
    const answer = await rawPost(usage.gateway.url, '/v1/chat/completions', issued.token, body, {
      'accept-encoding': 'gzip',
    });
    const received = usage.gateway.upstream.requests[0]!;
    expect(received.body.toString()).toBe(body);
    expect(received.headers['accept-encoding']).toBe('gzip');
    expect(answer.body).toBe(upstream.sent[0]);
    expect((await usage.recordOf(answer.requestId)).usage).toMatchObject({ estimated: true });
  });
});
