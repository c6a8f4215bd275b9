import { AppError, ERRORS, generateToken, hashToken, tokenPreview } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Store, TokenChanges, TokenFilter, TokenRecord } from '../store/index.js';

const MINUTE_MS = 60_000;

/** A token request as the API accepts it. */
export interface CreateTokenInput {
  readonly projectId: string;
  readonly durationMinutes: number;
  /** 0 or undefined means unlimited. */
  readonly maxRequests?: number | undefined;
}

/** A freshly issued token: the stored record and the secret, which exists nowhere else. */
export interface IssuedToken {
  readonly record: TokenRecord;
  readonly secret: string;
}

/** A token update as the API accepts it. */
export interface UpdateTokenInput {
  readonly isActive?: boolean | undefined;
  /** 0 means unlimited. */
  readonly maxRequests?: number | undefined;
}

/** Token use cases of the management API, on plain values. */
export interface TokenService {
  create(input: CreateTokenInput): Promise<IssuedToken>;
  list(filter: TokenFilter): Promise<TokenRecord[]>;
  get(id: string): Promise<TokenRecord>;
  update(id: string, input: UpdateTokenInput): Promise<TokenRecord>;
  /** Deactivates a token; idempotent. */
  revoke(id: string): Promise<{ token: TokenRecord; alreadyRevoked: boolean }>;
}

/** Builds the token service on a store. */
export function createTokenService(store: Store, clock: Clock): TokenService {
  return {
    async create(input) {
      const project = await store.projects.get(input.projectId);
      if (!project) throw new AppError(ERRORS.PROJECT_NOT_FOUND);
      if (!project.isActive) {
        throw new AppError(ERRORS.PROJECT_INACTIVE, {
          message: 'cannot create tokens for inactive projects',
        });
      }
      const secret = generateToken();
      const record = await store.tokens.create({
        projectId: project.id,
        // Only the hash and a masked preview are stored; the secret is returned once and forgotten.
        tokenHash: hashToken(secret),
        preview: tokenPreview(secret),
        expiresAt: new Date(clock.now().getTime() + input.durationMinutes * MINUTE_MS),
        maxRequests: quota(input.maxRequests),
      });
      return { record, secret };
    },

    list: (filter) => store.tokens.list(filter),

    async get(id) {
      return requireToken(await store.tokens.get(id));
    },

    async update(id, input) {
      if (input.isActive === undefined && input.maxRequests === undefined) {
        throw new AppError(ERRORS.NO_FIELDS_TO_UPDATE);
      }
      const changes: { -readonly [K in keyof TokenChanges]: TokenChanges[K] } = {};
      if (input.isActive !== undefined) changes.isActive = input.isActive;
      if (input.maxRequests !== undefined) changes.maxRequests = quota(input.maxRequests);
      return requireToken(await store.tokens.update(id, changes));
    },

    async revoke(id) {
      const outcome = await store.tokens.revoke(id);
      if (!outcome) throw new AppError(ERRORS.TOKEN_RECORD_NOT_FOUND);
      const token = requireToken(await store.tokens.get(id));
      return { token, alreadyRevoked: outcome.alreadyRevoked };
    },
  };
}

/** The original treats a quota of 0 (or none) as unlimited, stored as null. */
function quota(maxRequests: number | undefined): number | null {
  return maxRequests === undefined || maxRequests <= 0 ? null : maxRequests;
}

function requireToken(token: TokenRecord | undefined): TokenRecord {
  if (!token) throw new AppError(ERRORS.TOKEN_RECORD_NOT_FOUND);
  return token;
}
