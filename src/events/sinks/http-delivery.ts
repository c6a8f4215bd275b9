import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';

import { SinkError } from './event-sink.js';

/** @default 30 s, as the original's backends waited. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;

/** How much of a refusal's body goes into an error message: enough to say why, never a whole echo. */
const REASON_SNIPPET_CHARS = 300;

/**
 * Statuses that say "later" rather than "never": 408 Request Timeout, 425 Too Early, 429 Too Many Requests
 * (RFC 9110 §15.5.9, RFC 8470 §5.2, RFC 6585 §4). Every 5xx is temporary as well.
 */
const TEMPORARY_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

/** One JSON POST to an observability backend. */
export interface JsonPostOptions {
  readonly url: string;
  readonly body: unknown;
  /** Extra request headers (authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Whole request, connect to last body byte. @default 30 000 */
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
  /** Strings scrubbed from every error message (the backend's API key), in case a backend echoes them. */
  readonly secrets?: readonly string[];
}

/** A backend's 2xx answer. */
export interface JsonPostResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

/**
 * POSTs JSON and returns the 2xx answer. Anything else throws a {@link SinkError}: a network error, a timeout,
 * 408/425/429 and 5xx as temporary (with Retry-After in milliseconds when the backend sent one), other statuses
 * as permanent. Messages carry the status and a snippet of the answer, never the request's headers.
 */
export async function postJson(options: JsonPostOptions): Promise<JsonPostResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const scrub = (text: string): string => scrubSecrets(text, options.secrets ?? []);
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, timeoutMs);
  let response: Dispatcher.ResponseData;
  let text: string;
  try {
    response = await request(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal: controller.signal,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    text = await response.body.text();
  } catch (error) {
    const reason = controller.signal.aborted
      ? `timed out after ${timeoutMs} ms`
      : scrub(error instanceof Error ? describeNetworkError(error) : String(error));
    throw new SinkError(`${hostOf(options.url)}: ${reason}`, false, undefined, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  const headers = flatHeaders(response.headers);
  const status = response.statusCode;
  if (status >= 200 && status < 300) return { status, headers, text, json: parseJson(text) };
  const snippet = scrub(text.slice(0, REASON_SNIPPET_CHARS)).trim();
  const message = `${hostOf(options.url)} answered ${status}${snippet === '' ? '' : `: ${snippet}`}`;
  if (isTemporaryStatus(status)) throw new SinkError(message, false, retryAfterMs(headers['retry-after']));
  throw new SinkError(message, true);
}

/** Whether a status means "try again later" (408, 425, 429, 5xx). */
export function isTemporaryStatus(status: number): boolean {
  return status >= 500 || TEMPORARY_CLIENT_STATUSES.has(status);
}

/**
 * A Retry-After value in milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable. A date in the past means "now" (0).
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A connection pool of a sink's own, so that closing the sink closes its sockets. */
export function createDeliveryAgent(): Agent {
  // Short keep-alive: batches come every few seconds, and a backend behind a load balancer drops idle sockets.
  return new Agent({ keepAliveTimeout: 4_000, connections: 8 });
}

function describeNetworkError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} ${error.message}` : error.message;
}

function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== '') result = result.replaceAll(secret, '[redacted]');
  return result;
}

/** The host alone: an endpoint URL may carry a key in its query (some collectors take one there). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'backend';
  }
}

function flatHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
