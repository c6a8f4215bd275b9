import type { OutgoingHttpHeaders } from 'node:http';

const EXPOSED = 'X-Request-ID, X-Proxy, X-UPSTREAM-REQUEST-START, X-UPSTREAM-REQUEST-STOP';

/** Headers answering a CORS preflight locally (it never reaches the provider). */
export function preflightHeaders(
  origin: string | undefined,
  requestedHeaders: string | undefined,
): Record<string, string> {
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

/**
 * Adds the CORS headers of proxied responses and proxy errors to a browser's (`origin`) response headers; an
 * upstream `Vary` is kept and extended with Origin.
 */
export function addResponseCorsHeaders(headers: OutgoingHttpHeaders, origin: string): void {
  headers['access-control-allow-origin'] = origin;
  headers['access-control-expose-headers'] = EXPOSED;
  const vary = headers.vary;
  const existing = Array.isArray(vary) ? vary.join(', ') : (vary ?? '');
  if (existing === '') headers.vary = 'Origin';
  else if (!varyCovers(existing)) headers.vary = `${existing}, Origin`;
}

/** Whether a `Vary` value already names Origin (or `*`). */
function varyCovers(vary: string): boolean {
  return vary.split(',').some((name) => {
    const trimmed = name.trim().toLowerCase();
    return trimmed === 'origin' || trimmed === '*';
  });
}

/** Whether an origin may call the proxy under an allowlist (an empty list allows every origin). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.length === 0 || allowed.includes(origin);
}
