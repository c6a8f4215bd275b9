import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SinkError } from '../../../src/events/index.js';
import { LunaryEventSink } from '../../../src/events/sinks/lunary-event-sink.js';
import {
  CHAT_REQUEST,
  STARTED_AT,
  anthropicEvents,
  jsonBody,
  proxyEvent,
  sseBody,
  sseText,
} from '../event-fixtures.js';
import { startFakeReceiver } from '../../helpers/fake-receiver.js';
import type { FakeReceiver } from '../../helpers/fake-receiver.js';
import { closedPort } from '../../helpers/network.js';

const API_KEY = 'lunary-test-key-0123456789';

interface RunEvent {
  type: string;
  event: string;
  runId: string;
  timestamp: string;
  name?: string;
  input?: unknown;
  output?: unknown;
  extra?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  tokensUsage?: { prompt: number; completion: number; promptCached?: number };
  error?: { message: string };
}

/** Answers like Lunary: one successful result per ingested run event. */
function allIngested(request: { body: unknown }): { body: unknown } {
  const events = (request.body as { events: RunEvent[] }).events;
  return { body: { results: events.map((event) => ({ id: event.runId, success: true })) } };
}

let receiver: FakeReceiver;
let sink: LunaryEventSink;

beforeEach(async () => {
  receiver = await startFakeReceiver(allIngested);
  sink = new LunaryEventSink({ endpoint: `${receiver.url}/v1/runs/ingest`, apiKey: API_KEY });
});

afterEach(async () => {
  await sink.close();
  await receiver.close();
});

function sentEvents(requestIndex = 0): RunEvent[] {
  return (receiver.requests[requestIndex]?.body as { events: RunEvent[] }).events;
}

describe('LunaryEventSink payload', () => {
  it('sends a start event at the request start and an end event with output and usage at the response end', async () => {
    const event = proxyEvent();

    const result = await sink.send([event]);

    expect(result.rejected).toEqual([]);
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/runs/ingest');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers['content-type']).toBe('application/json');
    const [start, end] = sentEvents();
    expect(start).toMatchObject({
      type: 'llm',
      event: 'start',
      runId: event.id,
      name: 'gpt-4o-mini',
      timestamp: new Date(STARTED_AT).toISOString(),
      input: CHAT_REQUEST.messages,
      extra: { temperature: 0.2 },
      metadata: {
        requestId: event.id,
        provider: 'openai',
        projectId: event.projectId,
        tokenId: event.tokenId,
        cacheHit: false,
        status: 200,
      },
    });
    expect(end).toEqual({
      type: 'llm',
      event: 'end',
      runId: event.id,
      name: 'gpt-4o-mini',
      timestamp: new Date(STARTED_AT + 420).toISOString(),
      output: [{ role: 'assistant', content: 'Hello!' }],
      tokensUsage: { prompt: 19, completion: 3 },
    });
  });

  it('sends the whole batch in one request, start before end for every event', async () => {
    const events = [proxyEvent({ id: 'req-a' }), proxyEvent({ id: 'req-b', startedAt: STARTED_AT + 5 })];

    await sink.send(events);

    expect(receiver.requests).toHaveLength(1);
    expect(sentEvents().map((runEvent) => `${runEvent.runId}:${runEvent.event}`)).toEqual([
      'req-a:start',
      'req-a:end',
      'req-b:start',
      'req-b:end',
    ]);
  });

  it('reports cached prompt tokens to Lunary', async () => {
    await sink.send([
      proxyEvent({
        usage: {
          inputTokens: 1200,
          outputTokens: 40,
          cachedTokens: 1024,
          reasoningTokens: 0,
          estimated: false,
        },
      }),
    ]);

    expect(sentEvents()[1]?.tokensUsage).toEqual({ prompt: 1200, completion: 40, promptCached: 1024 });
  });

  it('closes a failed upstream call with an error event carrying the upstream error message', async () => {
    const event = proxyEvent({
      status: 429,
      usage: null,
      responseBody: jsonBody({ error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests' } }),
    });

    await sink.send([event]);

    const [start, error] = sentEvents();
    expect(start?.event).toBe('start');
    expect(error).toEqual({
      type: 'llm',
      event: 'error',
      runId: event.id,
      timestamp: new Date(event.endedAt).toISOString(),
      error: { message: 'Rate limit reached for gpt-4o-mini' },
    });
  });

  it('closes a request the client abandoned with an error event naming the outcome', async () => {
    const event = proxyEvent({ status: 499, outcome: 'client_gone', responseBody: null, usage: null });

    await sink.send([event]);

    expect(sentEvents()[1]).toMatchObject({ event: 'error', error: { message: 'HTTP 499 client_gone' } });
  });

  it('sends an Anthropic stream with its system prompt as input and the merged text as output', async () => {
    const event = proxyEvent({
      path: '/v1/messages',
      endpoint: '/v1/messages',
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      requestBody: jsonBody({
        model: 'claude-sonnet-4-20250514',
        max_tokens: 256,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Greet the world.' }],
        stream: true,
      }),
      responseBody: sseBody(sseText(anthropicEvents(), { named: true })),
      usage: { inputTokens: 25, outputTokens: 15, cachedTokens: 0, reasoningTokens: 0, estimated: false },
    });

    await sink.send([event]);

    const [start, end] = sentEvents();
    expect(start?.input).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Greet the world.' },
    ]);
    expect(start?.extra).toEqual({ max_tokens: 256, stream: true });
    expect(end?.output).toEqual([{ role: 'assistant', content: 'Hello world' }]);
    expect(end?.tokensUsage).toEqual({ prompt: 25, completion: 15 });
  });
});

describe('LunaryEventSink results', () => {
  it('rejects the event whose run event Lunary did not ingest, though the answer was 200', async () => {
    receiver.answer((request) => {
      const events = (request.body as { events: RunEvent[] }).events;
      return {
        body: {
          results: events.map((event) =>
            event.runId === 'req-b' && event.event === 'end'
              ? { id: event.runId, success: false, error: 'invalid output' }
              : { id: event.runId, success: true },
          ),
        },
      };
    });

    const result = await sink.send([
      proxyEvent({ id: 'req-a' }),
      proxyEvent({ id: 'req-b' }),
      proxyEvent({ id: 'req-c' }),
    ]);

    expect(result.rejected).toEqual([{ index: 1, reason: 'invalid output', permanent: false }]);
  });

  it('maps results without ids by Lunary’s timestamp order', async () => {
    // Lunary ingests sorted by timestamp: start A, start B, end A, end B when B starts before A ends.
    receiver.answer(() => ({
      body: {
        results: [
          { success: true },
          { success: false, error: 'db down' },
          { success: true },
          { success: true },
        ],
      },
    }));

    const result = await sink.send([
      proxyEvent({ id: 'req-a' }),
      proxyEvent({ id: 'req-b', startedAt: STARTED_AT + 10 }),
    ]);

    expect(result.rejected).toEqual([{ index: 1, reason: 'db down', permanent: false }]);
  });

  it('accepts a redelivered event whose run Lunary already has', async () => {
    receiver.answer((request) => {
      const events = (request.body as { events: RunEvent[] }).events;
      return {
        body: {
          results: events.map((event) =>
            event.event === 'start'
              ? { id: event.runId, success: false, error: 'Run with this ID already exists in the database.' }
              : { id: event.runId, success: true },
          ),
        },
      };
    });

    const result = await sink.send([proxyEvent()]);

    expect(result.rejected).toEqual([]);
  });
});

describe('LunaryEventSink failures', () => {
  it('fails the batch temporarily on 429 and passes Retry-After on in milliseconds', async () => {
    receiver.answer(() => ({ status: 429, headers: { 'retry-after': '7' }, body: { message: 'slow down' } }));

    const error = await sink.send([proxyEvent()]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ permanent: false, retryAfterMs: 7000 });
  });

  it('fails the batch temporarily on 500', async () => {
    receiver.answer(() => ({ status: 500, body: 'internal error' }));

    await expect(sink.send([proxyEvent()])).rejects.toMatchObject({ name: 'SinkError', permanent: false });
  });

  it('fails the batch permanently on 400 without the API key in the message', async () => {
    receiver.answer((request) => ({
      status: 400,
      body: `bad request, auth was ${String(request.headers.authorization)}`,
    }));

    const error = (await sink.send([proxyEvent()]).catch((caught: unknown) => caught)) as SinkError;

    expect(error).toBeInstanceOf(SinkError);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('400');
    expect(error.message).not.toContain(API_KEY);
  });

  it('fails the batch temporarily when Lunary cannot be reached', async () => {
    const unreachable = new LunaryEventSink({
      endpoint: `http://127.0.0.1:${await closedPort()}/v1/runs/ingest`,
      apiKey: API_KEY,
    });
    try {
      await expect(unreachable.send([proxyEvent()])).rejects.toMatchObject({
        name: 'SinkError',
        permanent: false,
      });
    } finally {
      await unreachable.close();
    }
  });

  it('fails the batch temporarily when Lunary does not answer in time', async () => {
    receiver.answer(() => ({ delayMs: 1000, body: { results: [] } }));
    const slow = new LunaryEventSink({
      endpoint: `${receiver.url}/v1/runs/ingest`,
      apiKey: API_KEY,
      timeoutMs: 100,
    });
    try {
      const error = (await slow.send([proxyEvent()]).catch((caught: unknown) => caught)) as SinkError;
      expect(error).toBeInstanceOf(SinkError);
      expect(error.permanent).toBe(false);
      expect(error.message).toContain('timed out');
    } finally {
      await slow.close();
    }
  });
});
