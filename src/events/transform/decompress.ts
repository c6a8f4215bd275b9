import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';

/** The most bytes a body may decompress to; beyond it the body is left out (a zip bomb must not fill memory). */
export const MAX_DECODED_BYTES = 8 * 1024 * 1024;

// Sync flush instead of finish: a body cut at the capture cap decodes as far as it goes instead of throwing.
const ZLIB_OPTIONS: ZlibOptions = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BYTES };
const BROTLI_OPTIONS = { finishFlush: constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED_BYTES };

/** What undoing a body's Content-Encoding gave: the bytes, or why there are none. */
export type Decompressed =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'unsupported' | 'corrupt' | 'too-large' };

/**
 * Undoes a `Content-Encoding` (gzip, br, deflate, identity, or a list of them). Codings are listed in the order
 * they were applied, so they are undone from the last (RFC 9110 §8.4).
 */
export function decompress(bytes: Buffer, contentEncoding: string | null): Decompressed {
  if (contentEncoding === null) return { ok: true, bytes };
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  let current = bytes;
  for (const coding of codings.reverse()) {
    const decode = decoderOf(coding);
    if (decode === undefined) return { ok: false, reason: 'unsupported' };
    try {
      current = decode(current);
    } catch (error) {
      const tooLarge = error instanceof RangeError || errorCode(error) === 'ERR_BUFFER_TOO_LARGE';
      return { ok: false, reason: tooLarge ? 'too-large' : 'corrupt' };
    }
  }
  return { ok: true, bytes: current };
}

function decoderOf(coding: string): ((bytes: Buffer) => Buffer) | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return (bytes) => gunzipSync(bytes, ZLIB_OPTIONS);
    case 'br':
      return (bytes) => brotliDecompressSync(bytes, BROTLI_OPTIONS);
    case 'deflate':
      return inflateEither;
    default:
      return undefined;
  }
}

// `deflate` means zlib-wrapped data (RFC 9110 §8.4.1.2), yet some servers send raw deflate: accept both.
function inflateEither(bytes: Buffer): Buffer {
  try {
    return inflateSync(bytes, ZLIB_OPTIONS);
  } catch (error) {
    if (errorCode(error) !== 'Z_DATA_ERROR') throw error;
    return inflateRawSync(bytes, ZLIB_OPTIONS);
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
