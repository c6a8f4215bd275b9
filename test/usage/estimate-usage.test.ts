import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';

import {
  answerText,
  encodingForModel,
  estimateUsage,
  loadTokenCounter,
  requestText,
  streamText,
} from '../../src/usage/index.js';

describe('the tokenizer encoding of a model', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['o1-mini', 'o200k_base'],
    ['o3', 'o200k_base'],
    ['o4-mini', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['claude-sonnet-4-5', 'o200k_base'],
    [undefined, 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['gpt-4-32k', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['openai/gpt-4', 'cl100k_base'],
  ])('%s uses %s', (model, encoding) => {
    expect(encodingForModel(model)).toBe(encoding);
  });
});

describe('estimated usage', () => {
  it('counts the prompt and the completion with the model tokenizer, with the chat format overhead, marked estimated', async () => {
    const request = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Name three colours.' }] },
      ],
    };
    const answer = { choices: [{ message: { role: 'assistant', content: 'Red, green, blue.' } }] };
    const counter = await loadTokenCounter('o200k_base');
    const usage = estimateUsage(
      { model: 'gpt-4o-mini', input: requestText(request), output: answerText(answer) },
      counter,
    );
    expect(usage).toEqual({
      inputTokens: o200k('You are terse.Name three colours.') + 2 * 3 + 3,
      outputTokens: o200k('Red, green, blue.'),
      cachedTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    });
  });

  it('uses cl100k for GPT-4 and counts special-token text as plain text', async () => {
    const counter = await loadTokenCounter('cl100k_base');
    const usage = estimateUsage(
      { model: 'gpt-4', input: requestText({ prompt: 'say <|endoftext|> now' }), output: answerText({}) },
      counter,
    );
    expect(usage.inputTokens).toBe(cl100k('say <|endoftext|> now', { disallowedSpecial: new Set() }));
    expect(usage.outputTokens).toBe(0);
  });

  it('scales the count of a text longer than what was kept', async () => {
    const counter = await loadTokenCounter('o200k_base');
    const long = 'lorem ipsum '.repeat(20_000);
    const usage = estimateUsage(
      { model: 'gpt-4o', input: requestText({ input: long }), output: answerText({}) },
      counter,
    );
    const exact = o200k(long);
    expect(Math.abs(usage.inputTokens - exact) / exact).toBeLessThan(0.05);
  });

  it('falls back to about four characters a token without a tokenizer', () => {
    const usage = estimateUsage({
      model: 'gpt-4o',
      input: requestText({ input: 'x'.repeat(40) }),
      output: answerText({}),
    });
    expect(usage).toMatchObject({ inputTokens: 10, estimated: true });
  });
});

describe('text an estimate is made from', () => {
  it('reads the prompt of the Responses API and of Anthropic', () => {
    expect(
      requestText({
        instructions: 'Be brief.',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      }).text,
    ).toBe('Be brief.Hi');
    expect(
      requestText({ system: [{ type: 'text', text: 'Sys' }], messages: [{ role: 'user', content: 'Q' }] }),
    ).toMatchObject({ text: 'SysQ', messages: 1 });
  });

  it('reads the completion of chat, completions, Responses and Anthropic answers, tool calls included', () => {
    expect(answerText({ choices: [{ text: 'legacy' }] }).text).toBe('legacy');
    expect(
      answerText({
        choices: [
          { message: { content: null, tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] } },
        ],
      }).text,
    ).toBe('{"a":1}');
    expect(
      answerText({ output: [{ type: 'message', content: [{ type: 'output_text', text: 'resp' }] }] }).text,
    ).toBe('resp');
    expect(answerText({ content: [{ type: 'text', text: 'claude' }] }).text).toBe('claude');
  });

  it('joins the deltas of chat, Responses and Anthropic streams', () => {
    const sse = (data: unknown) => Buffer.from(`data: ${JSON.stringify(data)}\n\n`);
    expect(
      streamText([
        sse({ choices: [{ delta: { role: 'assistant', content: 'Hel' } }] }),
        sse({ choices: [{ delta: { content: 'lo' } }] }),
        Buffer.from('data: [DONE]\n\n'),
      ]).text,
    ).toBe('Hello');
    expect(
      streamText([
        sse({ type: 'response.output_text.delta', delta: 'Hi' }),
        sse({ type: 'response.completed', response: {} }),
      ]).text,
    ).toBe('Hi');
    expect(
      streamText([sse({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'Yo' } })]).text,
    ).toBe('Yo');
  });
});
