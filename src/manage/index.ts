export { managementPlugin, MANAGEMENT_BODY_LIMIT } from './management-plugin.js';
export type { ManagementPluginOptions } from './management-plugin.js';
export type { CachePurgeService } from './route-deps.js';
export { createJsonErrorHandler, sendAppError, toAppError } from './error-handler.js';
export type { ErrorObserver } from './error-handler.js';
export { checkManagementAuthorization } from './management-auth.js';
export { AUDIT_ACTIONS, MANAGEMENT_ACTOR } from './route-config.js';
export type { BulkRevokeView, CachePurgeView, ProjectView, TokenCreatedView, TokenView } from './schemas.js';
export type { UsageReportView } from './usage-schemas.js';
