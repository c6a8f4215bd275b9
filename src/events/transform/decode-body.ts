import { isCapturedBody } from '../proxy-event.js';
import type { EventBody, OmittedBody } from '../proxy-event.js';
import { bodyBytes, plainText, utf8Text } from './body-bytes.js';
import { binaryNote, multipartNote, notCapturedNote, tooLargeNote } from './body-notes.js';
import type { BodySide } from './body-notes.js';
import type { DecodedBody } from './decoded-exchange.js';
import { decompress } from './decompress.js';
import { parseJson } from './json-values.js';
import { mediaFamily } from './media-type.js';
import type { MediaFamily } from './media-type.js';
import { mergeStream } from './merge-stream.js';
import { looksLikeSse, ssePayloads } from './sse-payloads.js';

/** One body decoded, and whether it was a server-sent event stream. */
export interface BodyDecoding {
  readonly body: DecodedBody;
  readonly streamed: boolean;
}

/**
 * Decodes one captured body (not yet redacted): decompressed, binary and multipart bodies replaced by a note,
 * JSON parsed, an event stream merged into the object it adds up to; a cut JSON body that no longer parses
 * stays text.
 */
export function decodeBody(body: EventBody | OmittedBody | null, side: BodySide): BodyDecoding {
  if (body === null) return { body: { kind: 'none' }, streamed: false };
  const family = mediaFamily(body.contentType);
  if (!isCapturedBody(body)) return omitted(notCapturedNote(side, body.omitted), family === 'sse');
  if (family === 'multipart') return omitted(multipartNote(side), false);
  if (family === 'binary') return omitted(binaryNote(side), false);
  const plain = plainText(body);
  if (plain !== undefined) return decodeText(plain, family);
  const bytes = decompress(bodyBytes(body), body.contentEncoding);
  if (!bytes.ok) return omitted(bytes.reason === 'too-large' ? tooLargeNote(side) : binaryNote(side), false);
  const text = utf8Text(bytes.bytes, body.truncated);
  if (text === null) return omitted(binaryNote(side), false);
  return decodeText(text, family);
}

function decodeText(text: string, family: MediaFamily): BodyDecoding {
  if (family === 'sse' || (family !== 'json' && looksLikeSse(text))) {
    const merged = mergeStream(ssePayloads(text));
    return {
      body: merged === null ? { kind: 'text', text } : { kind: 'json', value: merged },
      streamed: true,
    };
  }
  // Without a JSON content type only what opens like a document is tried: a plain `true` or `42` stays text.
  const opening = text.trimStart()[0];
  const value = family === 'json' || opening === '{' || opening === '[' ? parseJson(text) : undefined;
  return { body: value === undefined ? { kind: 'text', text } : { kind: 'json', value }, streamed: false };
}

function omitted(note: string, streamed: boolean): BodyDecoding {
  return { body: { kind: 'omitted', note }, streamed };
}
