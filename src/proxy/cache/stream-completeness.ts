import { SseDecoder } from '../../core/index.js';

/** How much of a stream's end is read to find its last events. */
const TAIL_BYTES = 8192;

/**
 * Whether a captured SSE stream ended in an error event — OpenAI's `data: {"error": …}` or Anthropic's
 * `event: error` (whose data is `{"type":"error", …}`) — and so must not be replayed to later clients as if it
 * were the answer. Only the last events are read: a stream that recovered from an error is not one.
 */
export function endsInErrorEvent(chunks: readonly Buffer[]): boolean {
  const tail = tailOf(chunks);
  const decoder = new SseDecoder();
  const events = [...decoder.push(tail), ...decoder.end()];
  for (let at = events.length - 1; at >= 0; at -= 1) {
    const data = (events[at] as string).trim();
    if (data === '' || data === '[DONE]') continue;
    return isErrorPayload(data);
  }
  return false;
}

function isErrorPayload(data: string): boolean {
  if (!data.startsWith('{')) return false;
  try {
    const value = JSON.parse(data) as Record<string, unknown>;
    return value.type === 'error' || (value.error !== undefined && value.error !== null);
  } catch {
    // The tail may start inside an event; a partial one says nothing.
    return false;
  }
}

function tailOf(chunks: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let bytes = 0;
  for (let at = chunks.length - 1; at >= 0 && bytes < TAIL_BYTES; at -= 1) {
    const chunk = chunks[at] as Buffer;
    parts.unshift(chunk);
    bytes += chunk.length;
  }
  const joined = Buffer.concat(parts);
  if (joined.length <= TAIL_BYTES) return joined;
  // Start at an event boundary so that the first event read is a whole one.
  const from = joined.indexOf('\n\n', joined.length - TAIL_BYTES);
  return from === -1 ? joined.subarray(joined.length - TAIL_BYTES) : joined.subarray(from + 2);
}
