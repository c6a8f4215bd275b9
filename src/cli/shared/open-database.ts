import type { ConfigOf } from '../../config/index.js';
import { createApiKeyCipher } from '../../core/index.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/index.js';
import { CliError } from './cli-error.js';

/** What opening the database needs. */
type StoreConfig = ConfigOf<'database' | 'encryption'>;

/** Opens the configured database (a SQLite file's folder is created); failures become one clear line. */
export async function openConfiguredStore(config: StoreConfig): Promise<Store> {
  try {
    const cipher = createApiKeyCipher(config.encryption.key, config.encryption.previousKeys);
    return await openStore({ database: config.database, cipher });
  } catch (error) {
    throw new CliError(describe(error), { cause: error });
  }
}

/** Runs work against the configured database and always closes it afterwards. */
export async function withStore<T>(config: StoreConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The first line of an error's message, for one-line reports. */
export function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? message;
}
