import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';

import { ForwardingHandler } from '../../src/proxy/index.js';
import type { ExchangeHandler, ExchangeStart, ResponseHeaders } from '../../src/proxy/index.js';
import { playLocalAnswer } from '../../src/proxy/taps/local-answer.js';

/** The end of a chain: writes down what arrives, and can pause on a chosen chunk. */
class Sink implements ExchangeHandler {
  readonly events: string[] = [];
  controller: Dispatcher.DispatchController | undefined;
  constructor(private readonly pauseOnChunk = -1) {}
  private chunks = 0;
  onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void {
    this.controller = controller;
    this.events.push(`start:${start.source}`);
  }
  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: ResponseHeaders,
  ): void {
    this.events.push(`response:${String(status)}:${String(headers['content-type'])}`);
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.events.push(`data:${chunk.toString()}`);
    if (this.chunks === this.pauseOnChunk) controller.pause();
    this.chunks += 1;
  }
  onResponseEnd(): void {
    this.events.push('end');
  }
  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.events.push(`error:${error.message}`);
  }
}

const ANSWER = {
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  chunks: ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'].map((text) => Buffer.from(text)),
};

describe('a local answer played through a response chain', () => {
  it('arrives like an upstream answer: start, headers, each chunk in order, end', () => {
    const sink = new Sink();
    playLocalAnswer(new ForwardingHandler(sink), ANSWER, 'cache');
    expect(sink.events).toEqual([
      'start:cache',
      'response:200:text/event-stream',
      'data:data: 1\n\n',
      'data:data: 2\n\n',
      'data:data: 3\n\n',
      'end',
    ]);
  });

  it('holds the next chunk back while the relay has paused, and goes on when it resumes', () => {
    const sink = new Sink(0);
    playLocalAnswer(sink, ANSWER, 'cache');
    expect(sink.events.at(-1)).toBe('data:data: 1\n\n');
    expect(sink.controller?.paused).toBe(true);
    sink.controller?.resume();
    expect(sink.events.slice(-3)).toEqual(['data:data: 2\n\n', 'data:data: 3\n\n', 'end']);
  });

  it('ends with an error, and no end, when aborted while paused', () => {
    const sink = new Sink(0);
    playLocalAnswer(sink, ANSWER, 'proxy');
    sink.controller?.abort(new Error('client disconnected'));
    sink.controller?.resume();
    expect(sink.events.slice(-2)).toEqual(['data:data: 1\n\n', 'error:client disconnected']);
    expect(sink.controller?.aborted).toBe(true);
    expect(sink.controller?.reason?.message).toBe('client disconnected');
  });

  it('stops before the headers when aborted at the start', () => {
    const events: string[] = [];
    const abortingAtStart = new (class extends Sink {
      override onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void {
        super.onRequestStart(controller, start);
        controller.abort(new Error('gone'));
      }
    })();
    playLocalAnswer(abortingAtStart, ANSWER, 'proxy');
    events.push(...abortingAtStart.events);
    expect(events).toEqual(['start:proxy', 'error:gone']);
  });
});
