import { Pool } from 'undici';

import type { ProviderConfig } from '../config/index.js';

/** One keep-alive connection pool per provider, created when first used. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  /** The pool for a provider's origin, with its timeouts applied. */
  poolFor(provider: ProviderConfig): Pool {
    let pool = this.pools.get(provider.name);
    if (pool === undefined) {
      pool = new Pool(provider.origin, {
        connections: provider.maxConnections ?? null,
        pipelining: 1,
        keepAliveTimeout: provider.timeouts.idleConnection,
        keepAliveMaxTimeout: Math.max(provider.timeouts.idleConnection, 600_000),
        headersTimeout: provider.timeouts.responseHeader,
        bodyTimeout: provider.timeouts.idleRead,
        connect: { timeout: provider.timeouts.connect },
      });
      this.pools.set(provider.name, pool);
    }
    return pool;
  }

  /** Closes every pool, waiting for requests in flight. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }
}
