import type { TokenUsage } from './token-usage.js';

/** `"usage"` as it appears when it is an object key (a quote inside a JSON string is escaped). */
const USAGE_KEY = Buffer.from('"usage"');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** The `u` of `"usage"`. */
const LETTER_U = 0x75;

/**
 * Normalises a provider's `usage` object, whichever API it comes from:
 * - OpenAI chat/completions and embeddings: `prompt_tokens`, `completion_tokens`, with
 *   `prompt_tokens_details.cached_tokens` and `completion_tokens_details.reasoning_tokens` (both already counted
 *   in the totals, https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage);
 * - OpenAI Responses API (and audio transcriptions): `input_tokens`, `output_tokens`,
 *   `input_tokens_details.cached_tokens`, `output_tokens_details.reasoning_tokens`;
 * - Anthropic: `input_tokens`, `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens` — its
 *   `input_tokens` leaves both cache counts out (https://docs.anthropic.com/en/api/messages), so they are added.
 * Undefined when the value carries no token count.
 */
export function usageFromObject(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  if (prompt !== undefined || completion !== undefined) {
    return {
      inputTokens: prompt ?? 0,
      outputTokens: completion ?? 0,
      cachedTokens: nested(usage.prompt_tokens_details, 'cached_tokens'),
      reasoningTokens: nested(usage.completion_tokens_details, 'reasoning_tokens'),
      estimated: false,
    };
  }
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  if (input === undefined && output === undefined && cacheRead === undefined) return undefined;
  return {
    inputTokens: (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: output ?? 0,
    cachedTokens: cacheRead ?? nested(usage.input_tokens_details, 'cached_tokens'),
    reasoningTokens: nested(usage.output_tokens_details, 'reasoning_tokens'),
    estimated: false,
  };
}

/**
 * The usage of a whole (non-streamed) JSON answer: OpenAI chat/completions, embeddings and the Responses API,
 * and Anthropic messages all report it in a top-level `usage`.
 */
export function usageFromJson(answer: unknown): TokenUsage | undefined {
  return isRecord(answer) ? usageFromObject(answer.usage) : undefined;
}

/**
 * The usage of a JSON answer too large to be read whole, from its last bytes: every API above writes `usage`
 * near the end of the answer (after `choices`, `data`, `output` or `content`), so the last `"usage": {…}` object
 * that is complete in the tail is read on its own. Undefined when the tail holds none.
 */
export function usageFromJsonTail(tail: Buffer): TokenUsage | undefined {
  for (
    let at = tail.lastIndexOf(USAGE_KEY);
    at !== -1;
    at = at === 0 ? -1 : tail.lastIndexOf(USAGE_KEY, at - 1)
  ) {
    const open = objectAfterKey(tail, at + USAGE_KEY.length);
    if (open === -1) continue;
    const close = matchingBrace(tail, open);
    if (close === -1) continue;
    try {
      const usage = usageFromObject(JSON.parse(tail.toString('utf8', open, close + 1)));
      if (usage !== undefined) return usage;
    } catch {
      // Not a JSON object after all (the key was a value inside a string): try an earlier one.
    }
  }
  return undefined;
}

/**
 * Whether `"usage"` in `bytes` is followed by an object — the only form that carries counts. OpenAI streams
 * with `include_usage` put `"usage":null` in every content chunk, and the Responses API in its early events:
 * those are not worth parsing.
 */
export function mayCarryUsage(bytes: Buffer, from = 0, to = bytes.length): boolean {
  // Runs on every stream chunk: a search for one byte and a few comparisons cost a fraction of a search for
  // the whole key (Buffer#indexOf with a multi-byte needle sets up a string search on each call).
  for (
    let at = bytes.indexOf(LETTER_U, from + 1);
    at !== -1 && at < to;
    at = bytes.indexOf(LETTER_U, at + 1)
  ) {
    if (
      bytes[at - 1] === QUOTE &&
      bytes[at + 1] === 0x73 &&
      bytes[at + 2] === 0x61 &&
      bytes[at + 3] === 0x67 &&
      bytes[at + 4] === 0x65 &&
      bytes[at + 5] === QUOTE &&
      objectAfterKey(bytes, at + 6) !== -1
    ) {
      return true;
    }
  }
  return false;
}

/** The offset of the `{` that follows `: ` after a key ending at `from`; -1 when something else follows. */
function objectAfterKey(bytes: Buffer, from: number): number {
  let at = skipSpace(bytes, from);
  if (bytes[at] !== COLON) return -1;
  at = skipSpace(bytes, at + 1);
  return bytes[at] === OPEN_BRACE ? at : -1;
}

function skipSpace(bytes: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const byte = bytes[at];
    // JSON whitespace (RFC 8259 §2): space, tab, LF, CR.
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return at;
    at += 1;
  }
}

/** The offset of the `}` closing the object that opens at `open`, skipping strings; -1 when it is cut off. */
function matchingBrace(bytes: Buffer, open: number): number {
  let depth = 0;
  let inString = false;
  for (let at = open; at < bytes.length; at += 1) {
    const byte = bytes[at];
    if (inString) {
      if (byte === BACKSLASH) at += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE) depth += 1;
    else if (byte === CLOSE_BRACE) {
      depth -= 1;
      if (depth === 0) return at;
    }
  }
  return -1;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function nested(details: unknown, field: string): number {
  return isRecord(details) ? (count(details[field]) ?? 0) : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
