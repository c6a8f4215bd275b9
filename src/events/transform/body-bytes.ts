import { isUtf8 } from 'node:buffer';

import type { EventBody } from '../proxy-event.js';

// A UTF-8 character takes at most four bytes, so a cut can leave at most three of an unfinished one.
const MAX_CUT_BYTES = 3;

/** The captured bytes of a body as they travelled (still compressed when they were). */
export function bodyBytes(body: EventBody): Buffer {
  return Buffer.from(body.data, body.encoding);
}

/**
 * The text of a body captured as UTF-8 and not compressed, without encoding it to bytes and back: the same
 * text {@link utf8Text} gives for its bytes. Undefined when the body needs its bytes (base64, a content
 * coding) or holds a lone surrogate, which the round trip through UTF-8 replaces with U+FFFD.
 */
export function plainText(body: EventBody): string | undefined {
  if (body.encoding !== 'utf8' || body.contentEncoding !== null) return undefined;
  // String.prototype.isWellFormed is ES2024 (in Node since 20), beyond the lib this project compiles against.
  return (body.data as unknown as WellFormedString).isWellFormed() ? withoutBom(body.data) : undefined;
}

/**
 * The bytes as UTF-8 text, or null when they are not UTF-8. A body cut at the capture cap may end inside a
 * character: when `truncated`, that unfinished character is dropped rather than the whole body called binary.
 */
export function utf8Text(bytes: Buffer, truncated: boolean): string | null {
  if (isUtf8(bytes)) return withoutBom(bytes.toString('utf8'));
  if (!truncated) return null;
  for (let back = 1; back <= MAX_CUT_BYTES && back < bytes.length; back += 1) {
    const head = bytes.subarray(0, bytes.length - back);
    if (isUtf8(head)) return withoutBom(head.toString('utf8'));
  }
  return null;
}

interface WellFormedString {
  isWellFormed(): boolean;
}

function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
