import type { Store } from '../store/index.js';
import type { InvalidationBus } from './invalidation-bus.js';

/**
 * Wraps a store so that every write that can change whether a token may be used also publishes an
 * invalidation event — after the write is durable (after commit, inside transactions), and before the caller
 * answers: the bus applies it to this instance's caches synchronously, and to other instances' soon after.
 * Management code needs no knowledge of the caches.
 */
export function invalidatingStore(store: Store, bus: InvalidationBus): Store {
  return wrap(store, bus, (invalidate) => {
    invalidate();
  });
}

type Defer = (invalidate: () => void) => void;

function wrap(store: Store, bus: InvalidationBus, defer: Defer): Store {
  return {
    dialect: store.dialect,
    migrations: store.migrations,
    audit: store.audit,
    // Usage counters decide nothing about access: nothing cached goes stale.
    usage: store.usage,
    // Re-encryption changes how a key is stored, never its value: nothing cached goes stale.
    secrets: store.secrets,
    ping: () => store.ping(),
    probeWrite: () => store.probeWrite(),
    close: () => store.close(),
    projects: {
      list: () => store.projects.list(),
      get: (id) => store.projects.get(id),
      create: (project) => store.projects.create(project),
      async update(id, changes) {
        const project = await store.projects.update(id, changes);
        defer(() => {
          bus.publish({ type: 'project-changed', projectId: id });
        });
        return project;
      },
    },
    tokens: {
      ...bindReads(store),
      async update(id, changes) {
        const token = await store.tokens.update(id, changes);
        defer(() => {
          bus.publish({ type: 'token-changed', tokenId: id });
        });
        return token;
      },
      async replaceSecret(id, secret) {
        const token = await store.tokens.replaceSecret(id, secret);
        defer(() => {
          bus.publish({ type: 'token-changed', tokenId: id });
        });
        return token;
      },
      async revoke(id) {
        const result = await store.tokens.revoke(id);
        defer(() => {
          bus.publish({ type: 'token-changed', tokenId: id });
        });
        return result;
      },
      async revokeForProject(projectId) {
        const result = await store.tokens.revokeForProject(projectId);
        defer(() => {
          bus.publish({ type: 'project-changed', projectId });
        });
        return result;
      },
    },
    async transaction(work) {
      const pending: (() => void)[] = [];
      try {
        return await store.transaction((inner) =>
          work(wrap(inner, bus, (invalidate) => pending.push(invalidate))),
        );
      } finally {
        // Also after a rollback: dropping a cache entry is always safe.
        for (const invalidate of pending) invalidate();
      }
    },
  };
}

function bindReads(
  store: Store,
): Omit<Store['tokens'], 'update' | 'replaceSecret' | 'revoke' | 'revokeForProject'> {
  return {
    create: (token) => store.tokens.create(token),
    get: (id) => store.tokens.get(id),
    findByHash: (hash) => store.tokens.findByHash(hash),
    list: (filter, page) => store.tokens.list(filter, page),
    consumeRequest: (id, now) => store.tokens.consumeRequest(id, now),
    refundRequest: (id) => store.tokens.refundRequest(id),
    countByStatus: (now) => store.tokens.countByStatus(now),
    count: (filter) => store.tokens.count(filter),
    addUsage: (usage) => store.tokens.addUsage(usage),
  };
}
