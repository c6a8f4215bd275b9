import { decodeEncryptionKey } from '../core/index.js';
import type { ConfigOf, DatabaseConfig } from './config.js';
import { providerBaseUrls } from './provider-overrides.js';
import { loadProviders } from './providers/index.js';
import type { ProvidersConfig } from './providers/index.js';
import type { VariableReader } from './variable-reader.js';
import type { ConfigSection } from './variables.js';

/** Builds one section of the configuration from its variables, recording problems on the reader. */
type SectionResolver<S extends ConfigSection> = (reader: VariableReader) => ConfigOf<S>;

/** One resolver per section; each reads only its own section's variables. */
export const SECTION_RESOLVERS: { readonly [S in ConfigSection]: SectionResolver<S> } = {
  server: function resolveServerSection(reader) {
    const managementToken = reader.read('MANAGEMENT_TOKEN')?.trim() ?? '';
    if (managementToken === '')
      reader.problem('MANAGEMENT_TOKEN: required (run `llm-proxy setup` to generate one)');
    const managementAuth = {
      maxFailures: reader.read('MANAGEMENT_AUTH_MAX_FAILURES'),
      lockoutMs: reader.read('MANAGEMENT_AUTH_LOCKOUT'),
      failureDelayMs: reader.read('MANAGEMENT_AUTH_FAILURE_DELAY'),
    };
    return { managementToken, managementAuth, listen: reader.read('LISTEN_ADDR') };
  },
  connections: function resolveConnectionsSection(reader) {
    return {
      connections: {
        headersTimeoutMs: reader.read('REQUEST_HEADERS_TIMEOUT'),
        bodyTimeoutMs: reader.read('REQUEST_BODY_TIMEOUT'),
        bodyMinRate: reader.read('REQUEST_BODY_MIN_RATE'),
        bodyRateGraceMs: reader.read('REQUEST_BODY_RATE_GRACE'),
        maxConnections: reader.read('MAX_CONNECTIONS'),
        maxConnectionsPerClient: reader.read('MAX_CONNECTIONS_PER_CLIENT'),
        maxInFlightPerClient: reader.read('MAX_IN_FLIGHT_PER_CLIENT'),
      },
    };
  },
  database: function resolveDatabaseSection(reader) {
    return { database: readDatabase(reader) };
  },
  encryption: function resolveEncryptionSection(reader) {
    const text = reader.read('ENCRYPTION_KEY');
    const key = text === '' ? undefined : decodeEncryptionKey(text);
    if (text !== '' && key === undefined) {
      reader.problem(
        'ENCRYPTION_KEY: must be base64 of exactly 32 bytes (generate one with `llm-proxy setup`)',
      );
    }
    const previousKeys = readPreviousKeys(reader, key !== undefined || text !== '');
    const required = reader.read('REQUIRE_ENCRYPTION_KEY');
    if (required && text === '')
      reader.problem('ENCRYPTION_KEY: required because REQUIRE_ENCRYPTION_KEY=true');
    return { encryption: { key, previousKeys, required } };
  },
  log: function resolveLogSection(reader) {
    const debug = reader.read('DEBUG');
    const level = reader.read('LOG_LEVEL');
    return {
      log: {
        level: debug ? 'debug' : level,
        format: reader.read('LOG_FORMAT') === 'json' ? 'json' : 'console',
        layout: reader.read('LOG_LAYOUT'),
        file: reader.read('LOG_FILE'),
        access: reader.read('LOG_ACCESS'),
      },
    };
  },
  audit: function resolveAuditSection(reader) {
    return {
      audit: {
        enabled: reader.read('AUDIT_ENABLED'),
        file: reader.read('AUDIT_LOG_FILE'),
        createDir: reader.read('AUDIT_CREATE_DIR'),
        storeInDb: reader.read('AUDIT_STORE_IN_DB'),
        retentionMs: reader.read('AUDIT_RETENTION'),
      },
    };
  },
  providers: function resolveProvidersSection(reader) {
    return { providers: readProviders(reader) };
  },
  proxy: function resolveProxySection(reader) {
    return {
      proxy: {
        maxRequestSize: reader.read('MAX_REQUEST_SIZE'),
        enforceProjectActive: reader.read('LLM_PROXY_ENFORCE_PROJECT_ACTIVE'),
        tokenCacheTtlMs: reader.read('TOKEN_CACHE_TTL'),
        tokenCacheMax: reader.read('TOKEN_CACHE_MAX'),
        usageFlushIntervalMs: reader.read('USAGE_FLUSH_INTERVAL'),
        usageFlushThreshold: reader.read('USAGE_FLUSH_THRESHOLD'),
        breakerThreshold: reader.read('CIRCUIT_BREAKER_THRESHOLD'),
        breakerCooldownMs: reader.read('CIRCUIT_BREAKER_COOLDOWN'),
      },
    };
  },
  cache: function resolveCacheSection(reader) {
    const backend = reader.read('HTTP_CACHE_BACKEND') === 'redis' ? 'redis' : 'memory';
    const redisUrl = backend === 'redis' ? cacheRedisUrl(reader) : undefined;
    return {
      cache: {
        enabled: reader.read('HTTP_CACHE_ENABLED'),
        backend,
        shared: reader.read('HTTP_CACHE_SHARED'),
        streamResponses: reader.read('HTTP_CACHE_STREAM_RESPONSES'),
        defaultTtlMs: reader.read('HTTP_CACHE_DEFAULT_TTL'),
        maxObjectBytes: reader.read('HTTP_CACHE_MAX_OBJECT_BYTES'),
        maxBytes: reader.read('HTTP_CACHE_MAX_BYTES'),
        redisUrl,
        redisKeyPrefix: reader.read('REDIS_CACHE_KEY_PREFIX'),
        redisTimeoutMs: reader.read('REDIS_CACHE_TIMEOUT'),
        redisScanCount: reader.read('REDIS_SCAN_COUNT'),
      },
    };
  },
  metrics: function resolveMetricsSection(reader) {
    return {
      metrics: {
        enabled: reader.read('ENABLE_METRICS'),
        path: reader.read('METRICS_PATH'),
        requireAuth: reader.read('METRICS_REQUIRE_AUTH'),
      },
    };
  },
  redis: function resolveRedisSection(reader) {
    const invalidationChannel = reader.read('REDIS_INVALIDATION_CHANNEL');
    const url = reader.read('REDIS_URL');
    const address = reader.read('REDIS_ADDR');
    const db = reader.read('REDIS_DB');
    if (url !== '') return { redis: { url, invalidationChannel } };
    if (address !== '') return { redis: { url: `redis://${address}/${db ?? 0}`, invalidationChannel } };
    // Accepting it would let an operator believe Redis is in use.
    if (db !== undefined) {
      reader.problem('REDIS_DB: set without REDIS_ADDR or REDIS_URL, so there is no Redis to select it on');
    }
    return { redis: { url: undefined, invalidationChannel } };
  },
};

/**
 * The Redis of the `redis` cache backend: REDIS_CACHE_URL, else the shared Redis (read here too, so that a
 * `redis` backend without any Redis is refused at start rather than quietly running on nothing).
 */
function cacheRedisUrl(reader: VariableReader): string | undefined {
  const own = reader.read('REDIS_CACHE_URL');
  if (own !== '') return own;
  const shared = reader.read('REDIS_URL');
  if (shared !== '') return shared;
  const address = reader.read('REDIS_ADDR');
  if (address !== '') return `redis://${address}/${reader.read('REDIS_DB') ?? 0}`;
  reader.problem('HTTP_CACHE_BACKEND: redis needs REDIS_CACHE_URL, REDIS_URL or REDIS_ADDR');
  return undefined;
}

function readDatabase(reader: VariableReader): DatabaseConfig {
  const driver = reader.read('DB_DRIVER');
  const poolSize = reader.read('DATABASE_POOL_SIZE');
  if (driver === 'sqlite') {
    const path = reader.read('DATABASE_PATH');
    if (path === '') reader.problem('DATABASE_PATH: required when DB_DRIVER=sqlite');
    return { driver, path };
  }
  const url = reader.read('DATABASE_URL');
  if (url === '') {
    reader.problem('DATABASE_URL: required when DB_DRIVER=postgres');
  } else if (!/^postgres(ql)?:\/\//.test(url)) {
    reader.problem('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  }
  return { driver, url, poolSize };
}

function readProviders(reader: VariableReader): ProvidersConfig {
  const defaultProvider = reader.read('DEFAULT_API_PROVIDER');
  const openaiUrl = reader.read('OPENAI_API_URL');
  const overrides = providerBaseUrls(reader.values, (text) => {
    reader.problem(text);
  });
  const loaded = loadProviders({
    path: reader.read('API_CONFIG_PATH'),
    pathExplicit: reader.isSet('API_CONFIG_PATH'),
    defaultProvider: defaultProvider === '' ? undefined : defaultProvider,
    openaiUrl,
    baseUrls: new Map([...overrides].map(([name, { url }]) => [name, url])),
  });
  if (loaded.ok) return loaded.value;
  for (const problem of loaded.problems) reader.problem(problem);
  return { defaultProvider: '', providers: new Map(), source: 'invalid' };
}

function readPreviousKeys(reader: VariableReader, hasCurrentKey: boolean): Buffer[] {
  const entries = reader
    .read('ENCRYPTION_KEYS_PREVIOUS')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > 0 && !hasCurrentKey) {
    reader.problem('ENCRYPTION_KEYS_PREVIOUS: needs ENCRYPTION_KEY (the key new values are encrypted with)');
  }
  const keys: Buffer[] = [];
  entries.forEach((entry, index) => {
    const key = decodeEncryptionKey(entry);
    // The position, never the value: these are secrets.
    if (key === undefined) {
      reader.problem(`ENCRYPTION_KEYS_PREVIOUS: entry ${index + 1} is not base64 of exactly 32 bytes`);
    } else keys.push(key);
  });
  return keys;
}
