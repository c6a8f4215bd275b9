import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

import { parseByteSize, parseDuration, parseListenAddress } from './parse-values.js';
import type { Parsed } from './parse-values.js';

/** A group of variables that one part of the program reads; a command resolves only the sections it uses. */
export type ConfigSection =
  | 'server'
  | 'connections'
  | 'database'
  | 'encryption'
  | 'log'
  | 'audit'
  | 'providers'
  | 'proxy'
  | 'metrics'
  | 'redis';

/** One configuration variable as the table declares it (its name is its key in the table). */
export interface VariableDeclaration<
  S extends TSchema = TSchema,
  D extends Static<S> | undefined = Static<S> | undefined,
> {
  readonly section: ConfigSection;
  /** Schema of the typed value; booleans, bounded integers, string enums and strings are parsed from it. */
  readonly schema: S;
  /** Parser for values whose schema kind does not say how they are written (durations, sizes, addresses, URLs). */
  readonly parse?: (raw: string) => Parsed<Static<S>>;
  /** Typed value when no source sets the variable; undefined means it has none (and an empty value is unset). */
  readonly default: D;
  /** The default as an operator writes it, when it is not the typed value printed as is (`30s`, `50MiB`). */
  readonly defaultText?: string;
  /** An empty value counts as unset, so the default applies (the original program reads these that way). */
  readonly blankIsUnset?: boolean;
  /** Markdown, one or two sentences; shown in the README. */
  readonly description: string;
  /** Secrets are never printed, logged or echoed in error messages. */
  readonly secret?: boolean;
}

/**
 * One configuration variable, declared once: from it follow its parsing and validation, the section that reads
 * it and the README's reference table.
 */
export interface VariableSpec extends VariableDeclaration {
  readonly name: string;
}

/** The sections in the order the README and every problem list show them, with the README's heading and intro. */
export const CONFIG_SECTIONS: readonly { readonly name: ConfigSection; readonly intro: string }[] = [
  { name: 'server', intro: 'Where `llm-proxy server` listens and the secret of its management API.' },
  {
    name: 'connections',
    intro:
      'How long a client may take to send a request and how many connections and requests one client address may hold (see "Connection limits"). `0` switches off the body timeout, the minimum rate and each connection limit.',
  },
  { name: 'database', intro: 'Where state lives: a SQLite file (the default) or PostgreSQL.' },
  { name: 'encryption', intro: 'Provider API keys at rest.' },
  { name: 'log', intro: 'Process logs (pino JSON lines by default); secrets are always redacted.' },
  { name: 'audit', intro: 'The audit trail of management actions.' },
  { name: 'providers', intro: 'The upstream APIs (see "Providers").' },
  { name: 'proxy', intro: 'Limits and caches of the `/v1` proxy.' },
  { name: 'metrics', intro: 'The JSON and Prometheus metrics endpoints.' },
  {
    name: 'redis',
    intro:
      'Redis shares state between instances (cache invalidation). Nothing needs it by default: unlike the original program, whose `REDIS_ADDR` defaults to `localhost:6379`, no address means no Redis.',
  },
];

// Keyed by name so that a section reads a variable with its typed value; one entry per variable.
const TABLE = {
  MANAGEMENT_TOKEN: variable({
    section: 'server',
    schema: Type.String(),
    default: undefined,
    secret: true,
    description:
      'Bearer secret for /manage/*. When no source sets it, the first `server` start generates one, stores it in the dotenv file (mode 0600) and prints it once.',
  }),
  MANAGEMENT_AUTH_MAX_FAILURES: variable({
    section: 'server',
    schema: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    default: 10,
    description:
      'Wrong management tokens one client address may send within `MANAGEMENT_AUTH_LOCKOUT`; after that it is answered 429 `too_many_auth_failures` with `Retry-After` until the window ends. 0 turns the limit off.',
  }),
  MANAGEMENT_AUTH_LOCKOUT: variable({
    section: 'server',
    schema: Type.Integer({ minimum: 1000 }),
    parse: parseDuration,
    default: 900_000,
    defaultText: '15m',
    description:
      "The window of that count: it starts with an address's first wrong token, and a locked-out address waits until it ends.",
  }),
  MANAGEMENT_AUTH_FAILURE_DELAY: variable({
    section: 'server',
    schema: Type.Integer({ minimum: 0, maximum: 10_000 }),
    parse: parseDuration,
    default: 250,
    defaultText: '250ms',
    description: 'How long every wrong management token waits before it is answered 401.',
  }),
  LISTEN_ADDR: variable({
    section: 'server',
    schema: Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
    parse: parseListenAddress,
    default: { host: '', port: 8080 },
    defaultText: ':8080',
    description: 'Address the server listens on (`:8080`, `127.0.0.1:8080`, `[::1]:8080`).',
  }),
  REQUEST_HEADERS_TIMEOUT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 1000 }),
    parse: parseDuration,
    default: 20_000,
    defaultText: '20s',
    description:
      'Time a client may take to send the request line and headers (at least `1s`); past it the client gets 408 `request_timeout` and the connection is closed.',
  }),
  REQUEST_BODY_TIMEOUT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 300_000,
    defaultText: '5m',
    description:
      'Time within which a whole request, headers and body, must have arrived (408 `request_timeout`, connection closed). Only the request: a response may stream for as long as it takes. `0`: no limit.',
  }),
  REQUEST_BODY_MIN_RATE: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseByteSize,
    default: 1024,
    defaultText: '1KiB',
    description:
      'Bytes per second a `/v1` request body must keep arriving at, measured over successive `REQUEST_BODY_RATE_GRACE` periods; slower, it is cut (408 `request_body_too_slow`). `0`: no minimum.',
  }),
  REQUEST_BODY_RATE_GRACE: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 100 }),
    parse: parseDuration,
    default: 10_000,
    defaultText: '10s',
    description:
      'The period over which that rate is measured: a body must bring `REQUEST_BODY_MIN_RATE` × this much in each one (10 KiB in 10 s by default), the first starting when the proxy begins to read it.',
  }),
  MAX_CONNECTIONS: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    default: 10_000,
    description:
      'Open connections the server accepts in all; requests on connections past it get 503 `server_busy` and the connection is closed.',
  }),
  MAX_CONNECTIONS_PER_CLIENT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    default: 1000,
    description:
      "Open connections one client address may hold (the socket's peer address; `X-Forwarded-For` is not trusted); past it 429 `too_many_connections` and close.",
  }),
  MAX_IN_FLIGHT_PER_CLIENT: variable({
    section: 'connections',
    schema: Type.Integer({ minimum: 0 }),
    default: 512,
    description:
      'Requests one client address may have in progress at once, streams included; past it 429 `too_many_requests_in_flight` and close.',
  }),
  DB_DRIVER: variable({
    section: 'database',
    schema: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
    default: 'sqlite',
    description: 'Database: `sqlite` or `postgres`.',
  }),
  DATABASE_PATH: variable({
    section: 'database',
    schema: Type.String(),
    default: './data/llm-proxy.db',
    description: 'SQLite file (`:memory:` for a throw-away database). Its folder is created.',
  }),
  DATABASE_URL: variable({
    section: 'database',
    schema: Type.String(),
    default: '',
    secret: true,
    description: 'PostgreSQL connection URL; required when `DB_DRIVER=postgres`.',
  }),
  DATABASE_POOL_SIZE: variable({
    section: 'database',
    schema: Type.Integer({ minimum: 1, maximum: 1000 }),
    default: 10,
    description: 'Maximum PostgreSQL connections (1..1000).',
  }),
  ENCRYPTION_KEY: variable({
    section: 'encryption',
    schema: Type.String(),
    default: '',
    secret: true,
    description:
      'Base64 of 32 random bytes; provider API keys are then stored AES-256-GCM encrypted (`enc:v1:`). `llm-proxy setup` generates one.',
  }),
  ENCRYPTION_KEYS_PREVIOUS: variable({
    section: 'encryption',
    schema: Type.String(),
    default: '',
    secret: true,
    description:
      'Comma list of earlier `ENCRYPTION_KEY` values, still used to read keys written with them (key rotation); `llm-proxy migrate encrypt` re-encrypts those with `ENCRYPTION_KEY`.',
  }),
  REQUIRE_ENCRYPTION_KEY: variable({
    section: 'encryption',
    schema: Type.Boolean(),
    default: false,
    description: 'Refuse to start without `ENCRYPTION_KEY`.',
  }),
  LOG_LEVEL: variable({
    section: 'log',
    schema: Type.Union([
      Type.Literal('debug'),
      Type.Literal('info'),
      Type.Literal('warn'),
      Type.Literal('error'),
    ]),
    default: 'info',
    description: '`debug`, `info`, `warn` or `error`.',
  }),
  LOG_FORMAT: variable({
    section: 'log',
    schema: Type.Union([Type.Literal('json'), Type.Literal('console'), Type.Literal('text')]),
    default: 'json',
    description:
      "`json` (one object per line) or `console` (human-readable); `text`, as the original program's `.env.example` writes it, means `console`.",
  }),
  LOG_LAYOUT: variable({
    section: 'log',
    schema: Type.Union([Type.Literal('pino'), Type.Literal('original')]),
    default: 'pino',
    description:
      "Keys of JSON lines: `pino` (`time`, numeric `level`, `msg`) or `original` (the original program's `ts`, textual `level`, `msg`, for log pipelines built on it).",
  }),
  LOG_ACCESS: variable({
    section: 'log',
    schema: Type.Boolean(),
    default: true,
    description:
      'One info line per proxied request (`/v1`): request id, project, token id, provider, endpoint, model, status, duration, bytes.',
  }),
  LOG_FILE: variable({
    section: 'log',
    schema: Type.String(),
    default: '',
    description: 'Append logs to this file instead of standard output.',
  }),
  DEBUG: variable({
    section: 'log',
    schema: Type.Boolean(),
    default: false,
    description: 'Same as `LOG_LEVEL=debug`.',
  }),
  AUDIT_ENABLED: variable({
    section: 'audit',
    schema: Type.Boolean(),
    default: true,
    description: 'Record management actions in the audit log.',
  }),
  AUDIT_LOG_FILE: variable({
    section: 'audit',
    schema: Type.String(),
    default: './data/audit.log',
    description: 'JSONL audit file; empty keeps the audit log in the database only.',
  }),
  AUDIT_CREATE_DIR: variable({
    section: 'audit',
    schema: Type.Boolean(),
    default: true,
    description: "Create the audit file's folder when missing.",
  }),
  AUDIT_STORE_IN_DB: variable({
    section: 'audit',
    schema: Type.Boolean(),
    default: true,
    description: 'Also store audit events in the `audit_events` table (needed by `GET /manage/audit`).',
  }),
  AUDIT_RETENTION: variable({
    section: 'audit',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 0,
    defaultText: '0',
    description:
      'Delete audit events older than this from the database (e.g. `90d`), at start and then hourly; `0` keeps them forever. The JSONL file is left to log rotation.',
  }),
  API_CONFIG_PATH: variable({
    section: 'providers',
    schema: Type.String(),
    default: './config/api_providers.yaml',
    blankIsUnset: true,
    description:
      'Provider file (see "Providers"), read once at start. Without a file at the default path the built-in OpenAI and Anthropic definitions apply; a path set explicitly must exist.',
  }),
  DEFAULT_API_PROVIDER: variable({
    section: 'providers',
    schema: Type.String(),
    default: '',
    description: "Provider used by projects that name none; empty means the file's `default_api`.",
  }),
  OPENAI_API_URL: variable({
    section: 'providers',
    schema: Type.String(),
    default: 'https://api.openai.com',
    blankIsUnset: true,
    description:
      'Base URL of the `openai` provider: of the built-in one, and, when set, over the `base_url` of a provider file (`LLM_PROXY_PROVIDER_<NAME>_BASE_URL` does the same for any provider).',
  }),
  MAX_REQUEST_SIZE: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseByteSize,
    default: 50 * 1024 * 1024,
    defaultText: '50MiB',
    description:
      'Largest request body the proxy reads (413 beyond it, also once decoded from its Content-Encoding); units B, KB, MB, GB (powers of 1024). JSON bodies are read; multipart and binary bodies stream through unbuffered unless a `param_whitelist` applies, which reads and checks every body.',
  }),
  LLM_PROXY_ENFORCE_PROJECT_ACTIVE: variable({
    section: 'proxy',
    schema: Type.Boolean(),
    default: true,
    description: 'Refuse tokens of deactivated projects (403 `project_inactive`).',
  }),
  TOKEN_CACHE_TTL: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 30_000,
    defaultText: '30s',
    description:
      'How long the proxy trusts a cached token or project without reading the database. Management changes invalidate entries at once; this is only the backstop for changes made elsewhere.',
  }),
  TOKEN_CACHE_MAX: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    default: 10_000,
    description: 'Most tokens and projects kept in that cache.',
  }),
  USAGE_FLUSH_INTERVAL: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 5000,
    defaultText: '5s',
    description:
      'How often request counts of tokens without `max_requests` are written (and always at shutdown).',
  }),
  USAGE_FLUSH_THRESHOLD: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    default: 100,
    description:
      'Also write those request counts as soon as this many are pending, so a crash loses at most about this many (`0`: only on the interval).',
  }),
  CIRCUIT_BREAKER_THRESHOLD: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 1, maximum: 1000 }),
    default: 5,
    description:
      "Consecutive failures that open a circuit (503 `circuit_open`): failed connects open the provider's circuit, 502/503/504 answers and failures after sending only the project's own.",
  }),
  CIRCUIT_BREAKER_COOLDOWN: variable({
    section: 'proxy',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 30_000,
    defaultText: '30s',
    description: 'How long an open circuit refuses requests before one trial request is let through.',
  }),
  ENABLE_METRICS: variable({
    section: 'metrics',
    schema: Type.Boolean(),
    default: true,
    description: 'Serve the metrics endpoints.',
  }),
  METRICS_PATH: variable({
    section: 'metrics',
    schema: Type.String(),
    parse: parseMetricsPath,
    default: '/metrics',
    description: 'JSON metrics path; Prometheus text is served at `<path>/prometheus`.',
  }),
  METRICS_REQUIRE_AUTH: variable({
    section: 'metrics',
    schema: Type.Boolean(),
    default: false,
    description: 'Require `Authorization: Bearer <MANAGEMENT_TOKEN>` on the metrics endpoints.',
  }),
  REDIS_URL: variable({
    section: 'redis',
    schema: Type.String(),
    parse: parseRedisUrl,
    default: '',
    secret: true,
    description:
      '`redis://` or `rediss://` (TLS) URL, password included if any. Empty: `REDIS_ADDR`, else no Redis.',
  }),
  REDIS_ADDR: variable({
    section: 'redis',
    schema: Type.String(),
    parse: parseRedisAddress,
    default: '',
    description:
      "The original program's `host:port` form, read only when `REDIS_URL` is empty: it becomes `redis://<addr>/<REDIS_DB>`.",
  }),
  REDIS_DB: variable({
    section: 'redis',
    schema: Type.Integer({ minimum: 0, maximum: 255 }),
    default: undefined,
    description:
      'Database number (0..255) used with `REDIS_ADDR` (0 when unset); setting it without `REDIS_ADDR` or `REDIS_URL` is an error.',
  }),
  REDIS_INVALIDATION_CHANNEL: variable({
    section: 'redis',
    schema: Type.String({ minLength: 1 }),
    default: 'llm-proxy:invalidation',
    description: 'Pub/sub channel on which instances publish and receive cache invalidation events.',
  }),
};

/** Name of a variable the program reads. */
export type VariableName = keyof typeof TABLE;

/** The typed value of a variable: its schema's type, or undefined for a variable without a default. */
export type VariableValue<N extends VariableName> = (typeof TABLE)[N] extends {
  readonly schema: infer S extends TSchema;
  readonly default: infer D;
}
  ? Static<S> | (undefined extends D ? undefined : never)
  : never;

/** Every environment variable the program reads, in the order of the README. */
export const VARIABLES: readonly VariableSpec[] = Object.entries(TABLE).map(([name, spec]): VariableSpec => ({
  ...spec,
  name,
}));

/** Names of the variables that hold secrets. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(
  VARIABLES.filter((variable) => variable.secret === true).map((variable) => variable.name),
);

/** The declaration of one variable. */
export function variableSpec(name: VariableName): VariableSpec {
  return { ...TABLE[name], name };
}

/** A variable's default as an operator writes it; undefined for a variable without one. */
export function writtenDefault(variable: VariableSpec): string | undefined {
  const value = variable.default;
  if (variable.defaultText !== undefined || value === undefined) return variable.defaultText;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`${variable.name}: declare how its default is written (defaultText)`);
}

function variable<S extends TSchema, const D extends Static<S> | undefined>(
  declaration: VariableDeclaration<S, D>,
): VariableDeclaration<S, D> {
  return declaration;
}

function parseMetricsPath(raw: string): Parsed<string> {
  const path = raw.trim();
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(path) || path.startsWith('/v1/') || path.startsWith('/manage')) {
    return { ok: false, problem: `"${path}" must be a path like /metrics outside /v1 and /manage` };
  }
  return { ok: true, value: path };
}

// The value may carry a password: the problem never repeats it.
function parseRedisUrl(raw: string): Parsed<string> {
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

function parseRedisAddress(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: '' };
  const address = parseListenAddress(text);
  if (!address.ok || address.value.host === '' || address.value.port === 0) {
    return {
      ok: false,
      problem: `"${raw}" is not a host:port address (examples: localhost:6379, [::1]:6379)`,
    };
  }
  return { ok: true, value: text };
}
