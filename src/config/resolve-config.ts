import { decodeEncryptionKey } from '../core/index.js';
import type { Config, DatabaseConfig, LogLevel } from './config.js';
import { ConfigError } from './config-error.js';
import {
  parseBoolean,
  parseByteSize,
  parseDuration,
  parseInteger,
  parseListenAddress,
} from './parse-values.js';
import { loadProviders } from './providers/index.js';
import type { ProvidersConfig } from './providers/index.js';
import type { ListenAddress, Parsed } from './parse-values.js';
import { VARIABLES } from './variables.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The layers configuration is read from, lowest precedence first. */
export interface ConfigSources {
  /** Values from the dotenv file. */
  dotenv?: Readonly<Record<string, string | undefined>>;
  /** The process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values set by command-line flags, keyed by variable name. */
  flags?: Readonly<Record<string, string | undefined>>;
}

/**
 * Merges the sources (defaults < dotenv < environment < flags) into one map of variable values.
 * Unknown names are kept so later features can read them.
 */
export function mergeSources(sources: ConfigSources): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const variable of VARIABLES) {
    if (variable.default !== undefined) merged[variable.name] = variable.default;
  }
  for (const layer of [sources.dotenv, sources.env, sources.flags]) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) merged[name] = value;
    }
  }
  return merged;
}

/**
 * Builds the validated configuration. Every problem is collected and thrown as one {@link ConfigError};
 * nothing falls back silently to a default.
 */
export function resolveConfig(sources: ConfigSources): Config {
  const values = mergeSources(sources);
  const problems: string[] = [];
  const read = <T>(name: string, parse: (raw: string) => Parsed<T>, fallback: T): T => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    problems.push(`${name}: ${parsed.problem}`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T =>
    read(
      name,
      (raw) => {
        const value = raw.trim().toLowerCase();
        return (allowed as readonly string[]).includes(value)
          ? { ok: true, value: value as T }
          : { ok: false, problem: `"${raw}" is not one of ${allowed.join(', ')}` };
      },
      fallback,
    );

  const managementToken = (values.MANAGEMENT_TOKEN ?? '').trim();
  if (managementToken === '')
    problems.push('MANAGEMENT_TOKEN: required (run `llm-proxy setup` to generate one)');

  const listen = read<ListenAddress>('LISTEN_ADDR', parseListenAddress, { host: '', port: 8080 });
  const database = readDatabase(values, problems, read, oneOf);

  const debug = read('DEBUG', parseBoolean, false);
  const level = oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  const format = oneOf('LOG_FORMAT', ['json', 'console'] as const, 'json');

  const encryptionRaw = (values.ENCRYPTION_KEY ?? '').trim();
  const key = encryptionRaw === '' ? undefined : decodeEncryptionKey(encryptionRaw);
  if (encryptionRaw !== '' && key === undefined) {
    problems.push('ENCRYPTION_KEY: must be base64 of exactly 32 bytes (generate one with `llm-proxy setup`)');
  }
  const required = read('REQUIRE_ENCRYPTION_KEY', parseBoolean, false);
  if (required && encryptionRaw === '') {
    problems.push('ENCRYPTION_KEY: required because REQUIRE_ENCRYPTION_KEY=true');
  }

  const providers = readProviders(values, sources, problems);
  const metricsPath = (values.METRICS_PATH ?? '/metrics').trim();
  if (
    !/^\/[A-Za-z0-9/_.-]*$/.test(metricsPath) ||
    metricsPath.startsWith('/v1/') ||
    metricsPath.startsWith('/manage')
  ) {
    problems.push(`METRICS_PATH: "${metricsPath}" must be a path like /metrics outside /v1 and /manage`);
  }
  const duration = (raw: string) => parseDuration(raw);

  const config: Config = {
    managementToken,
    listen,
    database,
    log: { level: debug ? 'debug' : level, format, file: (values.LOG_FILE ?? '').trim() },
    audit: {
      enabled: read('AUDIT_ENABLED', parseBoolean, true),
      file: (values.AUDIT_LOG_FILE ?? '').trim(),
      createDir: read('AUDIT_CREATE_DIR', parseBoolean, true),
      storeInDb: read('AUDIT_STORE_IN_DB', parseBoolean, true),
    },
    encryption: { key, required },
    providers,
    proxy: {
      maxRequestSize: read('MAX_REQUEST_SIZE', parseByteSize, 50 * 1024 * 1024),
      enforceProjectActive: read('LLM_PROXY_ENFORCE_PROJECT_ACTIVE', parseBoolean, true),
      tokenCacheTtlMs: read('TOKEN_CACHE_TTL', duration, 30_000),
      tokenCacheMax: read('TOKEN_CACHE_MAX', (raw) => parseInteger(raw, 1, 10_000_000), 10_000),
      usageFlushIntervalMs: read('USAGE_FLUSH_INTERVAL', duration, 5000),
      breakerThreshold: read('CIRCUIT_BREAKER_THRESHOLD', (raw) => parseInteger(raw, 1, 1000), 5),
      breakerCooldownMs: read('CIRCUIT_BREAKER_COOLDOWN', duration, 30_000),
    },
    metrics: {
      enabled: read('ENABLE_METRICS', parseBoolean, true),
      path: metricsPath,
      requireAuth: read('METRICS_REQUIRE_AUTH', parseBoolean, false),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

type Reader = <T>(name: string, parse: (raw: string) => Parsed<T>, fallback: T) => T;
type OneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T) => T;

function readDatabase(
  values: Record<string, string>,
  problems: string[],
  read: Reader,
  oneOf: OneOf,
): DatabaseConfig {
  const driver = oneOf('DB_DRIVER', ['sqlite', 'postgres'] as const, 'sqlite');
  const poolSize = read('DATABASE_POOL_SIZE', (raw) => parseInteger(raw, 1, 1000), 10);
  if (driver === 'sqlite') {
    const path = (values.DATABASE_PATH ?? '').trim();
    if (path === '') problems.push('DATABASE_PATH: required when DB_DRIVER=sqlite');
    return { driver, path };
  }
  const url = (values.DATABASE_URL ?? '').trim();
  if (url === '') {
    problems.push('DATABASE_URL: required when DB_DRIVER=postgres');
  } else if (!/^postgres(ql)?:\/\//.test(url)) {
    problems.push('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  }
  return { driver, url, poolSize };
}

function readProviders(
  values: Record<string, string>,
  sources: ConfigSources,
  problems: string[],
): ProvidersConfig {
  const explicitPath = [sources.flags, sources.env, sources.dotenv].some(
    (layer) => (layer?.API_CONFIG_PATH ?? '').trim() !== '',
  );
  const defaultProvider = (values.DEFAULT_API_PROVIDER ?? '').trim();
  const loaded = loadProviders({
    path: (values.API_CONFIG_PATH ?? '').trim() || './config/api_providers.yaml',
    pathExplicit: explicitPath,
    defaultProvider: defaultProvider === '' ? undefined : defaultProvider,
    openaiUrl: (values.OPENAI_API_URL ?? '').trim() || 'https://api.openai.com',
  });
  if (loaded.ok) return loaded.value;
  problems.push(...loaded.problems);
  return { defaultProvider: '', providers: new Map(), source: 'invalid' };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
