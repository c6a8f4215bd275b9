import type { FastifyInstance, FastifyRequest } from 'fastify';

import { normaliseRequestUrl, readPurgeSelector } from '../cache/index.js';
import type { PurgeSelector } from '../cache/index.js';
import { AppError, ERRORS } from '../core/index.js';
import { toAppError } from './error-handler.js';
import { requireProjectId } from './ids.js';
import { auditStateOf } from './request-context.js';
import { AUDIT_ACTIONS } from './route-config.js';
import type { CachePurgeService, ManagementRouteDeps } from './route-deps.js';
import { CachePurgeBody, CachePurgeView, errorResponses } from './schemas.js';

const TAGS = ['cache'];
/** An HTTP method token (RFC 9110 §9.1); cache keys hold it in upper case. */
const METHOD_TOKEN = /^[A-Za-z]{1,16}$/;
/** Characters no request target holds (they would also break the key layout or a log line). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const NOT_IN_A_TARGET = /[\u0000-\u0020\u007f]/;
/** The original's message for a body that names nothing to purge; kept for clients that match on it. */
const MISSING_CHOICE = 'method and url are required';

/** How the audit event names each kind of purge. */
const PURGE_TYPES: Readonly<Record<PurgeSelector['kind'], string>> = {
  url: 'exact',
  prefix: 'prefix',
  scope: 'project',
  all: 'all',
};

/** Audit `reason` of each refusal, as the original's `cache.purge` events name them where it had one. */
const FAILURE_REASONS: Readonly<Record<string, string>> = {
  [ERRORS.CACHE_DISABLED.code]: 'caching_disabled',
  [ERRORS.INVALID_REQUEST_BODY.code]: 'invalid_json',
  [ERRORS.UNSUPPORTED_MEDIA_TYPE.code]: 'invalid_json',
  [ERRORS.PAYLOAD_TOO_LARGE.code]: 'invalid_json',
  [ERRORS.INVALID_PROJECT_ID.code]: 'invalid_project_id',
  [ERRORS.PROJECT_NOT_FOUND.code]: 'project_not_found',
  [ERRORS.CACHE_STORE_UNAVAILABLE.code]: 'store_unavailable',
  [ERRORS.VALIDATION_FAILED.code]: 'invalid_body',
};

/**
 * Registers `POST /cache/purge`. A body names one of: `method` + `url` (every stored variant of that request,
 * whatever its body or varied headers), `prefix` (every entry whose URL starts with it), `project_id` alone
 * (everything of one project) or `"all": true`; `project_id` also narrows a url or prefix purge. The purge
 * reaches the memory stores of every instance; the answer counts what this instance's store deleted.
 */
export function registerCacheRoutes(app: FastifyInstance, deps: ManagementRouteDeps): void {
  app.post<{ Body: CachePurgeBody }>(
    '/cache/purge',
    {
      schema: {
        tags: TAGS,
        summary: 'Purge the response cache of every instance',
        body: CachePurgeBody,
        response: { 200: CachePurgeView, ...errorResponses(400, 401, 404, 413, 415, 503) },
      },
      config: { auditAction: AUDIT_ACTIONS.cachePurge },
      // Checked before the body, as the original does: a disabled cache answers the same to every body.
      preValidation: function refuseWhenCachingIsDisabled(_request, _reply, done) {
        done(deps.cachePurge === undefined ? new AppError(ERRORS.CACHE_DISABLED) : undefined);
      },
      onError: function noteFailureReason(request, _reply, error, done) {
        const details = auditStateOf(request).details;
        details.reason ??= FAILURE_REASONS[toAppError(error).code] ?? 'invalid_request';
        done();
      },
    },
    async (request) => {
      const purge = deps.cachePurge as CachePurgeService;
      const { selector, projectId } = selectorOf(request, purge.shared);
      // An unknown project is a mistake worth a 404 rather than a silent `"deleted": 0`.
      if (projectId !== undefined) await deps.projects.get(projectId);
      let deleted: number;
      try {
        deleted = await purge.purge(selector);
      } catch (error) {
        throw new AppError(ERRORS.CACHE_STORE_UNAVAILABLE, { cause: error });
      }
      auditStateOf(request).details.deleted = deleted;
      return { deleted };
    },
  );
}

/** The selector a body asks for, noted in the audit event; throws a 400 when it asks for none or several. */
function selectorOf(
  request: FastifyRequest<{ Body: CachePurgeBody }>,
  shared: boolean,
): { selector: PurgeSelector; projectId: string | undefined } {
  // An empty body never gets here: the schema answers it with "request body must be a JSON object".
  const { body } = request;
  const audit = auditStateOf(request);
  const details = audit.details;
  const scope = body.project_id === undefined ? undefined : requireProjectId(body.project_id);
  if (scope !== undefined) {
    audit.projectId = scope;
    details.project_id = scope;
  }
  if (scope !== undefined && shared) {
    invalid(
      'shared_cache',
      'project_id selects nothing while HTTP_CACHE_SHARED=true: entries are shared by every project; purge by url, prefix or all',
    );
  }
  let selector: PurgeSelector;
  if (body.all !== undefined) {
    if (!body.all) invalid('conflicting_fields', 'all must be true');
    if (Object.keys(body).length > 1) invalid('conflicting_fields', 'all purges everything: give it alone');
    selector = { kind: 'all' };
  } else if (body.prefix !== undefined) {
    // With method and url as well it is the original's prefix purge: they were required and are ignored.
    const prefix = prefixOf(body.prefix);
    if (prefix === undefined) invalid('invalid_prefix', 'prefix must be a URL path starting with /');
    selector = withScope({ kind: 'prefix', prefix }, scope);
  } else if (body.method !== undefined || body.url !== undefined) {
    if (body.method === undefined || body.url === undefined) invalid('missing_fields', MISSING_CHOICE);
    if (!METHOD_TOKEN.test(body.method))
      invalid('invalid_method', 'method must be an HTTP method such as GET or POST');
    const url = urlOf(body.url);
    if (url === undefined) invalid('invalid_url', 'invalid URL');
    selector = withScope({ kind: 'url', method: body.method.toUpperCase(), url }, scope);
  } else if (scope !== undefined) {
    selector = { kind: 'scope', scope };
  } else {
    invalid('missing_fields', `${MISSING_CHOICE} (or prefix, project_id alone, or "all": true)`);
  }
  details.purge_type = PURGE_TYPES[selector.kind];
  if (selector.kind === 'url') {
    details.method = selector.method;
    details.url = selector.url;
  }
  if (selector.kind === 'prefix') details.prefix = selector.prefix;
  // What the bus carries is checked by the same rule on arrival: a purge no other instance would accept is
  // refused here rather than applied on this instance only.
  if (readPurgeSelector(selector) === undefined) invalid('invalid_url', 'invalid URL');
  return { selector, projectId: scope };

  function invalid(reason: string, message: string): never {
    details.reason = reason;
    throw new AppError(ERRORS.VALIDATION_FAILED, { message });
  }
}

function withScope<T extends PurgeSelector & { kind: 'url' | 'prefix' }>(
  selector: T,
  scope: string | undefined,
): T {
  return scope === undefined ? selector : { ...selector, scope };
}

/**
 * The normalised path and query of a purge URL — a request target (`/v1/models?x=1`) or an absolute http(s)
 * URL, of which only the path and query count, since keys never hold a host — or undefined when it is neither.
 */
function urlOf(raw: string): string | undefined {
  let target = raw;
  if (/^https?:\/\//i.test(raw)) {
    if (!URL.canParse(raw)) return undefined;
    const parsed = new URL(raw);
    target = `${parsed.pathname}${parsed.search}`;
  } else {
    const fragment = raw.indexOf('#');
    if (fragment !== -1) target = raw.slice(0, fragment);
  }
  if (!target.startsWith('/') || NOT_IN_A_TARGET.test(target)) return undefined;
  return normaliseRequestUrl(target);
}

/** A path prefix as keys hold paths (`|` percent-encoded as cache-key.ts writes it), or undefined. */
function prefixOf(raw: string): string | undefined {
  if (!raw.startsWith('/') || NOT_IN_A_TARGET.test(raw)) return undefined;
  return raw.replaceAll('|', '%7C');
}
