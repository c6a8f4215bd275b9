import type { AuditRecorder } from './audit-recorder.js';

/** The recorder used when auditing is switched off (`AUDIT_ENABLED=false`): it records nothing. */
export const noopAuditRecorder: AuditRecorder = Object.freeze({
  record: () => undefined,
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  stats: () => ({ queued: 0, dropped: 0, writeFailures: 0 }),
});
