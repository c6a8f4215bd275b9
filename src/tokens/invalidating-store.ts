import type { Store } from '../store/index.js';
import type { TokenAuthority } from './token-authority.js';

/**
 * Wraps a store so that every write that can change whether a token may be used also invalidates the
 * authority's cache — after the write is durable (after commit, inside transactions), and before the caller
 * answers. Management code needs no knowledge of the cache.
 */
export function invalidatingStore(store: Store, authority: TokenAuthority): Store {
  return wrap(store, authority, (invalidate) => {
    invalidate();
  });
}

type Defer = (invalidate: () => void) => void;

function wrap(store: Store, authority: TokenAuthority, defer: Defer): Store {
  return {
    dialect: store.dialect,
    migrations: store.migrations,
    audit: store.audit,
    ping: () => store.ping(),
    close: () => store.close(),
    projects: {
      list: () => store.projects.list(),
      get: (id) => store.projects.get(id),
      create: (project) => store.projects.create(project),
      async update(id, changes) {
        const project = await store.projects.update(id, changes);
        defer(() => {
          authority.invalidateProject(id);
        });
        return project;
      },
    },
    tokens: {
      ...bindReads(store),
      async update(id, changes) {
        const token = await store.tokens.update(id, changes);
        defer(() => {
          authority.invalidateToken(id);
        });
        return token;
      },
      async revoke(id) {
        const result = await store.tokens.revoke(id);
        defer(() => {
          authority.invalidateToken(id);
        });
        return result;
      },
      async revokeForProject(projectId) {
        const result = await store.tokens.revokeForProject(projectId);
        defer(() => {
          authority.invalidateProject(projectId);
        });
        return result;
      },
    },
    async transaction(work) {
      const pending: (() => void)[] = [];
      try {
        return await store.transaction((inner) =>
          work(wrap(inner, authority, (invalidate) => pending.push(invalidate))),
        );
      } finally {
        // Also after a rollback: dropping a cache entry is always safe.
        for (const invalidate of pending) invalidate();
      }
    },
  };
}

function bindReads(store: Store): Omit<Store['tokens'], 'update' | 'revoke' | 'revokeForProject'> {
  return {
    create: (token) => store.tokens.create(token),
    get: (id) => store.tokens.get(id),
    findByHash: (hash) => store.tokens.findByHash(hash),
    list: (filter) => store.tokens.list(filter),
    consumeRequest: (id, now) => store.tokens.consumeRequest(id, now),
    refundRequest: (id) => store.tokens.refundRequest(id),
    addUsage: (usage) => store.tokens.addUsage(usage),
  };
}
