import { request } from 'undici';

import { SseDecoder } from '../../core/index.js';
import { errorCodeOf } from '../shared/cli-error.js';
import { chatRequestBody, describeErrorAnswer, parseCompletion, parseStreamEvent } from './chat-protocol.js';
import type { ChatMessage, ChatSettings, TokenUsage } from './chat-protocol.js';

/** Where and as whom the chat client calls the proxy. */
export interface ChatClientOptions {
  /** Base URL of the proxy, e.g. `http://localhost:8080`. */
  readonly proxyUrl: string;
  /** The llm-proxy token, sent as `Authorization: Bearer …`. */
  readonly token: string;
  readonly settings: ChatSettings;
}

/** How one turn is sent. */
export interface ChatTurnOptions {
  readonly stream: boolean;
  /** Aborts the answer (Ctrl-C); the turn then ends with {@link ChatAbortedError}. */
  readonly signal: AbortSignal;
  /** Receives each piece of a streamed answer as it arrives. */
  readonly onDelta: (text: string) => void;
}

/** A finished answer and what `--verbose` shows about it. */
export interface ChatAnswer {
  readonly content: string;
  readonly requestId: string | undefined;
  readonly latencyMs: number;
  readonly usage: TokenUsage | undefined;
}

/** A turn that failed: the proxy or the upstream answered with an error, or the proxy could not be reached. */
export class ChatRequestError extends Error {
  readonly requestId: string | undefined;

  constructor(message: string, requestId?: string) {
    super(message);
    this.name = 'ChatRequestError';
    this.requestId = requestId;
  }
}

/** A turn the user aborted. */
export class ChatAbortedError extends Error {
  constructor() {
    super('answer aborted');
    this.name = 'ChatAbortedError';
  }
}

/** Sends the conversation to `{proxy}/v1/chat/completions` and returns the answer, streamed or whole. */
export async function sendChat(
  client: ChatClientOptions,
  messages: readonly ChatMessage[],
  turn: ChatTurnOptions,
): Promise<ChatAnswer> {
  const started = performance.now();
  let answered = false;
  try {
    const response = await request(completionsUrl(client.proxyUrl), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${client.token}`,
        'content-type': 'application/json',
        accept: turn.stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(chatRequestBody(client.settings, messages, turn.stream)),
      signal: turn.signal,
    });
    answered = true;
    const requestId = headerValue(response.headers['x-request-id']);
    const contentType = headerValue(response.headers['content-type']) ?? '';
    if (response.statusCode < 200 || response.statusCode > 299) {
      const text = await response.body.text();
      throw new ChatRequestError(describeErrorAnswer(response.statusCode, text), requestId);
    }
    // A proxy may answer a stream request with plain JSON (a cached or non-streaming upstream): accept both.
    const answer = contentType.includes('text/event-stream')
      ? await readStream(response.body, turn.onDelta, requestId)
      : readWhole(await response.body.text(), turn.onDelta, requestId);
    return { ...answer, requestId, latencyMs: performance.now() - started };
  } catch (error) {
    if (turn.signal.aborted) throw new ChatAbortedError();
    if (error instanceof ChatRequestError) throw error;
    throw new ChatRequestError(
      answered
        ? `the answer broke off: ${errorCodeOf(error)}`
        : `cannot reach the proxy at ${client.proxyUrl}: ${errorCodeOf(error)}`,
    );
  }
}

async function readStream(
  body: AsyncIterable<Buffer>,
  onDelta: (text: string) => void,
  requestId: string | undefined,
): Promise<{ content: string; usage: TokenUsage | undefined }> {
  const decoder = new SseDecoder();
  let content = '';
  let usage: TokenUsage | undefined;
  // Returns true once `[DONE]` arrived: anything after it is not part of the answer.
  const handle = (events: readonly string[]): boolean => {
    for (const data of events) {
      const event = parseStreamEvent(data);
      if (event.type === 'done') return true;
      if (event.type === 'error') throw new ChatRequestError(event.message, requestId);
      if (event.type === 'delta') {
        if (event.usage !== undefined) usage = event.usage;
        if (event.content !== '') {
          content += event.content;
          onDelta(event.content);
        }
      }
      // Events that are not JSON (keep-alive payloads of some providers) carry nothing to show.
    }
    return false;
  };
  for await (const chunk of body) {
    if (handle(decoder.push(chunk))) return { content, usage };
  }
  handle(decoder.end());
  return { content, usage };
}

function readWhole(
  text: string,
  onDelta: (text: string) => void,
  requestId: string | undefined,
): { content: string; usage: TokenUsage | undefined } {
  const completion = parseCompletion(text);
  if (!completion.ok) throw new ChatRequestError(completion.message, requestId);
  onDelta(completion.content);
  return { content: completion.content, usage: completion.usage };
}

function completionsUrl(proxyUrl: string): string {
  return `${proxyUrl.replace(/\/+$/, '')}/v1/chat/completions`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
