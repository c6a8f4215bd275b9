import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SinkError } from '../../../src/events/index.js';
import type { ProxyEvent } from '../../../src/events/index.js';
import { fileEventRecord } from '../../../src/events/sinks/file-event-format.js';
import { FileEventSink } from '../../../src/events/sinks/file-event-sink.js';
import {
  CHAT_REQUEST,
  CHAT_RESPONSE,
  STARTED_AT,
  anthropicEvents,
  bytesBody,
  gzipBody,
  jsonBody,
  omittedBody,
  openAiChatChunks,
  proxyEvent,
  sseBody,
  sseText,
} from '../event-fixtures.js';

let directory: string;
let sinks: FileEventSink[];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'file-event-sink-'));
  sinks = [];
});

afterEach(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
  await rm(directory, { recursive: true, force: true });
});

function openSink(path = join(directory, 'events.jsonl')): FileEventSink {
  const sink = new FileEventSink({ path });
  sinks.push(sink);
  return sink;
}

async function lines(path = join(directory, 'events.jsonl')): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function event(id: string, overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  return proxyEvent({ id, ...overrides });
}

describe('FileEventSink', () => {
  it('writes one line per event in the original snake_case format plus our fields', async () => {
    const sink = openSink();
    const result = await sink.send([
      event('req-1', { responseHeaders: { 'content-type': 'application/json', 'Set-Cookie': 'session=1' } }),
    ]);
    expect(result).toEqual({ rejected: [] });
    const bodyWithoutUsage: Partial<typeof CHAT_RESPONSE> = { ...CHAT_RESPONSE };
    delete bodyWithoutUsage.usage;
    expect(await lines()).toEqual([
      {
        log_id: 0,
        request_id: 'req-1',
        method: 'POST',
        path: '/v1/chat/completions',
        status: 200,
        duration: 420_000_000,
        duration_ms: 420,
        response_headers: { 'content-type': 'application/json' },
        request_body: JSON.stringify(CHAT_REQUEST),
        response_body: bodyWithoutUsage,
        token_usage: {
          prompt_tokens: 19,
          completion_tokens: 3,
          total_tokens: 22,
          cached_tokens: 0,
          reasoning_tokens: 0,
          estimated: false,
        },
        timestamp: new Date(STARTED_AT).toISOString(),
        project_id: '0194a3b2-1111-7000-8000-000000000001',
        token_id: '0194a3b2-2222-7000-8000-000000000002',
        provider: 'openai',
        model: 'gpt-4o-mini',
        cache_hit: false,
        outcome: 'completed',
        error_code: null,
      },
    ]);
  });

  it('merges streamed answers and moves their usage to token_usage', async () => {
    const sink = openSink();
    await sink.send([
      event('chat', {
        usage: null,
        responseBody: sseBody(sseText(openAiChatChunks(['A', 'B']), { done: true })),
      }),
      event('claude', {
        path: '/v1/messages',
        provider: 'anthropic',
        usage: null,
        responseBody: sseBody(sseText(anthropicEvents(['Hi']), { named: true })),
      }),
    ]);
    const [chat, claude] = await lines();
    expect(chat?.response_body).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: 'AB' } }],
    });
    expect(chat?.response_body).not.toHaveProperty('usage');
    expect(chat?.token_usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 3, total_tokens: 22 });
    expect(claude?.response_body).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hi' }] });
    expect(claude?.token_usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
  });

  it('prefers the event usage over the body usage', async () => {
    const sink = openSink();
    const usage = {
      inputTokens: 100,
      outputTokens: 50,
      cachedTokens: 40,
      reasoningTokens: 10,
      estimated: true,
    };
    await sink.send([event('estimated', { usage })]);
    const [line] = await lines();
    expect(line?.token_usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 50,
      total_tokens: 150,
      cached_tokens: 40,
      reasoning_tokens: 10,
      estimated: true,
    });
  });

  it('skips OPTIONS requests', async () => {
    const sink = openSink();
    await sink.send([
      event('preflight', {
        method: 'OPTIONS',
        status: 204,
        requestBody: null,
        responseBody: null,
        usage: null,
      }),
      event('real'),
    ]);
    expect((await lines()).map((line) => line.request_id)).toEqual(['real']);
  });

  it('appends batch after batch, also across sink instances', async () => {
    const first = openSink();
    await first.send([event('a'), event('b')]);
    await first.send([event('c')]);
    await first.close();
    const second = openSink();
    await second.send([event('d')]);
    expect((await lines()).map((line) => line.request_id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps batches sent concurrently whole and in order', async () => {
    const sink = openSink();
    const batches = Array.from({ length: 20 }, (_unused, batch) =>
      Array.from({ length: 25 }, (_ignored, index) => event(`${String(batch)}-${String(index)}`)),
    );
    await Promise.all(batches.map((batch) => sink.send(batch)));
    const ids = (await lines()).map((line) => line.request_id);
    expect(ids).toEqual(batches.flat().map((item) => item.id));
  });

  it('has the batch on disk once send resolves, in a directory it created', async () => {
    const path = join(directory, 'nested', 'deeper', 'events.jsonl');
    const sink = openSink(path);
    await sink.send([event('durable')]);
    // Read without closing the sink: what send promised must already be in the file.
    expect((await lines(path)).map((line) => line.request_id)).toEqual(['durable']);
  });

  it('starts a fresh line after a line cut by a crash', async () => {
    const path = join(directory, 'events.jsonl');
    await writeFile(path, '{"request_id":"whole"}\n{"request_id":"cu');
    const sink = openSink(path);
    await sink.send([event('after')]);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n').at(-2)).toContain('"request_id":"after"');
    expect(text).toContain('{"request_id":"cu\n');
  });

  it('a write that fails throws a temporary SinkError', async () => {
    const path = join(directory, 'is-a-directory');
    await mkdir(path);
    const sink = openSink(path);
    const failure = await sink.send([event('x')]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SinkError);
    expect((failure as SinkError).permanent).toBe(false);
  });

  it('refuses to send once closed', async () => {
    const sink = openSink();
    await sink.close();
    await expect(sink.send([event('late')])).rejects.toBeInstanceOf(SinkError);
  });
});

describe('fileEventRecord', () => {
  it('marks binary answers and keeps the note as the body', () => {
    const record = fileEventRecord(
      event('speech', {
        path: '/v1/audio/speech',
        usage: null,
        responseBody: bytesBody(Buffer.from([0xff, 0xfb, 0x90, 0x64, 0x00]), { contentType: 'audio/mpeg' }),
      }),
    );
    expect(record.response_body_binary).toBe(true);
    expect(record.response_body).toBe('<binary response omitted>');
    expect(record.token_usage).toBeNull();
  });

  it('leaves response_body_binary out for other answers', () => {
    expect(fileEventRecord(event('json'))).not.toHaveProperty('response_body_binary');
  });

  it('decompresses the answer and writes notes and text for bodies that are not JSON', () => {
    const record = fileEventRecord(
      event('gz', {
        requestBody: omittedBody('streamed', { contentType: 'multipart/form-data; boundary=x' }),
        responseBody: gzipBody(JSON.stringify({ text: 'transcribed' })),
      }),
    );
    expect(record.request_body).toBe('<request body not captured: streamed>');
    expect(record.response_body).toEqual({ text: 'transcribed' });
  });

  it('writes a refusal with no bodies, its error code and a cache hit flag', () => {
    const record = fileEventRecord(
      event('refused', {
        method: 'GET',
        status: 401,
        outcome: 'refused',
        errorCode: 'token_invalid',
        cacheHit: true,
        durationMs: 1.5,
        requestBody: null,
        responseBody: jsonBody({ error: { message: 'invalid token', api_key: 'leaked' } }),
        usage: null,
      }),
    );
    expect(record).toMatchObject({
      method: 'GET',
      status: 401,
      duration: 1_500_000,
      duration_ms: 1.5,
      request_body: null,
      response_body: { error: { message: 'invalid token', api_key: '[REDACTED]' } },
      token_usage: null,
      outcome: 'refused',
      error_code: 'token_invalid',
      cache_hit: true,
    });
  });
});
