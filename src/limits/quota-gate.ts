import { AppError, ERRORS } from '../core/index.js';
import type { Clock, Logger } from '../core/index.js';
import type { TokenRecord, TokenRepository } from '../store/index.js';
import type { RequestCountBatcher } from './request-count-batcher.js';

/** A request that was let through and counted; refunded if it never reached the upstream. */
export interface Admission {
  /** Gives the counted request back (the upstream was never reached). */
  refund(): void;
  /** Marks the request as sent upstream (counts it for tokens without a quota). */
  commit(): void;
}

/** What {@link QuotaGate} needs. */
export interface QuotaGateOptions {
  readonly tokens: Pick<TokenRepository, 'consumeRequest' | 'refundRequest' | 'get'>;
  readonly requestCounts: RequestCountBatcher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called when the database refused a token the cache still trusted, so the cache can forget it. */
  readonly onStale: (token: TokenRecord) => void;
}

const NOTHING = (): void => undefined;
const NO_RETRY = { 'x-should-retry': 'false' };

/**
 * Enforces `max_requests` exactly: a token with a quota is counted by one atomic conditional UPDATE before
 * the request goes upstream, so with N left and hundreds of requests at once, exactly N pass — also across
 * instances sharing a database. Tokens without a quota are counted in memory and written in batches.
 */
export class QuotaGate {
  /** One admission object per cached token without a quota, so that admitting its requests allocates nothing. */
  private readonly unlimited = new WeakMap<TokenRecord, Admission>();

  constructor(private readonly options: QuotaGateOptions) {}

  /**
   * Counts a request against the token or throws the reason it may not go upstream. Tokens without a quota
   * are admitted synchronously (no promise on the hot path).
   */
  admit(token: TokenRecord): Admission | Promise<Admission> {
    if (token.maxRequests === null) {
      let admission = this.unlimited.get(token);
      if (admission === undefined) {
        const { requestCounts } = this.options;
        admission = {
          refund: NOTHING,
          commit: () => {
            requestCounts.record(token.id);
          },
        };
        this.unlimited.set(token, admission);
      }
      return admission;
    }
    return this.admitLimited(token);
  }

  private async admitLimited(token: TokenRecord): Promise<Admission> {
    const { tokens, clock, logger } = this.options;
    if (!(await tokens.consumeRequest(token.id, clock.now()))) {
      // The cached record was stale (revoked, expired or used up elsewhere): report the current reason.
      this.options.onStale(token);
      const current = await tokens.get(token.id);
      if (current === undefined) throw new AppError(ERRORS.TOKEN_NOT_FOUND);
      if (!current.isActive) throw new AppError(ERRORS.TOKEN_INACTIVE);
      if (current.expiresAt !== null && current.expiresAt <= clock.now()) {
        throw new AppError(ERRORS.TOKEN_EXPIRED);
      }
      // A used-up quota does not come back by waiting: the OpenAI and Anthropic SDKs honour this header and stop
      // retrying at once instead of sending the refused request again with backoff.
      throw new AppError(ERRORS.RATE_LIMIT_EXCEEDED, { headers: NO_RETRY });
    }
    return {
      refund: () => {
        tokens.refundRequest(token.id).catch((error: unknown) => {
          logger.warn({ err: error, tokenId: token.id }, 'giving back a counted request failed');
        });
      },
      commit: NOTHING,
    };
  }
}
