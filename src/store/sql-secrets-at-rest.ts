import type { Kysely } from 'kysely';

import type { ApiKeyCipher } from '../core/index.js';
import { hashPlaintextTokens } from './migrations/hash-plaintext-tokens.js';
import type { Database } from './schema.js';

// Rows read per round trip: bounded memory on a large table.
const BATCH_SIZE = 500;

/** How the provider API keys in the database are stored, as the configured keys see them. */
export interface KeyStorageCounts {
  /** Provider API keys stored in plaintext. */
  readonly plaintextKeys: number;
  /** Keys encrypted with the current ENCRYPTION_KEY. */
  readonly currentKeys: number;
  /** Keys encrypted with a key of ENCRYPTION_KEYS_PREVIOUS (to be re-encrypted). */
  readonly previousKeys: number;
  /** Encrypted keys that no configured key opens (a lost key, or a damaged value). */
  readonly unreadableKeys: number;
  /** Projects without a key (nothing to encrypt). */
  readonly emptyKeys: number;
}

/** How the secrets in the database are stored: API keys and tokens. */
export interface SecretsReport extends KeyStorageCounts {
  readonly hashedTokens: number;
  readonly plaintextTokens: number;
}

/** What {@link SecretsAtRest.encryptAll} changed. */
export interface EncryptReport {
  /** Plaintext keys now encrypted. */
  readonly encrypted: number;
  /** Keys moved from a previous key to the current one. */
  readonly reEncrypted: number;
  readonly alreadyCurrent: number;
  /** Left as they are: no configured key opens them. */
  readonly unreadable: number;
  readonly empty: number;
  readonly tokensHashed: number;
  readonly tokensAlreadyHashed: number;
}

/** Inspection and migration of the secrets a database holds (`migrate encrypt`, `encrypt-status`). */
export interface SecretsAtRest {
  /** Counts only; changes nothing. */
  status(): Promise<SecretsReport>;
  /** Counts of the API keys only (the start-up check), without reading the tokens. */
  keyCounts(): Promise<KeyStorageCounts>;
  /**
   * Encrypts every plaintext API key and re-encrypts those of previous keys with the current key, and hashes
   * every plaintext token. Idempotent: a second run finds everything current. Needs an enabled cipher.
   */
  encryptAll(): Promise<EncryptReport>;
}

/** {@link SecretsAtRest} over the SQL tables, in bounded batches; each row is updated only if unchanged. */
export class SqlSecretsAtRest implements SecretsAtRest {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: ApiKeyCipher,
  ) {}

  async status(): Promise<SecretsReport> {
    const keys = await this.keyCounts();
    const tokens = await hashPlaintextTokens(this.db as Kysely<unknown>, { dryRun: true });
    return { ...keys, hashedTokens: tokens.alreadyHashed, plaintextTokens: tokens.hashed };
  }

  async keyCounts(): Promise<KeyStorageCounts> {
    const keys = await this.visitKeys(false);
    return {
      plaintextKeys: keys.plaintext,
      currentKeys: keys.current,
      previousKeys: keys.previous,
      unreadableKeys: keys.unreadable,
      emptyKeys: keys.empty,
    };
  }

  async encryptAll(): Promise<EncryptReport> {
    if (!this.cipher.enabled) throw new Error('encrypting API keys needs ENCRYPTION_KEY');
    const keys = await this.visitKeys(true);
    const tokens = await hashPlaintextTokens(this.db as Kysely<unknown>);
    return {
      encrypted: keys.plaintext,
      reEncrypted: keys.previous,
      alreadyCurrent: keys.current,
      unreadable: keys.unreadable,
      empty: keys.empty,
      tokensHashed: tokens.hashed,
      tokensAlreadyHashed: tokens.alreadyHashed,
    };
  }

  private async visitKeys(rewrite: boolean): Promise<Record<KeyCount, number>> {
    const counts: Record<KeyCount, number> = {
      plaintext: 0,
      current: 0,
      previous: 0,
      unreadable: 0,
      empty: 0,
    };
    let after = '';
    for (;;) {
      const rows = await this.db
        .selectFrom('projects')
        .select(['id', 'api_key'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH_SIZE)
        .execute();
      for (const row of rows) {
        const state = row.api_key === '' ? 'empty' : this.cipher.stateOf(row.api_key);
        counts[state] += 1;
        if (!rewrite || (state !== 'plaintext' && state !== 'previous')) continue;
        await this.db
          .updateTable('projects')
          .set({ api_key: this.cipher.encrypt(this.cipher.decrypt(row.api_key)) })
          .where('id', '=', row.id)
          // A key changed meanwhile (a management call) is newer and already written with the current key.
          .where('api_key', '=', row.api_key)
          .execute();
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < BATCH_SIZE) break;
      after = last.id;
    }
    return counts;
  }
}

type KeyCount = 'plaintext' | 'current' | 'previous' | 'unreadable' | 'empty';
