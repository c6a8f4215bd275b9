import { arrayOf, isRecord, numberOf, parseJson, stringOf } from './json-values.js';

type JsonObject = Record<string, unknown>;

interface BlockState {
  readonly block: JsonObject;
  /** `input_json_delta` pieces of a tool call's input, parsed when the message is built. */
  json: string;
}

/**
 * Merges the payloads of an Anthropic messages stream into the `message` object a non-streamed request would
 * have answered: content blocks by index (text, tool use input, thinking), `stop_reason` and usage —
 * `input_tokens` from `message_start`, `output_tokens` from the last `message_delta` (its counts are
 * cumulative). A cut stream gives what had arrived.
 * See https://docs.anthropic.com/en/docs/build-with-claude/streaming.
 */
export function mergeAnthropicStream(payloads: readonly unknown[]): JsonObject {
  let message: JsonObject = { id: null, type: 'message', role: 'assistant', model: null };
  let usage: JsonObject | undefined;
  const blocks: (BlockState | undefined)[] = [];
  for (const event of payloads) {
    if (!isRecord(event)) continue;
    switch (event.type) {
      case 'message_start':
        if (isRecord(event.message)) message = { ...message, ...event.message };
        if (isRecord(message.usage)) usage = { ...message.usage };
        break;
      case 'content_block_start':
        if (isRecord(event.content_block)) {
          blocks[numberOf(event.index) ?? 0] = { block: { ...event.content_block }, json: '' };
        }
        break;
      case 'content_block_delta':
        if (isRecord(event.delta)) applyDelta(blockAt(blocks, numberOf(event.index) ?? 0), event.delta);
        break;
      case 'message_delta':
        if (isRecord(event.delta)) {
          for (const [key, value] of Object.entries(event.delta)) message[key] = value;
        }
        if (isRecord(event.usage)) usage = { ...usage, ...event.usage };
        break;
      case 'error':
        message.error = event.error ?? null;
        break;
      default:
    }
  }
  message.content = blocks.filter((state): state is BlockState => state !== undefined).map(finishBlock);
  message.stop_reason ??= null;
  message.stop_sequence ??= null;
  message.usage = usage ?? null;
  return message;
}

// A delta for a block whose start was not seen (a server skipping it) still keeps its text.
function blockAt(blocks: (BlockState | undefined)[], index: number): BlockState {
  let state = blocks[index];
  if (state === undefined) {
    state = { block: { type: 'text', text: '' }, json: '' };
    blocks[index] = state;
  }
  return state;
}

function applyDelta(state: BlockState, delta: JsonObject): void {
  switch (delta.type) {
    case 'text_delta':
      append(state.block, 'text', delta.text);
      break;
    case 'input_json_delta':
      state.json += stringOf(delta.partial_json) ?? '';
      break;
    case 'thinking_delta':
      append(state.block, 'thinking', delta.thinking);
      break;
    case 'signature_delta':
      append(state.block, 'signature', delta.signature);
      break;
    case 'citations_delta':
      if (delta.citation !== undefined) {
        state.block.citations = [...arrayOf(state.block.citations), delta.citation];
      }
      break;
    default:
  }
}

function append(block: JsonObject, key: string, piece: unknown): void {
  block[key] = (stringOf(block[key]) ?? '') + (stringOf(piece) ?? '');
}

// The input of a tool call cut mid-stream does not parse: its raw text is kept rather than lost.
function finishBlock(state: BlockState): JsonObject {
  if (state.json === '') return state.block;
  const input = parseJson(state.json);
  return { ...state.block, input: input === undefined ? state.json : input };
}
