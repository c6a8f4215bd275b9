import type { AuditQueryService, AuditRecorder } from '../audit/index.js';
import type { PurgeSelector } from '../cache/index.js';
import type { Clock } from '../core/index.js';
import type { ProjectService } from '../projects/index.js';
import type { UsageRepository } from '../store/index.js';
import type { TokenService } from '../tokens/index.js';

/** Purges the response cache of every instance (a `CachePurger`, or anything that does the same). */
export interface CachePurgeService {
  /** `HTTP_CACHE_SHARED=true`: entries belong to no project, so none can be selected by project. */
  readonly shared: boolean;
  /** Resolves the number of entries deleted here; rejects when the store is unavailable. */
  purge(selector: PurgeSelector): Promise<number>;
}

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
  /** The response cache's purge; undefined when caching is disabled. */
  readonly cachePurge: CachePurgeService | undefined;
  /** Token usage per project, token, model and hour (`GET /usage`). */
  readonly usage: Pick<UsageRepository, 'query'>;
}
