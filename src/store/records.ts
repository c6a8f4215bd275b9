/** A project: one team's upstream provider key and the switch that turns all of its tokens off. */
export interface Project {
  readonly id: string;
  readonly name: string;
  /** The provider API key, decrypted. Never leaves the server unmasked. */
  readonly apiKey: string;
  /** Name of the provider serving this project; null means the configured default provider. */
  readonly provider: string | null;
  /**
   * How long the cache keeps this project's POST answers without the client asking (seconds); null means a
   * POST is cached only when the client opts in with `Cache-Control`.
   */
  readonly cachePostTtlSeconds: number | null;
  readonly isActive: boolean;
  readonly deactivatedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A proxy token as stored: the secret itself is kept only as its SHA-256 hash. */
export interface TokenRecord {
  readonly id: string;
  /** Lowercase hex SHA-256 of the secret. */
  readonly tokenHash: string;
  /** The masked secret shown in lists (`sk-AbCd**************WxYz`), or null when it is unknown. */
  readonly preview: string | null;
  /** Optional label given by the operator; null when none was given. */
  readonly name: string | null;
  readonly projectId: string;
  readonly expiresAt: Date | null;
  readonly isActive: boolean;
  readonly deactivatedAt: Date | null;
  readonly requestCount: number;
  /** Lifetime quota; null means unlimited. */
  readonly maxRequests: number | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly cacheHitCount: number;
}

/**
 * What a token can do now: `revoked` (deactivated), `expired` (past `expires_at`), `exhausted` (every request
 * of its quota used) or `active`, checked in that order.
 */
export type TokenStatus = 'active' | 'expired' | 'revoked' | 'exhausted';

/** Every {@link TokenStatus}, in the order they are checked. */
export const TOKEN_STATUSES: readonly TokenStatus[] = ['revoked', 'expired', 'exhausted', 'active'];

/** The status of a token at the given time. */
export function tokenStatus(token: TokenRecord, now: Date): TokenStatus {
  if (!token.isActive) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (token.maxRequests !== null && token.requestCount >= token.maxRequests) return 'exhausted';
  return 'active';
}

/** Outcome of an audited action. */
export type AuditOutcome = 'success' | 'failure' | 'denied' | 'error';

/** One audit event as stored in `audit_events`. */
export interface AuditEventRecord {
  readonly id: string;
  readonly timestamp: Date;
  readonly action: string;
  readonly actor: string;
  readonly projectId: string | null;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  readonly clientIp: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly userAgent: string | null;
  readonly outcome: AuditOutcome;
  readonly reason: string | null;
  /** Masked token id or preview, never a secret. */
  readonly tokenId: string | null;
  /** JSON text of the event's details. */
  readonly metadata: string | null;
}

/** Usage counters of one `usage_hourly` row, or of a sum of rows. */
export interface UsageCounts {
  /** Exchanges counted, cache hits and errors included. */
  readonly requests: number;
  /** Prompt tokens, cached ones included; cache hits add none (nothing was paid). */
  readonly inputTokens: number;
  /** Completion tokens, reasoning ones included. */
  readonly outputTokens: number;
  /** Of the input, tokens the provider served from its prompt cache. */
  readonly cachedTokens: number;
  /** Of the output, reasoning tokens. */
  readonly reasoningTokens: number;
  /** Exchanges the proxy's response cache answered. */
  readonly cacheHits: number;
  /** Exchanges that ended with a status of 400 or more, or did not complete. */
  readonly errors: number;
  /** Exchanges whose token counts the proxy estimated because the upstream reported none. */
  readonly estimatedRequests: number;
  /** Exchanges with tokens whose model the price table did not know (they cost 0 here). */
  readonly unpricedRequests: number;
  /** Estimated cost in US dollars, from the price table at the time the usage was recorded. */
  readonly costUsd: number;
}

/** Usage counters that are all zero: the start of every sum. */
export const ZERO_USAGE: UsageCounts = Object.freeze({
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
  cacheHits: 0,
  errors: 0,
  estimatedRequests: 0,
  unpricedRequests: 0,
  costUsd: 0,
});

/** The field-by-field sum of two sets of usage counters. */
export function addUsageCounts(a: UsageCounts, b: UsageCounts): UsageCounts {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    cacheHits: a.cacheHits + b.cacheHits,
    errors: a.errors + b.errors,
    estimatedRequests: a.estimatedRequests + b.estimatedRequests,
    unpricedRequests: a.unpricedRequests + b.unpricedRequests,
    costUsd: a.costUsd + b.costUsd,
  };
}

/** The breakdowns a usage report can add to its periods. */
export type UsageDimension = 'project' | 'token' | 'model';

/** Usage of one period (hour or UTC day), optionally of one project, token or model within it. */
export interface UsageBucket extends UsageCounts {
  /** Start of the period (UTC). */
  readonly periodStart: Date;
  /** With the `project` breakdown. */
  readonly projectId?: string;
  /** With the `token` breakdown; null for usage recorded without a token. */
  readonly tokenId?: string | null;
  /** With the `model` breakdown; null for usage of requests that named no model. */
  readonly model?: string | null;
}
