import type { TokenUsage } from './token-usage.js';
import type { CollectedText } from './usage-text.js';

/** The tokenizer encodings the estimate chooses from. */
export type TokenEncoding = 'o200k_base' | 'cl100k_base';

/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;

/** What an estimate is made from. */
export interface UsageEstimateInput {
  /** The request's model; picks the encoding. */
  readonly model: string | undefined;
  /** The prompt text (see `requestText`). */
  readonly input: CollectedText;
  /** The completion text collected from the answer (see `answerText`, `streamText`). */
  readonly output: CollectedText;
  /** How much more answer there was than the text was collected from (a stream kept in part). @default 1 */
  readonly outputScale?: number;
}

/**
 * OpenAI's chat format adds a few tokens per message and primes every reply
 * (https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken: 3 per message, 3 for the reply).
 */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;
/** A rough count when the tokenizer is not loaded yet and the answer cannot wait for it (~4 characters a token). */
const CHARS_PER_TOKEN = 4;
/** Special-token text (`<|endoftext|>`) in a prompt is counted as text, never refused. */
const TEXT_ONLY = { disallowedSpecial: new Set<string>() };

const counters = new Map<TokenEncoding, TokenCounter>();
const loading = new Map<TokenEncoding, Promise<TokenCounter>>();

/**
 * The encoding of a model's tokenizer: `cl100k_base` for GPT-4 (not 4o or 4.1), GPT-3.5 and the
 * `text-embedding-*` models; `o200k_base` for GPT-4o, 4.1, 5, the o-series, `chatgpt-*` and every model it does
 * not know (other providers' tokenizers are not public; o200k is the closest current one).
 */
export function encodingForModel(model: string | undefined): TokenEncoding {
  if (model === undefined) return 'o200k_base';
  // Routers name models `openai/gpt-4`; the tokenizer is the model's own.
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  if (/^gpt-4(?![o.])/.test(name) || name.startsWith('gpt-3.5') || name.startsWith('text-embedding-')) {
    return 'cl100k_base';
  }
  return 'o200k_base';
}

/** The counter of an encoding when it is loaded; undefined (and loading begins) otherwise. */
export function tokenCounter(encoding: TokenEncoding): TokenCounter | undefined {
  const counter = counters.get(encoding);
  if (counter === undefined) void loadTokenCounter(encoding).catch(() => undefined);
  return counter;
}

/**
 * Loads an encoding's counter. The tokenizer's tables take a few hundred milliseconds and tens of megabytes
 * to load, so they are imported only once the first estimate needs them — never while answers carry usage.
 */
export function loadTokenCounter(encoding: TokenEncoding): Promise<TokenCounter> {
  const loaded = counters.get(encoding);
  if (loaded !== undefined) return Promise.resolve(loaded);
  let promise = loading.get(encoding);
  if (promise === undefined) {
    promise = importEncoding(encoding).then((countTokens) => {
      const counter: TokenCounter = (text) => countTokens(text, TEXT_ONLY);
      counters.set(encoding, counter);
      return counter;
    });
    promise.catch(() => loading.delete(encoding));
    loading.set(encoding, promise);
  }
  return promise;
}

/**
 * Estimates the usage of an exchange that reported none, with the model's tokenizer (or, when given none, at
 * about four characters a token); always marked `estimated`. Text beyond what was collected is counted at the
 * rate of the collected part.
 */
export function estimateUsage(estimate: UsageEstimateInput, counter?: TokenCounter): TokenUsage {
  const count = counter ?? roughCount;
  const { input, output } = estimate;
  const messageTokens = input.messages === 0 ? 0 : input.messages * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS;
  return {
    inputTokens: scaled(input, count) + messageTokens,
    outputTokens: Math.round(scaled(output, count) * (estimate.outputScale ?? 1)),
    cachedTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  };
}

function scaled(collected: CollectedText, count: TokenCounter): number {
  const { text, totalChars } = collected;
  if (text.length === 0) return 0;
  const tokens = count(text);
  return text.length >= totalChars ? tokens : Math.round((tokens * totalChars) / text.length);
}

function roughCount(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

async function importEncoding(
  encoding: TokenEncoding,
): Promise<(text: string, options: typeof TEXT_ONLY) => number> {
  // The encoding's own entry point loads one table, not all of them.
  const module =
    encoding === 'cl100k_base'
      ? await import('gpt-tokenizer/encoding/cl100k_base')
      : await import('gpt-tokenizer/encoding/o200k_base');
  return module.countTokens;
}
