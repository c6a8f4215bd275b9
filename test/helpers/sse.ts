import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

import { sleep } from './network.js';

/** Response headers of an SSE answer. */
export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as const;

/** Options of {@link chatChunk}. */
export interface ChatChunkOptions {
  /** @default 'chatcmpl-slow' */
  readonly id?: string;
  /** Puts `role: 'assistant'` in the delta, as the first chunk of a stream does. */
  readonly first?: boolean;
}

/** One `chat.completion.chunk` carrying a piece of content. */
export function chatChunk(content: string, options: ChatChunkOptions = {}): Record<string, unknown> {
  return {
    id: options.id ?? 'chatcmpl-slow',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        delta: options.first === true ? { role: 'assistant', content } : { content },
        finish_reason: null,
      },
    ],
  };
}

/** The last chunk of a chat stream: an empty delta with `finish_reason: 'stop'`. */
export function chatStopChunk(id = 'chatcmpl-slow'): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  };
}

/** One SSE event carrying `data` as JSON. */
export function sseEvent(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** The event that ends an OpenAI stream. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** Streams a chat completion word by word, `delayMs` apart: chunks, the stop chunk, `[DONE]`. */
export async function sendChatStream(
  res: ServerResponse,
  words: readonly string[],
  delayMs = 5,
): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  for (const [index, word] of words.entries()) {
    res.write(sseEvent(chatChunk(word, { id: 'chatcmpl-fake', first: index === 0 })));
    await sleep(delayMs);
  }
  res.write(sseEvent(chatStopChunk('chatcmpl-fake')));
  res.end(SSE_DONE);
}

/**
 * Streams chat chunks every `intervalMs` until `count` were sent (then `[DONE]`) or the connection closed: a
 * slow upstream generation.
 */
export async function slowStream(
  res: ServerResponse,
  count: number,
  intervalMs: number,
  headers: OutgoingHttpHeaders = {},
): Promise<void> {
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  for (let index = 0; index < count; index += 1) {
    if (res.destroyed) return;
    res.write(sseEvent(chatChunk(`w${String(index)} `)));
    await sleep(intervalMs);
  }
  if (!res.destroyed) res.end(SSE_DONE);
}
