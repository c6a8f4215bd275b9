import type { Dispatcher } from 'undici';

import {
  StreamUsageReader,
  encodingForModel,
  estimateUsage,
  loadTokenCounter,
  tokenCounter,
} from '../../usage/index.js';
import type { TokenUsage } from '../../usage/index.js';
import type { ExchangeView } from '../exchange-record.js';
import { CollectedAnswer, estimateBasis, streamUsage } from '../usage-answer.js';
import type { AnswerUsage } from '../usage-answer.js';
import { ForwardingHandler } from './tap.js';
import type { ExchangeHandler, ExchangeStart, ResponseHeaders, ResponseTap } from './tap.js';

/** Largest JSON answer read whole for its usage. */
const DEFAULT_MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Methods that generate nothing: their answers are not read. */
const READS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** Options of {@link usageTap}. */
export interface UsageTapOptions {
  /**
   * Largest JSON (or encoded) answer read whole for its usage; of a larger plain JSON answer the usage is read
   * from its last 64 KiB, an encoded one records none. @default 4 MiB
   */
  readonly maxJsonBytes?: number;
}

/**
 * The usage tap: records the tokens of every successful answer — upstream, collapsed or cached — with
 * `noteUsage`, from the `usage` the upstream reported or, only when it reported none, estimated with the
 * model's tokenizer. It is also what the stream-usage step is paired with: while it is installed, streamed
 * OpenAI chat and text completions that did not ask for usage are sent upstream asking for it, and this tap
 * removes that extra chunk from the client's stream again.
 */
export class UsageTap implements ResponseTap {
  readonly name = 'usage';
  private readonly maxJsonBytes: number;

  constructor(options: UsageTapOptions = {}) {
    this.maxJsonBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  }

  wrap(next: ExchangeHandler, exchange: ExchangeView): ExchangeHandler {
    return new UsageHandler(next, exchange, this.maxJsonBytes);
  }
}

/** Creates the usage tap (see {@link UsageTap}). */
export function usageTap(options: UsageTapOptions = {}): UsageTap {
  return new UsageTap(options);
}

/** How the handler treats the answer it relays. */
type Mode = 'pass' | 'stream' | 'collect';

class UsageHandler extends ForwardingHandler {
  private mode: Mode = 'pass';
  private source: ExchangeStart['source'] = 'upstream';
  private reader: StreamUsageReader | undefined;
  private collected: CollectedAnswer | undefined;
  /** The controller of the latest callback, for the bytes the reader passes on. */
  private controller: Dispatcher.DispatchController | undefined;
  /** Whether the reader passes the stream on (without the usage chunk) rather than the handler itself. */
  private filtering = false;
  private ended = false;

  constructor(
    next: ExchangeHandler,
    private readonly exchange: ExchangeView,
    private readonly maxJsonBytes: number,
  ) {
    super(next);
  }

  override onRequestStart(controller: Dispatcher.DispatchController, start: ExchangeStart): void {
    this.source = start.source;
    this.next.onRequestStart(controller, start);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    this.plan(statusCode, headers);
    this.next.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.mode === 'stream') {
      const reader = this.reader as StreamUsageReader;
      if (this.filtering) {
        this.controller = controller;
        reader.push(chunk);
        return;
      }
      // Passed on first: reading never holds a chunk back.
      this.next.onResponseData(controller, chunk);
      reader.push(chunk);
      return;
    }
    if (this.mode === 'collect') this.collected?.add(chunk);
    this.next.onResponseData(controller, chunk);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    const found = this.answerUsage(controller);
    if (found.kind !== 'estimate') {
      if (found.kind === 'reported') this.note(found.usage);
      this.next.onResponseEnd(controller, trailers);
      return;
    }
    const basis = estimateBasis(this.exchange.body);
    if (basis === undefined) {
      this.next.onResponseEnd(controller, trailers);
      return;
    }
    const encoding = encodingForModel(basis.model);
    const estimate = { ...basis, output: found.output, outputScale: found.outputScale };
    const counter = tokenCounter(encoding);
    if (counter !== undefined) {
      this.note(estimateUsage(estimate, counter));
      this.next.onResponseEnd(controller, trailers);
      return;
    }
    // The first estimate of this process waits for the tokenizer to load (once); the record is built only
    // after the client's response ended, so it still gets the count.
    void loadTokenCounter(encoding)
      .then(
        (loaded) => estimateUsage(estimate, loaded),
        () => estimateUsage(estimate),
      )
      .then((usage) => {
        this.note(usage);
        this.next.onResponseEnd(controller, trailers);
      })
      .catch((error: unknown) => {
        // Off the upstream's callback, a failure of the chain would go unseen: it ends the exchange instead.
        this.next.onResponseError(controller, error instanceof Error ? error : new Error(String(error)));
      });
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    // An interrupted answer records what arrived; its record may be built right after this call (the client
    // left), so an estimate cannot wait for the tokenizer: without it, it is a rough one.
    const found = this.answerUsage(controller);
    if (found.kind === 'reported') this.note(found.usage);
    else if (found.kind === 'estimate') {
      const basis = estimateBasis(this.exchange.body);
      if (basis !== undefined) {
        const estimate = { ...basis, output: found.output, outputScale: found.outputScale };
        this.note(estimateUsage(estimate, tokenCounter(encodingForModel(basis.model))));
      }
    }
    this.next.onResponseError(controller, error);
  }

  /** Decides from the answer's head whether and how its usage is read. */
  private plan(statusCode: number, headers: ResponseHeaders): void {
    // The proxy's own answers and failed ones used no tokens (a 304 replays no body); neither did reads — a
    // list, a file, a stored response fetched again.
    if (this.source === 'proxy' || statusCode < 200 || statusCode >= 300) return;
    if (READS.has(this.exchange.method)) return;
    const type = headers['content-type'];
    const contentType = typeof type === 'string' ? type.toLowerCase() : '';
    const stream = contentType.startsWith('text/event-stream');
    if (!stream && !contentType.includes('json')) return;
    const coding = headers['content-encoding'];
    const encoding = typeof coding === 'string' ? coding.trim().toLowerCase() : undefined;
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      // Compressed (the upstream ignored `Accept-Encoding: identity`): read once whole; a usage chunk the proxy
      // asked for cannot be cut out of it and reaches the client.
      this.mode = 'collect';
      this.collected = new CollectedAnswer(this.maxJsonBytes, encoding, stream);
      return;
    }
    if (!stream) {
      this.mode = 'collect';
      this.collected = new CollectedAnswer(this.maxJsonBytes, undefined, false);
      return;
    }
    this.mode = 'stream';
    this.filtering = addedUsage(this.exchange);
    this.reader = new StreamUsageReader(
      this.filtering
        ? {
            withoutUsageChunk: (bytes) => {
              this.passOn(bytes);
            },
          }
        : {},
    );
  }

  /** Ends the reading of the answer and says what its usage is. */
  private answerUsage(controller: Dispatcher.DispatchController): AnswerUsage {
    if (this.ended) return { kind: 'none' };
    this.ended = true;
    if (this.mode === 'stream') {
      const reader = this.reader as StreamUsageReader;
      this.controller = controller;
      reader.end();
      return streamUsage(reader);
    }
    if (this.mode === 'collect') return (this.collected as CollectedAnswer).usage();
    return { kind: 'none' };
  }

  private passOn(bytes: Buffer): void {
    this.next.onResponseData(this.controller as Dispatcher.DispatchController, bytes);
  }

  private note(usage: TokenUsage): void {
    this.exchange.noteUsage(usage);
  }
}

/** Whether the stream-usage step added `include_usage` to this exchange's request (request-state.ts). */
function addedUsage(exchange: ExchangeView): boolean {
  return 'streamUsageAdded' in exchange && exchange.streamUsageAdded === true;
}
