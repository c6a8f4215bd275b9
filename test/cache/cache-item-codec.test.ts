import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  CACHE_ITEM_CODEC_VERSION,
  decodeCacheItem,
  encodeCacheItem,
} from '../../src/cache/cache-item-codec.js';
import type { CachedResponse, VaryMarker } from '../../src/cache/cached-response.js';

const origin = {
  scope: 'project-ü',
  provider: 'openai',
  method: 'POST',
  url: '/v1/chat/completions?x=%E2%9C%93',
};

const stream: CachedResponse = {
  kind: 'response',
  status: 200,
  headers: {
    'content-type': 'text/event-stream',
    'x-repeated': ['one', 'two, three', ''],
    'x-empty-list': [],
    'x-unicode': 'größe ✓',
  },
  chunks: [
    Buffer.from('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'),
    Buffer.alloc(0),
    Buffer.from([0, 255, 13, 10, 0]),
    Buffer.from('data: [DONE]\n\n'),
  ],
  storedAt: 1_767_225_600_123,
  expiresAt: 1_767_225_900_123,
  origin,
};

const marker: VaryMarker = {
  kind: 'vary',
  headers: ['accept-language', 'openai-organization'],
  expiresAt: 1_767_225_900_000,
  origin,
};

describe('cache item codec', () => {
  it('gives back a response exactly, its chunks apart and byte for byte', () => {
    const encoded = encodeCacheItem(stream);
    expect(encoded[0]).toBe(CACHE_ITEM_CODEC_VERSION);
    const decoded = decodeCacheItem(encoded) as CachedResponse;
    expect(decoded).toEqual(stream);
    expect(decoded.chunks).toHaveLength(4);
    for (const [index, chunk] of decoded.chunks.entries()) {
      expect(Buffer.compare(chunk, stream.chunks[index]!)).toBe(0);
    }
  });

  it('gives back a vary marker, and a response with no headers and no body', () => {
    expect(decodeCacheItem(encodeCacheItem(marker))).toEqual(marker);
    const bare: CachedResponse = { ...stream, status: 204, headers: {}, chunks: [] };
    expect(decodeCacheItem(encodeCacheItem(bare))).toEqual(bare);
  });

  it('keeps a header named __proto__ as a header', () => {
    const headers = JSON.parse('{"__proto__":"value","a":"b"}') as Record<string, string>;
    const decoded = decodeCacheItem(encodeCacheItem({ ...stream, headers })) as CachedResponse;
    expect(Object.keys(decoded.headers)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(decoded.headers)).toBe(Object.prototype);
  });

  it('stores bodies as their bytes, without an encoding overhead', () => {
    const body = randomBytes(100_000);
    const encoded = encodeCacheItem({ ...stream, chunks: [body] });
    expect(encoded.length).toBeLessThan(body.length + 400);
  });

  it('reads a value of another version, an unknown kind or a malformed header as nothing', () => {
    const encoded = encodeCacheItem(stream);
    const otherVersion = Buffer.from(encoded);
    otherVersion[0] = CACHE_ITEM_CODEC_VERSION + 1;
    expect(decodeCacheItem(otherVersion)).toBeUndefined();
    const otherKind = Buffer.from(encoded);
    otherKind[1] = 7;
    expect(decodeCacheItem(otherKind)).toBeUndefined();

    const oneHeader = encodeCacheItem({ ...stream, headers: { a: 'b' }, chunks: [] });
    // The form byte of the only header: after its name (4 + 1 bytes), from the end: value (4 + 1), chunk count (4).
    const badForm = Buffer.from(oneHeader);
    badForm[badForm.length - 4 - 5 - 1] = 9;
    expect(decodeCacheItem(badForm)).toBeUndefined();
  });

  it('reads every value cut short, or with bytes after its end, as nothing', () => {
    for (const item of [stream, marker]) {
      const encoded = encodeCacheItem(item);
      for (let length = 0; length < encoded.length; length += 1) {
        expect(decodeCacheItem(encoded.subarray(0, length))).toBeUndefined();
      }
      expect(decodeCacheItem(Buffer.concat([encoded, Buffer.from([0])]))).toBeUndefined();
    }
  });

  it('reads garbage as nothing, without throwing or allocating what a bogus length claims', () => {
    expect(decodeCacheItem(Buffer.from('not a cache item'))).toBeUndefined();
    expect(decodeCacheItem(Buffer.from('{"status_code":200,"headers":{},"body":""}'))).toBeUndefined();
    const hugeCount = encodeCacheItem({ ...stream, chunks: [] });
    hugeCount.writeUInt32BE(0xffffffff, hugeCount.length - 4);
    expect(decodeCacheItem(hugeCount)).toBeUndefined();
    for (let round = 0; round < 500; round += 1) {
      const noise = randomBytes(1 + (round % 200));
      noise[0] = CACHE_ITEM_CODEC_VERSION;
      expect(() => decodeCacheItem(noise)).not.toThrow();
    }
  });
});
