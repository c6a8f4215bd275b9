/** A project: one team's upstream provider key and the switch that turns all of its tokens off. */
export interface Project {
  readonly id: string;
  readonly name: string;
  /** The provider API key, decrypted. Never leaves the server unmasked. */
  readonly apiKey: string;
  /** Name of the provider serving this project; null means the configured default provider. */
  readonly provider: string | null;
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
