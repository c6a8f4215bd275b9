import { asRecord, contentText, stringField } from './lunary-chat-messages.js';
import type { ChatMessage } from './lunary-chat-messages.js';

/** A message part of the GenAI semantic conventions' message schema (`gen_ai.input.messages` …). */
export type GenAiPart =
  | { readonly type: 'text'; readonly content: string }
  | {
      readonly type: 'tool_call';
      readonly id: string | null;
      readonly name: string;
      readonly arguments: unknown;
    }
  | { readonly type: 'tool_call_response'; readonly id: string | null; readonly response: unknown }
  /** A part the conventions have no type for (an image, a file): its type alone, never its bytes. */
  | { readonly type: string };

/** A message of the GenAI conventions: a role and its parts (an output message adds its finish reason). */
export interface GenAiMessage {
  readonly role: string;
  readonly parts: readonly GenAiPart[];
  readonly finish_reason?: string;
}

/** Chat messages (system ones left out: they go to `gen_ai.system_instructions`) as GenAI messages. */
export function genAiMessages(
  messages: readonly ChatMessage[],
  finishReasons: readonly string[] = [],
): GenAiMessage[] {
  return messages
    .filter((message) => message.role !== 'system' && message.role !== 'developer')
    .map((message, index) => {
      const finishReason = finishReasons[index];
      return {
        role: message.role,
        parts: partsOf(message),
        ...(finishReason === undefined ? {} : { finish_reason: finishReason }),
      };
    });
}

/** The system (or developer) instructions of a prompt as GenAI text parts; empty when there are none. */
export function systemInstructions(messages: readonly ChatMessage[]): GenAiPart[] {
  return messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .flatMap((message) => contentParts(message.content));
}

function partsOf(message: ChatMessage): GenAiPart[] {
  if (message.role === 'tool') {
    return [
      {
        type: 'tool_call_response',
        id: message.tool_call_id ?? null,
        response: contentText(message.content) ?? message.content,
      },
    ];
  }
  const calls: GenAiPart[] = (message.tool_calls ?? []).map((call) => ({
    type: 'tool_call',
    id: call.id,
    name: call.function.name,
    arguments: parseArguments(call.function.arguments),
  }));
  return [...contentParts(message.content), ...calls];
}

function contentParts(content: unknown): GenAiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((item): GenAiPart[] => {
    const part = asRecord(item);
    if (part === null) return [];
    const text = stringField(part, 'text');
    if (text !== null) return [{ type: 'text', content: text }];
    // Anthropic keeps tool results among a user message's parts.
    if (part.type === 'tool_result') {
      return [
        {
          type: 'tool_call_response',
          id: stringField(part, 'tool_use_id'),
          response: contentText(part.content) ?? part.content,
        },
      ];
    }
    if (part.type === 'tool_use') {
      return [
        {
          type: 'tool_call',
          id: stringField(part, 'id'),
          name: stringField(part, 'name') ?? '',
          arguments: part.input ?? null,
        },
      ];
    }
    return [{ type: stringField(part, 'type') ?? 'unknown' }];
  });
}

/** Tool arguments travel as a JSON string in OpenAI's shape; the conventions carry the object. */
function parseArguments(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}
