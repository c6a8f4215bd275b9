import type { ProviderConfig } from '../config/index.js';

/** Why a request is outside a provider's allowlist, or `ok`. */
export type RouteVerdict = 'ok' | 'endpoint_not_found' | 'method_not_allowed';

/**
 * Whether a path is one of the allowed endpoints or below one (`/v1/files` allows `/v1/files/abc`). A path
 * with dot segments matches none: the upstream (or a CDN before it) may resolve `/v1/files/../x` to `/v1/x`,
 * outside the allowlist.
 */
export function endpointOf(provider: ProviderConfig, path: string): string | undefined {
  if (hasDotSegment(path)) return undefined;
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

/** `.` or `..` segments, also percent-encoded or split by a backslash (which some servers treat as `/`). */
function hasDotSegment(path: string): boolean {
  if (!path.includes('.') && !path.includes('%')) return false;
  const decoded = path.replace(/%2e/gi, '.').replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
  return decoded.split(/[/\\]/).some((segment) => segment === '.' || segment === '..');
}
