import type { AuditQueryService, AuditRecorder } from '../audit/index.js';
import type { Clock } from '../core/index.js';
import type { ProjectService } from '../projects/index.js';
import type { TokenService } from '../tokens/index.js';

/** What the route modules of the management API work with. */
export interface ManagementRouteDeps {
  readonly projects: ProjectService;
  readonly tokens: TokenService;
  readonly auditQuery: AuditQueryService;
  readonly audit: AuditRecorder;
  /** Whether audit events are stored in the database and can therefore be listed. */
  readonly auditQueryEnabled: boolean;
  /** The clock token statuses are computed with. */
  readonly clock: Clock;
}
