import type { ListenAddress } from './parse-values.js';
import type { ProvidersConfig } from './providers/index.js';
import type { ConfigSection } from './variables.js';

/** Log verbosity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where state lives. */
export type DatabaseConfig =
  | { readonly driver: 'sqlite'; readonly path: string }
  | { readonly driver: 'postgres'; readonly url: string; readonly poolSize: number };

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

/** The validated, frozen configuration of one server process. */
export interface Config {
  readonly managementToken: string;
  readonly listen: Readonly<ListenAddress>;
  readonly connections: ConnectionsConfig;
  readonly database: DatabaseConfig;
  readonly log: {
    readonly level: LogLevel;
    readonly format: 'json' | 'console';
    /** Empty means standard output. */
    readonly file: string;
  };
  readonly audit: {
    readonly enabled: boolean;
    /** Empty means no audit file. */
    readonly file: string;
    readonly createDir: boolean;
    readonly storeInDb: boolean;
  };
  readonly encryption: {
    /** The 32-byte key, when configured. */
    readonly key: Buffer | undefined;
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
    readonly breakerThreshold: number;
    readonly breakerCooldownMs: number;
  };
  readonly metrics: {
    readonly enabled: boolean;
    /** JSON metrics path; Prometheus text is at `<path>/prometheus`. */
    readonly path: string;
    readonly requireAuth: boolean;
  };
  readonly redis: RedisConfig;
}

/** The properties of {@link Config} each section fills. */
export interface SectionProperties {
  server: 'managementToken' | 'listen';
  connections: 'connections';
  database: 'database';
  encryption: 'encryption';
  log: 'log';
  audit: 'audit';
  providers: 'providers';
  proxy: 'proxy';
  metrics: 'metrics';
  redis: 'redis';
}

/** The part of {@link Config} that the given sections resolve. */
export type ConfigOf<S extends ConfigSection> = Pick<Config, SectionProperties[S]>;
