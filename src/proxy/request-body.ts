import type { IncomingMessage } from 'node:http';

import type { ProviderConfig } from '../config/index.js';
import { AppError, ERRORS } from '../core/index.js';
import type { BodyRateGuard, WatchedBody } from './body-rate-guard.js';
import { isJsonContentType } from './param-whitelist.js';

const BODILESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);
const EMPTY = Buffer.alloc(0);
const NOT_PARSED: unique symbol = Symbol('not parsed');
const SEND_NOTHING: BodyPlan = { kind: 'none', empty: false };
const SEND_EMPTY: BodyPlan = { kind: 'none', empty: true };
const STREAM: BodyPlan = { kind: 'stream' };
/** The read plans, by [json][checked]: shared because planning runs on every request. */
const READ_PLANS = {
  json: {
    checked: { kind: 'read', json: true, checked: true },
    unchecked: { kind: 'read', json: true, checked: false },
  },
  other: {
    checked: { kind: 'read', json: false, checked: true },
    unchecked: { kind: 'read', json: false, checked: false },
  },
} as const;

/**
 * How a request's body travels. Without a param whitelist, JSON is read (bounded) for the facts later steps
 * need, and anything else — multipart uploads, audio, files — streams straight through without being
 * buffered. With one, every body is read (bounded) and checked before anything leaves: whatever its label,
 * the upstream gets no byte the proxy did not check (see body-check/).
 */
export type BodyPlan =
  /** No body; `empty`: an empty one is still sent (`Content-Length: 0` on a POST). */
  | { readonly kind: 'none'; readonly empty: boolean }
  | { readonly kind: 'stream' }
  | { readonly kind: 'read'; readonly json: boolean; readonly checked: boolean };

/** Decides how the body of a request is handled, without reading it. */
export function planBody(req: IncomingMessage, method: string, provider: ProviderConfig): BodyPlan {
  const length = req.headers['content-length'];
  const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return BODILESS.has(method) ? SEND_NOTHING : SEND_EMPTY;
  const checked = provider.hasParamWhitelist;
  const json = isJsonContentType(req.headers['content-type']);
  if (!json && !checked) return STREAM;
  const plans = json ? READ_PLANS.json : READ_PLANS.other;
  return checked ? plans.checked : plans.unchecked;
}

/** The facts of a JSON request body that later steps and taps need. */
export interface JsonBodyFacts {
  readonly model: string | undefined;
  readonly stream: boolean;
  /** `stream_options` as sent (OpenAI: `{"include_usage": true}`), when it is an object. */
  readonly streamOptions: Readonly<Record<string, unknown>> | undefined;
}

/** A request's body as the pipeline forwards it. */
export interface RequestBody {
  /** What goes upstream: the bytes read, the client's stream itself, or nothing. */
  readonly payload: Buffer | AsyncIterable<Buffer> | null;
  /** Whether the body is labelled as JSON. */
  readonly json: boolean;
  /**
   * The client's Content-Encoding was undone (to check the body): `payload` is plain and goes upstream without
   * that header, with its own length.
   */
  readonly decoded?: boolean;
  /** Bytes received so far (all of them once the exchange is over). */
  size(): number;
  /** `model`, `stream` and `stream_options` of a JSON body, parsed once on first use; undefined otherwise. */
  facts(): JsonBodyFacts | undefined;
}

/** A request without a body (or with an empty one). */
export const NO_BODY: RequestBody = {
  payload: null,
  json: false,
  size: () => 0,
  facts: () => undefined,
};

/** An empty body that is still sent (a POST with `Content-Length: 0`). */
export const EMPTY_BODY: RequestBody = { ...NO_BODY, payload: EMPTY };

/**
 * A body read into memory. JSON is parsed at most once, whether the param whitelist or a later step asks first.
 */
export class ReadBody implements RequestBody {
  private parsed: unknown = NOT_PARSED;
  private jsonFacts: JsonBodyFacts | undefined | typeof NOT_PARSED = NOT_PARSED;

  constructor(
    readonly payload: Buffer,
    readonly json: boolean,
    readonly decoded = false,
  ) {}

  size(): number {
    return this.payload.length;
  }

  /** The parsed JSON value; throws when the bytes are not JSON. */
  value(): unknown {
    if (this.parsed === NOT_PARSED) this.parsed = JSON.parse(this.payload.toString('utf8'));
    return this.parsed;
  }

  facts(): JsonBodyFacts | undefined {
    if (this.jsonFacts !== NOT_PARSED) return this.jsonFacts;
    this.jsonFacts = undefined;
    if (!this.json) return undefined;
    let value: unknown;
    try {
      value = this.value();
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const fields = value as Record<string, unknown>;
    const options = fields.stream_options;
    this.jsonFacts = {
      model: typeof fields.model === 'string' ? fields.model : undefined,
      stream: fields.stream === true,
      streamOptions:
        typeof options === 'object' && options !== null && !Array.isArray(options)
          ? (options as Record<string, unknown>)
          : undefined,
    };
    return this.jsonFacts;
  }
}

/**
 * A body streamed upstream as it arrives (multipart uploads, audio, files), never buffered; its bytes are
 * counted on the way. One that falls below the guard's minimum rate is cut: its connection is closed, which
 * aborts the upstream request (part of the body has already left, so no answer can replace it).
 */
export class StreamedBody implements RequestBody, WatchedBody {
  readonly json = false;
  readonly payload: AsyncIterable<Buffer>;
  private bytes = 0;
  private waiting = false;

  constructor(
    private readonly req: IncomingMessage,
    guard?: BodyRateGuard,
  ) {
    this.payload = this.count(guard);
  }

  size(): number {
    return this.bytes;
  }

  facts(): undefined {
    return undefined;
  }

  received(): number {
    return this.bytes;
  }

  waitingForClient(): boolean {
    return this.waiting;
  }

  tooSlow(): void {
    this.req.destroy(new AppError(ERRORS.REQUEST_BODY_TOO_SLOW));
  }

  private async *count(guard: BodyRateGuard | undefined): AsyncIterable<Buffer> {
    const { req } = this;
    const unwatch = req.complete || guard === undefined ? undefined : guard.watch(this);
    const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        this.waiting = true;
        const next = await chunks.next();
        this.waiting = false;
        if (next.done === true) return;
        this.bytes += next.value.length;
        yield next.value;
      }
    } finally {
      this.waiting = false;
      unwatch?.();
    }
  }
}
