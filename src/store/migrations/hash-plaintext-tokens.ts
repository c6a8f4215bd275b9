import type { Kysely } from 'kysely';

import { hashToken, isTokenHash, tokenPreview } from '../../core/index.js';

// Rows read per round trip: bounded memory on a large table.
const BATCH_SIZE = 500;

interface TokensOnly {
  tokens: { id: string; token: string; token_preview: string | null };
}

/** What {@link hashPlaintextTokens} found. */
export interface TokenHashCounts {
  /** Tokens that were stored in plaintext and are now hashed. */
  readonly hashed: number;
  /** Tokens that were already stored as hashes. */
  readonly alreadyHashed: number;
}

/**
 * Replaces every token stored in plaintext (older deployments of the original program) with its SHA-256
 * hash, keeping a masked preview so operators still recognise it. Values already hashed stay as they are, so
 * running it again changes nothing. With `dryRun` it only counts.
 */
export async function hashPlaintextTokens(
  db: Kysely<unknown>,
  options: { readonly dryRun?: boolean } = {},
): Promise<TokenHashCounts> {
  const typed = db as Kysely<TokensOnly>;
  let hashed = 0;
  let alreadyHashed = 0;
  let after = '';
  for (;;) {
    const rows = await typed
      .selectFrom('tokens')
      .select(['id', 'token'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH_SIZE)
      .execute();
    for (const row of rows) {
      if (isTokenHash(row.token)) {
        alreadyHashed += 1;
        continue;
      }
      hashed += 1;
      if (options.dryRun === true) continue;
      await typed
        .updateTable('tokens')
        .set({ token: hashToken(row.token), token_preview: tokenPreview(row.token) })
        .where('id', '=', row.id)
        .where('token', '=', row.token)
        .execute();
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH_SIZE) break;
    after = last.id;
  }
  return { hashed, alreadyHashed };
}
