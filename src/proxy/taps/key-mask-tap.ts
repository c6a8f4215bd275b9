import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

import type { Dispatcher } from 'undici';

import { AppError, ERRORS } from '../../core/index.js';
import type { ExchangeView } from '../exchange-record.js';
import { proxyErrorBody } from '../error-answer.js';
import { ForwardingHandler } from './tap.js';
import type { ExchangeHandler, ResponseHeaders, ResponseTap } from './tap.js';

/** Largest encoded error body decoded to be searched; a bigger one is withheld. */
const MAX_ENCODED_ERROR_BODY = 1024 * 1024;
/** Shorter keys are not searched for: they would match ordinary text. */
const MIN_KEY_LENGTH = 8;
const DECODERS: ReadonlyMap<string, (input: Buffer, options: { maxOutputLength: number }) => Buffer> =
  new Map([
    ['gzip', gunzipSync],
    ['x-gzip', gunzipSync],
    ['deflate', inflateSync],
    ['br', brotliDecompressSync],
  ]);

/**
 * Masks the project's provider key in upstream error answers (4xx/5xx) before anything reaches the client or a
 * later tap: some upstreams echo the key they were sent ("Incorrect API key provided: sk-…"). Successful and
 * streaming answers are not touched. A plain error body is masked as it streams, holding back only the last
 * `key length − 1` bytes so that a key split across chunks is still found; the mask has the key's length, so
 * Content-Length stays right. An encoded (gzip, deflate, br) error body is read (bounded), decoded, masked and
 * sent decoded; one that cannot be decoded is replaced by an `upstream_error_withheld` error.
 */
export const keyMaskTap: ResponseTap = {
  name: 'key-mask',
  wrap(next: ExchangeHandler, exchange: ExchangeView): ExchangeHandler {
    const key = exchange.project?.apiKey;
    if (key === undefined || key.length < MIN_KEY_LENGTH) return next;
    return new KeyMaskHandler(next, key, exchange);
  },
};

/** The mask of a key: as long as the key, keeping at most 4 characters at each end. */
export function keyMask(key: string): string {
  if (key.length < 20) return '*'.repeat(key.length);
  return `${key.slice(0, 4)}${'*'.repeat(key.length - 8)}${key.slice(-4)}`;
}

type Mode = 'pass' | 'stream' | 'buffer';

const EMPTY = Buffer.alloc(0);

class KeyMaskHandler extends ForwardingHandler {
  private mode: Mode = 'pass';
  // Built only for an error answer: a successful one costs nothing but the status check.
  private key: Buffer = EMPTY;
  private mask: Buffer = EMPTY;
  private carry: Buffer = EMPTY;
  // The buffered answer of an encoded error body.
  private status = 0;
  private headers: ResponseHeaders = {};
  private statusMessage: string | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    next: ExchangeHandler,
    private readonly secret: string,
    private readonly exchange: ExchangeView,
  ) {
    super(next);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode < 400) {
      this.next.onResponseStart(controller, statusCode, headers, statusMessage);
      return;
    }
    this.key = Buffer.from(this.secret);
    this.mask = Buffer.from(keyMask(this.secret));
    this.maskHeaders(headers);
    const encoding = headers['content-encoding'];
    const coding = typeof encoding === 'string' ? encoding.trim().toLowerCase() : encoding;
    if (coding === undefined || coding === '' || coding === 'identity') {
      this.mode = 'stream';
      this.next.onResponseStart(controller, statusCode, headers, statusMessage);
      return;
    }
    this.mode = 'buffer';
    this.status = statusCode;
    this.headers = headers;
    this.statusMessage = statusMessage;
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.mode === 'pass') {
      this.next.onResponseData(controller, chunk);
      return;
    }
    if (this.mode === 'buffer') {
      this.buffered += chunk.length;
      if (this.buffered <= MAX_ENCODED_ERROR_BODY) this.chunks.push(chunk);
      else this.chunks = [];
      return;
    }
    const data = Buffer.concat([this.carry, chunk]);
    maskInPlace(data, this.key, this.mask);
    const keep = Math.min(data.length, this.key.length - 1);
    this.carry = data.subarray(data.length - keep);
    if (data.length > keep) this.next.onResponseData(controller, data.subarray(0, data.length - keep));
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    if (this.mode === 'stream' && this.carry.length > 0) this.next.onResponseData(controller, this.carry);
    if (this.mode === 'buffer') this.sendDecoded(controller);
    this.next.onResponseEnd(controller, trailers);
  }

  /** Sends a buffered encoded error body decoded and masked, or withheld when it cannot be read. */
  private sendDecoded(controller: Dispatcher.DispatchController): void {
    const { headers } = this;
    if (this.buffered === 0) {
      // No body (an answer to HEAD, or an empty one): nothing to search, the headers stay as they were.
      this.next.onResponseStart(controller, this.status, headers, this.statusMessage);
      return;
    }
    let body = this.decoded(headers['content-encoding']);
    if (body === undefined) {
      body = Buffer.from(
        proxyErrorBody(new AppError(ERRORS.UPSTREAM_ERROR_WITHHELD), this.exchange.errorFormat()),
      );
      headers['content-type'] = 'application/json; charset=utf-8';
    } else maskInPlace(body, this.key, this.mask);
    delete headers['content-encoding'];
    headers['content-length'] = String(body.length);
    this.next.onResponseStart(controller, this.status, headers, this.statusMessage);
    if (body.length > 0) this.next.onResponseData(controller, body);
  }

  private decoded(encoding: string | string[] | undefined): Buffer | undefined {
    if (this.buffered > MAX_ENCODED_ERROR_BODY || typeof encoding !== 'string') return undefined;
    const decoder = DECODERS.get(encoding.trim().toLowerCase());
    if (decoder === undefined) return undefined;
    try {
      return decoder(Buffer.concat(this.chunks, this.buffered), { maxOutputLength: MAX_ENCODED_ERROR_BODY });
    } catch {
      return undefined;
    }
  }

  private maskHeaders(headers: ResponseHeaders): void {
    const key = this.secret;
    const mask = keyMask(key);
    for (const name in headers) {
      const value = headers[name];
      if (typeof value === 'string') {
        if (value.includes(key)) headers[name] = value.replaceAll(key, mask);
      } else if (value !== undefined && value.some((item) => item.includes(key))) {
        headers[name] = value.map((item) => item.replaceAll(key, mask));
      }
    }
  }
}

/** Overwrites every occurrence of `key` in `data` with `mask` (of the same length). */
function maskInPlace(data: Buffer, key: Buffer, mask: Buffer): void {
  for (let at = data.indexOf(key); at !== -1; at = data.indexOf(key, at + key.length)) {
    mask.copy(data, at);
  }
}
