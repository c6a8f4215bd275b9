import { arrayOf, isRecord, numberOf, stringOf } from './json-values.js';

// Top-level chunk fields that the merged completion keeps (the last value sent wins).
const COMPLETION_FIELDS = ['id', 'created', 'model', 'system_fingerprint', 'service_tier'] as const;

interface ToolCallState {
  id?: string;
  type?: string;
  name?: string;
  arguments: string;
}

interface ChoiceState {
  readonly index: number;
  role?: string;
  /** String delta fields (`content`, `refusal`, `reasoning_content` …), concatenated. */
  readonly texts: Map<string, string>;
  /** Other delta fields (`annotations`, `audio` …): the last value sent. */
  readonly others: Map<string, unknown>;
  readonly toolCalls: Map<number, ToolCallState>;
  functionCall?: { name?: string; arguments: string };
  logprobs?: { content: unknown[]; refusal: unknown[] };
  finishReason: unknown;
}

/**
 * Merges the payloads of an OpenAI chat completions stream (`chat.completion.chunk`) into the `chat.completion`
 * object a non-streamed request would have answered: choices by index, content and refusal concatenated, tool
 * calls merged by index with their arguments concatenated, and the usage of the usage chunk. A cut stream gives
 * what had arrived.
 * See https://platform.openai.com/docs/api-reference/chat-streaming.
 */
export function mergeOpenAiChatStream(payloads: readonly unknown[]): Record<string, unknown> {
  const completion: Record<string, unknown> = {
    id: null,
    object: 'chat.completion',
    created: null,
    model: null,
    system_fingerprint: null,
  };
  const choices = new Map<number, ChoiceState>();
  let usage: unknown;
  for (const chunk of payloads) {
    if (!isRecord(chunk)) continue;
    for (const field of COMPLETION_FIELDS) {
      if (chunk[field] !== undefined && chunk[field] !== null) completion[field] = chunk[field];
    }
    for (const choice of arrayOf(chunk.choices)) {
      if (isRecord(choice)) mergeChoice(choices, choice);
    }
    // The usage chunk has no choices; other chunks carry `usage: null` when include_usage is set.
    if (isRecord(chunk.usage)) usage = chunk.usage;
  }
  completion.choices = [...choices.values()].sort((a, b) => a.index - b.index).map(choiceObject);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

function mergeChoice(choices: Map<number, ChoiceState>, choice: Record<string, unknown>): void {
  const index = numberOf(choice.index) ?? 0;
  let state = choices.get(index);
  if (state === undefined) {
    state = { index, texts: new Map(), others: new Map(), toolCalls: new Map(), finishReason: null };
    choices.set(index, state);
  }
  if (isRecord(choice.delta)) mergeDelta(state, choice.delta);
  if (choice.finish_reason !== undefined && choice.finish_reason !== null)
    state.finishReason = choice.finish_reason;
  if (isRecord(choice.logprobs)) {
    state.logprobs ??= { content: [], refusal: [] };
    state.logprobs.content.push(...arrayOf(choice.logprobs.content));
    state.logprobs.refusal.push(...arrayOf(choice.logprobs.refusal));
  }
}

function mergeDelta(state: ChoiceState, delta: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(delta)) {
    if (value === null || value === undefined) continue;
    if (key === 'role') state.role = stringOf(value) ?? state.role;
    else if (key === 'tool_calls') mergeToolCalls(state, arrayOf(value));
    else if (key === 'function_call' && isRecord(value)) {
      state.functionCall ??= { arguments: '' };
      state.functionCall.name = joinName(state.functionCall.name, stringOf(value.name));
      state.functionCall.arguments += stringOf(value.arguments) ?? '';
    } else if (typeof value === 'string') state.texts.set(key, (state.texts.get(key) ?? '') + value);
    else state.others.set(key, value);
  }
}

function mergeToolCalls(state: ChoiceState, deltas: readonly unknown[]): void {
  for (const [position, delta] of deltas.entries()) {
    if (!isRecord(delta)) continue;
    const index = numberOf(delta.index) ?? position;
    let call = state.toolCalls.get(index);
    if (call === undefined) {
      call = { arguments: '' };
      state.toolCalls.set(index, call);
    }
    call.id = stringOf(delta.id) ?? call.id;
    call.type = stringOf(delta.type) ?? call.type;
    if (isRecord(delta.function)) {
      call.name = joinName(call.name, stringOf(delta.function.name));
      call.arguments += stringOf(delta.function.arguments) ?? '';
    }
  }
}

// OpenAI sends a function's name once; some compatible servers repeat it in every chunk and others split it.
function joinName(current: string | undefined, next: string | undefined): string | undefined {
  if (next === undefined || next === current) return current;
  return (current ?? '') + next;
}

function choiceObject(state: ChoiceState): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: state.role ?? 'assistant',
    content: state.texts.get('content') ?? null,
    refusal: state.texts.get('refusal') ?? null,
  };
  for (const [key, text] of state.texts) if (key !== 'content' && key !== 'refusal') message[key] = text;
  for (const [key, value] of state.others) message[key] = value;
  if (state.toolCalls.size > 0) {
    message.tool_calls = [...state.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        id: call.id ?? null,
        type: call.type ?? 'function',
        function: { name: call.name ?? null, arguments: call.arguments },
      }));
  }
  if (state.functionCall !== undefined) {
    message.function_call = {
      name: state.functionCall.name ?? null,
      arguments: state.functionCall.arguments,
    };
  }
  return {
    index: state.index,
    message,
    logprobs: state.logprobs ?? null,
    finish_reason: state.finishReason,
  };
}
