import { AppError, ERRORS, generateToken, hashToken, tokenPreview } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Store, TokenRecord } from '../store/index.js';

const MINUTE_MS = 60_000;

/** What a new token is for, and for how long. */
export interface IssueTokenInput {
  readonly projectId: string;
  readonly durationMinutes: number;
  /** 0 or undefined means unlimited. */
  readonly maxRequests?: number | undefined;
  /** Optional label shown in lists. */
  readonly name?: string | undefined;
}

/** A freshly issued token: the stored record and the secret, which exists nowhere else. */
export interface IssuedToken {
  readonly record: TokenRecord;
  readonly secret: string;
}

/**
 * Issues a token for an existing, active project: the only way tokens come into being, shared by the
 * management API and `llm-proxy setup` so that neither can skip the project check or the injected clock.
 */
export async function issueToken(store: Store, clock: Clock, input: IssueTokenInput): Promise<IssuedToken> {
  const project = await store.projects.get(input.projectId);
  if (!project) throw new AppError(ERRORS.PROJECT_NOT_FOUND);
  if (!project.isActive) {
    throw new AppError(ERRORS.PROJECT_INACTIVE, { message: 'cannot create tokens for inactive projects' });
  }
  const secret = generateToken();
  const record = await store.tokens.create({
    projectId: project.id,
    // Only the hash and a masked preview are stored; the secret is returned once and forgotten.
    tokenHash: hashToken(secret),
    preview: tokenPreview(secret),
    expiresAt: new Date(clock.now().getTime() + input.durationMinutes * MINUTE_MS),
    maxRequests: quotaValue(input.maxRequests),
    name: input.name ?? null,
  });
  return { record, secret };
}

/** The stored form of a request quota: the original treats 0 (or none) as unlimited, stored as null. */
export function quotaValue(maxRequests: number | undefined): number | null {
  return maxRequests === undefined || maxRequests <= 0 ? null : maxRequests;
}
