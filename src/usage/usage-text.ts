import { decodeSse } from '../core/index.js';

/** Characters of text kept for an estimate; beyond them only the length is counted. */
const MAX_TEXT_CHARS = 64 * 1024;
/** Fields that hold text in the message, content part and delta shapes of OpenAI and Anthropic. */
const TEXT_FIELDS = [
  'content',
  'text',
  'refusal',
  'arguments',
  'partial_json',
  'thinking',
  'output',
] as const;

/** Text collected for an estimate: its first characters, and the length of all of it. */
export interface CollectedText {
  readonly text: string;
  /** Characters of the whole text (more than `text` holds when it was cut). */
  readonly totalChars: number;
  /** Chat messages the text came from (each costs a few tokens of its own); 0 for other inputs. */
  readonly messages: number;
}

/**
 * The prompt text of a JSON request body: OpenAI chat `messages`, completions `prompt`, Responses API and
 * embeddings `input` with `instructions`, Anthropic `system` and `messages`.
 */
export function requestText(body: unknown): CollectedText {
  const text = new TextCollector();
  if (!isRecord(body)) return text.collected();
  text.add(body.instructions);
  text.add(body.system);
  text.add(body.prompt);
  text.add(body.input);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      text.messages += 1;
      text.add(message);
    }
  }
  return text.collected();
}

/**
 * The completion text of a whole JSON answer: chat `choices[].message` (content and tool call arguments),
 * completions `choices[].text`, Responses API `output[]`, Anthropic `content[]`.
 */
export function answerText(answer: unknown): CollectedText {
  const text = new TextCollector();
  if (!isRecord(answer)) return text.collected();
  if (Array.isArray(answer.choices)) {
    for (const choice of answer.choices) {
      if (!isRecord(choice)) continue;
      text.add(choice.text);
      text.add(choice.message);
    }
  }
  text.add(answer.output);
  text.add(answer.content);
  return text.collected();
}

/**
 * The completion text of a server-sent event stream, from its deltas: chat `choices[].delta` (content and
 * tool call arguments), completions `choices[].text`, Responses API `response.output_text.delta` and
 * `response.function_call_arguments.delta`, Anthropic `content_block_delta` (text, thinking, tool input).
 */
export function streamText(chunks: readonly Buffer[]): CollectedText {
  const text = new TextCollector();
  for (const data of decodeSse(Buffer.concat(chunks).toString('utf8'))) {
    if (!data.startsWith('{')) continue;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      continue;
    }
    if (!isRecord(event)) continue;
    if (typeof event.type === 'string') {
      if (event.type.endsWith('.delta') && typeof event.delta === 'string') text.add(event.delta);
      else if (event.type === 'content_block_delta') text.add(event.delta);
      continue;
    }
    if (Array.isArray(event.choices)) {
      for (const choice of event.choices) {
        if (!isRecord(choice)) continue;
        text.add(choice.text);
        text.add(choice.delta);
      }
    }
  }
  return text.collected();
}

/** Text fields of the shapes above, gathered depth-first up to {@link MAX_TEXT_CHARS}. */
class TextCollector {
  messages = 0;
  private readonly parts: string[] = [];
  private kept = 0;
  private total = 0;

  /** Adds the text of a value: a string, an array of parts, or a part's text-bearing fields. */
  add(value: unknown, depth = 0): void {
    // Message content nests a few levels (message → content → part → text); deeper is not prompt text.
    if (value === undefined || value === null || depth > 6) return;
    if (typeof value === 'string') {
      this.text(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.add(item, depth + 1);
      return;
    }
    if (!isRecord(value)) return;
    for (const field of TEXT_FIELDS) this.add(value[field], depth + 1);
    const call = value.function;
    if (isRecord(call)) this.add(call.arguments, depth + 1);
    if (Array.isArray(value.tool_calls)) this.add(value.tool_calls, depth + 1);
    // Anthropic tool input arrives whole in an answer (`input`), in pieces in a stream (`partial_json`).
    if (value.type === 'tool_use' && isRecord(value.input)) this.text(JSON.stringify(value.input));
  }

  collected(): CollectedText {
    return { text: this.parts.join(''), totalChars: this.total, messages: this.messages };
  }

  private text(value: string): void {
    this.total += value.length;
    const room = MAX_TEXT_CHARS - this.kept;
    if (room <= 0) return;
    const part = value.length <= room ? value : value.slice(0, room);
    this.parts.push(part);
    this.kept += part.length;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
