/** A parsed `Content-Type`: the type in lower case and its parameters (names lower case, values unquoted). */
export interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

// RFC 9110 §5.6.2 token characters; §8.3.1 `type "/" subtype *( OWS ";" OWS parameter )`.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUOTED_PAIR = /\\(.)/g;

/**
 * Parses a Content-Type strictly (RFC 9110 §8.3): one type, parameters of tokens or quoted strings, nothing
 * else. Undefined for anything that is not exactly one media type — a list (`text/plain, application/json`),
 * a repeated header joined with a comma, a stray character — because different servers pick different
 * parts of such a value, and a body is only checked as what the upstream will take it for.
 */
export function parseMediaType(header: string): MediaType | undefined {
  let rest = header.trim();
  const semicolon = rest.indexOf(';');
  const essence = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
  const slash = essence.indexOf('/');
  if (slash <= 0 || !TOKEN.test(essence.slice(0, slash)) || !TOKEN.test(essence.slice(slash + 1))) {
    return undefined;
  }
  const params = new Map<string, string>();
  rest = semicolon === -1 ? '' : rest.slice(semicolon);
  while (rest !== '') {
    const match = /^;\s*([^=\s;]+)=("(?:[^"\\]|\\.)*"|[^;\s"]+)\s*/.exec(rest);
    if (match === null) {
      // An empty parameter (`type/sub;`) is allowed; anything else unreadable is not.
      if (/^;\s*$/.test(rest)) break;
      return undefined;
    }
    const name = (match[1] as string).toLowerCase();
    const raw = match[2] as string;
    if (!TOKEN.test(name) || params.has(name)) return undefined;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(QUOTED_PAIR, '$1') : raw;
    if (!raw.startsWith('"') && !TOKEN.test(value)) return undefined;
    params.set(name, value);
    rest = rest.slice(match[0].length);
  }
  return { type: essence.toLowerCase(), params };
}
