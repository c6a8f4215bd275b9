import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import type { EventBody, OmittedBody } from '../../../src/events/index.js';
import { decodeExchange } from '../../../src/events/transform/decode-exchange.js';
import type { DecodedBody } from '../../../src/events/transform/decoded-exchange.js';
import {
  CHAT_REQUEST,
  CHAT_RESPONSE,
  brotliBody,
  bytesBody,
  deflateBody,
  gzipBody,
  jsonBody,
  omittedBody,
  proxyEvent,
  textBody,
  truncateBody,
} from '../event-fixtures.js';

const CHAT_JSON = JSON.stringify(CHAT_RESPONSE);
const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  randomBytes(64),
]);

function response(body: EventBody | OmittedBody | null): DecodedBody {
  return decodeExchange(proxyEvent({ responseBody: body })).response;
}

function request(body: EventBody | OmittedBody | null): DecodedBody {
  return decodeExchange(proxyEvent({ requestBody: body })).request;
}

describe('decodeExchange: bodies', () => {
  const responseCases: [string, EventBody | OmittedBody | null, DecodedBody][] = [
    ['no body', null, { kind: 'none' }],
    ['plain JSON', jsonBody(CHAT_RESPONSE), { kind: 'json', value: CHAT_RESPONSE }],
    ['gzip JSON', gzipBody(CHAT_JSON), { kind: 'json', value: CHAT_RESPONSE }],
    ['brotli JSON', brotliBody(CHAT_JSON), { kind: 'json', value: CHAT_RESPONSE }],
    ['deflate JSON', deflateBody(CHAT_JSON), { kind: 'json', value: CHAT_RESPONSE }],
    [
      'JSON under a +json type',
      jsonBody({ type: 'about:blank', status: 400 }, { contentType: 'application/problem+json' }),
      { kind: 'json', value: { type: 'about:blank', status: 400 } },
    ],
    [
      'JSON text without a content type',
      jsonBody({ a: 1 }, { contentType: null }),
      { kind: 'json', value: { a: 1 } },
    ],
    ['JSON text served as text/plain', textBody('[1,2]'), { kind: 'json', value: [1, 2] }],
    ['plain text stays text', textBody('upstream overloaded'), { kind: 'text', text: 'upstream overloaded' }],
    ['a bare literal under text/plain stays text', textBody('true'), { kind: 'text', text: 'true' }],
    ['a JSON string', jsonBody('x'), { kind: 'json', value: 'x' }],
    [
      'invalid JSON under a JSON type is text',
      textBody('{"a":', { contentType: 'application/json' }),
      {
        kind: 'text',
        text: '{"a":',
      },
    ],
    [
      'HTML error page',
      textBody('<html>502</html>', { contentType: 'text/html' }),
      {
        kind: 'text',
        text: '<html>502</html>',
      },
    ],
    [
      'an image',
      bytesBody(PNG_BYTES, { contentType: 'image/png' }),
      { kind: 'omitted', note: '<binary response omitted>' },
    ],
    [
      'audio',
      bytesBody(Buffer.from('ID3fake'), { contentType: 'audio/mpeg' }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'video',
      bytesBody(Buffer.from('....'), { contentType: 'video/mp4' }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'a PDF',
      bytesBody(Buffer.from('%PDF-1.7'), { contentType: 'application/pdf' }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'octet-stream even when it is text',
      textBody('abc', { contentType: 'application/octet-stream' }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'bytes that are not UTF-8',
      bytesBody(PNG_BYTES, { contentType: null }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'gzip of bytes that are not UTF-8',
      gzipBody(PNG_BYTES, { contentType: null }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'an encoding we cannot undo',
      bytesBody(randomBytes(32), { contentEncoding: 'zstd' }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'corrupt gzip',
      bytesBody(Buffer.from('not gzip at all'), { contentEncoding: 'gzip' }),
      {
        kind: 'omitted',
        note: '<binary response omitted>',
      },
    ],
    [
      'multipart',
      textBody('--b\r\n\r\nx\r\n--b--', { contentType: 'multipart/form-data; boundary=b' }),
      {
        kind: 'omitted',
        note: '<multipart response omitted>',
      },
    ],
    [
      'a body left out by configuration',
      omittedBody('disabled'),
      {
        kind: 'omitted',
        note: '<response body not captured: disabled>',
      },
    ],
  ];

  it.each(responseCases)('response: %s', (_name, body, expected) => {
    expect(response(body)).toEqual(expected);
  });

  const requestCases: [string, EventBody | OmittedBody | null, DecodedBody][] = [
    ['no body (GET)', null, { kind: 'none' }],
    ['JSON', jsonBody(CHAT_REQUEST), { kind: 'json', value: CHAT_REQUEST }],
    ['gzip JSON', gzipBody(JSON.stringify(CHAT_REQUEST)), { kind: 'json', value: CHAT_REQUEST }],
    [
      'an upload relayed as it arrived',
      omittedBody('streamed', { contentType: 'multipart/form-data; boundary=x' }),
      {
        kind: 'omitted',
        note: '<request body not captured: streamed>',
      },
    ],
    [
      'a multipart upload',
      textBody('--x\r\n', { contentType: 'multipart/form-data; boundary=x' }),
      {
        kind: 'omitted',
        note: '<multipart request omitted>',
      },
    ],
    [
      'raw audio',
      bytesBody(PNG_BYTES, { contentType: 'audio/wav' }),
      { kind: 'omitted', note: '<binary request omitted>' },
    ],
  ];

  it.each(requestCases)('request: %s', (_name, body, expected) => {
    expect(request(body)).toEqual(expected);
  });

  it('a JSON body cut at the capture cap that no longer parses is kept as text', () => {
    const cut = truncateBody(jsonBody(CHAT_RESPONSE), 60);
    expect(response(cut)).toEqual({ kind: 'text', text: CHAT_JSON.slice(0, 60) });
  });

  it('a text body cut inside a multi-byte character keeps the characters before it', () => {
    const bytes = Buffer.from('Grüße 👋', 'utf8');
    const cut = bytesBody(bytes.subarray(0, bytes.length - 2), {
      contentType: 'text/plain',
      size: bytes.length,
    });
    expect(cut.encoding).toBe('base64');
    expect(response(cut)).toEqual({ kind: 'text', text: 'Grüße ' });
  });

  it.each([
    ['gzip', gzipBody],
    ['br', brotliBody],
    ['deflate', deflateBody],
  ])('a %s body cut at the capture cap decodes as far as it goes', (_name, compress) => {
    // Hex digits compress only about by half: a cut halfway through the bytes leaves plenty of text.
    const text = randomBytes(8000).toString('hex');
    const whole = compress(text, { contentType: 'text/plain' });
    const cut = truncateBody(whole, Math.floor(Buffer.from(whole.data, 'base64').length / 2));
    const decoded = response(cut);
    expect(decoded.kind).toBe('text');
    const partial = decoded.kind === 'text' ? decoded.text : '';
    expect(partial.length).toBeGreaterThan(1000);
    expect(text.startsWith(partial)).toBe(true);
  });

  it('layered codings are undone from the last applied', () => {
    const twice = bytesBody(gzipSync(gzipSync(CHAT_JSON)), { contentEncoding: 'gzip, gzip' });
    expect(response(twice)).toEqual({ kind: 'json', value: CHAT_RESPONSE });
    const identity = bytesBody(Buffer.from(CHAT_JSON), { contentEncoding: 'identity' });
    expect(response(identity)).toEqual({ kind: 'json', value: CHAT_RESPONSE });
  });

  it('a zip bomb is left out instead of filling memory', () => {
    const bomb = bytesBody(gzipSync(Buffer.alloc(64 * 1024 * 1024)), {
      contentEncoding: 'gzip',
      contentType: 'text/plain',
    });
    expect(Buffer.from(bomb.data, 'base64').length).toBeLessThan(100 * 1024);
    expect(response(bomb)).toEqual({ kind: 'omitted', note: '<response body too large to decode>' });
  });

  it('a byte order mark does not stop JSON from parsing', () => {
    expect(response(textBody('\uFEFF{"ok":true}', { contentType: 'application/json' }))).toEqual({
      kind: 'json',
      value: { ok: true },
    });
  });

  it('a non-streamed answer is not marked streamed and the event is left unchanged', () => {
    const event = proxyEvent();
    const before = structuredClone(event);
    const decoded = decodeExchange(event);
    expect(decoded.streamed).toBe(false);
    expect(event).toEqual(before);
  });
});
