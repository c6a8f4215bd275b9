import type { ProviderConfig } from '../config/index.js';

/** Why a request is outside a provider's allowlist, or `ok`. */
export type RouteVerdict = 'ok' | 'endpoint_not_found' | 'method_not_allowed';

/**
 * Whether a path is one of the allowed endpoints or below one (`/v1/files` allows `/v1/files/abc`). A path
 * with dot segments (plain, encoded once or more, or with a `;` parameter) or control characters matches none:
 * the upstream (or a CDN before it) may resolve `/v1/files/../x` to `/v1/x`, outside the allowlist.
 */
export function endpointOf(provider: ProviderConfig, path: string): string | undefined {
  if (isAmbiguousPath(path)) return undefined;
  for (const endpoint of provider.allowedEndpoints) {
    if (
      path === endpoint ||
      (path.startsWith(endpoint) && (endpoint.endsWith('/') || path[endpoint.length] === '/'))
    ) {
      return endpoint;
    }
  }
  return undefined;
}

/** Checks a request against one provider's endpoint and method allowlists. */
export function routeVerdict(provider: ProviderConfig, method: string, path: string): RouteVerdict {
  return verdictFor(provider, endpointOf(provider, path), method);
}

/** The verdict once the path's endpoint is known (undefined: the provider serves no such path). */
export function verdictFor(
  provider: ProviderConfig,
  endpoint: string | undefined,
  method: string,
): RouteVerdict {
  if (endpoint === undefined) return 'endpoint_not_found';
  return provider.allowedMethods.includes(method) ? 'ok' : 'method_not_allowed';
}

/**
 * Checks a request against every provider before the token is known: a path no provider serves is refused
 * without touching the token store (as the original does), and so is a method none of them allows there.
 */
export function anyProviderVerdict(
  providers: Iterable<ProviderConfig>,
  method: string,
  path: string,
): RouteVerdict {
  let verdict: RouteVerdict = 'endpoint_not_found';
  for (const provider of providers) {
    const candidate = routeVerdict(provider, method, path);
    if (candidate === 'ok') return 'ok';
    if (candidate === 'method_not_allowed') verdict = candidate;
  }
  return verdict;
}

/** How many layers of percent-encoding are undone when looking for dot segments (`%25252e` is three). */
const DECODE_ROUNDS = 4;

/**
 * Whether a path holds something that an upstream, or a CDN or framework before it, may resolve differently
 * from the allowlist's plain prefix match: `.` or `..` segments — also percent-encoded, encoded more than once
 * (`%252e%252e`, decoded again by a second hop), split by a backslash (which some servers treat as `/`) or
 * followed by a `;` path parameter (`..;`, which Java servers strip before resolving) — and NUL or other
 * control characters, raw or encoded (`%00`, where C-based servers end the path).
 */
function isAmbiguousPath(path: string): boolean {
  if (!path.includes('.') && !path.includes('%')) return false;
  let decoded = path;
  for (let round = 0; round < DECODE_ROUNDS && decoded.includes('%'); round += 1) {
    const next = decoded.replace(/%([0-9a-f]{2})/gi, (_match, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === decoded) break;
    decoded = next;
  }
  // Still encoded after every round: refuse rather than guess how many times a hop decodes.
  if (/%[0-9a-f]{2}/i.test(decoded)) return true;
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return true;
  return decoded.split(/[/\\]/).some((segment) => {
    const name = segment.split(';', 1)[0];
    return name === '.' || name === '..';
  });
}
