import { describe, expect, it } from 'vitest';

import type { ProxyEvent } from '../../../src/events/index.js';
import { decodeExchange } from '../../../src/events/transform/decode-exchange.js';
import type { DecodedExchange } from '../../../src/events/transform/decoded-exchange.js';
import {
  anthropicEvents,
  gzipBody,
  openAiChatChunks,
  proxyEvent,
  responsesEvents,
  responsesFinal,
  sseBody,
  sseText,
  textBody,
  truncateBody,
} from '../event-fixtures.js';

function streamed(text: string, overrides: Partial<ProxyEvent> = {}): DecodedExchange {
  return decodeExchange(proxyEvent({ responseBody: sseBody(text), ...overrides }));
}

function merged(decoded: DecodedExchange): Record<string, unknown> {
  expect(decoded.streamed).toBe(true);
  expect(decoded.response.kind).toBe('json');
  return decoded.response.kind === 'json' ? (decoded.response.value as Record<string, unknown>) : {};
}

function chatChunk(choices: unknown[]): unknown {
  return { id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices };
}

describe('decodeExchange: OpenAI chat completions streams', () => {
  it('chunks merge into the chat.completion they add up to, usage from the usage chunk', () => {
    const decoded = streamed(sseText(openAiChatChunks(['Hel', 'lo', '!']), { done: true }));
    expect(merged(decoded)).toEqual({
      id: 'chatcmpl-stream1',
      object: 'chat.completion',
      created: 1741569952,
      model: 'gpt-4o-mini-2024-07-18',
      system_fingerprint: 'fp_06737a9306',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello!', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 19,
        completion_tokens: 3,
        total_tokens: 22,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(decoded.outputText).toBe('Hello!');
    expect(decoded.finishReasons).toEqual(['stop']);
  });

  it('tool calls merge by index with their arguments concatenated', () => {
    const call = (index: number, fn: Record<string, string>, id?: string): unknown =>
      chatChunk([
        {
          index: 0,
          delta: { tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] },
        },
      ]);
    const text = sseText([
      chatChunk([{ index: 0, delta: { role: 'assistant', content: null } }]),
      call(0, { name: 'get_weather', arguments: '' }, 'call_a'),
      call(1, { name: 'get_time', arguments: '' }, 'call_b'),
      call(0, { arguments: '{"city":' }),
      call(1, { arguments: '{"tz":"UTC"}' }),
      call(0, { arguments: '"Paris"}' }),
      chatChunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
    ]);
    const decoded = streamed(text);
    const choices = merged(decoded).choices as { message: Record<string, unknown> }[];
    expect(choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"UTC"}' } },
      ],
    });
    expect(decoded.outputText).toBeNull();
    expect(decoded.finishReasons).toEqual(['tool_calls']);
  });

  it('several choices are kept apart by index, refusals concatenate', () => {
    const text = sseText([
      chatChunk([
        { index: 1, delta: { role: 'assistant', content: 'B' } },
        { index: 0, delta: { role: 'assistant', refusal: "I can't" } },
      ]),
      chatChunk([{ index: 0, delta: { refusal: ' help.' }, finish_reason: 'stop' }]),
      chatChunk([{ index: 1, delta: { content: 'b' }, finish_reason: 'length' }]),
    ]);
    const decoded = streamed(text);
    const choices = merged(decoded).choices as { index: number; message: Record<string, unknown> }[];
    expect(choices.map((choice) => [choice.index, choice.message.content, choice.message.refusal])).toEqual([
      [0, null, "I can't help."],
      [1, 'Bb', null],
    ]);
    expect(decoded.finishReasons).toEqual(['stop', 'length']);
  });

  it('a stream cut at the capture cap merges what arrived', () => {
    const whole = sseBody(sseText(openAiChatChunks(['one ', 'two ', 'three ', 'four']), { done: true }));
    const fourthChunkStart = whole.data.indexOf('four');
    const decoded = decodeExchange(proxyEvent({ responseBody: truncateBody(whole, fourthChunkStart) }));
    const value = merged(decoded);
    expect(decoded.outputText).toBe('one two three ');
    expect(decoded.finishReasons).toEqual([]);
    expect(value.usage).toBeUndefined();
  });

  it('a gzip stream without a content type is recognised by its data: lines', () => {
    const body = gzipBody(sseText(openAiChatChunks(['zip']), { done: true }), { contentType: null });
    expect(decodeExchange(proxyEvent({ responseBody: body })).outputText).toBe('zip');
  });

  it('an unknown event stream stays text', () => {
    const text = 'event: tick\ndata: {"n":1}\n\ndata: plain words\n\n';
    const decoded = streamed(text);
    expect(decoded.streamed).toBe(true);
    expect(decoded.response).toEqual({ kind: 'text', text });
    expect(decoded.outputText).toBeNull();
  });
});

describe('decodeExchange: Responses API streams', () => {
  it('the object of response.completed is the merged answer', () => {
    const decoded = streamed(sseText(responsesEvents(['Hi', ' there']), { named: true }));
    expect(merged(decoded)).toEqual(responsesFinal('Hi there'));
    expect(decoded.outputText).toBe('Hi there');
    expect(decoded.finishReasons).toEqual(['completed']);
  });

  it('a stream cut before response.completed is rebuilt from its deltas', () => {
    const events = responsesEvents(['Hal', 'f ', 'way']).filter(
      (event) =>
        ![
          'response.output_text.done',
          'response.content_part.done',
          'response.output_item.done',
          'response.completed',
        ].includes((event as { type: string }).type),
    );
    const decoded = streamed(sseText(events, { named: true }));
    const value = merged(decoded);
    expect(value.status).toBe('in_progress');
    expect(value.output).toEqual([
      {
        id: 'msg_67ccd2bf17f0',
        type: 'message',
        status: 'in_progress',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Half way', annotations: [] }],
      },
    ]);
    expect(decoded.outputText).toBe('Half way');
    expect(decoded.finishReasons).toEqual(['in_progress']);
  });

  it('function call arguments are concatenated when the stream ends early', () => {
    const events = [
      {
        type: 'response.created',
        response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] },
      },
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '' },
      },
      { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: '{"q":' },
      { type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: '"llm"}' },
    ];
    const value = merged(streamed(sseText(events, { named: true })));
    expect(value.output).toEqual([
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '{"q":"llm"}' },
    ]);
  });

  it('a failed response reports its status and error', () => {
    const failed = {
      id: 'resp_2',
      object: 'response',
      status: 'failed',
      error: { code: 'server_error' },
      output: [],
    };
    const decoded = streamed(
      sseText([
        { type: 'response.created', response: { ...failed, status: 'in_progress', error: null } },
        { type: 'response.failed', response: failed },
      ]),
    );
    expect(merged(decoded)).toEqual(failed);
    expect(decoded.finishReasons).toEqual(['failed']);
  });
});

describe('decodeExchange: Anthropic messages streams', () => {
  it('events merge into the message, usage from message_start and the last message_delta', () => {
    const decoded = streamed(sseText(anthropicEvents(['Hello', ' world']), { named: true }), {
      path: '/v1/messages',
      provider: 'anthropic',
    });
    expect(merged(decoded)).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [{ type: 'text', text: 'Hello world' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 25,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        output_tokens: 15,
      },
    });
    expect(decoded.outputText).toBe('Hello world');
    expect(decoded.finishReasons).toEqual(['end_turn']);
  });

  it('thinking, text and tool use blocks keep their order; tool input is parsed', () => {
    const [start] = anthropicEvents();
    const delta = (index: number, d: Record<string, string>): unknown => ({
      type: 'content_block_delta',
      index,
      delta: d,
    });
    const events = [
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      delta(0, { type: 'thinking_delta', thinking: 'User wants ' }),
      delta(0, { type: 'thinking_delta', thinking: 'weather.' }),
      delta(0, { type: 'signature_delta', signature: 'EqQBCgIYAh' }),
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      delta(1, { type: 'text_delta', text: 'Checking.' }),
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
      },
      delta(2, { type: 'input_json_delta', partial_json: '' }),
      delta(2, { type: 'input_json_delta', partial_json: '{"location": "San' }),
      delta(2, { type: 'input_json_delta', partial_json: ' Francisco"}' }),
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 89 },
      },
      { type: 'message_stop' },
    ];
    const decoded = streamed(sseText(events, { named: true }));
    expect(merged(decoded).content).toEqual([
      { type: 'thinking', thinking: 'User wants weather.', signature: 'EqQBCgIYAh' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'San Francisco' } },
    ]);
    expect(decoded.outputText).toBe('Checking.');
    expect(decoded.finishReasons).toEqual(['tool_use']);
  });

  it('a stream cut inside a tool call keeps the partial input text and the usage so far', () => {
    const [start] = anthropicEvents();
    const events = [
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_2', name: 'f', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a": 1' } },
    ];
    const value = merged(streamed(sseText(events, { named: true })));
    expect(value.content).toEqual([{ type: 'tool_use', id: 'toolu_2', name: 'f', input: '{"a": 1' }]);
    expect(value.stop_reason).toBeNull();
    expect(value.usage).toMatchObject({ input_tokens: 25, output_tokens: 1 });
  });
});

describe('decodeExchange: answers that were not streamed', () => {
  const cases: [string, unknown, string | null, string[]][] = [
    ['a Responses API answer', responsesFinal('Plain answer'), 'Plain answer', ['completed']],
    [
      'an Anthropic message',
      {
        type: 'message',
        content: [
          { type: 'text', text: 'A' },
          { type: 'tool_use', id: 't', name: 'n', input: {} },
          { type: 'text', text: 'B' },
        ],
        stop_reason: 'tool_use',
      },
      'AB',
      ['tool_use'],
    ],
    [
      'a legacy completion',
      { object: 'text_completion', choices: [{ text: 'old', finish_reason: 'length' }] },
      'old',
      ['length'],
    ],
    ['an error answer', { error: { message: 'Rate limit reached', type: 'requests' } }, null, []],
  ];

  it.each(cases)('%s gives its text and finish reasons', (_name, answer, text, reasons) => {
    const decoded = decodeExchange(
      proxyEvent({ responseBody: textBody(JSON.stringify(answer), { contentType: 'application/json' }) }),
    );
    expect(decoded.streamed).toBe(false);
    expect(decoded.outputText).toBe(text);
    expect(decoded.finishReasons).toEqual(reasons);
  });

  it('the default chat completion gives its message content', () => {
    const decoded = decodeExchange(proxyEvent());
    expect(decoded.outputText).toBe('Hello!');
    expect(decoded.finishReasons).toEqual(['stop']);
  });
});
