import type { TokenUsage } from './token-usage.js';
import { usageFromObject } from './usage-from-json.js';

/** What one event of a stream said about usage. */
export type StreamEventKind =
  /** OpenAI's extra chunk of `stream_options.include_usage`: `"choices": []` and the usage, nothing else to show. */
  | 'usage-chunk'
  /** An event that carried usage along with other content (Anthropic, the Responses API, some compatibles). */
  | 'usage'
  | 'none';

/**
 * The usage a stream reported so far, from its events' parsed data, whichever API it comes from:
 * - OpenAI chat/completions (`include_usage`): the chunk with a non-null `usage`, sent before `[DONE]` with
 *   `"choices": []` (https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options);
 * - OpenAI Responses API: `response.completed` (or `response.incomplete` / `response.failed`) carries the final
 *   `response.usage`;
 * - Anthropic: `message_start` carries `message.usage` (input and cache counts) and every `message_delta` a
 *   `usage` whose counts are cumulative (https://docs.anthropic.com/en/docs/build-with-claude/streaming), so the
 *   last one's fields replace those of the start.
 */
export class StreamUsageEvents {
  private latest: TokenUsage | undefined;
  /** Anthropic's counts so far, merged field by field from `message_start` and each `message_delta`. */
  private anthropic: Record<string, unknown> | undefined;

  /** Reads the parsed data of one event. */
  read(data: unknown): StreamEventKind {
    if (!isRecord(data)) return 'none';
    const type = data.type;
    if (type === 'message_start' && isRecord(data.message)) return this.mergeAnthropic(data.message.usage);
    if (type === 'message_delta') return this.mergeAnthropic(data.usage);
    if (typeof type === 'string' && type.startsWith('response.') && isRecord(data.response)) {
      return this.take(usageFromObject(data.response.usage));
    }
    const kind = this.take(usageFromObject(data.usage));
    const choices = data.choices;
    return kind === 'usage' && Array.isArray(choices) && choices.length === 0 ? 'usage-chunk' : kind;
  }

  /** The usage reported so far; undefined when the stream has carried none. */
  usage(): TokenUsage | undefined {
    return this.latest;
  }

  private take(usage: TokenUsage | undefined): StreamEventKind {
    if (usage === undefined) return 'none';
    this.latest = usage;
    return 'usage';
  }

  private mergeAnthropic(usage: unknown): StreamEventKind {
    if (!isRecord(usage)) return 'none';
    const merged: Record<string, unknown> = { ...this.anthropic };
    for (const [field, value] of Object.entries(usage)) {
      // A delta may repeat a field as null; only counts replace what the start said.
      if (typeof value === 'number') merged[field] = value;
    }
    this.anthropic = merged;
    return this.take(usageFromObject(merged));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
