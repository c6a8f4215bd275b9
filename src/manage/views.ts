import type { Static } from '@sinclair/typebox';

import { obfuscateSecret } from '../core/index.js';
import { tokenStatus } from '../store/index.js';
import type { AuditEventRecord, Project, TokenRecord } from '../store/index.js';
import type { AuditEventView, BulkRevokeView, ProjectView, TokenCreatedView, TokenView } from './schemas.js';

/** The JSON of a project; the API key is always masked. */
export function projectView(project: Project): Static<typeof ProjectView> {
  return {
    id: project.id,
    name: project.name,
    api_key: obfuscateSecret(project.apiKey),
    provider: project.provider,
    cache_post_ttl_seconds: project.cachePostTtlSeconds,
    is_active: project.isActive,
    deactivated_at: iso(project.deactivatedAt),
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
  };
}

/** The masked form of a stored token: its preview, or the masked hash for rows written without one. */
export function maskedToken(token: TokenRecord): string {
  return token.preview ?? obfuscateSecret(token.tokenHash);
}

/** The JSON of a stored token (never the secret), with its status at `now`. */
export function tokenView(token: TokenRecord, now: Date): Static<typeof TokenView> {
  return {
    id: token.id,
    token: maskedToken(token),
    name: token.name,
    project_id: token.projectId,
    expires_at: iso(token.expiresAt),
    is_active: token.isActive,
    status: tokenStatus(token, now),
    deactivated_at: iso(token.deactivatedAt),
    request_count: token.requestCount,
    max_requests: token.maxRequests,
    created_at: token.createdAt.toISOString(),
    last_used_at: iso(token.lastUsedAt),
    cache_hit_count: token.cacheHitCount,
  };
}

/** The answer to token creation and rotation: the only responses that carry the secret. */
export function tokenCreatedView(token: TokenRecord, secret: string): Static<typeof TokenCreatedView> {
  const view: Static<typeof TokenCreatedView> = {
    id: token.id,
    token: secret,
    expires_at: iso(token.expiresAt),
  };
  // As in the original, `max_requests` only appears when the token is limited.
  if (token.maxRequests !== null) view.max_requests = token.maxRequests;
  if (token.name !== null) view.name = token.name;
  return view;
}

/** The answer to a bulk revocation. */
export function bulkRevokeView(result: {
  revoked: number;
  alreadyRevoked: number;
  total: number;
}): Static<typeof BulkRevokeView> {
  return {
    revoked_count: result.revoked,
    already_revoked_count: result.alreadyRevoked,
    total_tokens: result.total,
  };
}

/** The JSON of an audit event. */
export function auditEventView(event: AuditEventRecord): Static<typeof AuditEventView> {
  return {
    id: event.id,
    timestamp: event.timestamp.toISOString(),
    action: event.action,
    actor: event.actor,
    project_id: event.projectId,
    request_id: event.requestId,
    correlation_id: event.correlationId,
    client_ip: event.clientIp,
    method: event.method,
    path: event.path,
    user_agent: event.userAgent,
    outcome: event.outcome,
    reason: event.reason,
    token_id: event.tokenId,
    metadata: event.metadata,
  };
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
