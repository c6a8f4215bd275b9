import { newId, obfuscateSecret, obfuscateToken } from '../core/index.js';
import type { AuditEventRecord } from '../store/index.js';
import type { AuditEntry } from './audit-recorder.js';

const SECRET_KEY = /(^|_)(api_?key|token|secret|password|authorization|management_token)$/i;
const TOKEN_KEY = /(^|_)token$/i;

/** An audit entry stamped with its id and time, ready to be written to the file and the database. */
export interface PreparedAuditEvent {
  readonly record: AuditEventRecord;
  /** One JSONL line (with its newline) in the original program's file format. */
  readonly line: string;
}

/** Stamps an entry and renders it for both sinks; the details are sanitised first. */
export function prepareAuditEvent(entry: AuditEntry, timestamp: Date): PreparedAuditEvent {
  const details = buildDetails(entry);
  const hasDetails = Object.keys(details).length > 0;
  const record: AuditEventRecord = {
    id: newId(),
    timestamp,
    action: entry.action,
    actor: entry.actor,
    projectId: entry.projectId ?? null,
    requestId: entry.requestId ?? null,
    correlationId: entry.correlationId ?? null,
    clientIp: entry.clientIp ?? null,
    method: entry.method ?? null,
    path: entry.path ?? null,
    userAgent: entry.userAgent ?? null,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    tokenId: entry.tokenId ?? null,
    metadata: hasDetails ? JSON.stringify(details) : null,
  };
  // Field names and order follow the original AUDIT_LOG_FILE format so existing log shippers keep working.
  const line = {
    timestamp: timestamp.toISOString(),
    action: entry.action,
    actor: entry.actor,
    project_id: entry.projectId,
    request_id: entry.requestId,
    correlation_id: entry.correlationId,
    client_ip: entry.clientIp,
    result: entry.outcome,
    details: hasDetails ? details : undefined,
  };
  return { record, line: `${JSON.stringify(line)}\n` };
}

/** The original's detail keys (`http_method`, `endpoint`, `user_agent`, …) plus the action's own facts. */
function buildDetails(entry: AuditEntry): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  if (entry.method !== undefined) details.http_method = entry.method;
  if (entry.path !== undefined) details.endpoint = entry.path;
  if (entry.userAgent !== undefined) details.user_agent = entry.userAgent;
  if (entry.reason !== undefined) details.reason = entry.reason;
  if (entry.tokenId !== undefined) details.token_id = entry.tokenId;
  for (const [key, value] of Object.entries(entry.details ?? {})) {
    if (value !== undefined) details[key] = maskIfSecret(key, value);
  }
  return details;
}

/** A safety net: callers must not put secrets into details, but if one slips through it is masked here. */
function maskIfSecret(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !SECRET_KEY.test(key)) return value;
  return TOKEN_KEY.test(key) ? obfuscateToken(value) : obfuscateSecret(value);
}
