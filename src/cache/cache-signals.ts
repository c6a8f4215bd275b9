/**
 * What every proxied response says about the cache: `X-PROXY-CACHE` (one word) and an RFC 9211 `Cache-Status`
 * entry named `llm-proxy`. These are built on every request, so the ones without a number are built once.
 */

/** The cache's name in `Cache-Status`. */
export const CACHE_NAME = 'llm-proxy';

/** `X-PROXY-CACHE`. */
export type CacheOutcome = 'hit' | 'miss' | 'stored' | 'bypass' | 'conditional-hit' | 'collapsed';

/** The RFC 9211 `fwd` parameter: why the request went upstream. */
export type ForwardReason = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'stale' | 'request';

/** The two headers of one response. */
export interface CacheSignal {
  /** `X-PROXY-CACHE`. */
  readonly outcome: CacheOutcome;
  /** `Cache-Status`. */
  readonly cacheStatus: string;
}

const FORWARD_REASONS: readonly ForwardReason[] = [
  'bypass',
  'method',
  'uri-miss',
  'vary-miss',
  'stale',
  'request',
];

/** Distinct details remembered per forward signal; past it (details are meant to be reason codes) they are built. */
const MAX_REMEMBERED_DETAILS = 64;

/** tchar (RFC 9110 §5.6.2) plus `:` and `/`, indexed by char code. */
const TOKEN_CHARS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const char of "!#$%&'*+-.^_`|~:/") table[char.charCodeAt(0)] = 1;
  for (let code = 0x30; code <= 0x39; code += 1) table[code] = 1;
  for (let code = 0x41; code <= 0x5a; code += 1) table[code] = 1;
  for (let code = 0x61; code <= 0x7a; code += 1) table[code] = 1;
  return table;
})();

interface ForwardSignals {
  readonly plain: CacheSignal;
  readonly byDetail: Map<string, CacheSignal>;
}

/** [not stored, stored] signals of each forward reason, without ttl. */
const FORWARD_SIGNALS = new Map<ForwardReason, readonly [ForwardSignals, ForwardSignals]>(
  FORWARD_REASONS.map((fwd) => [fwd, [forwardSignals(fwd, false), forwardSignals(fwd, true)]]),
);

const COLLAPSED = signal('collapsed', `${CACHE_NAME}; fwd=uri-miss; collapsed`);
const ONLY_IF_CACHED = signal('miss', `${CACHE_NAME}; fwd=miss; detail=only-if-cached`);

/** A fresh stored answer served: `hit`, `llm-proxy; hit; ttl=42`. */
export function hitSignal(ttlSeconds: number): CacheSignal {
  return { outcome: 'hit', cacheStatus: `${CACHE_NAME}; hit${ttlParameter(ttlSeconds)}` };
}

/** A 304 answered from a stored answer: `conditional-hit`, `llm-proxy; hit; ttl=42; detail=not-modified`. */
export function conditionalHitSignal(ttlSeconds: number): CacheSignal {
  return {
    outcome: 'conditional-hit',
    cacheStatus: `${CACHE_NAME}; hit${ttlParameter(ttlSeconds)}; detail=not-modified`,
  };
}

/**
 * A stored answer served after the upstream confirmed it (304) on the client's request to revalidate:
 * `hit`, `llm-proxy; fwd=request; fwd-status=304; ttl=42`.
 */
export function revalidatedSignal(ttlSeconds: number): CacheSignal {
  return {
    outcome: 'hit',
    cacheStatus: `${CACHE_NAME}; fwd=request; fwd-status=304${ttlParameter(ttlSeconds)}`,
  };
}

/**
 * The upstream answered: `bypass` for `fwd=bypass`, else `stored` or `miss` — e.g. `llm-proxy; fwd=uri-miss`,
 * `llm-proxy; fwd=uri-miss; stored; ttl=60`, `llm-proxy; fwd=bypass; detail=no-opt-in`. `detail` is written as a
 * token when it is one, else as a quoted string (RFC 9211 §2.8).
 */
export function forwardSignal(
  fwd: ForwardReason,
  stored: boolean,
  ttlSeconds?: number,
  detail?: string,
): CacheSignal {
  const signals = FORWARD_SIGNALS.get(fwd)?.[stored ? 1 : 0];
  if (signals === undefined) throw new TypeError(`unknown Cache-Status fwd reason: ${fwd as string}`);
  if (ttlSeconds === undefined) {
    if (detail === undefined) return signals.plain;
    const remembered = signals.byDetail.get(detail);
    if (remembered !== undefined) return remembered;
    const built = signal(
      signals.plain.outcome,
      `${signals.plain.cacheStatus}; detail=${detailValue(detail)}`,
    );
    if (signals.byDetail.size < MAX_REMEMBERED_DETAILS) signals.byDetail.set(detail, built);
    return built;
  }
  const detailText = detail === undefined ? '' : `; detail=${detailValue(detail)}`;
  return {
    outcome: signals.plain.outcome,
    cacheStatus: `${signals.plain.cacheStatus}${ttlParameter(ttlSeconds)}${detailText}`,
  };
}

/**
 * An answer shared with an identical request already on its way upstream: `collapsed`,
 * `llm-proxy; fwd=uri-miss; collapsed` (with `; ttl=N` when the shared answer was stored).
 */
export function collapsedSignal(ttlSeconds?: number): CacheSignal {
  if (ttlSeconds === undefined) return COLLAPSED;
  return { outcome: 'collapsed', cacheStatus: `${COLLAPSED.cacheStatus}${ttlParameter(ttlSeconds)}` };
}

/** `Cache-Control: only-if-cached` with nothing to serve (answered 504): `miss`, `llm-proxy; fwd=miss; detail=only-if-cached`. */
export function onlyIfCachedSignal(): CacheSignal {
  return ONLY_IF_CACHED;
}

function forwardSignals(fwd: ForwardReason, stored: boolean): ForwardSignals {
  // A method the cache never handles is a bypass for X-PROXY-CACHE, whatever RFC 9211 calls the reason.
  const outcome: CacheOutcome = fwd === 'bypass' || fwd === 'method' ? 'bypass' : stored ? 'stored' : 'miss';
  const cacheStatus = `${CACHE_NAME}; fwd=${fwd}${stored ? '; stored' : ''}`;
  return { plain: signal(outcome, cacheStatus), byDetail: new Map() };
}

function signal(outcome: CacheOutcome, cacheStatus: string): CacheSignal {
  return Object.freeze({ outcome, cacheStatus });
}

/** `; ttl=N` with N an integer (RFC 9211 §2.5); nothing for a value that is not a finite number. */
function ttlParameter(ttlSeconds: number): string {
  return Number.isFinite(ttlSeconds) ? `; ttl=${Math.trunc(ttlSeconds)}` : '';
}

/**
 * A detail as an sf-token when it is one (RFC 9651 §3.3.4: ALPHA or `*`, then tchar, `:` or `/`), else as an
 * sf-string with `"` and `\` escaped and anything outside printable ASCII replaced by `?`.
 */
function detailValue(detail: string): string {
  if (isToken(detail)) return detail;
  let quoted = '"';
  for (let at = 0; at < detail.length; at += 1) {
    const code = detail.charCodeAt(at);
    if (code === 0x22 || code === 0x5c) quoted += `\\${detail[at] ?? ''}`;
    else quoted += code >= 0x20 && code <= 0x7e ? (detail[at] ?? '') : '?';
  }
  return `${quoted}"`;
}

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  const head = text.charCodeAt(0);
  if (!isAlpha(head) && head !== 0x2a) return false;
  for (let at = 1; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code >= 128 || TOKEN_CHARS[code] !== 1) return false;
  }
  return true;
}

function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
