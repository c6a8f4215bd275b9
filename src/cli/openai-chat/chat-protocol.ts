// Longest stretch of a non-JSON error body shown to the user.
const MAX_ERROR_TEXT = 200;

/** One message of the conversation. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Token counts of one answer, as the API reports them. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** The request settings of a chat session. */
export interface ChatSettings {
  readonly model: string;
  readonly temperature: number;
  /** 0 leaves `max_tokens` out of the request. */
  readonly maxTokens: number;
  /** Ask for token usage in the last streamed chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
}

/** What one server-sent event of a streamed chat completion means. */
export type ChatStreamEvent =
  | { readonly type: 'delta'; readonly content: string; readonly usage?: TokenUsage }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'invalid'; readonly data: string };

/** A whole (non-streamed) chat completion: the answer, or why there is none. */
export type ChatCompletion =
  | { readonly ok: true; readonly content: string; readonly usage?: TokenUsage }
  | { readonly ok: false; readonly message: string };

/** The JSON body of `POST /v1/chat/completions` for the conversation so far. */
export function chatRequestBody(
  settings: ChatSettings,
  messages: readonly ChatMessage[],
  stream: boolean,
): Record<string, unknown> {
  return {
    model: settings.model,
    messages,
    temperature: settings.temperature,
    ...(settings.maxTokens > 0 ? { max_tokens: settings.maxTokens } : {}),
    ...(stream ? { stream: true } : {}),
    // https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
    ...(stream && settings.includeUsage ? { stream_options: { include_usage: true } } : {}),
  };
}

/** Interprets the data of one streamed event: a content delta, the `[DONE]` marker or an error object. */
export function parseStreamEvent(data: string): ChatStreamEvent {
  if (data.trim() === '[DONE]') return { type: 'done' };
  const value = parseJson(data);
  if (!isRecord(value)) return { type: 'invalid', data };
  const error = errorMessageOf(value);
  if (error !== undefined) return { type: 'error', message: error };
  const usage = usageOf(value.usage);
  const content = deltaContentOf(value.choices);
  return usage === undefined ? { type: 'delta', content } : { type: 'delta', content, usage };
}

/** Interprets the JSON body of a successful non-streamed completion. */
export function parseCompletion(text: string): ChatCompletion {
  const value = parseJson(text);
  if (!isRecord(value)) return { ok: false, message: `unexpected answer: ${clip(text)}` };
  const error = errorMessageOf(value);
  if (error !== undefined) return { ok: false, message: error };
  const first = Array.isArray(value.choices) ? (value.choices as unknown[])[0] : undefined;
  const message = isRecord(first) ? first.message : undefined;
  const content = isRecord(message) ? message.content : undefined;
  if (typeof content !== 'string') return { ok: false, message: `answer without content: ${clip(text)}` };
  const usage = usageOf(value.usage);
  return usage === undefined ? { ok: true, content } : { ok: true, content, usage };
}

/**
 * One line describing an error answer: the OpenAI-shaped `{"error":{"message","code"}}` when there is one (the
 * proxy answers in that shape, and passes upstream errors through), else the status and the start of the body.
 */
export function describeErrorAnswer(status: number, text: string): string {
  const value = parseJson(text);
  const message = isRecord(value) ? errorMessageOf(value) : undefined;
  if (message !== undefined) return `${message} (HTTP ${status})`;
  const body = clip(text);
  return body === '' ? `HTTP ${status}` : `HTTP ${status}: ${body}`;
}

/** `12 prompt + 30 completion = 42 tokens`. */
export function formatUsage(usage: TokenUsage): string {
  return `${usage.promptTokens} prompt + ${usage.completionTokens} completion = ${usage.totalTokens} tokens`;
}

function errorMessageOf(value: Record<string, unknown>): string | undefined {
  const error = value.error;
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return oneLine(error);
  if (!isRecord(error)) return 'error';
  const message = typeof error.message === 'string' ? oneLine(error.message) : 'error';
  const code = typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : '';
  const type = typeof error.type === 'string' ? error.type : '';
  const label = code !== '' ? code : type;
  return label === '' ? message : `${message} [${label}]`;
}

function deltaContentOf(choices: unknown): string {
  if (!Array.isArray(choices)) return '';
  const first: unknown = choices[0];
  const delta = isRecord(first) ? first.delta : undefined;
  const content = isRecord(delta) ? delta.content : undefined;
  return typeof content === 'string' ? content : '';
}

function usageOf(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total } = value;
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: typeof total === 'number' ? total : prompt + completion,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function clip(text: string): string {
  const line = oneLine(text);
  return line.length > MAX_ERROR_TEXT ? `${line.slice(0, MAX_ERROR_TEXT)}…` : line;
}
