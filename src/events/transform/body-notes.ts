import type { DecodedBody } from './decoded-exchange.js';

/** Which message of the exchange a body belongs to. */
export type BodySide = 'request' | 'response';

/** The note that stands in for a binary body (audio, images, PDF, bytes that are not UTF-8). */
export function binaryNote(side: BodySide): string {
  return `<binary ${side} omitted>`;
}

/** The note that stands in for a multipart body (uploads). */
export function multipartNote(side: BodySide): string {
  return `<multipart ${side} omitted>`;
}

/** The note for a body the proxy did not capture (`streamed`, `disabled`). */
export function notCapturedNote(side: BodySide, reason: string): string {
  return `<${side} body not captured: ${reason}>`;
}

/** The note for a compressed body that would decompress beyond the decoding bound. */
export function tooLargeNote(side: BodySide): string {
  return `<${side} body too large to decode>`;
}

/** Whether a decoded body stands for a binary one (the file backend flags these as `response_body_binary`). */
export function isBinaryBody(body: DecodedBody): boolean {
  return (
    body.kind === 'omitted' && (body.note === binaryNote('response') || body.note === binaryNote('request'))
  );
}
