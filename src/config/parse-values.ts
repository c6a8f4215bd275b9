/** Result of parsing one configuration value: the value, or a human-readable problem. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const TRUE_WORDS = new Set(['1', 't', 'true', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'no', 'n', 'off']);

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** Booleans as Go's strconv.ParseBool writes them, plus yes/no and on/off (case-insensitive). */
export function parseBoolean(raw: string): Parsed<boolean> {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail(`"${raw}" is not a boolean (use true or false)`);
}

/** A base-10 integer within [min, max]. */
export function parseInteger(raw: string, min: number, max = Number.MAX_SAFE_INTEGER): Parsed<number> {
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) return fail(`"${raw}" is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) return fail(`${value} is out of range (${min}..${max})`);
  return ok(value);
}

/**
 * A duration in Go notation (`300ms`, `30s`, `1h30m`) or with days (`30d`), returned in milliseconds.
 * A bare number is refused because its unit would be a guess.
 */
export function parseDuration(raw: string): Parsed<number> {
  const text = raw.trim();
  if (text === '0') return ok(0);
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * (DURATION_UNITS_MS[unit ?? ''] ?? Number.NaN);
    consumed += whole.length;
  }
  if (text === '' || consumed !== text.length || Number.isNaN(total)) {
    return fail(`"${raw}" is not a duration (examples: 500ms, 30s, 5m, 1h30m, 7d)`);
  }
  return ok(Math.round(total));
}

/** A size in bytes: `1048576`, `512KB`, `10MB`, `50MiB`, `1G` (K/M/G are powers of 1024). */
export function parseByteSize(raw: string): Parsed<number> {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  const multiplier = match ? BYTE_UNITS[(match[2] ?? '').toLowerCase() || 'b'] : undefined;
  if (!match || multiplier === undefined) {
    return fail(`"${raw}" is not a size (examples: 1048576, 512KB, 10MB, 50MiB, 1GB)`);
  }
  return ok(Math.floor(Number(match[1]) * multiplier));
}

/** Where the server listens. */
export interface ListenAddress {
  /** Host to bind; empty means every interface. */
  host: string;
  port: number;
}

/** A `host:port`, `:port` or `[ipv6]:port` listen address, as Go's net.Listen takes it. */
export function parseListenAddress(raw: string): Parsed<ListenAddress> {
  const text = raw.trim();
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535)
    return fail(`"${raw}" is not a listen address (examples: :8080, 127.0.0.1:8080)`);
  return ok({ host: match[1] ?? match[2] ?? '', port });
}

/** A `redis://` or `rediss://` URL with a host, or empty. The value may carry a password: the problem never repeats it. */
export function parseRedisUrl(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: '' };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    return { ok: false, problem: 'must be a redis:// or rediss:// URL with a host' };
  }
  return { ok: true, value: text };
}
