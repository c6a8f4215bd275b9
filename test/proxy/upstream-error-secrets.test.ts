import { brotliCompressSync, gzipSync } from 'node:zlib';

import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { rawRequest, sleep } from '../helpers/network.js';
import { JSON_HEADERS, chatBody } from '../helpers/proxy-requests.js';

const KEY = 'sk-proj-upstream-secret-key-0123456789abcdefXYZ';
const MASK = `sk-p${'*'.repeat(KEY.length - 8)}fXYZ`;
const ECHO = { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error' } };

describe('upstream answers keep the project key and cookies from the client', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway();
    issued = await h.issueToken({ apiKey: KEY });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
  });

  const chat = (headers: Record<string, string> = {}) =>
    rawRequest(h.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${issued.token}`, ...JSON_HEADERS, ...headers },
      body: chatBody(),
    });

  it('masks the key in an error body, keeping its length and status', async () => {
    h.upstream.script((_request, res) => {
      sendJson(res, 401, ECHO, { 'x-echo': `key ${KEY}` });
    });
    const response = await chat();
    expect(response.status).toBe(401);
    expect(response.body).not.toContain(KEY);
    expect(JSON.parse(response.body)).toEqual({
      error: { message: `Incorrect API key provided: ${MASK}.`, type: 'invalid_request_error' },
    });
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
    expect(response.headers['x-echo']).toBe(`key ${MASK}`);
  });

  it('masks a key split across chunks of a chunked error body', async () => {
    const text = JSON.stringify(ECHO);
    const split = text.indexOf(KEY) + 10;
    h.upstream.script(async (_request, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.write(text.slice(0, split - 7));
      await sleep(20);
      res.write(text.slice(split - 7, split));
      await sleep(20);
      res.end(text.slice(split));
    });
    const response = await chat();
    expect(response.status).toBe(500);
    expect(response.body).toBe(text.replace(KEY, MASK));
  });

  it('shows the OpenAI SDK an error message without the key', async () => {
    h.upstream.script((_request, res) => {
      sendJson(res, 401, ECHO);
    });
    const error = await h
      .openai(issued.token)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as Error).message).not.toContain(KEY);
    expect((error as Error).message).toContain(MASK);
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ] as const)('decodes a %s error body to mask it, and sends it decoded', async (coding, encode) => {
    h.upstream.script((_request, res) => {
      const body = encode(Buffer.from(JSON.stringify(ECHO)));
      res.writeHead(400, { 'content-type': 'application/json', 'content-encoding': coding });
      res.end(body);
    });
    const response = await chat({ 'accept-encoding': 'gzip, br' });
    expect(response.status).toBe(400);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe(JSON.stringify(ECHO).replace(KEY, MASK));
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
  });

  it('relays an empty encoded error answer as it came', async () => {
    h.upstream.script((_request, res) => {
      res.writeHead(429, { 'content-encoding': 'gzip', 'content-length': '0' });
      res.end();
    });
    const response = await chat();
    expect(response.status).toBe(429);
    expect(response.body).toBe('');
    expect(response.headers['content-encoding']).toBe('gzip');
  });

  it('withholds an error body in an encoding it cannot read, keeping the status', async () => {
    h.upstream.script((_request, res) => {
      res.writeHead(403, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
      res.end(Buffer.from(JSON.stringify(ECHO)));
    });
    const response = await chat();
    expect(response.status).toBe(403);
    expect(response.body).not.toContain(KEY);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'upstream_error_withheld' } });
  });

  it('relays a successful answer byte for byte', async () => {
    const answer = { id: 'x', echo: `a 200 is the client's own business: ${KEY}` };
    h.upstream.script((_request, res) => {
      sendJson(res, 200, answer);
    });
    const response = await chat();
    expect(response.status).toBe(200);
    expect(response.body).toBe(JSON.stringify(answer));
  });

  it('drops upstream Set-Cookie headers', async () => {
    h.upstream.script((_request, res) => {
      res.setHeader('set-cookie', ['__cf_bm=abc; Path=/; HttpOnly', 'session=1']);
      sendJson(res, 200, { ok: true });
    });
    const response = await chat();
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(JSON.parse(response.body)).toEqual({ ok: true });
  });
});
