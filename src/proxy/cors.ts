/** The proxy's own headers a browser that may read an answer is allowed to see. */
export const EXPOSED_HEADERS = 'X-Request-ID, X-Proxy, X-UPSTREAM-REQUEST-START, X-UPSTREAM-REQUEST-STOP';

/**
 * Headers answering a CORS preflight locally (it never reaches the provider), for an origin listed in
 * `allowed_origins`: a trusted origin gets its own name back and the headers it asked for.
 */
export function preflightHeaders(
  origin: string,
  requestedHeaders: string | undefined,
): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': requestedHeaders ?? 'Authorization, Content-Type, X-Requested-With',
    'access-control-expose-headers': EXPOSED_HEADERS,
    'access-control-max-age': '86400',
    vary: 'Origin',
  };
}

/**
 * The `Vary` of a response to a browser: the upstream's, kept and extended with Origin — also when the origin
 * got no CORS headers, because another origin would get a different answer and a cache must not hand one to
 * the other.
 */
export function varyWithOrigin(vary: string | readonly string[] | undefined): string {
  const existing = Array.isArray(vary) ? vary.join(', ') : ((vary as string | undefined) ?? '');
  if (existing === '') return 'Origin';
  return varyCovers(existing) ? existing : `${existing}, Origin`;
}

/** Whether a `Vary` value already names Origin (or `*`). */
function varyCovers(vary: string): boolean {
  return vary.split(',').some((name) => {
    const trimmed = name.trim().toLowerCase();
    return trimmed === 'origin' || trimmed === '*';
  });
}

/**
 * Whether a request from an origin may be served under an allowlist: an empty list refuses no origin (a
 * request with an Origin is served, but a browser gets no CORS headers and cannot read the answer).
 */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.length === 0 || allowed.includes(origin);
}

/**
 * Whether a browser at `origin` may read `/v1` answers: only an origin listed in `allowed_origins`. Without a
 * list no origin is reflected — the proxy's tokens are meant for servers, and an origin nobody listed is not
 * told it may send them.
 */
export function browserMayRead(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes(origin);
}
