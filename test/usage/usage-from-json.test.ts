import { describe, expect, it } from 'vitest';

import { mayCarryUsage, usageFromJson, usageFromJsonTail } from '../../src/usage/index.js';

describe('usage of a whole JSON answer', () => {
  it('reads an OpenAI chat completion, cached and reasoning tokens included', () => {
    const answer = {
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }],
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0 },
      },
    };
    expect(usageFromJson(answer)).toEqual({
      inputTokens: 1200,
      outputTokens: 300,
      cachedTokens: 1024,
      reasoningTokens: 256,
      estimated: false,
    });
  });

  it('reads an OpenAI embeddings answer, which has prompt tokens only', () => {
    expect(usageFromJson({ object: 'list', data: [], usage: { prompt_tokens: 8, total_tokens: 8 } })).toEqual(
      {
        inputTokens: 8,
        outputTokens: 0,
        cachedTokens: 0,
        reasoningTokens: 0,
        estimated: false,
      },
    );
  });

  it('reads a Responses API answer', () => {
    const answer = {
      object: 'response',
      output: [],
      usage: {
        input_tokens: 2000,
        input_tokens_details: { cached_tokens: 1536 },
        output_tokens: 500,
        output_tokens_details: { reasoning_tokens: 128 },
        total_tokens: 2500,
      },
    };
    expect(usageFromJson(answer)).toEqual({
      inputTokens: 2000,
      outputTokens: 500,
      cachedTokens: 1536,
      reasoningTokens: 128,
      estimated: false,
    });
  });

  it('reads an Anthropic message: input counts cache reads and cache writes, cached counts the reads', () => {
    const answer = {
      type: 'message',
      content: [{ type: 'text', text: 'hi' }],
      usage: {
        input_tokens: 20,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 4000,
        output_tokens: 55,
      },
    };
    expect(usageFromJson(answer)).toEqual({
      inputTokens: 4320,
      outputTokens: 55,
      cachedTokens: 4000,
      reasoningTokens: 0,
      estimated: false,
    });
  });

  it('finds nothing in an answer without usage, or with a usage that counts nothing', () => {
    expect(usageFromJson({ object: 'list', data: [] })).toBeUndefined();
    expect(usageFromJson({ usage: null })).toBeUndefined();
    expect(usageFromJson({ usage: { total_tokens: 'many' } })).toBeUndefined();
    expect(usageFromJson([1, 2])).toBeUndefined();
  });
});

describe('usage from the last bytes of a JSON answer too large to read whole', () => {
  it('reads the usage object at the end of a cut-off embeddings answer', () => {
    const text = JSON.stringify({
      object: 'list',
      data: [{ embedding: Array.from({ length: 500 }, (_, i) => i / 7) }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 4096, total_tokens: 4096 },
    });
    const tail = Buffer.from(text).subarray(-200);
    expect(usageFromJsonTail(tail)?.inputTokens).toBe(4096);
  });

  it('skips a usage object cut off at the front and a "usage" that is a string value', () => {
    const tail = Buffer.from(
      'ompt_tokens": 3}, "text": "usage", "usage": {"prompt_tokens": 9, "completion_tokens": 2}}',
    );
    expect(usageFromJsonTail(tail)).toMatchObject({ inputTokens: 9, outputTokens: 2 });
    expect(usageFromJsonTail(Buffer.from('"usage": {"prompt_tokens": 9'))).toBeUndefined();
  });
});

describe('the cheap check for usage in raw bytes', () => {
  it('passes over "usage": null and usage named in text, and finds "usage": {', () => {
    expect(mayCarryUsage(Buffer.from('data: {"choices":[{"delta":{"content":"x"}}],"usage":null}\n\n'))).toBe(
      false,
    );
    expect(mayCarryUsage(Buffer.from('data: {"delta":{"content":"the \\"usage\\": {"}}\n\n'))).toBe(false);
    expect(mayCarryUsage(Buffer.from('data: {"choices":[],"usage" : \n {"prompt_tokens":1}}\n\n'))).toBe(
      true,
    );
  });
});
