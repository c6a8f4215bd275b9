import { inject } from 'vitest';

import { createApiKeyCipher } from '../../src/core/index.js';
import type { ApiKeyCipher, Clock } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestDatabase } from './test-database.js';

/** The dialects whose server is reachable here (SQLite always; PostgreSQL when it answers). */
export const TEST_DIALECTS: DialectName[] = inject('postgresAvailable') ? ['sqlite', 'postgres'] : ['sqlite'];

/** A migrated store on a fresh database. */
export interface TestStore {
  readonly store: Store;
  cleanup(): Promise<void>;
}

/** Opens and migrates a store on a brand-new database of the given dialect (its times from `clock`). */
export async function createTestStore(
  dialect: DialectName,
  cipher: ApiKeyCipher = createApiKeyCipher(undefined),
  clock?: Clock,
): Promise<TestStore> {
  const database = await createTestDatabase(dialect);
  const store = await openStore({ database: database.config, cipher, ...(clock !== undefined && { clock }) });
  await store.migrations.latest();
  return {
    store,
    async cleanup() {
      await store.close();
      await database.cleanup();
    },
  };
}
