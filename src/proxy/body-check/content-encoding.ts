import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { InputType, ZlibOptions } from 'node:zlib';

import { AppError, ERRORS } from '../../core/index.js';

/** More stacked codings than any client sends: refused rather than decoded layer after layer. */
const MAX_CODINGS = 2;

type Decoder = (
  input: InputType,
  options: ZlibOptions,
  done: (error: Error | null, result: Buffer) => void,
) => void;

const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', gunzip],
  ['x-gzip', gunzip],
  ['deflate', inflate],
  ['br', brotliDecompress],
]);

/** Receives a decoded body, or the error that refuses it. */
export type DecodedCallback = (error: AppError | undefined, decoded: Buffer | undefined) => void;

/**
 * The codings of a `Content-Encoding` header in the order they were applied (RFC 9110 §8.4), without
 * `identity`; throws `unsupported_content_encoding` for one the proxy cannot decode.
 */
export function contentCodings(header: string | undefined): readonly string[] {
  if (header === undefined) return [];
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  for (const coding of codings) {
    if (!DECODERS.has(coding)) {
      throw new AppError(ERRORS.UNSUPPORTED_CONTENT_ENCODING, {
        message: `request body Content-Encoding '${coding.slice(0, 40)}' cannot be checked against param_whitelist; send gzip, deflate, br or none`,
      });
    }
  }
  if (codings.length > MAX_CODINGS) {
    throw new AppError(ERRORS.UNSUPPORTED_CONTENT_ENCODING, {
      message: `request body has ${codings.length} stacked Content-Encodings; at most ${MAX_CODINGS} are decoded`,
    });
  }
  return codings;
}

/**
 * Undoes the codings, last applied first, off the event loop. The output of each layer is bounded by `limit`
 * as zlib produces it (`maxOutputLength`), so a small compressed body that expands enormously (a "zip bomb")
 * is refused with 413 without its expansion ever being held in memory.
 */
export function decodeBody(
  body: Buffer,
  codings: readonly string[],
  limit: number,
  done: DecodedCallback,
): void {
  const step = (at: number, input: Buffer): void => {
    if (at < 0) {
      done(undefined, input);
      return;
    }
    const decoder = DECODERS.get(codings[at] as string) as Decoder;
    // maxOutputLength must be at least 1.
    decoder(input, { maxOutputLength: Math.max(limit, 1) }, (error, output) => {
      if (error !== null) {
        done(decodeFailure(error, limit), undefined);
        return;
      }
      step(at - 1, output);
    });
  };
  step(codings.length - 1, body);
}

function decodeFailure(error: Error, limit: number): AppError {
  if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
    return new AppError(ERRORS.PAYLOAD_TOO_LARGE, {
      message: `decoded request body is larger than MAX_REQUEST_SIZE (${limit} bytes)`,
      headers: { connection: 'close' },
    });
  }
  return new AppError(ERRORS.INVALID_CONTENT_ENCODING, { cause: error });
}
