import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { sendJson } from '../helpers/fake-upstream.js';
import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import type { IssuedToken } from '../helpers/management.js';
import { rawRequest } from '../helpers/network.js';
import { chatBody, errorOf } from '../helpers/proxy-requests.js';

const LIMIT = 64 * 1024;
const ALLOWED = chatBody({ model: 'gpt-4o-mini' });
const REFUSED = chatBody({ model: 'gpt-3.5-turbo' });
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const BOUNDARY = 'form-boundary-7MA4YWxk';

/** A multipart/form-data body with the given text fields, a file last. */
function multipart(fields: readonly (readonly [string, string])[], file = Buffer.from('RIFF')): Buffer {
  const parts = fields.map(
    ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

describe('a param_whitelist fails closed', () => {
  let h: TestGateway;
  let issued: IssuedToken;
  let unchecked: IssuedToken;
  beforeAll(async () => {
    h = await startTestGateway({
      env: { MAX_REQUEST_SIZE: `${LIMIT}B` },
      openai: { param_whitelist: { model: ['gpt-4o*', 'whisper-1'] } },
    });
    issued = await h.issueToken();
    unchecked = await h.issueToken({ provider: 'anthropic' });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.reset();
    // Answers whatever it receives: some bodies here are not the JSON the default script parses.
    h.upstream.script((_request, res) => {
      sendJson(res, 200, { ok: true });
    });
    h.anthropic.requests.length = 0;
  });

  const post = (path: string, headers: Record<string, string>, body: string | Buffer) =>
    rawRequest(h.url, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${issued.token}`, ...headers },
      body,
    });
  const chat = (headers: Record<string, string>, body: string | Buffer) =>
    post('/v1/chat/completions', headers, body);
  const codeOf = (response: { body: string }): unknown =>
    (JSON.parse(response.body) as { error: { code: string } }).error.code;

  describe('content types', () => {
    it.each([
      ['application/octet-stream'],
      ['text/plain'],
      ['application/x-unknown'],
      ['application/json; charset=utf-8'],
      ['application/vnd.api+json'],
    ])('checks a JSON body labelled %s', async (contentType) => {
      const refused = await chat({ 'content-type': contentType }, REFUSED);
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('param_not_allowed');
      expect(h.upstream.requests).toHaveLength(0);
      const allowed = await chat({ 'content-type': contentType }, ALLOWED);
      expect(allowed.status).toBe(200);
      expect(h.upstream.requests[0]?.body.toString()).toBe(ALLOWED);
    });

    it('checks a JSON body that starts with a byte-order mark, and forwards it as sent', async () => {
      const refused = await chat(
        { 'content-type': 'text/plain' },
        Buffer.concat([BOM, Buffer.from(REFUSED)]),
      );
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('param_not_allowed');
      expect(h.upstream.requests).toHaveLength(0);
      const body = Buffer.concat([BOM, Buffer.from(ALLOWED)]);
      const allowed = await chat({ 'content-type': 'application/json' }, body);
      expect(allowed.status).toBe(200);
      expect(h.upstream.requests[0]?.body.equals(body)).toBe(true);
    });

    it('refuses a body that is neither JSON nor a form with 415 uncheckable_body', async () => {
      const response = await chat({ 'content-type': 'application/octet-stream' }, randomBytes(256));
      expect(response.status).toBe(415);
      expect(codeOf(response)).toBe('uncheckable_body');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it.each([
      'text/plain, application/json',
      'application/json, multipart/form-data; boundary=x',
      'application/json;;x',
    ])('refuses the Content-Type %j, which is not one media type, with 415', async (contentType) => {
      const response = await chat({ 'content-type': contentType }, REFUSED);
      expect(response.status).toBe(415);
      expect(codeOf(response)).toBe('uncheckable_body');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('refuses a charset other than UTF-8 with 415', async () => {
      const response = await chat({ 'content-type': 'application/json; charset=utf-16' }, ALLOWED);
      expect(response.status).toBe(415);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'uncheckable_body' } });
      expect(JSON.parse(response.body).error.message).toContain('utf-16');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('checks every line of a JSON lines body', async () => {
      const lines = `${ALLOWED}\n${REFUSED}\n`;
      const refused = await chat({ 'content-type': 'application/jsonl' }, lines);
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('param_not_allowed');
      const allowed = await chat({ 'content-type': 'application/x-ndjson' }, `${ALLOWED}\r\n${ALLOWED}\n`);
      expect(allowed.status).toBe(200);
      expect(h.upstream.requests).toHaveLength(1);
    });

    it('checks the fields of a urlencoded form, with percent-encoded names decoded', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      for (const body of ['model=gpt-3.5-turbo', 'mod%65l=gpt-3.5-turbo&x=1', 'x=1&model=gpt+3']) {
        const response = await chat(form, body);
        expect(response.status, body).toBe(400);
        expect(codeOf(response)).toBe('param_not_allowed');
      }
      expect(h.upstream.requests).toHaveLength(0);
      const allowed = await chat(form, 'model=gpt-4o&messages=x');
      expect(allowed.status).toBe(200);
      expect(h.upstream.requests[0]?.body.toString()).toBe('model=gpt-4o&messages=x');
    });

    it('refuses a urlencoded form with a raw ; (which some decoders split on) with 400 invalid_form', async () => {
      const response = await chat(
        { 'content-type': 'application/x-www-form-urlencoded' },
        'model=gpt-4o;model=gpt-3.5-turbo',
      );
      expect(response.status).toBe(400);
      expect(codeOf(response)).toBe('invalid_form');
      expect(h.upstream.requests).toHaveLength(0);
    });
  });

  describe('repeated keys', () => {
    it.each([
      '{"model":"gpt-4o","model":"gpt-3.5-turbo"}',
      '{"model":"gpt-3.5-turbo","messages":[{"model":"x"}],"model":"gpt-4o"}',
      '{"model":"gpt-3.5-turbo","\\u006dodel":"gpt-4o"}',
    ])('refuses %s with 400 duplicate_param', async (body) => {
      const response = await chat({ 'content-type': 'application/json' }, body);
      expect(response.status).toBe(400);
      expect(codeOf(response)).toBe('duplicate_param');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('forwards a body that repeats a key only inside nested objects', async () => {
      const body =
        '{"model":"gpt-4o","messages":[{"role":"user","model":"a"},{"model":"b"}],"x":{"model":1}}';
      const response = await chat({ 'content-type': 'application/json' }, body);
      expect(response.status).toBe(200);
      expect(h.upstream.requests[0]?.body.toString()).toBe(body);
    });

    it('refuses a form that repeats a checked field', async () => {
      const response = await post(
        '/v1/audio/transcriptions',
        { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        multipart([
          ['model', 'whisper-1'],
          ['model', 'gpt-3.5-turbo'],
        ]),
      );
      expect(response.status).toBe(400);
      expect(codeOf(response)).toBe('duplicate_param');
      expect(h.upstream.requests).toHaveLength(0);
    });
  });

  describe('multipart forms', () => {
    it('checks the model field of a transcription sent by the OpenAI SDK', async () => {
      h.upstream.script((request, res) => {
        sendJson(res, 200, { text: `received ${String(request.body.length)} bytes` });
      });
      const audio = randomBytes(4 * 1024);
      const client: OpenAI = h.openai(issued.token);
      const refused = await client.audio.transcriptions
        .create({ file: await toFile(audio, 'speech.mp3', { type: 'audio/mpeg' }), model: 'gpt-3.5-turbo' })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('param_not_allowed');
      expect(h.upstream.requests).toHaveLength(0);
      const transcription = await client.audio.transcriptions.create({
        file: await toFile(audio, 'speech.mp3', { type: 'audio/mpeg' }),
        model: 'whisper-1',
      });
      const received = h.upstream.requests[0]!;
      expect(transcription.text).toBe(`received ${String(received.body.length)} bytes`);
      expect(received.body.includes(audio)).toBe(true);
    });

    it.each([
      ['a JSON body', ALLOWED],
      [
        'a form with bare LF line ends',
        multipart([['model', 'gpt-3.5-turbo']])
          .toString('latin1')
          .replaceAll('\r\n', '\n'),
      ],
      ['a form without its close delimiter', multipart([['model', 'whisper-1']]).subarray(0, -8)],
      [
        'a form naming its field with name*=',
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name*=utf-8''model\r\n\r\ngpt-3.5-turbo\r\n--${BOUNDARY}--\r\n`,
      ],
      [
        'a form with a base64 part',
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\nContent-Transfer-Encoding: base64\r\n\r\nZ3B0LTMuNQ==\r\n--${BOUNDARY}--\r\n`,
      ],
    ])('refuses %s labelled multipart/form-data with 400 invalid_form', async (_what, body) => {
      const response = await post(
        '/v1/audio/transcriptions',
        { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        body,
      );
      expect(response.status).toBe(400);
      expect(codeOf(response)).toBe('invalid_form');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('refuses a multipart body over MAX_REQUEST_SIZE with 413', async () => {
      const response = await post(
        '/v1/audio/transcriptions',
        { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        multipart([['model', 'whisper-1']], randomBytes(2 * LIMIT)),
      );
      expect(response.status).toBe(413);
      expect(codeOf(response)).toBe('payload_too_large');
      expect(h.upstream.requests).toHaveLength(0);
    });
  });

  describe('content encodings', () => {
    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const)('decodes a %s body, checks it and forwards the checked bytes', async (coding, encode) => {
      const refused = await chat(
        { 'content-type': 'application/json', 'content-encoding': coding },
        encode(Buffer.from(REFUSED)),
      );
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('param_not_allowed');
      expect(h.upstream.requests).toHaveLength(0);
      const allowed = await chat(
        { 'content-type': 'application/json', 'content-encoding': coding },
        encode(Buffer.from(ALLOWED)),
      );
      expect(allowed.status).toBe(200);
      const received = h.upstream.requests[0]!;
      expect(received.body.toString()).toBe(ALLOWED);
      expect(received.headers['content-encoding']).toBeUndefined();
      expect(received.headers['content-length']).toBe(String(Buffer.byteLength(ALLOWED)));
    });

    it('decodes stacked codings, the last applied first', async () => {
      const response = await chat(
        { 'content-type': 'application/json', 'content-encoding': 'deflate, gzip' },
        gzipSync(deflateSync(Buffer.from(REFUSED))),
      );
      expect(response.status).toBe(400);
      expect(codeOf(response)).toBe('param_not_allowed');
    });

    it('refuses a gzip bomb with 413 once its decoded size passes MAX_REQUEST_SIZE', async () => {
      const bomb = gzipSync(Buffer.from(`{"model":"gpt-4o","pad":"${' '.repeat(64 * LIMIT)}"}`));
      expect(bomb.length).toBeLessThan(LIMIT);
      const response = await chat({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb);
      expect(response.status).toBe(413);
      expect(codeOf(response)).toBe('payload_too_large');
      expect(JSON.parse(response.body).error.message).toContain('decoded');
      expect(h.upstream.requests).toHaveLength(0);
    });

    it('refuses an encoding it cannot decode with 415 and corrupt data with 400', async () => {
      const zstd = await chat({ 'content-type': 'application/json', 'content-encoding': 'zstd' }, REFUSED);
      expect(zstd.status).toBe(415);
      expect(codeOf(zstd)).toBe('unsupported_content_encoding');
      const corrupt = await chat({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, REFUSED);
      expect(corrupt.status).toBe(400);
      expect(codeOf(corrupt)).toBe('invalid_content_encoding');
      expect(h.upstream.requests).toHaveLength(0);
    });
  });

  describe('without a whitelist', () => {
    it('streams encoded and binary bodies through untouched', async () => {
      const encoded = gzipSync(Buffer.from('{"model":"claude-x","max_tokens":1,"messages":[]}'));
      const response = await rawRequest(h.url, {
        method: 'POST',
        path: '/v1/messages',
        headers: {
          'x-api-key': unchecked.token,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        body: encoded,
      });
      expect(response.status).toBeLessThan(500);
      const received = h.anthropic.requests[0]!;
      expect(received.body.equals(encoded)).toBe(true);
      expect(received.headers['content-encoding']).toBe('gzip');
    });
  });

  it('still answers refusals in the OpenAI error shape', async () => {
    const response = await h.proxy('/v1/chat/completions', {
      method: 'POST',
      token: issued.token,
      headers: { 'content-type': 'text/plain, application/json' },
      body: REFUSED,
    });
    expect(response.status).toBe(415);
    expect(await errorOf(response)).toMatchObject({
      code: 'uncheckable_body',
      type: 'invalid_request_error',
    });
  });
});
