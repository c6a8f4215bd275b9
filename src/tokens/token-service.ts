import { AppError, ERRORS, generateToken, hashToken, tokenPreview } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { Store, TokenChanges, TokenFilter, TokenListPage, TokenRecord } from '../store/index.js';
import { issueToken, quotaValue } from './issue-token.js';
import type { IssuedToken, IssueTokenInput } from './issue-token.js';

/** A token update as the API accepts it. */
export interface UpdateTokenInput {
  readonly isActive?: boolean | undefined;
  /** 0 means unlimited. */
  readonly maxRequests?: number | undefined;
  /** null removes the name. */
  readonly name?: string | null | undefined;
}

/** A rotated token: the same record under a new secret, and the masked form of the secret it replaced. */
export interface RotatedToken extends IssuedToken {
  /** Masked preview of the old secret (for the audit trail); null when it was never known. */
  readonly previousPreview: string | null;
}

/** Token use cases of the management API, on plain values. */
export interface TokenService {
  create(input: IssueTokenInput): Promise<IssuedToken>;
  list(filter: TokenFilter, page?: TokenListPage): Promise<TokenRecord[]>;
  /** How many tokens the filter matches (the total of a paged list). */
  count(filter: TokenFilter): Promise<number>;
  get(id: string): Promise<TokenRecord>;
  update(id: string, input: UpdateTokenInput): Promise<TokenRecord>;
  /**
   * Gives a token a new secret and keeps everything else (id, project, expiry, quota, counters). The old
   * secret is refused from the moment this returns — there is no grace period. Revoked tokens are refused.
   */
  rotate(id: string): Promise<RotatedToken>;
  /** Deactivates a token; idempotent. */
  revoke(id: string): Promise<{ token: TokenRecord; alreadyRevoked: boolean }>;
}

/** Builds the token service on a store; tokens are issued by {@link issueToken}. */
export function createTokenService(store: Store, clock: Clock): TokenService {
  return {
    create: (input) => issueToken(store, clock, input),

    // Statuses are judged by this service's clock, the one token views are shown with.
    list: (filter, page) => store.tokens.list({ now: clock.now(), ...filter }, page),
    count: (filter) => store.tokens.count({ now: clock.now(), ...filter }),

    async get(id) {
      return requireToken(await store.tokens.get(id));
    },

    async update(id, input) {
      if (input.isActive === undefined && input.maxRequests === undefined && input.name === undefined) {
        throw new AppError(ERRORS.NO_FIELDS_TO_UPDATE);
      }
      const changes: { -readonly [K in keyof TokenChanges]: TokenChanges[K] } = {};
      if (input.isActive !== undefined) changes.isActive = input.isActive;
      if (input.maxRequests !== undefined) changes.maxRequests = quotaValue(input.maxRequests);
      if (input.name !== undefined) changes.name = input.name;
      return requireToken(await store.tokens.update(id, changes));
    },

    async rotate(id) {
      const current = requireToken(await store.tokens.get(id));
      if (!current.isActive) throw new AppError(ERRORS.TOKEN_REVOKED);
      const secret = generateToken();
      // The write matches only an active token: a revocation racing with the rotation wins.
      const record = await store.tokens.replaceSecret(id, {
        tokenHash: hashToken(secret),
        preview: tokenPreview(secret),
      });
      if (!record) throw new AppError(ERRORS.TOKEN_REVOKED);
      return { record, secret, previousPreview: current.preview };
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
