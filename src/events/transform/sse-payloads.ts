import { decodeSse } from '../../core/index.js';
import { parseJson } from './json-values.js';

// Leading comment lines (`: keep-alive`) may come before the first field.
const SSE_START = /^(?::[^\r\n]*(?:\r\n|\r|\n))*(?:data|event):/;

/** Whether text is a server-sent event stream even though its content type does not say so. */
export function looksLikeSse(text: string): boolean {
  return SSE_START.test(text.trimStart());
}

/**
 * The JSON payloads of a stream's events, in order. `[DONE]` (OpenAI's end marker) and payloads that do not
 * parse — typically the last event of a stream cut at the capture cap — are skipped.
 */
export function ssePayloads(text: string): unknown[] {
  const payloads: unknown[] = [];
  for (const data of decodeSse(text)) {
    if (data === '[DONE]') continue;
    const value = parseJson(data);
    if (value !== undefined) payloads.push(value);
  }
  return payloads;
}
