export type { AuditEntry, AuditRecorder, AuditStats } from './audit-recorder.js';
export { createAuditRecorder } from './create-audit-recorder.js';
export type { CreateAuditRecorderOptions } from './create-audit-recorder.js';
export { noopAuditRecorder } from './noop-audit-recorder.js';
export { QueuedAuditRecorder } from './queued-audit-recorder.js';
export type { QueuedAuditRecorderOptions } from './queued-audit-recorder.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, createAuditQueryService } from './audit-query-service.js';
export type { AuditQueryInput, AuditQueryResult, AuditQueryService } from './audit-query-service.js';
