import { describe, expect, it } from 'vitest';

import { SseEventBounds, StreamUsageReader } from '../../src/usage/index.js';
import type { StreamUsageReaderOptions, TokenUsage } from '../../src/usage/index.js';

const event = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
const named = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

const chunk = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  usage: null,
});
const USAGE_CHUNK = event({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  choices: [],
  usage: {
    prompt_tokens: 40,
    completion_tokens: 12,
    total_tokens: 52,
    prompt_tokens_details: { cached_tokens: 32 },
    completion_tokens_details: { reasoning_tokens: 4 },
  },
});
const STOP_CHUNK = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  usage: null,
};
/** What a client that did not ask for usage receives of a stream the proxy asked it for. */
const unasked = (text: string): string => text.replaceAll(',"usage":null', '');
/** The stream before its usage chunk, as the upstream sends it when asked for usage. */
const OPENAI_BEFORE = event(chunk('Hel')) + event(chunk('lo')) + event(STOP_CHUNK);
const OPENAI_STREAM = OPENAI_BEFORE + USAGE_CHUNK + 'data: [DONE]\n\n';
const OPENAI_USAGE: TokenUsage = {
  inputTokens: 40,
  outputTokens: 12,
  cachedTokens: 32,
  reasoningTokens: 4,
  estimated: false,
};

/** Feeds `text` cut at the given offsets; returns what was passed on and the usage. */
function feed(text: string, cuts: readonly number[], options: StreamUsageReaderOptions = {}) {
  const out: Buffer[] = [];
  const reader = new StreamUsageReader({
    ...options,
    withoutUsageChunk: options.withoutUsageChunk ?? ((bytes) => out.push(Buffer.from(bytes))),
  });
  const bytes = Buffer.from(text);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.push(bytes.subarray(from, cut));
    from = cut;
  }
  reader.end();
  return { out: Buffer.concat(out).toString(), usage: reader.usage(), reader };
}

function readOnly(text: string, cuts: readonly number[] = []) {
  const reader = new StreamUsageReader();
  const bytes = Buffer.from(text);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.push(bytes.subarray(from, cut));
    from = cut;
  }
  reader.end();
  return reader;
}

describe('usage of an OpenAI chat stream', () => {
  it('is read from the usage chunk, passing over the "usage": null of every content chunk', () => {
    expect(readOnly(OPENAI_STREAM).usage()).toEqual(OPENAI_USAGE);
  });

  it('leaves out exactly what asking for usage added when told to, wherever the stream is cut', () => {
    const expected = unasked(OPENAI_BEFORE + 'data: [DONE]\n\n');
    for (let cut = 1; cut < OPENAI_STREAM.length; cut += 1) {
      const { out, usage } = feed(OPENAI_STREAM, [cut]);
      expect(out, `cut at ${cut}`).toBe(expected);
      expect(usage).toEqual(OPENAI_USAGE);
    }
  });

  it('leaves out the usage chunk of a stream that arrives a byte at a time, with CRLF line ends', () => {
    const crlf = OPENAI_STREAM.replaceAll('\n', '\r\n');
    const cuts = Array.from({ length: crlf.length - 1 }, (_, i) => i + 1);
    const { out, usage } = feed(crlf, cuts);
    expect(out).toBe(unasked(OPENAI_BEFORE + 'data: [DONE]\n\n').replaceAll('\n', '\r\n'));
    expect(usage).toEqual(OPENAI_USAGE);
  });

  it('handles CR-only line ends split between chunks', () => {
    const cr = OPENAI_STREAM.replaceAll('\n', '\r');
    for (const cut of [cr.indexOf('\r\r') + 1, cr.indexOf(USAGE_CHUNK.replaceAll('\n', '\r')) - 1]) {
      const { out, usage } = feed(cr, [cut]);
      expect(out).toBe(unasked(OPENAI_BEFORE + 'data: [DONE]\n\n').replaceAll('\n', '\r'));
      expect(usage).toEqual(OPENAI_USAGE);
    }
  });

  it('passes complete events on at once and holds back only a partial one', () => {
    const out: string[] = [];
    const reader = new StreamUsageReader({ withoutUsageChunk: (bytes) => out.push(bytes.toString()) });
    const first = event(chunk('Hel'));
    reader.push(Buffer.from(first + 'data: {"id":"chatcmpl-1","cho'));
    expect(out.join('')).toBe(unasked(first));
    reader.push(Buffer.from('ices":[{"index":0,"delta":{"content":"lo"}}]}\n\n'));
    expect(out.join('')).toBe(
      unasked(first) + 'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"lo"}}]}\n\n',
    );
  });

  it('keeps a usage that comes with content (choices not empty) in the stream', () => {
    const withContent = event({ ...chunk('!'), usage: { prompt_tokens: 3, completion_tokens: 1 } });
    const { out, usage } = feed(withContent + 'data: [DONE]\n\n', []);
    expect(out).toBe(withContent + 'data: [DONE]\n\n');
    expect(usage).toMatchObject({ inputTokens: 3, outputTokens: 1 });
  });

  it('passes on the partial last event of an interrupted stream as it came', () => {
    const cut = OPENAI_BEFORE + USAGE_CHUNK.slice(0, 30);
    const { out, usage } = feed(cut, [10]);
    expect(out).toBe(unasked(cut));
    expect(usage).toBeUndefined();
  });

  it('passes an event larger than the bound on unread, and still reads the ones after it', () => {
    const big = event(chunk('x'.repeat(5000)));
    const { out, usage } = feed(big + USAGE_CHUNK, [100, 2000, 4000], { maxEventBytes: 1024 });
    expect(out).toBe(unasked(big));
    expect(usage).toEqual(OPENAI_USAGE);
  });

  it('keeps the start of a stream that reports no usage, for an estimate, and drops it once usage comes', () => {
    const plain = readOnly(OPENAI_BEFORE);
    expect(plain.usage()).toBeUndefined();
    expect(Buffer.concat(plain.keptStream().chunks).toString()).toBe(OPENAI_BEFORE);
    expect(readOnly(OPENAI_STREAM).keptStream().chunks).toHaveLength(0);
  });
});

describe('usage of a Responses API stream', () => {
  it('is read from response.completed, not from the null usage of the early events', () => {
    const stream =
      named('response.created', { type: 'response.created', response: { id: 'resp_1', usage: null } }) +
      named('response.output_text.delta', { type: 'response.output_text.delta', delta: 'Hi' }) +
      named('response.completed', {
        type: 'response.completed',
        response: {
          id: 'resp_1',
          output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hi' }] }],
          usage: {
            input_tokens: 75,
            input_tokens_details: { cached_tokens: 64 },
            output_tokens: 30,
            output_tokens_details: { reasoning_tokens: 20 },
          },
        },
      });
    expect(readOnly(stream, [17, 200]).usage()).toEqual({
      inputTokens: 75,
      outputTokens: 30,
      cachedTokens: 64,
      reasoningTokens: 20,
      estimated: false,
    });
  });
});

describe('usage of an Anthropic stream', () => {
  const start = named('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_1',
      usage: {
        input_tokens: 25,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 900,
        output_tokens: 1,
      },
    },
  });
  const delta = named('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text: 'Hello' },
  });
  const end = (output: number) =>
    named('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: output },
    });

  it('takes input and cache counts from message_start and the output from the last message_delta', () => {
    const stream = start + delta + end(7) + end(15) + named('message_stop', { type: 'message_stop' });
    expect(readOnly(stream, [5, 120]).usage()).toEqual({
      inputTokens: 1025,
      outputTokens: 15,
      cachedTokens: 900,
      reasoningTokens: 0,
      estimated: false,
    });
  });

  it('records what arrived of a stream cut after message_start', () => {
    expect(readOnly(start + delta).usage()).toMatchObject({ inputTokens: 1025, outputTokens: 1 });
  });
});

describe('event ends in raw bytes', () => {
  it('finds LF, CRLF and CR blank lines, across chunks', () => {
    const ends = (parts: string[]): number[][] => {
      const bounds = new SseEventBounds();
      return parts.map((part) => {
        const found: number[] = [];
        bounds.push(Buffer.from(part), found);
        return found;
      });
    };
    expect(ends(['data: a\n\ndata: b\n', '\ndata: c'])).toEqual([[9], [1]]);
    expect(ends(['data: a\r\n\r', '\ndata: b\r\n\r\n'])).toEqual([[], [1, 12]]);
    expect(ends(['data: a\r\r', 'data: b\r\r'])).toEqual([[], [0]]);
  });
});
