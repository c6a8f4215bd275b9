import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { IssuedToken } from '../helpers/management.js';
import { SSE_HEADERS } from '../helpers/sse.js';
import { sentBody, startUsageGateway, writeJson } from './usage-kit.js';
import type { UsageGateway } from './usage-kit.js';

const named = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

const MESSAGE_START = named('message_start', {
  type: 'message_start',
  message: {
    id: 'msg_usage',
    type: 'message',
    role: 'assistant',
    content: [],
    model: 'claude-sonnet-4-5',
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: 12,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 3000,
      output_tokens: 1,
    },
  },
});
const BODY_EVENTS =
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
    usage: { output_tokens: 42 },
  }) +
  named('message_stop', { type: 'message_stop' });

/** What the proxy records for the stream above: input counts the cache reads and writes. */
const RECORDED = {
  inputTokens: 3212,
  outputTokens: 42,
  cachedTokens: 3000,
  reasoningTokens: 0,
  estimated: false,
};

describe('exact usage of Anthropic messages', () => {
  let usage: UsageGateway;
  let claude: IssuedToken;
  let client: Anthropic;

  beforeAll(async () => {
    usage = await startUsageGateway();
    claude = await usage.gateway.issueToken({ provider: 'anthropic' });
    client = new Anthropic({
      apiKey: claude.token,
      baseURL: usage.gateway.url,
      maxRetries: 0,
      timeout: 20_000,
    });
  });
  afterAll(async () => {
    await usage.gateway.close();
  });
  beforeEach(() => {
    usage.gateway.anthropic.reset();
  });

  it('a stream read by the Anthropic SDK: usage from message_start and the last message_delta; the body is untouched', async () => {
    usage.gateway.anthropic.script((_request, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(MESSAGE_START);
      res.end(BODY_EVENTS);
    });
    const { data: stream, response } = await client.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      })
      .withResponse();
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Hi');
    expect(sentBody(usage.gateway.anthropic.requests[0])).not.toHaveProperty('stream_options');
    expect((await usage.recordOf(response.headers.get('x-request-id'))).usage).toEqual(RECORDED);
  });

  it('a message without streaming: usage with cache reads and writes', async () => {
    usage.gateway.anthropic.script((_request, res) => {
      writeJson(res, {
        id: 'msg_usage',
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: 'Hi' }],
        model: 'claude-sonnet-4-5',
        stop_reason: 'end_turn',
        usage: {
          input_tokens: 12,
          cache_creation_input_tokens: 200,
          cache_read_input_tokens: 3000,
          output_tokens: 42,
        },
      });
    });
    const { response } = await client.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect((await usage.recordOf(response.headers.get('x-request-id'))).usage).toEqual(RECORDED);
  });

  it('a stream the upstream cuts after message_start records what arrived', async () => {
    usage.gateway.anthropic.script((_request, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(MESSAGE_START, () => {
        setTimeout(() => res.destroy(), 20);
      });
    });
    const response = await usage.gateway.proxy('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': claude.token, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [], stream: true }),
    });
    await response.text().catch(() => '');
    const record = await usage.recordOf(response.headers.get('x-request-id'));
    expect(record.outcome).toBe('interrupted');
    expect(record.usage).toEqual({ ...RECORDED, outputTokens: 1 });
  });
});
