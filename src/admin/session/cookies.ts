/** How a cookie is set. */
export interface CookieOptions {
  readonly path: string;
  /** Seconds; absent for a cookie that ends with the browser session, 0 to delete it. */
  readonly maxAge?: number;
  readonly secure: boolean;
}

/** The cookies of a `Cookie` header, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = part.slice(0, equals).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(equals + 1).trim());
  }
  return cookies;
}

/**
 * A `Set-Cookie` value that scripts cannot read (`HttpOnly`) and that no other site's page sends along
 * (`SameSite=Strict`); `Secure` whenever the browser reached us over HTTPS. Values are base64url: no escaping.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${String(options.maxAge)}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
