import { decodeEncryptionKey } from '../core/index.js';
import type { AdminSessionStoreConfig, ConfigOf, DatabaseConfig, DispatcherServiceConfig } from './config.js';
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
  events: function resolveEventsSection(reader) {
    const bus = reader.read('LLM_PROXY_EVENT_BUS') === 'redis-streams' ? 'redis-streams' : 'memory';
    const redisUrl =
      bus === 'redis-streams' ? sharedRedisUrl(reader, 'LLM_PROXY_EVENT_BUS: redis-streams') : undefined;
    return {
      events: {
        enabled: reader.read('OBSERVABILITY_ENABLED'),
        bus,
        bufferSize: reader.read('OBSERVABILITY_BUFFER_SIZE'),
        captureBodies: reader.read('OBSERVABILITY_CAPTURE_BODIES'),
        maxRequestBodyBytes: reader.read('OBSERVABILITY_MAX_REQUEST_BODY_BYTES'),
        maxResponseBodyBytes: reader.read('OBSERVABILITY_MAX_RESPONSE_BODY_BYTES'),
        redisUrl,
        streamKey: reader.read('REDIS_STREAM_KEY'),
        streamMaxLen: reader.read('REDIS_STREAM_MAX_LEN'),
        spoolPath: reader.read('EVENT_SPOOL_PATH'),
        spoolMaxBytes: reader.read('EVENT_SPOOL_MAX_BYTES'),
        fileEventLog: reader.read('FILE_EVENT_LOG').trim(),
      },
    };
  },
  dispatcher: function resolveDispatcherSection(reader) {
    const retryBaseMs = reader.read('DISPATCHER_RETRY_BASE');
    const retryMaxMs = reader.read('DISPATCHER_RETRY_MAX');
    if (retryMaxMs < retryBaseMs)
      reader.problem('DISPATCHER_RETRY_MAX: must not be shorter than DISPATCHER_RETRY_BASE');
    return {
      dispatcher: {
        service: readDispatcherService(reader),
        batchSize: reader.read('DISPATCHER_BATCH_SIZE'),
        buffer: reader.read('DISPATCHER_BUFFER'),
        flushIntervalMs: reader.read('DISPATCHER_FLUSH_INTERVAL'),
        maxAttempts: reader.read('DISPATCHER_MAX_ATTEMPTS'),
        retryBaseMs,
        retryMaxMs,
        listen: reader.read('DISPATCHER_LISTEN_ADDR'),
        inProcess: reader.read('DISPATCHER_IN_PROCESS'),
        consumerGroup: reader.read('REDIS_CONSUMER_GROUP'),
        consumerName: reader.read('REDIS_CONSUMER_NAME').trim(),
        blockMs: reader.read('REDIS_STREAM_BLOCK_TIME'),
        claimTimeMs: reader.read('REDIS_STREAM_CLAIM_TIME'),
        readBatchSize: reader.read('REDIS_STREAM_BATCH_SIZE'),
      },
    };
  },
  usage: function resolveUsageSection(reader) {
    return {
      usage: {
        enabled: reader.read('USAGE_ENABLED'),
        pricesFile: reader.read('USAGE_PRICES_FILE').trim(),
        rollupIntervalMs: reader.read('USAGE_ROLLUP_INTERVAL'),
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
  admin: function resolveAdminSection(reader) {
    return {
      admin: {
        enabled: reader.read('ADMIN_UI_ENABLED'),
        path: reader.read('ADMIN_UI_PATH'),
        session: {
          idleTimeoutMs: reader.read('ADMIN_UI_SESSION_IDLE_TIMEOUT'),
          maxAgeMs: reader.read('ADMIN_UI_SESSION_MAX_AGE'),
          rememberMeMaxAgeMs: reader.read('ADMIN_UI_REMEMBER_ME_MAX_AGE'),
        },
        sessionStore: readSessionStore(reader),
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

/** The shared Redis (REDIS_URL, else REDIS_ADDR), which `needer` requires: a problem when there is none. */
function sharedRedisUrl(reader: VariableReader, needer: string): string | undefined {
  const shared = reader.read('REDIS_URL');
  if (shared !== '') return shared;
  const address = reader.read('REDIS_ADDR');
  if (address !== '') return `redis://${address}/${reader.read('REDIS_DB') ?? 0}`;
  reader.problem(`${needer} needs REDIS_URL or REDIS_ADDR`);
  return undefined;
}

/** Where admin sessions are kept; `redis` needs the shared Redis, which `llm-proxy admin` then opens too. */
function readSessionStore(reader: VariableReader): AdminSessionStoreConfig {
  if (reader.read('ADMIN_UI_SESSION_STORE') === 'memory') return { type: 'memory' };
  const url = sharedRedisUrl(reader, 'ADMIN_UI_SESSION_STORE: redis');
  if (url === undefined) return { type: 'memory' };
  return { type: 'redis', url, keyPrefix: reader.read('ADMIN_UI_SESSION_KEY_PREFIX') };
}

/** The backend events are delivered to; what it requires is checked here only for the server's own dispatcher. */
function readDispatcherService(reader: VariableReader): DispatcherServiceConfig {
  const type = reader.read('DISPATCHER_SERVICE');
  const endpointText = reader.read('DISPATCHER_ENDPOINT').trim();
  const endpoint = endpointText === '' ? undefined : endpointText;
  let service: DispatcherServiceConfig;
  if (type === 'file') service = { type, path: endpointText };
  else if (type === 'otel') {
    service = {
      type,
      endpoint,
      headers: parseHeaderList(reader),
      captureContent: reader.read('DISPATCHER_CAPTURE_CONTENT'),
    };
  } else service = { type, endpoint, apiKey: reader.read('LLM_PROXY_API_KEY').trim() };
  // `llm-proxy dispatcher` checks the same when it starts; a server that shares its `.env` with one, and runs no
  // dispatcher itself, is not refused for it.
  if (reader.read('DISPATCHER_IN_PROCESS'))
    for (const problem of dispatcherServiceProblems(service)) reader.problem(problem);
  return service;
}

/** What keeps a dispatcher from delivering to the configured backend (a file path, a URL, an API key). */
export function dispatcherServiceProblems(service: DispatcherServiceConfig): string[] {
  if (service.type === 'file') {
    return service.path === ''
      ? ['DISPATCHER_ENDPOINT: required for DISPATCHER_SERVICE=file (the JSONL file path)']
      : [];
  }
  const problems: string[] = [];
  if (service.endpoint !== undefined && !/^https?:\/\/[^/]/.test(service.endpoint))
    problems.push(
      `DISPATCHER_ENDPOINT: must be an http:// or https:// URL for DISPATCHER_SERVICE=${service.type}`,
    );
  if (service.type !== 'otel' && service.apiKey === '')
    problems.push(`LLM_PROXY_API_KEY: required for DISPATCHER_SERVICE=${service.type}`);
  return problems;
}

/** DISPATCHER_HEADERS as `name=value,name=value`; values are secrets and never repeated in a problem. */
function parseHeaderList(reader: VariableReader): Record<string, string> {
  const headers: Record<string, string> = {};
  const entries = reader
    .read('DISPATCHER_HEADERS')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const at = entry.indexOf('=');
    const name = at <= 0 ? '' : entry.slice(0, at).trim();
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      reader.problem(`DISPATCHER_HEADERS: entry ${index + 1} is not name=value with a valid header name`);
      return;
    }
    headers[name.toLowerCase()] = entry.slice(at + 1).trim();
  });
  return headers;
}

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
