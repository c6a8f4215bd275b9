import type { Kysely } from 'kysely';

import { hashToken, isTokenHash, tokenPreview } from '../../core/index.js';

interface TokenRow {
  id: string;
  token: string;
}

interface TokensOnly {
  tokens: { id: string; token: string; token_preview: string | null };
}

/**
 * Replaces every token stored in plaintext (older deployments of the original program) with its SHA-256
 * hash, keeping a masked preview so operators still recognise it. Values already hashed stay as they are.
 */
export async function hashPlaintextTokens(db: Kysely<unknown>): Promise<number> {
  const typed = db as Kysely<TokensOnly>;
  const rows: TokenRow[] = await typed.selectFrom('tokens').select(['id', 'token']).execute();
  let hashed = 0;
  for (const row of rows) {
    if (isTokenHash(row.token)) continue;
    await typed
      .updateTable('tokens')
      .set({ token: hashToken(row.token), token_preview: tokenPreview(row.token) })
      .where('id', '=', row.id)
      .execute();
    hashed += 1;
  }
  return hashed;
}
