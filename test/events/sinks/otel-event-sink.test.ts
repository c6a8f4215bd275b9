import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SinkError } from '../../../src/events/index.js';
import { OtelEventSink } from '../../../src/events/sinks/otel-event-sink.js';
import type { OtelEventSinkOptions } from '../../../src/events/sinks/otel-event-sink.js';
import {
  STARTED_AT,
  anthropicEvents,
  jsonBody,
  openAiChatChunks,
  proxyEvent,
  sseBody,
  sseText,
} from '../event-fixtures.js';
import { startFakeReceiver } from '../../helpers/fake-receiver.js';
import type { FakeReceiver } from '../../helpers/fake-receiver.js';
import { closedPort } from '../../helpers/network.js';

/** An OTLP/JSON attribute value (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). */
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: AnyValue }[];
  status?: { code?: number; message?: string };
}

interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: AnyValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/** OTLP's SPAN_KIND_CLIENT and STATUS_CODE_ERROR. */
const SPAN_KIND_CLIENT = 3;
const STATUS_CODE_ERROR = 2;

let receiver: FakeReceiver;
const sinks: OtelEventSink[] = [];

beforeEach(async () => {
  receiver = await startFakeReceiver(() => ({ body: {} }));
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver.close();
});

function otelSink(options: Partial<OtelEventSinkOptions> = {}): OtelEventSink {
  const sink = new OtelEventSink({ endpoint: `${receiver.url}/v1/traces`, ...options });
  sinks.push(sink);
  return sink;
}

function receivedSpans(requestIndex = 0): OtlpSpan[] {
  const body = receiver.requests[requestIndex]?.body as OtlpRequest;
  return body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
}

function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

function attributesOf(span: OtlpSpan | undefined): Record<string, unknown> {
  return Object.fromEntries((span?.attributes ?? []).map(({ key, value }) => [key, plain(value)]));
}

function nanos(epochMs: number): string {
  return (BigInt(epochMs) * 1_000_000n).toString();
}

describe('OtelEventSink spans', () => {
  it('sends one CLIENT span per event with the event’s own times and the GenAI attributes', async () => {
    const event = proxyEvent();

    const result = await otelSink().send([event]);

    expect(result.rejected).toEqual([]);
    const request = receiver.requests[0]!;
    expect(request.url).toBe('/v1/traces');
    expect(request.headers['content-type']).toContain('application/json');
    const [span] = receivedSpans();
    expect(span?.name).toBe('chat gpt-4o-mini');
    expect(span?.kind).toBe(SPAN_KIND_CLIENT);
    expect(span?.startTimeUnixNano).toBe(nanos(STARTED_AT));
    expect(span?.endTimeUnixNano).toBe(nanos(STARTED_AT + 420));
    expect(span?.traceId).toBe(event.id.replaceAll('-', ''));
    expect(attributesOf(span)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 3,
      'http.response.status_code': 200,
      'llm_proxy.request_id': event.id,
      'llm_proxy.project_id': event.projectId,
      'llm_proxy.token_id': event.tokenId,
      'llm_proxy.cache_hit': false,
      'llm_proxy.usage.estimated': false,
    });
    expect(span?.status?.code ?? 0).not.toBe(STATUS_CODE_ERROR);
    const resource = (receiver.requests[0]?.body as OtlpRequest).resourceSpans[0]?.resource;
    expect(attributesOf({ attributes: resource?.attributes ?? [] } as OtlpSpan)['service.name']).toBe(
      'llm-proxy',
    );
  });

  it('reports cached and reasoning tokens and the time to the first chunk of a stream', async () => {
    await otelSink({ serviceName: 'gateway-eu' }).send([
      proxyEvent({
        responseBody: sseBody(sseText(openAiChatChunks(), { done: true })),
        firstByteMs: 250,
        usage: {
          inputTokens: 2000,
          outputTokens: 300,
          cachedTokens: 1536,
          reasoningTokens: 128,
          estimated: false,
        },
      }),
    ]);

    const attributes = attributesOf(receivedSpans()[0]);
    expect(attributes).toMatchObject({
      'gen_ai.usage.cache_read.input_tokens': 1536,
      'gen_ai.usage.reasoning.output_tokens': 128,
      'gen_ai.response.time_to_first_chunk': 0.25,
    });
    const resource = (receiver.requests[0]?.body as OtlpRequest).resourceSpans[0]?.resource;
    expect(attributesOf({ attributes: resource?.attributes ?? [] } as OtlpSpan)['service.name']).toBe(
      'gateway-eu',
    );
  });

  it('names the operation from the endpoint', async () => {
    await otelSink().send([
      proxyEvent({
        id: 'emb',
        path: '/v1/embeddings',
        endpoint: '/v1/embeddings',
        model: 'text-embedding-3-small',
      }),
      proxyEvent({
        id: 'img',
        path: '/v1/images/generations',
        endpoint: '/v1/images/generations',
        model: 'gpt-image-1',
      }),
      proxyEvent({
        id: 'ant',
        path: '/v1/messages',
        endpoint: '/v1/messages',
        provider: 'anthropic',
        model: 'claude-sonnet-4-20250514',
      }),
    ]);

    const spans = receivedSpans();
    expect(spans.map((span) => span.name)).toEqual([
      'embeddings text-embedding-3-small',
      'images.generations gpt-image-1',
      'chat claude-sonnet-4-20250514',
    ]);
    expect(attributesOf(spans[2])['gen_ai.provider.name']).toBe('anthropic');
  });

  it('marks a failed call with status ERROR and error.type', async () => {
    await otelSink().send([
      proxyEvent({
        status: 429,
        usage: null,
        responseBody: jsonBody({ error: { message: 'Rate limit reached', type: 'requests' } }),
      }),
    ]);

    const [span] = receivedSpans();
    expect(span?.status).toMatchObject({ code: STATUS_CODE_ERROR, message: 'Rate limit reached' });
    expect(attributesOf(span)).toMatchObject({ 'error.type': '429', 'http.response.status_code': 429 });
  });

  it('joins the client’s trace when the request carried a traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await otelSink().send([
      proxyEvent({
        requestHeaders: {
          'content-type': 'application/json',
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        },
      }),
    ]);

    const [span] = receivedSpans();
    expect(span?.traceId).toBe(traceId);
    expect(span?.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('sends a redelivered event as the same span', async () => {
    const sink = otelSink();
    await sink.send([proxyEvent()]);
    await sink.send([proxyEvent()]);

    expect(receivedSpans(1)[0]?.spanId).toBe(receivedSpans(0)[0]?.spanId);
    expect(receivedSpans(1)[0]?.traceId).toBe(receivedSpans(0)[0]?.traceId);
  });

  it('sends the configured headers', async () => {
    await otelSink({ headers: { authorization: 'Basic cGstbGY6c2stbGY=' } }).send([proxyEvent()]);

    expect(receiver.requests[0]?.headers.authorization).toBe('Basic cGstbGY6c2stbGY=');
  });
});

describe('OtelEventSink content', () => {
  const anthropicEvent = proxyEvent({
    path: '/v1/messages',
    endpoint: '/v1/messages',
    provider: 'anthropic',
    model: 'claude-sonnet-4-20250514',
    requestBody: jsonBody({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 256,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Greet the world.' }],
    }),
    responseBody: sseBody(sseText(anthropicEvents(), { named: true })),
  });

  it('leaves prompts and completions out by default', async () => {
    await otelSink().send([anthropicEvent]);

    const keys = Object.keys(attributesOf(receivedSpans()[0]));
    expect(keys).not.toContain('gen_ai.input.messages');
    expect(keys).not.toContain('gen_ai.output.messages');
    expect(keys).not.toContain('gen_ai.system_instructions');
    expect(receiver.requests[0]?.text).not.toContain('Greet the world');
  });

  it('sends prompts and completions as GenAI messages when asked to', async () => {
    await otelSink({ captureContent: true }).send([anthropicEvent]);

    const attributes = attributesOf(receivedSpans()[0]);
    expect(JSON.parse(attributes['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Greet the world.' }] },
    ]);
    expect(JSON.parse(attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello world' }], finish_reason: 'end_turn' },
    ]);
    expect(attributes['gen_ai.request.max_tokens']).toBe(256);
  });
});

describe('OtelEventSink failures', () => {
  it('fails the batch temporarily when the collector answers 500', async () => {
    receiver.answer(() => ({ status: 500, body: 'collector broken' }));

    const error = await otelSink()
      .send([proxyEvent()])
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ permanent: false });
  });

  it('fails the batch permanently when the collector refuses the credentials, without showing them', async () => {
    receiver.answer(() => ({ status: 401, body: { message: 'invalid credentials' } }));

    await expect(
      otelSink({ headers: { authorization: 'Basic c2VjcmV0' } }).send([proxyEvent()]),
    ).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof SinkError &&
        error.permanent &&
        error.message.includes('401') &&
        !error.message.includes('c2VjcmV0'),
    );
  });

  it('fails the batch temporarily when the collector is rate limiting', async () => {
    receiver.answer(() => ({ status: 429, body: 'slow down' }));

    // The exporter itself retries a 429 within its timeout before it reports the failure.
    await expect(otelSink({ timeoutMs: 1500 }).send([proxyEvent()])).rejects.toMatchObject({
      name: 'SinkError',
      permanent: false,
    });
  });

  it('fails the batch temporarily when the collector cannot be reached', async () => {
    const sink = otelSink({ endpoint: `http://127.0.0.1:${await closedPort()}/v1/traces`, timeoutMs: 1500 });

    await expect(sink.send([proxyEvent()])).rejects.toMatchObject({ name: 'SinkError', permanent: false });
  });
});
