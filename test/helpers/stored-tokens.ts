import { AppError, generateToken, hashToken, tokenPreview } from '../../src/core/index.js';
import type { Project, Store, TokenRecord } from '../../src/store/index.js';

/** A project and one token written straight to a store, with the secret that only the test knows. */
export interface StoredToken {
  readonly project: Project;
  readonly secret: string;
  readonly token: TokenRecord;
}

/** Writes a project and an unlimited token to the store directly, bypassing the management API. */
export async function storeProjectAndToken(
  store: Store,
  expiresAt: Date | null = null,
): Promise<StoredToken> {
  const project = await store.projects.create({ name: `p-${generateToken()}`, apiKey: 'sk-key' });
  const secret = generateToken();
  const token = await store.tokens.create({
    projectId: project.id,
    tokenHash: hashToken(secret),
    preview: tokenPreview(secret),
    expiresAt,
    maxRequests: null,
  });
  return { project, secret, token };
}

/** The catalog code a promise is refused with, or `ok`. */
export async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}
