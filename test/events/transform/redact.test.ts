import { describe, expect, it } from 'vitest';

import { decodeExchange } from '../../../src/events/transform/decode-exchange.js';
import { REDACTED, redactSecrets, redactText } from '../../../src/events/transform/redact.js';
import { jsonBody, proxyEvent, sseBody, sseText, openAiChatChunks, textBody } from '../event-fixtures.js';

const OPENAI_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const PROXY_TOKEN = 'sk-AZQ9oXx0c3GvQ1wOq2Lm7w';
const ANTHROPIC_KEY = 'sk-ant-api03-Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf';

describe('redactSecrets', () => {
  const keyCases: [string, unknown][] = [
    ['api_key', 'abc123'],
    ['apikey', 'abc123'],
    ['API_KEY', 'abc123'],
    ['x-api-key', 'abc123'],
    ['Authorization', 'Basic dXNlcjpwYXNz'],
    ['password', 'hunter2'],
    ['secret', 12345],
    ['client_secret', { value: 'ek_68a1', expires_at: 1756310470 }],
    ['access_token', 'ya29.a0AfH6'],
    ['refresh_token', '1//0gLx'],
    ['token', 'opaque'],
    ['Token', 'opaque'],
  ];

  it.each(keyCases)('the value of "%s" is redacted', (key, value) => {
    expect(redactSecrets({ nested: [{ [key]: value, keep: 'me' }] })).toEqual({
      nested: [{ [key]: REDACTED, keep: 'me' }],
    });
  });

  it.each([
    ['max_tokens', 256],
    ['prompt_tokens', 19],
    ['token_count', 3],
    ['secret', false],
    ['password', null],
  ])('"%s": %s is kept', (key, value) => {
    expect(redactSecrets({ [key]: value })).toEqual({ [key]: value });
  });

  const textCases: [string, string, string][] = [
    ['an OpenAI project key', `my key is ${OPENAI_KEY}.`, `my key is ${REDACTED}.`],
    ['a proxy token', `curl -H "x: ${PROXY_TOKEN}"`, `curl -H "x: ${REDACTED}"`],
    ['an Anthropic key', `ANTHROPIC_API_KEY=${ANTHROPIC_KEY}`, `ANTHROPIC_API_KEY=${REDACTED}`],
    [
      'a bearer credential',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc',
      `Authorization: Bearer ${REDACTED}`,
    ],
    ['a lower-case bearer', 'bearer abcdefgh12345678', `bearer ${REDACTED}`],
    ['two keys', `${OPENAI_KEY} and ${PROXY_TOKEN}`, `${REDACTED} and ${REDACTED}`],
    ['a short sk- word', 'risk-free sk-123 task-manager', 'risk-free sk-123 task-manager'],
    ['a plain sentence', 'Use a Bearer token here.', 'Use a Bearer token here.'],
  ];

  it.each(textCases)('text with %s', (_name, text, expected) => {
    expect(redactText(text)).toBe(expected);
    expect(redactSecrets({ messages: [{ role: 'user', content: text }] })).toEqual({
      messages: [{ role: 'user', content: expected }],
    });
  });

  it('log probabilities keep their generated tokens', () => {
    const logprobs = { content: [{ token: 'Hello', logprob: -0.31, bytes: [72], top_logprobs: [] }] };
    expect(redactSecrets({ logprobs })).toEqual({ logprobs });
  });

  it('a value without secrets comes back as the same object', () => {
    const value = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
    expect(redactSecrets(value)).toBe(value);
  });

  it('does not change its input', () => {
    const value = { api_key: 'abc', inner: { text: OPENAI_KEY } };
    redactSecrets(value);
    expect(value).toEqual({ api_key: 'abc', inner: { text: OPENAI_KEY } });
  });

  it('a pathologically deep value is cut instead of overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(JSON.stringify(redactSecrets(deep))).toContain('[REDACTED: nested too deep]');
  });
});

describe('decodeExchange: redaction', () => {
  it('request and response JSON, text bodies and merged streams are redacted', () => {
    const event = proxyEvent({
      requestBody: jsonBody({
        model: 'gpt-4o',
        api_key: 'abc',
        messages: [{ role: 'user', content: `use ${OPENAI_KEY}` }],
      }),
      responseBody: sseBody(sseText(openAiChatChunks(['Your key: ', ANTHROPIC_KEY]), { done: true })),
    });
    const decoded = decodeExchange(event);
    expect(decoded.request).toEqual({
      kind: 'json',
      value: { model: 'gpt-4o', api_key: REDACTED, messages: [{ role: 'user', content: `use ${REDACTED}` }] },
    });
    expect(decoded.outputText).toBe(`Your key: ${REDACTED}`);
    const text = decodeExchange(
      proxyEvent({ responseBody: textBody(`invalid key ${PROXY_TOKEN}`) }),
    ).response;
    expect(text).toEqual({ kind: 'text', text: `invalid key ${REDACTED}` });
  });
});
