import type { ListenAddress } from './parse-values.js';
import type { ProvidersConfig } from './providers/index.js';
import type { ConfigSection } from './variables.js';

/** Log verbosity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where state lives. */
export type DatabaseConfig =
  | { readonly driver: 'sqlite'; readonly path: string }
  | { readonly driver: 'postgres'; readonly url: string; readonly poolSize: number };

/** The admin web UI as `llm-proxy server` serves it. */
export interface AdminConfig {
  readonly enabled: boolean;
  /** Mount path without a trailing slash (`/admin`). */
  readonly path: string;
  readonly session: AdminSessionConfig;
  /** Where sign-in sessions are kept (`ADMIN_UI_SESSION_STORE`). */
  readonly sessionStore: AdminSessionStoreConfig;
}

/** This process's memory, or the shared Redis so that every instance knows every sign-in. */
export type AdminSessionStoreConfig =
  | { readonly type: 'memory' }
  | {
      readonly type: 'redis';
      /** The shared Redis (REDIS_URL, else REDIS_ADDR); may carry a password: never log it. */
      readonly url: string;
      readonly keyPrefix: string;
    };

/** How long an admin UI sign-in lasts. */
export interface AdminSessionConfig {
  /** A session unused for this long ends. */
  readonly idleTimeoutMs: number;
  /** A session ends this long after sign-in. */
  readonly maxAgeMs: number;
  /** Absolute (and idle) lifetime of a "remember me" session, whose cookie outlives the browser. */
  readonly rememberMeMaxAgeMs: number;
}

/** The shared Redis, when one is configured. */
export interface RedisConfig {
  /** `redis://` or `rediss://` URL (may carry a password: never log it); undefined means no Redis. */
  readonly url: string | undefined;
  /** Pub/sub channel of cache invalidation events. */
  readonly invalidationChannel: string;
}

/** How long a request may take to arrive and what one client address may hold; 0 switches a limit off. */
export interface ConnectionsConfig {
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** Bytes per second over each grace period. */
  readonly bodyMinRate: number;
  readonly bodyRateGraceMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  readonly maxInFlightPerClient: number;
}

/** The HTTP response cache of `/v1`. */
export interface CacheConfig {
  readonly enabled: boolean;
  readonly backend: 'memory' | 'redis';
  /** Entries are shared between projects (otherwise each project has its own). */
  readonly shared: boolean;
  /** Opted-in SSE answers are stored too. */
  readonly streamResponses: boolean;
  /** Lifetime of a storable answer that names none; 0 stores only answers that name one. */
  readonly defaultTtlMs: number;
  readonly maxObjectBytes: number;
  /** What the memory store may hold in all. */
  readonly maxBytes: number;
  /** The Redis of the `redis` backend (REDIS_CACHE_URL, else the shared Redis); undefined for `memory`. */
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly redisTimeoutMs: number;
  readonly redisScanCount: number;
}

/** Request events and the bus they travel (the `events` section). */
export interface EventsConfig {
  readonly enabled: boolean;
  readonly bus: 'memory' | 'redis-streams';
  readonly bufferSize: number;
  readonly captureBodies: boolean;
  readonly maxRequestBodyBytes: number;
  readonly maxResponseBodyBytes: number;
  /** The Redis of the `redis-streams` bus (the shared one); undefined for `memory`. */
  readonly redisUrl: string | undefined;
  readonly streamKey: string;
  /** 0 keeps every entry. */
  readonly streamMaxLen: number;
  readonly spoolPath: string;
  readonly spoolMaxBytes: number;
  /** Empty: no in-server JSONL file. */
  readonly fileEventLog: string;
}

/** An event backend as configured. */
export type DispatcherServiceConfig =
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'lunary'; readonly endpoint: string | undefined; readonly apiKey: string }
  | { readonly type: 'helicone'; readonly endpoint: string | undefined; readonly apiKey: string }
  | {
      readonly type: 'otel';
      readonly endpoint: string | undefined;
      readonly headers: Readonly<Record<string, string>>;
      readonly captureContent: boolean;
    };

/** Delivery of events to a backend (the `dispatcher` section). */
export interface DispatcherConfig {
  readonly service: DispatcherServiceConfig;
  readonly batchSize: number;
  readonly buffer: number;
  readonly flushIntervalMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly listen: Readonly<ListenAddress>;
  readonly inProcess: boolean;
  readonly consumerGroup: string;
  /** Empty: `dispatcher-<service>-<hostname>-<pid>`. */
  readonly consumerName: string;
  readonly blockMs: number;
  readonly claimTimeMs: number;
  readonly readBatchSize: number;
}

/** Token usage and cost (the `usage` section). */
export interface UsageConfig {
  readonly enabled: boolean;
  /** Empty: only the shipped price table. */
  readonly pricesFile: string;
  readonly rollupIntervalMs: number;
}

/** The validated, frozen configuration of one server process. */
export interface Config {
  readonly managementToken: string;
  /** Slowing and limiting of wrong management tokens per client address. */
  readonly managementAuth: {
    /** 0 means no limit. */
    readonly maxFailures: number;
    readonly lockoutMs: number;
    readonly failureDelayMs: number;
  };
  readonly listen: Readonly<ListenAddress>;
  readonly connections: ConnectionsConfig;
  readonly database: DatabaseConfig;
  readonly log: {
    readonly level: LogLevel;
    readonly format: 'json' | 'console';
    /** `original`: JSON lines with the original program's keys (`ts`, textual `level`, `msg`). */
    readonly layout: 'pino' | 'original';
    /** Empty means standard output. */
    readonly file: string;
    /** One info line per proxied exchange. */
    readonly access: boolean;
  };
  readonly audit: {
    readonly enabled: boolean;
    /** Empty means no audit file. */
    readonly file: string;
    readonly createDir: boolean;
    readonly storeInDb: boolean;
    /** Audit events older than this are deleted from the database; 0 keeps them forever. */
    readonly retentionMs: number;
  };
  readonly encryption: {
    /** The 32-byte key, when configured. */
    readonly key: Buffer | undefined;
    /** Earlier keys, still read (ENCRYPTION_KEYS_PREVIOUS). */
    readonly previousKeys: readonly Buffer[];
    readonly required: boolean;
  };
  readonly providers: ProvidersConfig;
  readonly proxy: {
    /** Largest JSON request body read, in bytes. */
    readonly maxRequestSize: number;
    readonly enforceProjectActive: boolean;
    readonly tokenCacheTtlMs: number;
    readonly tokenCacheMax: number;
    readonly usageFlushIntervalMs: number;
    /** Pending request counts that trigger a write before the interval; 0 = only the interval. */
    readonly usageFlushThreshold: number;
    readonly breakerThreshold: number;
    readonly breakerCooldownMs: number;
  };
  readonly cache: CacheConfig;
  readonly events: EventsConfig;
  readonly dispatcher: DispatcherConfig;
  readonly usage: UsageConfig;
  readonly metrics: {
    readonly enabled: boolean;
    /** JSON metrics path; Prometheus text is at `<path>/prometheus`. */
    readonly path: string;
    readonly requireAuth: boolean;
  };
  readonly admin: AdminConfig;
  readonly redis: RedisConfig;
}

/** The properties of {@link Config} each section fills. */
export interface SectionProperties {
  server: 'managementToken' | 'managementAuth' | 'listen';
  connections: 'connections';
  database: 'database';
  encryption: 'encryption';
  log: 'log';
  audit: 'audit';
  providers: 'providers';
  proxy: 'proxy';
  cache: 'cache';
  events: 'events';
  dispatcher: 'dispatcher';
  usage: 'usage';
  metrics: 'metrics';
  admin: 'admin';
  redis: 'redis';
}

/** The part of {@link Config} that the given sections resolve. */
export type ConfigOf<S extends ConfigSection> = Pick<Config, SectionProperties[S]>;
