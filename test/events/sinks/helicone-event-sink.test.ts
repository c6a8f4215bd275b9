import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SinkError } from '../../../src/events/index.js';
import { HeliconeEventSink } from '../../../src/events/sinks/helicone-event-sink.js';
import {
  CHAT_REQUEST,
  CHAT_RESPONSE,
  STARTED_AT,
  jsonBody,
  omittedBody,
  openAiChatChunks,
  proxyEvent,
  sseBody,
  sseText,
  textBody,
} from '../event-fixtures.js';
import { startFakeReceiver } from '../../helpers/fake-receiver.js';
import type { FakeReceiver } from '../../helpers/fake-receiver.js';
import { closedPort } from '../../helpers/network.js';

const API_KEY = 'sk-helicone-test-0123456789';

interface LogRequest {
  providerRequest: { url: string; json: Record<string, unknown>; meta: Record<string, string> };
  providerResponse: {
    status: number;
    headers: Record<string, string>;
    json?: Record<string, unknown>;
    textBody?: string;
  };
  timing: {
    startTime: { seconds: number; milliseconds: number };
    endTime: { seconds: number; milliseconds: number };
    timeToFirstToken?: number;
  };
}

let receiver: FakeReceiver;
let sink: HeliconeEventSink;

beforeEach(async () => {
  receiver = await startFakeReceiver(() => ({ body: 'ok' }));
  sink = new HeliconeEventSink({ endpoint: `${receiver.url}/custom/v1/log`, apiKey: API_KEY });
});

afterEach(async () => {
  await sink.close();
  await receiver.close();
});

function logged(index = 0): LogRequest {
  return receiver.requests[index]?.body as LogRequest;
}

describe('HeliconeEventSink payload', () => {
  it('logs the request, the real response headers and status, usage and timing', async () => {
    const event = proxyEvent();

    const result = await sink.send([event]);

    expect(result.rejected).toEqual([]);
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/custom/v1/log');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const log = logged();
    expect(log.providerRequest.url).toBe('/v1/chat/completions');
    expect(log.providerRequest.json).toEqual(CHAT_REQUEST);
    expect(log.providerRequest.meta).toMatchObject({
      'Helicone-Request-Id': event.id,
      'Helicone-User-Id': event.projectId,
      'Helicone-Property-Provider': 'openai',
      'Helicone-Property-Token-Id': event.tokenId,
    });
    expect(log.providerResponse).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_7f3a' },
      json: CHAT_RESPONSE,
    });
    expect(log.timing).toEqual({
      startTime: { seconds: Math.floor(STARTED_AT / 1000), milliseconds: STARTED_AT % 1000 },
      endTime: { seconds: Math.floor((STARTED_AT + 420) / 1000), milliseconds: (STARTED_AT + 420) % 1000 },
    });
  });

  it('logs a stream as the merged completion with the time to its first token', async () => {
    await sink.send([
      proxyEvent({ responseBody: sseBody(sseText(openAiChatChunks(), { done: true })), firstByteMs: 212 }),
    ]);

    const log = logged();
    expect(log.timing.timeToFirstToken).toBe(212);
    expect(log.providerResponse.json).toMatchObject({
      choices: [{ message: { role: 'assistant', content: 'Hello!' } }],
      usage: { prompt_tokens: 19, completion_tokens: 3 },
    });
  });

  it('puts the known usage into an answer that lacks it, in the provider’s own shape', async () => {
    const withoutUsage: Partial<typeof CHAT_RESPONSE> = { ...CHAT_RESPONSE };
    delete withoutUsage.usage;
    await sink.send([
      proxyEvent({
        responseBody: jsonBody(withoutUsage),
        usage: { inputTokens: 50, outputTokens: 7, cachedTokens: 32, reasoningTokens: 0, estimated: true },
      }),
    ]);

    const log = logged();
    expect(log.providerResponse.json?.usage).toEqual({
      prompt_tokens: 50,
      completion_tokens: 7,
      total_tokens: 57,
      prompt_tokens_details: { cached_tokens: 32 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(log.providerRequest.meta['Helicone-Property-Usage-Estimated']).toBe('true');
  });

  it('puts Anthropic usage into an Anthropic answer without counting cache reads as input', async () => {
    await sink.send([
      proxyEvent({
        path: '/v1/messages',
        provider: 'anthropic',
        responseBody: jsonBody({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          content: [{ type: 'text', text: 'Hi' }],
        }),
        usage: {
          inputTokens: 1100,
          outputTokens: 9,
          cachedTokens: 1000,
          reasoningTokens: 0,
          estimated: false,
        },
      }),
    ]);

    expect(logged().providerResponse.json?.usage).toEqual({
      input_tokens: 100,
      output_tokens: 9,
      cache_read_input_tokens: 1000,
    });
  });

  it('sends a non-JSON answer as textBody', async () => {
    await sink.send([
      proxyEvent({ status: 502, responseBody: textBody('upstream connect error'), usage: null }),
    ]);

    const response = logged().providerResponse;
    expect(response.status).toBe(502);
    expect(response.textBody).toBe('upstream connect error');
    expect(response.json).toBeUndefined();
  });

  it('still logs an event whose response was not kept, with a note', async () => {
    await sink.send([
      proxyEvent({ responseBody: omittedBody('disabled'), usage: null }),
      proxyEvent({ id: 'req-gone', status: 499, outcome: 'client_gone', responseBody: null, usage: null }),
    ]);

    expect(receiver.requests).toHaveLength(2);
    const texts = [logged(0), logged(1)].map((log) => log.providerResponse.textBody);
    expect(texts.every((text) => typeof text === 'string' && text.length > 0)).toBe(true);
    expect(texts).toContain('<no response body: client_gone>');
  });
});

describe('HeliconeEventSink failures', () => {
  it('rejects only the event Helicone refused, permanently for a 400', async () => {
    receiver.answer((request) =>
      (request.body as LogRequest).providerRequest.meta['Helicone-Property-Request-Id'] === 'req-b'
        ? { status: 400, body: { error: 'invalid body' } }
        : { body: 'ok' },
    );

    const result = await sink.send([
      proxyEvent({ id: 'req-a' }),
      proxyEvent({ id: 'req-b' }),
      proxyEvent({ id: 'req-c' }),
    ]);

    expect(receiver.requests).toHaveLength(3);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ index: 1, permanent: true });
  });

  it.each([401, 403, 422])('rejects an event permanently on %i', async (status) => {
    receiver.answer(() => ({ status, body: { error: 'no' } }));

    const result = await sink.send([proxyEvent()]);

    expect(result.rejected).toMatchObject([{ index: 0, permanent: true }]);
  });

  it('rejects an event temporarily when Helicone answers 200 with an error', async () => {
    receiver.answer((_request, index) =>
      index === 0 ? { body: { error: 'clickhouse timeout' } } : { body: 'ok' },
    );

    const result = await sink.send([proxyEvent({ id: 'req-a' }), proxyEvent({ id: 'req-b' })]);

    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ permanent: false });
    expect(result.rejected[0]?.reason).toContain('clickhouse timeout');
  });

  it('fails the batch temporarily with Retry-After when Helicone rate-limits everything', async () => {
    receiver.answer(() => ({
      status: 429,
      headers: { 'retry-after': '3' },
      body: { error: 'rate limited' },
    }));

    const error = await sink.send([proxyEvent()]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ permanent: false, retryAfterMs: 3000 });
  });

  it('stops sending a batch once Helicone fails, and retries the rest later', async () => {
    receiver.answer(() => ({ status: 503, body: 'unavailable' }));
    const events = Array.from({ length: 12 }, (_, index) => proxyEvent({ id: `req-${index}` }));

    await expect(sink.send(events)).rejects.toMatchObject({ name: 'SinkError', permanent: false });
    expect(receiver.requests.length).toBeLessThan(events.length);
  });

  it('fails the batch temporarily when Helicone cannot be reached, the key never in the message', async () => {
    const unreachable = new HeliconeEventSink({
      endpoint: `http://127.0.0.1:${await closedPort()}/custom/v1/log`,
      apiKey: API_KEY,
    });
    try {
      const error = (await unreachable.send([proxyEvent()]).catch((caught: unknown) => caught)) as SinkError;
      expect(error).toBeInstanceOf(SinkError);
      expect(error.permanent).toBe(false);
      expect(error.message).not.toContain(API_KEY);
    } finally {
      await unreachable.close();
    }
  });
});
