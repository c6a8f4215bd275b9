import type { DecodedBody } from '../transform/decoded-exchange.js';

/** A tool call in OpenAI's chat shape, which Lunary renders and the GenAI conventions map from. */
export interface ChatToolCall {
  readonly id: string | null;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/**
 * One message in OpenAI's chat shape — what Lunary documents for `input` and `output` — whichever API the
 * exchange used (chat completions, the Responses API, Anthropic messages). `content` stays as the client sent
 * it (a string or a list of parts).
 */
export interface ChatMessage {
  readonly role: string;
  readonly content: unknown;
  readonly tool_calls?: readonly ChatToolCall[];
  readonly tool_call_id?: string;
}

/** A JSON object, or null. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** A string field, or null. */
export function stringField(record: Record<string, unknown> | null, name: string): string | null {
  const value = record?.[name];
  return typeof value === 'string' ? value : null;
}

/** Which API an exchange used, from its path: it decides where the prompt and the answer live. */
export type ApiStyle = 'chat' | 'responses' | 'anthropic-messages' | 'completions' | 'embeddings' | 'other';

/** The API of a request path (`/v1/chat/completions`, `/v1/responses`, `/v1/messages` …). */
export function apiStyle(path: string): ApiStyle {
  if (/(^|\/)chat\/completions$/.test(path)) return 'chat';
  if (/(^|\/)responses(\/|$)/.test(path)) return 'responses';
  // Anchored: OpenAI's `/v1/threads/{id}/messages` is not Anthropic's API.
  if (/^\/?(v\d+\/)?messages$/.test(path)) return 'anthropic-messages';
  if (/(^|\/)(completions|complete)$/.test(path)) return 'completions';
  if (/(^|\/)embeddings$/.test(path)) return 'embeddings';
  return 'other';
}

/**
 * The prompt of a chat-like request as chat messages (system instructions first): chat `messages`, the
 * Responses API's `instructions` + `input`, Anthropic's `system` + `messages`. Null for other requests.
 */
export function requestMessages(request: DecodedBody, style: ApiStyle): ChatMessage[] | null {
  if (request.kind !== 'json') return null;
  const body = asRecord(request.value);
  if (body === null) return null;
  if (style === 'responses') {
    const instructions = stringField(body, 'instructions');
    const head: ChatMessage[] = instructions === null ? [] : [{ role: 'system', content: instructions }];
    if (typeof body.input === 'string') return [...head, { role: 'user', content: body.input }];
    if (Array.isArray(body.input)) return [...head, ...body.input.flatMap(responsesInputItem)];
    return head.length === 0 ? null : head;
  }
  if (!Array.isArray(body.messages)) return null;
  // Anthropic keeps the system prompt apart from the messages (a string or a list of text blocks).
  const system =
    style === 'anthropic-messages' && body.system !== undefined ? contentText(body.system) : null;
  const head: ChatMessage[] = system === null ? [] : [{ role: 'system', content: system }];
  return [...head, ...body.messages.flatMap(chatMessage)];
}

/**
 * What the assistant answered, as chat messages: chat `choices[].message`, completions `choices[].text`,
 * Responses API `output[]`, Anthropic `content[]`; else the completion text the transformer found. Null when
 * the answer holds no completion (an embedding, an error, a note).
 */
export function assistantMessages(response: DecodedBody, outputText: string | null): ChatMessage[] | null {
  const body = response.kind === 'json' ? asRecord(response.value) : null;
  const found = body === null ? [] : answerMessages(body);
  if (found.length > 0) return found;
  return outputText === null ? null : [{ role: 'assistant', content: outputText }];
}

/** The text of a message's content: the string itself, or its text parts joined. */
export function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = content.map((part) => stringField(asRecord(part), 'text')).filter((text) => text !== null);
  return texts.length === 0 ? null : texts.join('');
}

function answerMessages(body: Record<string, unknown>): ChatMessage[] {
  if (Array.isArray(body.choices)) {
    return body.choices.flatMap((choice): ChatMessage[] => {
      const record = asRecord(choice);
      const message = asRecord(record?.message);
      if (message !== null) return chatMessage({ role: 'assistant', ...message });
      const text = stringField(record, 'text');
      return text === null ? [] : [{ role: 'assistant', content: text }];
    });
  }
  if (Array.isArray(body.output)) return responsesOutput(body.output);
  if (body.type === 'message' && Array.isArray(body.content)) return [anthropicAnswer(body.content)];
  return [];
}

function chatMessage(item: unknown): ChatMessage[] {
  const record = asRecord(item);
  const role = stringField(record, 'role');
  if (record === null || role === null) return [];
  const toolCalls = Array.isArray(record.tool_calls) ? record.tool_calls.flatMap(openAiToolCall) : [];
  const toolCallId = stringField(record, 'tool_call_id');
  return [
    {
      role,
      content: record.content ?? null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      ...(toolCallId === null ? {} : { tool_call_id: toolCallId }),
    },
  ];
}

function responsesInputItem(item: unknown): ChatMessage[] {
  const record = asRecord(item);
  if (record === null) return [];
  if (stringField(record, 'role') !== null) return chatMessage(record);
  if (record.type === 'function_call')
    return [{ role: 'assistant', content: null, tool_calls: [responsesCall(record)] }];
  if (record.type === 'function_call_output') {
    const callId = stringField(record, 'call_id');
    return [
      { role: 'tool', content: record.output ?? null, ...(callId === null ? {} : { tool_call_id: callId }) },
    ];
  }
  return [];
}

function responsesOutput(output: readonly unknown[]): ChatMessage[] {
  const texts: string[] = [];
  const calls: ChatToolCall[] = [];
  for (const item of output) {
    const record = asRecord(item);
    if (record?.type === 'message') texts.push(contentText(record.content) ?? '');
    else if (record?.type === 'function_call') calls.push(responsesCall(record));
  }
  if (texts.length === 0 && calls.length === 0) return [];
  return [
    {
      role: 'assistant',
      content: texts.length === 0 ? null : texts.join(''),
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    },
  ];
}

function anthropicAnswer(content: readonly unknown[]): ChatMessage {
  const calls = content.flatMap((block): ChatToolCall[] => {
    const record = asRecord(block);
    if (record?.type !== 'tool_use') return [];
    return [
      toolCall(stringField(record, 'id'), stringField(record, 'name'), JSON.stringify(record.input ?? {})),
    ];
  });
  return {
    role: 'assistant',
    content: contentText(content),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
}

function openAiToolCall(item: unknown): ChatToolCall[] {
  const record = asRecord(item);
  const fn = asRecord(record?.function);
  if (record === null || fn === null) return [];
  return [toolCall(stringField(record, 'id'), stringField(fn, 'name'), stringField(fn, 'arguments') ?? '')];
}

function responsesCall(record: Record<string, unknown>): ChatToolCall {
  return toolCall(
    stringField(record, 'call_id'),
    stringField(record, 'name'),
    stringField(record, 'arguments') ?? '',
  );
}

function toolCall(id: string | null, name: string | null, args: string): ChatToolCall {
  return { id, type: 'function', function: { name: name ?? '', arguments: args } };
}
