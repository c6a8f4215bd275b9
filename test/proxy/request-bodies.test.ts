import { createHash, randomBytes } from 'node:crypto';

import { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { JSON_HEADERS, chatBody, errorOf } from '../helpers/proxy-requests.js';

const LIMIT = 1024;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** A request body that arrives in pieces, without Content-Length. */
function chunked(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.subarray(offset, offset + size));
      offset += size;
    },
  });
}

describe('request bodies', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway({ env: { MAX_REQUEST_SIZE: '1KB' } });
    issued = await h.issueToken();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  it('refuses a JSON body over MAX_REQUEST_SIZE with 413 and sends nothing upstream', async () => {
    const body = chatBody({ padding: 'x'.repeat(2 * LIMIT) });
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await errorOf(response)).toMatchObject({ code: 'payload_too_large' });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses a chunked JSON body (no Content-Length) once it grows past the limit', async () => {
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body: chunked(Buffer.from(chatBody({ padding: 'x'.repeat(4 * LIMIT) })), 256),
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('forwards a JSON body just under the limit unchanged', async () => {
    const body = chatBody({ padding: 'y'.repeat(LIMIT - chatBody({ padding: '' }).length - 1) });
    expect(Buffer.byteLength(body)).toBe(LIMIT - 1);
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: JSON_HEADERS,
      body,
    });
    expect(response.status).toBe(200);
    expect(h.upstream.requests[0]?.body.toString()).toBe(body);
  });

  it('streams a 5 MB binary upload through unchanged, whatever MAX_REQUEST_SIZE says', async () => {
    h.upstream.script((request, res) => {
      sendJson(res, 200, { id: 'file-abc', object: 'file', bytes: request.body.length });
    });
    const data = randomBytes(5 * 1024 * 1024);
    const response = await h.proxy('/v1/files', {
      method: 'POST',
      token: issued.token,
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'file-abc', object: 'file', bytes: data.length });
    const received = h.upstream.requests[0]!;
    expect(received.headers['content-type']).toBe('application/octet-stream');
    expect(received.headers['content-length']).toBe(String(data.length));
    expect(sha256(received.body)).toBe(sha256(data));
  });

  it('streams a chunked binary upload (no Content-Length) through unchanged', async () => {
    h.upstream.script((request, res) => {
      sendJson(res, 200, { bytes: request.body.length });
    });
    const data = randomBytes(1024 * 1024 + 7);
    const response = await h.proxy('/v1/files', {
      method: 'POST',
      token: issued.token,
      headers: { 'content-type': 'application/octet-stream' },
      body: chunked(data, 64 * 1024),
      duplex: 'half',
    });
    expect(response.status).toBe(200);
    expect(sha256(h.upstream.requests[0]!.body)).toBe(sha256(data));
  });

  it('passes a multipart transcription upload from the SDK through byte for byte', async () => {
    h.upstream.script((request, res) => {
      sendJson(res, 200, { text: `received ${String(request.body.length)} bytes` });
    });
    const audio = randomBytes(64 * 1024);
    const transcription = await h.openai(issued.token).audio.transcriptions.create({
      file: await toFile(audio, 'speech.mp3', { type: 'audio/mpeg' }),
      model: 'whisper-1',
    });
    const received = h.upstream.requests[0]!;
    expect(transcription.text).toBe(`received ${String(received.body.length)} bytes`);
    expect(received.url).toBe('/v1/audio/transcriptions');
    const contentType = received.headers['content-type'] ?? '';
    const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
    expect(contentType).toMatch(/^multipart\/form-data/);
    expect(received.body.includes(`--${boundary ?? 'missing'}`)).toBe(true);
    expect(received.body.includes(audio)).toBe(true);
    expect(received.body.includes('name="model"')).toBe(true);
    expect(received.body.includes('whisper-1')).toBe(true);
  });
});
