import type { OutgoingHttpHeaders } from 'node:http';

const EXPOSED = 'X-Request-ID, X-Proxy, X-UPSTREAM-REQUEST-START, X-UPSTREAM-REQUEST-STOP';

/** Headers answering a CORS preflight locally (it never reaches the provider). */
export function preflightHeaders(
  origin: string | undefined,
  requestedHeaders: string | undefined,
): OutgoingHttpHeaders {
  if (origin === undefined) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': requestedHeaders ?? 'Authorization, Content-Type, X-Requested-With',
    'access-control-expose-headers': EXPOSED,
    'access-control-max-age': '86400',
    vary: 'Origin',
  };
}

/** CORS headers added to proxied responses and proxy errors when the request came from a browser. */
export function responseCorsHeaders(origin: string | undefined): OutgoingHttpHeaders {
  if (origin === undefined) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED,
    vary: 'Origin',
  };
}

/** Whether an origin may call the proxy under an allowlist (an empty list allows every origin). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.length === 0 || allowed.includes(origin);
}
