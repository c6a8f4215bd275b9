import type { ListenAddress } from './parse-values.js';
import type { ProvidersConfig } from './providers/index.js';

/** Log verbosity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where state lives. */
export type DatabaseConfig =
  | { readonly driver: 'sqlite'; readonly path: string }
  | { readonly driver: 'postgres'; readonly url: string; readonly poolSize: number };

/** The validated, frozen configuration of one server process. */
export interface Config {
  readonly managementToken: string;
  readonly listen: Readonly<ListenAddress>;
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
}
