import { describe, expect, it } from 'vitest';

import {
  chatRequestBody,
  describeErrorAnswer,
  formatUsage,
  parseCompletion,
  parseStreamEvent,
} from '../../src/cli/openai-chat/chat-protocol.js';

const settings = { model: 'gpt-4.1-mini', temperature: 0.7, maxTokens: 0, includeUsage: false };
const messages = [{ role: 'user', content: 'Hi' }] as const;

describe('chatRequestBody', () => {
  it('leaves max_tokens, stream and stream_options out unless asked for', () => {
    expect(chatRequestBody(settings, messages, false)).toEqual({
      model: 'gpt-4.1-mini',
      messages,
      temperature: 0.7,
    });
  });

  it('streams, limits tokens and asks for usage in the last chunk when verbose', () => {
    expect(chatRequestBody({ ...settings, maxTokens: 64, includeUsage: true }, messages, true)).toEqual({
      model: 'gpt-4.1-mini',
      messages,
      temperature: 0.7,
      max_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
    });
  });
});

describe('parseStreamEvent', () => {
  it('reads the content delta of a chunk', () => {
    const data = JSON.stringify({ choices: [{ index: 0, delta: { content: 'Hel' } }] });
    expect(parseStreamEvent(data)).toEqual({ type: 'delta', content: 'Hel' });
  });

  it('reads the usage of the last chunk, which has no choices', () => {
    const data = JSON.stringify({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    expect(parseStreamEvent(data)).toEqual({
      type: 'delta',
      content: '',
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
    });
  });

  it('recognises [DONE], error objects and data that is not JSON', () => {
    expect(parseStreamEvent('[DONE]')).toEqual({ type: 'done' });
    expect(parseStreamEvent('{"error":{"message":"upstream\\nfailed","code":"upstream_error"}}')).toEqual({
      type: 'error',
      message: 'upstream failed [upstream_error]',
    });
    expect(parseStreamEvent('ping')).toEqual({ type: 'invalid', data: 'ping' });
  });
});

describe('parseCompletion', () => {
  it('returns the message content and usage', () => {
    const body = JSON.stringify({
      choices: [{ message: { role: 'assistant', content: 'Hello' } }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    expect(parseCompletion(body)).toEqual({
      ok: true,
      content: 'Hello',
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    });
  });

  it('explains bodies without an answer', () => {
    expect(parseCompletion('not json')).toEqual({ ok: false, message: 'unexpected answer: not json' });
    expect(parseCompletion('{"choices":[]}')).toEqual({
      ok: false,
      message: 'answer without content: {"choices":[]}',
    });
  });
});

describe('describeErrorAnswer', () => {
  it('uses the message and code of an OpenAI-shaped error', () => {
    const body = JSON.stringify({
      error: { message: 'Token has expired', type: 'authentication_error', code: 'token_expired' },
    });
    expect(describeErrorAnswer(401, body)).toBe('Token has expired [token_expired] (HTTP 401)');
  });

  it('falls back to the type, then to the status and the start of the body on one line', () => {
    expect(describeErrorAnswer(400, '{"error":{"message":"bad","type":"invalid_request_error"}}')).toBe(
      'bad [invalid_request_error] (HTTP 400)',
    );
    expect(describeErrorAnswer(502, '<html>\n<b>Bad gateway</b>\n</html>')).toBe(
      'HTTP 502: <html> <b>Bad gateway</b> </html>',
    );
    expect(describeErrorAnswer(503, '')).toBe('HTTP 503');
    expect(describeErrorAnswer(500, 'x'.repeat(300))).toHaveLength('HTTP 500: '.length + 201);
  });
});

describe('formatUsage', () => {
  it('shows prompt, completion and total tokens', () => {
    expect(formatUsage({ promptTokens: 12, completionTokens: 30, totalTokens: 42 })).toBe(
      '12 prompt + 30 completion = 42 tokens',
    );
  });
});
