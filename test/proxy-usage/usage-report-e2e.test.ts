import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';
import type { TestGateway } from '../helpers/gateway-harness.js';
import { json } from '../helpers/management.js';
import { SSE_HEADERS } from '../helpers/sse.js';
import { STREAM_WORDS, chatStreamUpstream, sentBody } from './usage-kit.js';

const WAIT = { timeout: 5000, interval: 50 };

interface UsageBucket {
  readonly model: string | null;
  readonly requests: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cached_tokens: number;
  readonly reasoning_tokens: number;
  readonly estimated_requests: number;
}

const named = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** An Anthropic message stream: 7 input tokens (+ 100 read from its prompt cache) and 5 output tokens. */
const CLAUDE_STREAM =
  named('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_report',
      type: 'message',
      role: 'assistant',
      content: [],
      model: 'claude-sonnet-4-5',
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 7, cache_read_input_tokens: 100, output_tokens: 1 },
    },
  }) +
  named('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  }) +
  named('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text: 'Hi' },
  }) +
  named('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  named('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 5 },
  }) +
  named('message_stop', { type: 'message_stop' });

/**
 * The gateway as `llm-proxy server` builds it — no test taps — with the official SDKs as clients: what the fake
 * upstreams reported is what GET /manage/usage answers, and the OpenAI client's stream holds no usage chunk it
 * did not ask for.
 */
describe('exact usage through the whole gateway', () => {
  let h: TestGateway;

  beforeAll(async () => {
    h = await startTestGateway({ env: { USAGE_ROLLUP_INTERVAL: '100ms' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts OpenAI streamed and whole answers and an Anthropic stream, per model, as the upstreams reported', async () => {
    const upstream = chatStreamUpstream();
    h.upstream.script(upstream.script);
    h.anthropic.script((_request, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.end(CLAUDE_STREAM);
    });
    const gpt = await h.issueToken();
    const openai = h.openai(gpt.token);

    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count me' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    // The proxy asked for usage; the client did not, and sees the stream it would have seen without the proxy.
    expect(sentBody(h.upstream.requests[0])).toMatchObject({ stream_options: { include_usage: true } });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(STREAM_WORDS.join(''));
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk))).toBe(true);

    const whole = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count me too' }],
    });
    expect(whole.usage?.prompt_tokens).toBe(1500);

    const claude = await h.issueToken({ provider: 'anthropic' });
    const anthropic = new Anthropic({ apiKey: claude.token, baseURL: h.url, maxRetries: 0 });
    const message = await anthropic.messages
      .stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(message.usage.output_tokens).toBe(5);

    await expect
      .poll(async (): Promise<Record<string, Omit<UsageBucket, 'model'>>> => {
        const answer = await h.manage('GET', '/manage/usage?by=model');
        const buckets = json<{ buckets: UsageBucket[] }>(answer).buckets;
        return Object.fromEntries(buckets.map(({ model, ...counts }) => [String(model), counts]));
      }, WAIT)
      .toMatchObject({
        'gpt-4o-mini': {
          requests: 2,
          input_tokens: 3000,
          output_tokens: 640,
          cached_tokens: 2560,
          reasoning_tokens: 384,
          estimated_requests: 0,
        },
        'claude-sonnet-4-5': {
          requests: 1,
          input_tokens: 107,
          output_tokens: 5,
          cached_tokens: 100,
          reasoning_tokens: 0,
          estimated_requests: 0,
        },
      });
  });
});
