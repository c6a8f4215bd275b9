import type { CacheEntryOrigin, CacheItem, StoredHeaders } from './cached-response.js';

/**
 * The binary form of a cache item, as the Redis store keeps it. Binary rather than JSON so that bodies are
 * stored as their bytes (no base64: a third smaller, no encoding cost on a hit) and a stream's chunks stay
 * apart, so that a replay streams the same bytes in the same pieces.
 *
 *     u8 version (1) · u8 kind (0 response, 1 vary) · f64 expiresAt · origin (4 strings)
 *     response:  u16 status · f64 storedAt · u32 header count · per header: string name, u8 form
 *                (0 one value, 1 a list: u32 count), string value(s) · u32 chunk count · per chunk: bytes
 *     vary:      u32 name count · string names
 *
 * A string is u32 byte length + UTF-8, bytes are u32 length + the bytes; integers big-endian. A value that
 * does not decode — another version, cut short, trailing bytes — decodes as undefined, never as a wrong item.
 */
export const CACHE_ITEM_CODEC_VERSION = 1;

const KIND_RESPONSE = 0;
const KIND_VARY = 1;
const FORM_ONE = 0;
const FORM_LIST = 1;
/** Version, kind and expiresAt. */
const FIXED_HEAD = 1 + 1 + 8;

/** The bytes of an item. */
export function encodeCacheItem(item: CacheItem): Buffer {
  const buffer = Buffer.allocUnsafe(encodedLength(item));
  let at = buffer.writeUInt8(CACHE_ITEM_CODEC_VERSION, 0);
  at = buffer.writeUInt8(item.kind === 'response' ? KIND_RESPONSE : KIND_VARY, at);
  at = buffer.writeDoubleBE(item.expiresAt, at);
  const { origin } = item;
  for (const text of [origin.scope, origin.provider, origin.method, origin.url])
    at = writeString(buffer, text, at);
  if (item.kind === 'vary') {
    at = buffer.writeUInt32BE(item.headers.length, at);
    for (const name of item.headers) at = writeString(buffer, name, at);
    return buffer;
  }
  at = buffer.writeUInt16BE(item.status, at);
  at = buffer.writeDoubleBE(item.storedAt, at);
  const headers = Object.entries(item.headers);
  at = buffer.writeUInt32BE(headers.length, at);
  for (const [name, value] of headers) {
    at = writeString(buffer, name, at);
    if (typeof value === 'string') {
      at = buffer.writeUInt8(FORM_ONE, at);
      at = writeString(buffer, value, at);
    } else {
      at = buffer.writeUInt8(FORM_LIST, at);
      at = buffer.writeUInt32BE(value.length, at);
      for (const part of value) at = writeString(buffer, part, at);
    }
  }
  at = buffer.writeUInt32BE(item.chunks.length, at);
  for (const chunk of item.chunks) {
    at = buffer.writeUInt32BE(chunk.length, at);
    at += chunk.copy(buffer, at);
  }
  return buffer;
}

/**
 * The item in `value`, or undefined when it is not a value this version wrote. The chunks are views of
 * `value`, not copies.
 */
export function decodeCacheItem(value: Buffer): CacheItem | undefined {
  try {
    return decode(new Reader(value));
  } catch (error) {
    if (error instanceof MalformedValue || error instanceof RangeError) return undefined;
    throw error;
  }
}

function decode(reader: Reader): CacheItem | undefined {
  if (reader.u8() !== CACHE_ITEM_CODEC_VERSION) return undefined;
  const kind = reader.u8();
  const expiresAt = reader.f64();
  const origin: CacheEntryOrigin = {
    scope: reader.string(),
    provider: reader.string(),
    method: reader.string(),
    url: reader.string(),
  };
  if (kind === KIND_VARY) {
    const headers: string[] = [];
    for (let count = reader.count(); count > 0; count -= 1) headers.push(reader.string());
    reader.end();
    return { kind: 'vary', headers, expiresAt, origin };
  }
  if (kind !== KIND_RESPONSE) return undefined;
  const status = reader.u16();
  const storedAt = reader.f64();
  const headers: [string, string | readonly string[]][] = [];
  for (let count = reader.count(); count > 0; count -= 1) {
    const name = reader.string();
    const form = reader.u8();
    if (form === FORM_ONE) {
      headers.push([name, reader.string()]);
    } else if (form === FORM_LIST) {
      const parts: string[] = [];
      for (let partCount = reader.count(); partCount > 0; partCount -= 1) parts.push(reader.string());
      headers.push([name, parts]);
    } else {
      throw new MalformedValue();
    }
  }
  const chunks: Buffer[] = [];
  for (let count = reader.count(); count > 0; count -= 1) chunks.push(reader.bytes());
  reader.end();
  // fromEntries defines own properties: a header named `__proto__` stays a header.
  const stored: StoredHeaders = Object.fromEntries(headers);
  return { kind: 'response', status, headers: stored, chunks, storedAt, expiresAt, origin };
}

function encodedLength(item: CacheItem): number {
  const { origin } = item;
  let length = FIXED_HEAD;
  for (const text of [origin.scope, origin.provider, origin.method, origin.url]) length += stringLength(text);
  if (item.kind === 'vary') {
    length += 4;
    for (const name of item.headers) length += stringLength(name);
    return length;
  }
  length += 2 + 8 + 4;
  for (const [name, value] of Object.entries(item.headers)) {
    length += stringLength(name) + 1;
    if (typeof value === 'string') {
      length += stringLength(value);
    } else {
      length += 4;
      for (const part of value) length += stringLength(part);
    }
  }
  length += 4;
  for (const chunk of item.chunks) length += 4 + chunk.length;
  return length;
}

function stringLength(text: string): number {
  return 4 + Buffer.byteLength(text, 'utf8');
}

function writeString(buffer: Buffer, text: string, at: number): number {
  const written = buffer.write(text, at + 4, 'utf8');
  buffer.writeUInt32BE(written, at);
  return at + 4 + written;
}

/** A value that is not one this codec wrote. */
class MalformedValue extends Error {}

/** Reads a value front to back; reading past its end throws (RangeError from Buffer, or MalformedValue). */
class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}

  u8(): number {
    const value = this.buffer.readUInt8(this.at);
    this.at += 1;
    return value;
  }

  u16(): number {
    const value = this.buffer.readUInt16BE(this.at);
    this.at += 2;
    return value;
  }

  f64(): number {
    const value = this.buffer.readDoubleBE(this.at);
    this.at += 8;
    return value;
  }

  /** A count of what follows; each thing takes at least 4 bytes, so a larger count cannot be genuine. */
  count(): number {
    const value = this.buffer.readUInt32BE(this.at);
    this.at += 4;
    if (value > (this.buffer.length - this.at) / 4) throw new MalformedValue();
    return value;
  }

  string(): string {
    const start = this.skip();
    return this.buffer.toString('utf8', start, this.at);
  }

  bytes(): Buffer {
    const start = this.skip();
    return this.buffer.subarray(start, this.at);
  }

  /** Moves past a length-prefixed field and returns where its contents start. */
  private skip(): number {
    const length = this.buffer.readUInt32BE(this.at);
    const start = this.at + 4;
    if (start + length > this.buffer.length) throw new MalformedValue();
    this.at = start + length;
    return start;
  }

  end(): void {
    if (this.at !== this.buffer.length) throw new MalformedValue();
  }
}
