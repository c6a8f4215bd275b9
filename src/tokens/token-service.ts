import { AppError, ERRORS } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Store, TokenChanges, TokenFilter, TokenRecord } from '../store/index.js';
import { issueToken, quotaValue } from './issue-token.js';
import type { IssuedToken, IssueTokenInput } from './issue-token.js';

/** A token update as the API accepts it. */
export interface UpdateTokenInput {
  readonly isActive?: boolean | undefined;
  /** 0 means unlimited. */
  readonly maxRequests?: number | undefined;
}

/** Token use cases of the management API, on plain values. */
export interface TokenService {
  create(input: IssueTokenInput): Promise<IssuedToken>;
  list(filter: TokenFilter): Promise<TokenRecord[]>;
  get(id: string): Promise<TokenRecord>;
  update(id: string, input: UpdateTokenInput): Promise<TokenRecord>;
  /** Deactivates a token; idempotent. */
  revoke(id: string): Promise<{ token: TokenRecord; alreadyRevoked: boolean }>;
}

/** Builds the token service on a store; tokens are issued by {@link issueToken}. */
export function createTokenService(store: Store, clock: Clock): TokenService {
  return {
    create: (input) => issueToken(store, clock, input),

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
      if (input.maxRequests !== undefined) changes.maxRequests = quotaValue(input.maxRequests);
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

function requireToken(token: TokenRecord | undefined): TokenRecord {
  if (!token) throw new AppError(ERRORS.TOKEN_RECORD_NOT_FOUND);
  return token;
}
