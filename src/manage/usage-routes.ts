import type { FastifyInstance } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';
import type { UsageBucket, UsageCounts } from '../store/index.js';
import { auditStateOf } from './request-context.js';
import type { ManagementRouteDeps } from './route-deps.js';
import { errorResponses } from './schemas.js';
import { MAX_USAGE_BUCKETS, UsageQueryParams, UsageReportView } from './usage-schemas.js';
import type { UsageReportView as UsageReportJson } from './usage-schemas.js';
import { resolveUsageQuery } from './usage-range.js';

const TAGS = ['usage'];
/** Audit action of a usage query. */
export const USAGE_AUDIT_ACTION = 'usage.query';

/** Registers `GET /usage`: token usage and estimated cost per period, filtered and broken down. */
export function registerUsageRoutes(app: FastifyInstance, deps: ManagementRouteDeps): void {
  const { usage, clock } = deps;

  app.get<{ Querystring: UsageQueryParams }>(
    '/usage',
    {
      schema: {
        tags: TAGS,
        summary: 'Token usage and estimated cost per hour or day, with totals',
        description:
          'Usage is written by every instance every few seconds, so the current hour may lag slightly. ' +
          'Costs are estimates from the price table in force when the usage was recorded.',
        querystring: UsageQueryParams,
        response: { 200: UsageReportView, ...errorResponses(400, 401, 503) },
      },
      config: { auditAction: USAGE_AUDIT_ACTION },
    },
    async (request): Promise<UsageReportJson> => {
      const query = resolveUsageQuery(request.query, clock.now());
      const audit = auditStateOf(request);
      audit.projectId = query.projectId;
      Object.assign(audit.details, {
        group_by: query.groupBy,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
      });
      const report = await usage.query({ ...query, limit: MAX_USAGE_BUCKETS });
      if (report.truncated) {
        throw new AppError(ERRORS.VALIDATION_FAILED, {
          message: `the answer would hold more than ${String(MAX_USAGE_BUCKETS)} buckets: narrow the range or the filters, group by day or use fewer breakdowns`,
        });
      }
      audit.details.buckets_count = report.buckets.length;
      return {
        group_by: query.groupBy,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        by: [...query.by],
        buckets: report.buckets.map(bucketView),
        totals: countsView(report.totals),
        cost_is_estimate: true,
        unpriced_models: report.unpricedModels.map((model) => (model === '' ? null : model)),
      };
    },
  );
}

function bucketView(bucket: UsageBucket): UsageReportJson['buckets'][number] {
  return {
    period_start: bucket.periodStart.toISOString(),
    ...(bucket.projectId !== undefined && { project_id: bucket.projectId }),
    ...(bucket.tokenId !== undefined && { token_id: bucket.tokenId }),
    ...(bucket.model !== undefined && { model: bucket.model }),
    ...countsView(bucket),
  };
}

function countsView(counts: UsageCounts): UsageReportJson['totals'] {
  return {
    requests: counts.requests,
    input_tokens: counts.inputTokens,
    output_tokens: counts.outputTokens,
    cached_tokens: counts.cachedTokens,
    reasoning_tokens: counts.reasoningTokens,
    cache_hits: counts.cacheHits,
    errors: counts.errors,
    estimated_requests: counts.estimatedRequests,
    unpriced_requests: counts.unpricedRequests,
    // Sums of floating-point costs carry noise in the last digits; a millionth of a cent is below any price.
    estimated_cost_usd: Math.round(counts.costUsd * 1e8) / 1e8,
  };
}
