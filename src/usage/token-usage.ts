/**
 * The tokens one exchange used, as the upstream reported them in its `usage` (or, only when it reported none,
 * as estimated by the proxy — then `estimated` is true).
 */
export interface TokenUsage {
  /** Prompt tokens, cached ones included (OpenAI `prompt_tokens` / `input_tokens`; Anthropic `input_tokens` + cache reads + cache writes). */
  readonly inputTokens: number;
  /** Completion tokens, reasoning ones included (OpenAI `completion_tokens` / `output_tokens`; Anthropic `output_tokens`). */
  readonly outputTokens: number;
  /** Of the input, tokens served from the provider's prompt cache; 0 when it reports none. */
  readonly cachedTokens: number;
  /** Of the output, reasoning tokens; 0 when the provider reports none. */
  readonly reasoningTokens: number;
  /** The counts were estimated with a tokenizer because the upstream reported no usage. */
  readonly estimated: boolean;
}
