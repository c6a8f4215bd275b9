import { arrayOf, isRecord, numberOf, stringOf } from './json-values.js';

type JsonObject = Record<string, unknown>;

// Events that carry the whole final response object.
const FINAL_EVENTS = new Set(['response.completed', 'response.failed', 'response.incomplete']);
// Events that carry the response object as it stood when the stream began or progressed.
const PROGRESS_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);

/**
 * Merges the payloads of an OpenAI Responses API stream into the `response` object it adds up to. The final
 * event (`response.completed`, `.failed`, `.incomplete`) carries that object whole and is preferred; a stream
 * cut before it is rebuilt from the first response object and the output items and text deltas that arrived.
 * See https://platform.openai.com/docs/api-reference/responses-streaming.
 */
export function mergeResponsesStream(payloads: readonly unknown[]): JsonObject {
  let base: JsonObject | undefined;
  let error: unknown;
  const items: (JsonObject | undefined)[] = [];
  for (const event of payloads) {
    if (!isRecord(event)) continue;
    const type = stringOf(event.type) ?? '';
    if (FINAL_EVENTS.has(type) && isRecord(event.response)) return event.response;
    if (PROGRESS_EVENTS.has(type) && isRecord(event.response)) base = event.response;
    else if (type === 'error') error = errorOf(event);
    else applyItemEvent(items, type, event);
  }
  const response: JsonObject = { id: null, object: 'response', status: 'in_progress', ...base };
  response.output = items.filter((item): item is JsonObject => item !== undefined);
  if (error !== undefined) response.error = error;
  return response;
}

function applyItemEvent(items: (JsonObject | undefined)[], type: string, event: JsonObject): void {
  const outputIndex = numberOf(event.output_index) ?? 0;
  switch (type) {
    case 'response.output_item.added':
    case 'response.output_item.done':
      // `.done` carries the finished item, which replaces what the deltas built.
      if (isRecord(event.item)) items[outputIndex] = copyItem(event.item);
      return;
    case 'response.content_part.added':
    case 'response.content_part.done':
      if (isRecord(event.part))
        contentOf(items, outputIndex)[numberOf(event.content_index) ?? 0] = { ...event.part };
      return;
    case 'response.output_text.delta':
      appendText(part(items, event, 'output_text'), 'text', event.delta);
      return;
    case 'response.output_text.done':
      setText(part(items, event, 'output_text'), 'text', event.text);
      return;
    case 'response.refusal.delta':
      appendText(part(items, event, 'refusal'), 'refusal', event.delta);
      return;
    case 'response.refusal.done':
      setText(part(items, event, 'refusal'), 'refusal', event.refusal);
      return;
    case 'response.function_call_arguments.delta':
      appendText(item(items, outputIndex, 'function_call'), 'arguments', event.delta);
      return;
    case 'response.function_call_arguments.done':
      setText(item(items, outputIndex, 'function_call'), 'arguments', event.arguments);
      return;
    case 'response.reasoning_summary_text.delta':
      appendText(summaryPart(items, event), 'text', event.delta);
      return;
    case 'response.reasoning_summary_text.done':
      setText(summaryPart(items, event), 'text', event.text);
      return;
    default:
  }
}

// Items and parts are copied before they change: the payloads belong to the caller.
function copyItem(source: JsonObject): JsonObject {
  const copy: JsonObject = { ...source };
  if (Array.isArray(source.content)) copy.content = arrayOf(source.content).map(copyPart);
  if (Array.isArray(source.summary)) copy.summary = arrayOf(source.summary).map(copyPart);
  return copy;
}

function copyPart(part: unknown): unknown {
  return isRecord(part) ? { ...part } : part;
}

function item(items: (JsonObject | undefined)[], outputIndex: number, type: string): JsonObject {
  let found = items[outputIndex];
  if (found === undefined) {
    found = type === 'message' ? { type, role: 'assistant', content: [] } : { type };
    items[outputIndex] = found;
  }
  return found;
}

function listOf(owner: JsonObject, key: string): unknown[] {
  const existing = owner[key];
  if (Array.isArray(existing)) return existing;
  const list: unknown[] = [];
  owner[key] = list;
  return list;
}

function contentOf(items: (JsonObject | undefined)[], outputIndex: number): unknown[] {
  return listOf(item(items, outputIndex, 'message'), 'content');
}

function part(items: (JsonObject | undefined)[], event: JsonObject, type: string): JsonObject {
  return entry(contentOf(items, numberOf(event.output_index) ?? 0), numberOf(event.content_index) ?? 0, type);
}

function summaryPart(items: (JsonObject | undefined)[], event: JsonObject): JsonObject {
  const reasoning = item(items, numberOf(event.output_index) ?? 0, 'reasoning');
  return entry(listOf(reasoning, 'summary'), numberOf(event.summary_index) ?? 0, 'summary_text');
}

function entry(list: unknown[], index: number, type: string): JsonObject {
  const existing = list[index];
  if (isRecord(existing)) return existing;
  const created: JsonObject = { type };
  list[index] = created;
  return created;
}

function appendText(target: JsonObject, key: string, delta: unknown): void {
  target[key] = (stringOf(target[key]) ?? '') + (stringOf(delta) ?? '');
}

function setText(target: JsonObject, key: string, text: unknown): void {
  if (typeof text === 'string') target[key] = text;
}

function errorOf(event: JsonObject): unknown {
  if (isRecord(event.error)) return event.error;
  return { code: event.code ?? null, message: event.message ?? null };
}
