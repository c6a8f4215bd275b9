import type { TokenUsage } from '../../usage/index.js';
import { isRecord, numberOf } from './json-values.js';

/**
 * The token usage a decoded answer reports in its `usage` (OpenAI chat completions, Responses API, Anthropic
 * messages), or null when it reports none. Counts follow TokenUsage: cached input and reasoning output included.
 */
export function usageFromBody(answer: unknown): TokenUsage | null {
  if (!isRecord(answer) || !isRecord(answer.usage)) return null;
  const usage = answer.usage;
  // Chat completions: prompt_tokens / completion_tokens.
  const prompt = numberOf(usage.prompt_tokens);
  if (prompt !== undefined) {
    return counts(
      prompt,
      usage.completion_tokens,
      usage.prompt_tokens_details,
      usage.completion_tokens_details,
    );
  }
  const input = numberOf(usage.input_tokens);
  if (input === undefined) return null;
  // The Responses API reports total_tokens; Anthropic never does.
  if (usage.total_tokens !== undefined) {
    return counts(input, usage.output_tokens, usage.input_tokens_details, usage.output_tokens_details);
  }
  // Anthropic's input_tokens leave out the tokens read from and written to its prompt cache.
  const cacheRead = numberOf(usage.cache_read_input_tokens) ?? 0;
  const cacheWrite = numberOf(usage.cache_creation_input_tokens) ?? 0;
  return {
    inputTokens: input + cacheRead + cacheWrite,
    outputTokens: numberOf(usage.output_tokens) ?? 0,
    cachedTokens: cacheRead,
    reasoningTokens: 0,
    estimated: false,
  };
}

function counts(input: number, output: unknown, inputDetails: unknown, outputDetails: unknown): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: numberOf(output) ?? 0,
    cachedTokens: isRecord(inputDetails) ? (numberOf(inputDetails.cached_tokens) ?? 0) : 0,
    reasoningTokens: isRecord(outputDetails) ? (numberOf(outputDetails.reasoning_tokens) ?? 0) : 0,
    estimated: false,
  };
}
