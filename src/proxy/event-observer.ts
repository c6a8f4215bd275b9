import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';

import type { EventBody, EventPublisher, OmittedBody, ProxyEvent } from '../events/index.js';
import type { CapturedResponse, ExchangeObserver, ExchangeRecord } from './exchange-record.js';
import type { RequestBody } from './request-body.js';
import type { ResponseHeaders } from './taps/tap.js';

/**
 * Request headers never put into an event: credentials, cookies and anything that names a key, token, secret
 * or session (an SDK's own auth header included). Matched on the lower-case name.
 */
const SECRET_HEADER = /authorization|cookie|api[-_]?key|token|secret|password|session|signature|credential/;

/** A response cookie is the client's session with the upstream: never kept. */
const SET_COOKIE = 'set-cookie';

/** What the event observer needs. */
export interface EventObserverOptions {
  readonly publisher: EventPublisher;
  /** Put request and response bodies into events (OBSERVABILITY_CAPTURE_BODIES). */
  readonly captureBodies: boolean;
  /** First bytes of a request body kept (OBSERVABILITY_MAX_REQUEST_BODY_BYTES). */
  readonly maxRequestBodyBytes: number;
}

/**
 * Turns every finished `/v1` exchange — refusals and cache hits included — into a request event and publishes
 * it. Publishing never waits: the bus buffers, and counts what it has to drop.
 */
export function eventObserver(options: EventObserverOptions): ExchangeObserver {
  const { publisher } = options;
  return {
    name: 'events',
    exchangeFinished(record: ExchangeRecord) {
      publisher.publish(proxyEvent(record, options));
    },
  };
}

/** The event of one exchange record: ids, never secrets; bodies capped as configured. */
export function proxyEvent(
  record: ExchangeRecord,
  options: Omit<EventObserverOptions, 'publisher'>,
): ProxyEvent {
  const { response } = record;
  return {
    id: record.requestId,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    method: record.method,
    path: record.path,
    projectId: record.projectId,
    tokenId: record.tokenId,
    provider: record.provider,
    endpoint: record.endpoint,
    model: record.model,
    status: record.status,
    outcome: record.outcome,
    source: record.source,
    cacheHit: record.source === 'cache',
    cache: record.cache,
    errorCode: record.errorCode,
    durationMs: record.durationMs,
    upstreamMs: record.upstreamMs,
    firstByteMs: record.firstByteMs,
    requestHeaders: safeRequestHeaders(record.requestHeaders),
    responseHeaders: response === null ? {} : safeResponseHeaders(response.headers),
    requestBody: requestBody(record, options),
    responseBody: response === null ? null : responseBody(response, options.captureBodies),
    usage: record.usage,
  };
}

function safeRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || SECRET_HEADER.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

function safeResponseHeaders(headers: Readonly<ResponseHeaders>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || name === SET_COOKIE) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

function requestBody(
  record: ExchangeRecord,
  options: Omit<EventObserverOptions, 'publisher'>,
): EventBody | OmittedBody | null {
  const body: RequestBody | null = record.requestBody;
  if (body === null) return null;
  const size = body.size();
  if (size === 0 && !Buffer.isBuffer(body.payload)) return null;
  const contentType = headerText(record.requestHeaders['content-type']);
  if (!options.captureBodies) return { omitted: 'disabled', size, contentType };
  // An upload the proxy relayed as it arrived was never held: there is nothing to show.
  if (!Buffer.isBuffer(body.payload)) return { omitted: 'streamed', size, contentType };
  const encoding = body.decoded === true ? null : headerText(record.requestHeaders['content-encoding']);
  return capturedBody(body.payload, body.payload.length, options.maxRequestBodyBytes, contentType, encoding);
}

function responseBody(response: CapturedResponse, captureBodies: boolean): EventBody | OmittedBody | null {
  if (response.size === 0) return null;
  const contentType = headerText(response.headers['content-type']);
  if (!captureBodies) return { omitted: 'disabled', size: response.size, contentType };
  const encoding = headerText(response.headers['content-encoding']);
  // The capture tap kept at most the response cap already.
  return capturedBody(response.body, response.size, response.body.length, contentType, encoding);
}

function capturedBody(
  bytes: Buffer,
  size: number,
  cap: number,
  contentType: string | null,
  contentEncoding: string | null,
): EventBody {
  let kept = bytes.length > cap ? bytes.subarray(0, cap) : bytes;
  const truncated = size > kept.length;
  // A cap may fall inside a UTF-8 sequence: give up to three bytes back rather than turn the text into base64.
  if (truncated && contentEncoding === null && !isUtf8(kept)) {
    for (let back = 1; back <= 3 && back < kept.length; back += 1) {
      if (isUtf8(kept.subarray(0, kept.length - back))) {
        kept = kept.subarray(0, kept.length - back);
        break;
      }
    }
  }
  const text = contentEncoding === null && isUtf8(kept);
  return {
    encoding: text ? 'utf8' : 'base64',
    data: kept.toString(text ? 'utf8' : 'base64'),
    size,
    truncated,
    contentType,
    contentEncoding,
  };
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
