import { isRecord, stringOf } from './json-values.js';
import { mergeAnthropicStream } from './merge-anthropic-stream.js';
import { mergeOpenAiChatStream } from './merge-openai-chat-stream.js';
import { mergeResponsesStream } from './merge-responses-stream.js';

const ANTHROPIC_EVENTS = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
]);

/**
 * Merges a stream's JSON payloads into the one object it adds up to, choosing the merger by the first payload
 * that names its API (OpenAI chat completions, Responses API, Anthropic messages); null for any other stream.
 */
export function mergeStream(payloads: readonly unknown[]): Record<string, unknown> | null {
  for (const payload of payloads) {
    if (!isRecord(payload)) continue;
    if (payload.object === 'chat.completion.chunk') return mergeOpenAiChatStream(payloads);
    const type = stringOf(payload.type);
    if (type === undefined) continue;
    if (type.startsWith('response.')) return mergeResponsesStream(payloads);
    if (ANTHROPIC_EVENTS.has(type)) return mergeAnthropicStream(payloads);
  }
  return null;
}
