/**
 * `Cache-Control` parsing, request and response directives alike (RFC 9111 §5.2). The parser is lenient the way
 * caches have to be: names are case-insensitive, values may be quoted, several header lines and comma lists
 * combine, and anything it does not understand is ignored rather than rejected.
 */

/**
 * The largest delta-seconds a cache has to represent: RFC 9111 §1.2.2 asks a recipient to treat any larger value
 * (or one that overflows) as 2^31.
 */
export const MAX_DELTA_SECONDS = 2_147_483_648;

/** The directives the cache acts on; every other directive is ignored. */
export interface CacheControl {
  readonly noStore: boolean;
  /** Also set by the qualified form (`no-cache="set-cookie"`): we never store part of an answer. */
  readonly noCache: boolean;
  /** Also set by the qualified form (`private="x-user"`). */
  readonly private: boolean;
  readonly public: boolean;
  readonly onlyIfCached: boolean;
  /** `must-revalidate`, or `proxy-revalidate`, which means the same to a shared cache (RFC 9111 §5.2.2.8). */
  readonly mustRevalidate: boolean;
  /** Seconds; undefined when absent or malformed. */
  readonly maxAge: number | undefined;
  /** Seconds; undefined when absent or malformed. */
  readonly sMaxAge: number | undefined;
}

/** No directive at all: what an absent or empty header parses to (one shared, frozen value). */
export const NO_DIRECTIVES: CacheControl = Object.freeze({
  noStore: false,
  noCache: false,
  private: false,
  public: false,
  onlyIfCached: false,
  mustRevalidate: false,
  maxAge: undefined,
  sMaxAge: undefined,
});

/**
 * Parses one `Cache-Control` header (a value, or its lines as Node gives repeated ones). When a delta-seconds
 * directive is repeated, its first occurrence counts (RFC 9111 §4.2.1); a negative, fractional or otherwise
 * malformed value reads as absent.
 */
export function parseCacheControl(value: string | readonly string[] | undefined): CacheControl {
  if (value === undefined) return NO_DIRECTIVES;
  const parsed = newState();
  if (typeof value === 'string') parseLine(value, parsed);
  else for (const line of value) parseLine(line, parsed);
  return parsed.seen ? toDirectives(parsed) : NO_DIRECTIVES;
}

interface ParseState {
  seen: boolean;
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  public: boolean;
  onlyIfCached: boolean;
  mustRevalidate: boolean;
  maxAge: number | undefined;
  maxAgeSeen: boolean;
  sMaxAge: number | undefined;
  sMaxAgeSeen: boolean;
}

function newState(): ParseState {
  return {
    seen: false,
    noStore: false,
    noCache: false,
    private: false,
    public: false,
    onlyIfCached: false,
    mustRevalidate: false,
    maxAge: undefined,
    maxAgeSeen: false,
    sMaxAge: undefined,
    sMaxAgeSeen: false,
  };
}

function toDirectives(state: ParseState): CacheControl {
  return {
    noStore: state.noStore,
    noCache: state.noCache,
    private: state.private,
    public: state.public,
    onlyIfCached: state.onlyIfCached,
    mustRevalidate: state.mustRevalidate,
    maxAge: state.maxAge,
    sMaxAge: state.sMaxAge,
  };
}

const COMMA = 0x2c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Walks one line directive by directive: `name[=token|"quoted"]`, separated by commas. */
function parseLine(line: string, state: ParseState): void {
  const length = line.length;
  let at = 0;
  while (at < length) {
    const nameStart = at;
    while (at < length && line.charCodeAt(at) !== COMMA && line.charCodeAt(at) !== EQUALS) at += 1;
    const name = line.slice(nameStart, at).trim().toLowerCase();
    let argument: string | undefined;
    if (at < length && line.charCodeAt(at) === EQUALS) {
      at += 1;
      while (at < length && isSpace(line.charCodeAt(at))) at += 1;
      if (at < length && line.charCodeAt(at) === QUOTE) {
        const quoted = readQuoted(line, at);
        argument = quoted.text;
        at = quoted.end;
        // Whatever follows a quoted value up to the next comma is junk.
        while (at < length && line.charCodeAt(at) !== COMMA) at += 1;
      } else {
        const valueStart = at;
        while (at < length && line.charCodeAt(at) !== COMMA) at += 1;
        argument = line.slice(valueStart, at).trim();
      }
    }
    at += 1; // the comma
    if (name !== '') apply(name, argument, state);
  }
}

/** Reads a quoted-string starting at the opening quote (RFC 9110 §5.6.4); an unclosed one runs to the end. */
function readQuoted(line: string, open: number): { text: string; end: number } {
  let text = '';
  let at = open + 1;
  let chunkStart = at;
  while (at < line.length) {
    const code = line.charCodeAt(at);
    if (code === QUOTE) return { text: text + line.slice(chunkStart, at), end: at + 1 };
    if (code === BACKSLASH && at + 1 < line.length) {
      text += line.slice(chunkStart, at);
      chunkStart = at + 1;
      at += 2;
      continue;
    }
    at += 1;
  }
  return { text: text + line.slice(chunkStart), end: at };
}

function apply(name: string, argument: string | undefined, state: ParseState): void {
  switch (name) {
    case 'no-store':
      state.noStore = true;
      break;
    case 'no-cache':
      state.noCache = true;
      break;
    case 'private':
      state.private = true;
      break;
    case 'public':
      state.public = true;
      break;
    case 'only-if-cached':
      state.onlyIfCached = true;
      break;
    case 'must-revalidate':
    case 'proxy-revalidate':
      state.mustRevalidate = true;
      break;
    case 'max-age':
      if (state.maxAgeSeen) return;
      state.maxAgeSeen = true;
      state.maxAge = deltaSeconds(argument);
      break;
    case 's-maxage':
      if (state.sMaxAgeSeen) return;
      state.sMaxAgeSeen = true;
      state.sMaxAge = deltaSeconds(argument);
      break;
    default:
      return;
  }
  state.seen = true;
}

/** `1*DIGIT` (RFC 9111 §1.2.2), capped at {@link MAX_DELTA_SECONDS}; undefined for anything else. */
function deltaSeconds(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0) return undefined;
  let seconds = 0;
  for (let at = 0; at < text.length; at += 1) {
    const digit = text.charCodeAt(at) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    seconds = Math.min(seconds * 10 + digit, MAX_DELTA_SECONDS);
  }
  return seconds;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
