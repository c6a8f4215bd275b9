import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';

import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { ForwardingHandler } from '../../src/proxy/index.js';
import type {
  ExchangeHandler,
  ExchangeObserver,
  ExchangeRecord,
  ExchangeStart,
  ExchangeView,
  ResponseHeaders,
  ResponseTap,
} from '../../src/proxy/index.js';
import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { closedPort } from '../helpers/network.js';
import { openAiLikeProvider } from '../helpers/provider-file.js';
import { JSON_HEADERS, chatBody, leaveAfterFirstChunk } from '../helpers/proxy-requests.js';
import { slowStream } from '../helpers/sse.js';

const WAIT = { timeout: 5000, interval: 10 };

/** Writes down what each exchange's chain went through, consecutive data chunks as one `data`. */
class RecordingTap implements ResponseTap {
  readonly name = 'recording';
  readonly seen = new Map<string, string[]>();

  wrap(next: ExchangeHandler, exchange: ExchangeView): ExchangeHandler {
    const events: string[] = [];
    this.seen.set(exchange.requestId, events);
    const note = (event: string): void => {
      if (events.at(-1) !== event) events.push(event);
    };
    return new (class extends ForwardingHandler {
      override onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void {
        note(`start:${start.source}`);
        super.onRequestStart(controller, start);
      }
      override onResponseStart(
        controller: Dispatcher.DispatchController,
        status: number,
        headers: ResponseHeaders,
      ): void {
        note(`response:${String(status)}`);
        super.onResponseStart(controller, status, headers);
      }
      override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
        note('data');
        super.onResponseData(controller, chunk);
      }
      override onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
        note('end');
        super.onResponseEnd(controller, trailers);
      }
      override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
        note(`error:${error.message}`);
        super.onResponseError(controller, error);
      }
    })(next);
  }
}

/** Collects every exchange record. */
class CollectingObserver implements ExchangeObserver {
  readonly name = 'collecting';
  readonly records: ExchangeRecord[] = [];
  started = 0;
  exchangeStarted(): void {
    this.started += 1;
  }
  exchangeFinished(record: ExchangeRecord): void {
    this.records.push(record);
  }
  find(requestId: string | null): ExchangeRecord | undefined {
    return this.records.find((record) => record.requestId === requestId);
  }
}

/**
 * Rewrites complete SSE events as they pass — `fake` becomes `FAKE`, the event with `finish_reason: "stop"`
 * is removed — holding back a partial event until its end arrives, as the usage tap will.
 */
class RewritingSseTap implements ResponseTap {
  readonly name = 'rewriting';
  wrap(next: ExchangeHandler): ExchangeHandler {
    let pending = '';
    return new (class extends ForwardingHandler {
      override onResponseStart(
        controller: Dispatcher.DispatchController,
        status: number,
        headers: ResponseHeaders,
      ): void {
        // The body changes length: whatever the upstream declared no longer holds.
        delete headers['content-length'];
        super.onResponseStart(controller, status, headers);
      }
      override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
        pending += chunk.toString('utf8');
        const end = pending.lastIndexOf('\n\n');
        if (end === -1) return;
        const complete = pending.slice(0, end + 2);
        pending = pending.slice(end + 2);
        const events = complete.split('\n\n').filter((event) => event !== '');
        const kept = events.filter((event) => !event.includes('"finish_reason":"stop"'));
        const text = kept.map((event) => `${event.replaceAll('fake', 'FAKE')}\n\n`).join('');
        if (text !== '') super.onResponseData(controller, Buffer.from(text));
      }
    })(next);
  }
}

describe('response taps and exchange observers', () => {
  let h: TestGateway;
  const tap = new RecordingTap();
  const observer = new CollectingObserver();
  let deadPort: number;

  beforeAll(async () => {
    deadPort = await closedPort();
    h = await startTestGateway({
      env: { MAX_REQUEST_SIZE: '64KB' },
      taps: [tap],
      observers: [observer],
      providers: { dead: openAiLikeProvider(`http://127.0.0.1:${String(deadPort)}`) },
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  /** What the tap saw of the exchange that produced this response, and its record once it has one. */
  const exchangeOf = async (
    response: { headers: { get(name: string): string | null } } | string | null,
  ): Promise<{ seen: string[]; record: ExchangeRecord }> => {
    const id =
      typeof response === 'string' || response === null ? response : response.headers.get('x-request-id');
    let record: ExchangeRecord | undefined;
    await vi.waitFor(() => {
      record = observer.find(id);
      expect(record).toBeDefined();
    }, WAIT);
    return { seen: tap.seen.get(id ?? '') ?? [], record: record as ExchangeRecord };
  };

  it('sees a JSON answer from the upstream, and its record has ids, durations and sizes', async () => {
    const issued = await h.issueToken();
    const body = chatBody();
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    const { seen, record } = await exchangeOf(response);
    expect(seen).toEqual(['start:upstream', 'response:200', 'data', 'end']);
    expect(record).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      projectId: issued.projectId,
      tokenId: issued.tokenId,
      provider: 'openai',
      endpoint: '/v1/chat/completions',
      status: 200,
      outcome: 'completed',
      source: 'upstream',
      errorCode: null,
      bytesIn: Buffer.byteLength(body),
      bytesOut: Buffer.byteLength(text),
    });
    expect(record.upstreamMs).toBeGreaterThan(0);
    expect(record.firstByteMs).toBeGreaterThanOrEqual(record.upstreamMs ?? 0);
    expect(record.durationMs).toBeGreaterThanOrEqual(record.firstByteMs ?? 0);
    expect(Math.abs(record.startedAt - Date.now())).toBeLessThan(60_000);
    expect(Object.isFrozen(record)).toBe(true);
  });

  it('sees an SSE stream chunk by chunk and an upstream error status passed through', async () => {
    const issued = await h.issueToken();
    const stream = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody({ stream: true }),
    });
    const streamed = await stream.text();
    const { seen, record } = await exchangeOf(stream);
    expect(seen).toEqual(['start:upstream', 'response:200', 'data', 'end']);
    expect(record).toMatchObject({ outcome: 'completed', bytesOut: Buffer.byteLength(streamed) });

    h.upstream.script((_request, res) => {
      sendJson(res, 400, { error: { message: 'bad model', type: 'invalid_request_error', code: null } });
    });
    const refusedUpstream = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    expect(refusedUpstream.status).toBe(400);
    const upstreamError = await exchangeOf(refusedUpstream);
    expect(upstreamError.seen).toEqual(['start:upstream', 'response:400', 'data', 'end']);
    expect(upstreamError.record).toMatchObject({ status: 400, outcome: 'completed', errorCode: null });
  });

  it('sees what the proxy refused (401, 403, 404, 413, 429) as local answers', async () => {
    const noToken = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    const unknownPath = await h.proxy('/v1/nowhere', { token: 'sk-whatever' });
    const limited = await h.issueToken({ token: { max_requests: 1 } });
    const chat = (token: string, body = chatBody()) =>
      h.proxy('/v1/chat/completions', { method: 'POST', token, headers: JSON_HEADERS, body });
    expect((await chat(limited.token)).status).toBe(200);
    const exhausted = await chat(limited.token);
    const tooLarge = await chat(limited.token, chatBody({ padding: 'x'.repeat(70 * 1024) }));
    const inactive = await h.issueToken();
    await h.manage('PATCH', `/manage/projects/${inactive.projectId}`, { is_active: false });
    const deactivated = await chat(inactive.token);

    const expected: [Response, number, string, string | null][] = [
      [noToken, 401, 'invalid_token', null],
      [unknownPath, 404, 'endpoint_not_found', null],
      [exhausted, 429, 'rate_limit_exceeded', limited.tokenId],
      [tooLarge, 413, 'payload_too_large', limited.tokenId],
      [deactivated, 403, 'project_inactive', inactive.tokenId],
    ];
    for (const [response, status, code, tokenId] of expected) {
      expect(response.status).toBe(status);
      await response.text();
      const { seen, record } = await exchangeOf(response);
      expect(seen).toEqual(['start:proxy', `response:${String(status)}`, 'data', 'end']);
      expect(record).toMatchObject({ status, outcome: 'refused', source: 'proxy', errorCode: code, tokenId });
      expect(record.upstreamMs).toBeNull();
    }
  });

  it('sees a preflight answered locally', async () => {
    const response = await h.proxy('/v1/chat/completions', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    const { seen, record } = await exchangeOf(response);
    expect(seen).toEqual(['start:proxy', 'response:204', 'end']);
    expect(record).toMatchObject({ outcome: 'completed', source: 'proxy', errorCode: null, bytesOut: 0 });
  });

  it('sees an upstream that cannot be reached as an error without a response', async () => {
    const issued = await h.issueToken({ provider: 'dead' });
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody(),
    });
    expect(response.status).toBe(502);
    const { seen, record } = await exchangeOf(response);
    expect(seen.at(-1)).toMatch(/^error:/);
    expect(seen.some((event) => event.startsWith('response:'))).toBe(false);
    expect(record).toMatchObject({
      status: 502,
      outcome: 'upstream_failed',
      errorCode: 'upstream_unreachable',
    });
  });

  it('sees a client that leaves mid-stream as an error after the response began', async () => {
    const issued = await h.issueToken();
    h.upstream.script((_request, res) => slowStream(res, 200, 20));
    const { response } = await leaveAfterFirstChunk(h, issued.token);
    const { seen, record } = await exchangeOf(response);
    expect(seen).toEqual(['start:upstream', 'response:200', 'data', 'error:client disconnected']);
    expect(record).toMatchObject({ status: 200, outcome: 'client_gone', source: 'upstream' });
    await vi.waitFor(() => {
      expect(h.upstream.requests[0]?.aborted).toBe(true);
    }, WAIT);
  });

  it('hands every exchange to the observers exactly once', async () => {
    const before = observer.records.length;
    const issued = await h.issueToken();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        h
          .openai(issued.token)
          .models.list()
          .then((page) => page.data),
      ),
    );
    await vi.waitFor(() => {
      expect(observer.records.length - before).toBe(20);
    }, WAIT);
    const ids = observer.records.map((record) => record.requestId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('a transforming tap', () => {
  let h: TestGateway;
  const observer = new CollectingObserver();
  beforeAll(async () => {
    h = await startTestGateway({ taps: [new RewritingSseTap()], observers: [observer] });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  it('rewrites and removes SSE events while a slow client holds the stream back', async () => {
    const issued = await h.issueToken();
    const events = 8000;
    // 2 KB events: 16 MB, far more than the sockets between upstream, proxy and client can buffer.
    const filler = 'y'.repeat(2000);
    let upstreamWaitedForDrain = 0;
    h.upstream.script(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < events; index += 1) {
        const event = `data: {"n":${String(index)},"content":"fake ${filler}"}\n\n`;
        if (!res.write(event)) {
          upstreamWaitedForDrain += 1;
          await new Promise((resolve) => res.once('drain', resolve));
        }
      }
      res.end('data: {"choices":[{"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
    });
    const { response, body } = await slowClient(h.url, issued.token, 300);
    expect(response.statusCode).toBe(200);
    const received = body.split('\n\n').filter((event) => event !== '');
    expect(received).toHaveLength(events + 1);
    expect(received.at(-1)).toBe('data: [DONE]');
    expect(received.every((event) => !event.includes('fake') && !event.includes('finish_reason'))).toBe(true);
    expect(received[events - 1]).toBe(`data: {"n":${String(events - 1)},"content":"FAKE ${filler}"}`);
    // The proxy relayed the client's pace to the upstream instead of buffering 16 MB.
    expect(upstreamWaitedForDrain).toBeGreaterThan(0);
    const record = await vi.waitFor(() => {
      const found = observer.find(response.headers['x-request-id'] as string);
      expect(found).toBeDefined();
      return found as ExchangeRecord;
    }, WAIT);
    expect(record).toMatchObject({ outcome: 'completed', bytesOut: Buffer.byteLength(body) });
  });

  it('passes a client abort through the transforming tap to the upstream', async () => {
    const issued = await h.issueToken();
    h.upstream.script((_request, res) => slowStream(res, 200, 20));
    const { response, first } = await leaveAfterFirstChunk(h, issued.token);
    expect(first).toContain('w0');
    await vi.waitFor(() => {
      expect(h.upstream.requests[0]?.aborted).toBe(true);
    }, WAIT);
    const record = await vi.waitFor(() => {
      const found = observer.find(response.headers.get('x-request-id'));
      expect(found).toBeDefined();
      return found as ExchangeRecord;
    }, WAIT);
    expect(record.outcome).toBe('client_gone');
  });
});

describe('an observer that throws', () => {
  let h: TestGateway;
  const after = new CollectingObserver();
  const throwing: ExchangeObserver = {
    name: 'throwing',
    exchangeStarted() {
      throw new Error('observer broke at start');
    },
    exchangeFinished() {
      throw new Error('observer broke at the end');
    },
  };
  beforeAll(async () => {
    h = await startTestGateway({ observers: [throwing, after] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('never breaks a request, and the observers after it still see every exchange', async () => {
    const issued = await h.issueToken();
    for (let index = 0; index < 5; index += 1) {
      const completion = await h.openai(issued.token).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream');
    }
    await vi.waitFor(() => {
      expect(after.records).toHaveLength(5);
    }, WAIT);
    expect(after.started).toBe(5);
    const failures = h.logs.entries.filter(
      (entry) => entry.msg === 'exchange observer failed; the request was not affected',
    );
    // Logged once, not once per request.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ observer: 'throwing' });
  });
});

/** A streaming chat request whose client stops reading for `pauseMs` after the headers, then reads it all. */
function slowClient(
  baseUrl: string,
  token: string,
  pauseMs: number,
): Promise<{ response: IncomingMessage; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
        agent: false,
      },
      (response) => {
        response.pause();
        const chunks: Buffer[] = [];
        setTimeout(() => {
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.resume();
        }, pauseMs);
        response.on('end', () => {
          resolve({ response, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(chatBody({ stream: true }));
  });
}
