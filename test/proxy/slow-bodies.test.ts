import { generateToken } from '../../src/core/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { sleep } from '../helpers/network.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';
import { openRawClient, parseRawResponse, requestHead } from '../helpers/raw-client.js';
import type { RawClient } from '../helpers/raw-client.js';
import { slowStream } from '../helpers/sse.js';

/** Sends `body` a few bytes at a time, `intervalMs` apart, until it is all sent or the connection closes. */
async function trickle(client: RawClient, body: string, bytes: number, intervalMs: number) {
  for (let at = 0; at < body.length && !client.socket.destroyed; at += bytes) {
    client.write(body.slice(at, at + bytes));
    await sleep(intervalMs);
  }
}

function chatHead(token: string, body: string, extra: Record<string, string> = {}): string {
  return requestHead('POST', '/v1/chat/completions', {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...extra,
  });
}

describe('slow request bodies are cut', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway({
      env: {
        REQUEST_BODY_MIN_RATE: '1KB',
        REQUEST_BODY_RATE_GRACE: '1s',
        REQUEST_BODY_TIMEOUT: '4s',
        REQUEST_HEADERS_TIMEOUT: '1s',
      },
    });
    issued = await h.issueToken();
  });
  beforeEach(() => {
    h.upstream.reset();
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers 408 request_body_too_slow to a JSON body trickled below the minimum rate, and closes', async () => {
    const body = chatBody({ padding: 'x'.repeat(4000) });
    const client = await openRawClient(h.url);
    client.write(chatHead(issued.token, body));
    const sending = trickle(client, body, 10, 100);
    const text = await client.closed;
    const response = parseRawResponse(text);
    expect(response.status).toBe(408);
    expect(response.headers).toContain('connection: close');
    expect(response.body).toMatchObject({ error: { code: 'request_body_too_slow' } });
    await sending;
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('relays a body that arrives slower than one grace period but above the minimum rate', async () => {
    // 4 KiB per second for about 2.5 s: three periods, each well above 1 KiB/s.
    const body = chatBody({ padding: 'y'.repeat(10_000) });
    const client = await openRawClient(h.url);
    client.write(chatHead(issued.token, body));
    await trickle(client, body, 400, 100);
    const text = await client.waitFor('\r\n\r\n{', 10_000);
    expect(parseRawResponse(text).status).toBe(200);
    client.destroy();
    expect(h.upstream.requests.at(-1)?.body.toString()).toBe(body);
  });

  it('cuts a streamed (multipart) upload that stalls, and aborts the upstream request', async () => {
    h.upstream.script((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const client = await openRawClient(h.url);
    client.write(
      requestHead('POST', '/v1/audio/transcriptions', {
        authorization: `Bearer ${issued.token}`,
        'content-type': 'multipart/form-data; boundary=b',
        'content-length': '100000',
      }),
    );
    client.write('--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n');
    const started = Date.now();
    // Cut by the rate guard (about one grace period), closed without an answer: part of the body has left.
    expect(await client.closed).toBe('');
    expect(Date.now() - started).toBeLessThan(3500);
    // The upstream never got a whole request.
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('answers 408 request_timeout when the whole request takes longer than REQUEST_BODY_TIMEOUT', async () => {
    // 2 KiB per second keeps above the minimum rate; 12 KiB then takes about 6 s, past the 4 s limit.
    const body = chatBody({ padding: 'z'.repeat(12_000) });
    const client = await openRawClient(h.url);
    client.write(chatHead(issued.token, body));
    void trickle(client, body, 200, 100);
    const response = parseRawResponse(await client.closed);
    expect(response.status).toBe(408);
    expect(response.body).toEqual({ error: 'the request did not arrive in time', code: 'request_timeout' });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('answers 408 and closes when the request headers do not arrive within REQUEST_HEADERS_TIMEOUT', async () => {
    const client = await openRawClient(h.url);
    client.write('POST /v1/chat/completions HTTP/1.1\r\nHost: llm-proxy.test\r\n');
    const started = Date.now();
    const response = parseRawResponse(await client.closed);
    expect(response.status).toBe(408);
    expect(response.body).toMatchObject({ code: 'request_timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never cuts a response: a stream runs past REQUEST_BODY_TIMEOUT', async () => {
    h.upstream.script((_request, res) => slowStream(res, 10, 500));
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chatBody({ stream: true }),
    });
    const text = await response.text();
    expect(text).toContain('w9 ');
    expect(text).toContain('[DONE]');
    expect(h.upstream.requests.at(-1)?.aborted).toBe(false);
  });
});

describe('a request refused before its body arrived closes its connection', () => {
  let h: TestGateway;
  beforeAll(async () => {
    h = await startTestGateway();
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers a bad token with 401 and Connection: close without waiting for the rest of the body', async () => {
    const client = await openRawClient(h.url);
    const body = chatBody({ padding: 'p'.repeat(5000) });
    client.write(chatHead('sk-AAAAAAAAAAAAAAAAAAAAAA', body));
    client.write(body.slice(0, 100));
    const started = Date.now();
    const response = parseRawResponse(await client.closed);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(response.status).toBe(401);
    expect(response.headers).toContain('connection: close');
    expect(response.body).toMatchObject({ error: { type: 'authentication_error' } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('answers an unknown /v1 path with 404 and closes, the body still incomplete', async () => {
    const client = await openRawClient(h.url);
    client.write(
      requestHead('POST', '/v1/not-an-endpoint', {
        'content-type': 'application/json',
        'content-length': '5000',
      }),
    );
    client.write('{"a":');
    const response = parseRawResponse(await client.closed);
    expect(response.status).toBe(404);
    expect(response.headers).toContain('connection: close');
  });

  it('answers 413 for a declared body over MAX_REQUEST_SIZE at once and closes', async () => {
    const issued = await h.issueToken();
    const client = await openRawClient(h.url);
    client.write(chatHead(issued.token, '', { 'content-length': String(60 * 1024 * 1024) }));
    client.write('{"model":');
    const response = parseRawResponse(await client.closed);
    expect(response.status).toBe(413);
    expect(response.headers).toContain('connection: close');
  });

  it('answers a management call without its token with 401 and closes without reading the body', async () => {
    const client = await openRawClient(h.url);
    client.write(
      requestHead('POST', '/manage/projects', {
        'content-type': 'application/json',
        'content-length': '5000',
      }),
    );
    client.write('{"name":');
    const started = Date.now();
    const response = parseRawResponse(await client.closed);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(response.status).toBe(401);
    expect(response.headers).toContain('connection: close');
    expect(response.body).toMatchObject({ code: 'missing_authorization' });
  });

  it('keeps the connection open after a refusal whose body was complete', async () => {
    const client = await openRawClient(h.url);
    const body = chatBody();
    // A well-formed token that does not exist: refused after a database lookup, once the body has arrived.
    client.write(chatHead(generateToken(), body) + body);
    const text = await client.waitFor('}}');
    expect(parseRawResponse(text).status).toBe(401);
    expect(parseRawResponse(text).headers).not.toContain('connection: close');
    expect(client.socket.destroyed).toBe(false);
    client.destroy();
  });
});
