import type { IncomingHttpHeaders } from 'node:http';

import type { ProviderAuth } from '../config/index.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and others that describe one connection, never the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
  'http2-settings',
]);

/** Headers that reveal the client's address; the proxy keeps its users' addresses to itself. */
const CLIENT_ADDRESS = new Set([
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'cf-connecting-ip',
  'cf-ipcountry',
  'x-client-ip',
  'x-original-forwarded-for',
  'true-client-ip',
  'forwarded',
]);

/**
 * Upstream response headers the client never receives: a provider's cookies (session affinity, bot
 * management) belong to the proxy's connection, and relayed to browsers under the proxy's origin they
 * would be stored for it.
 */
const UPSTREAM_COOKIES = new Set(['set-cookie', 'set-cookie2']);

/** Headers that carry the client's llm-proxy token. */
const CLIENT_CREDENTIALS = new Set(['authorization', 'x-api-key']);

/** Every client header that is not sent upstream, whatever the connection lists. */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, ...CLIENT_ADDRESS, ...CLIENT_CREDENTIALS]);

/** What the proxy adds to the upstream request. */
export interface UpstreamIdentity {
  readonly auth: ProviderAuth;
  readonly apiKey: string;
  readonly requestId: string;
  readonly projectId: string;
}

/**
 * The headers sent upstream: the client's own headers minus hop-by-hop, client-address and credential
 * headers, plus the project's provider key in the provider's header and the proxy's request id.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  identity: UpstreamIdentity,
): Record<string, string | string[]> {
  const dropped = connectionListed(headers.connection);
  const result: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    if (dropped !== undefined && dropped.has(name)) continue;
    result[name] = value;
  }
  result[identity.auth.header] =
    identity.auth.scheme === '' ? identity.apiKey : `${identity.auth.scheme} ${identity.apiKey}`;
  result['x-request-id'] = identity.requestId;
  result['x-proxy'] = 'llm-proxy';
  result['x-proxy-id'] = identity.projectId;
  return result;
}

/**
 * Describes a body the proxy decoded to check it: the upstream gets the plain bytes that were checked, not
 * the client's encoded ones, so its Content-Encoding goes and its length is the decoded one.
 */
export function describeDecodedBody(headers: Record<string, string | string[]>, length: number): void {
  delete headers['content-encoding'];
  headers['content-length'] = String(length);
}

/**
 * The upstream response headers as the client receives them: unchanged but for hop-by-hop headers and
 * `Set-Cookie`. The
 * provider's own request id (which its support asks for) moves to `x-upstream-request-id`, because
 * `x-request-id` carries the proxy's.
 */
export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const connection = headers.connection;
  const dropped = connectionListed(Array.isArray(connection) ? connection.join(',') : connection);
  const result: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || UPSTREAM_COOKIES.has(name)) continue;
    if (dropped !== undefined && dropped.has(name)) continue;
    result[name === 'x-request-id' ? 'x-upstream-request-id' : name] = value;
  }
  return result;
}

function connectionListed(connection: string | undefined): Set<string> | undefined {
  if (
    connection === undefined ||
    connection === '' ||
    connection === 'keep-alive' ||
    connection === 'close'
  ) {
    return undefined;
  }
  return new Set(connection.split(',').map((name) => name.trim().toLowerCase()));
}
