import type { RequestBody } from './request-body.js';

const MODEL_KEY = Buffer.from('"model"');
/** Occurrences of `"model"` looked at: a value equal to "model" may come before the key. */
const MAX_OCCURRENCES = 4;
/** Bytes after the key that can hold `: "<name>"`; longer names are not models. */
const WINDOW_BYTES = 256;
const MODEL_VALUE = /^\s*:\s*"((?:[^"\\\n]|\\.){1,200})"/;

/**
 * The `model` a JSON request body names, found by scanning its bytes rather than parsing it (the access log asks
 * for every exchange; parsing a large body for one field would cost more than the line itself). Null for
 * streamed, non-JSON or model-less bodies.
 */
export function requestModel(body: RequestBody | undefined): string | null {
  if (body === undefined || !body.json || !Buffer.isBuffer(body.payload)) return null;
  const payload = body.payload;
  let from = 0;
  for (let seen = 0; seen < MAX_OCCURRENCES; seen += 1) {
    const at = payload.indexOf(MODEL_KEY, from);
    if (at < 0) return null;
    from = at + MODEL_KEY.length;
    const match = MODEL_VALUE.exec(payload.toString('utf8', from, from + WINDOW_BYTES));
    const text = match?.[1];
    if (text !== undefined) return text.includes('\\') ? unescape(text) : text;
  }
  return null;
}

function unescape(text: string): string | null {
  try {
    const value: unknown = JSON.parse(`"${text}"`);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
