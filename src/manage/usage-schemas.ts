import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

import { Nullable, Timestamp, queryFilter } from './schema-parts.js';

/** Most buckets one `GET /manage/usage` answers with. */
export const MAX_USAGE_BUCKETS = 10_000;

const USAGE_PERIODS = ['hour', 'day', 'all'] as const;

/** Query of `GET /manage/usage`. */
export const UsageQueryParams = Type.Object({
  project_id: queryFilter('only this project'),
  token_id: queryFilter('only this token (its id)'),
  model: queryFilter('only this model, exactly as the requests named it'),
  from: queryFilter(
    'RFC 3339 date-time or a date (UTC midnight); rounded down to the hour (day with group_by=day); default: 24 hours before `to`',
  ),
  to: queryFilter(
    'RFC 3339 date-time or a date (UTC midnight), exclusive; rounded up to the hour (day with group_by=day); default: now',
  ),
  group_by: Type.Optional(
    Type.Unsafe<(typeof USAGE_PERIODS)[number]>({
      type: 'string',
      enum: [...USAGE_PERIODS],
      default: 'hour',
      description:
        'length of a bucket: hour (ranges up to 31 days), UTC day (up to 366 days) or all, the whole range as one bucket (whole hours, up to 366 days)',
    }),
  ),
  by: queryFilter('breakdowns within each period, comma-separated: project, token, model'),
});
/** Parsed query of `GET /manage/usage`. */
export type UsageQueryParams = Static<typeof UsageQueryParams>;

const usageCounters = {
  requests: Type.Integer({ description: 'requests counted, cache hits and errors included' }),
  input_tokens: Type.Integer({ description: 'prompt tokens, cached ones included; none for cache hits' }),
  output_tokens: Type.Integer({ description: 'completion tokens, reasoning ones included' }),
  cached_tokens: Type.Integer({ description: "of the input, tokens from the provider's prompt cache" }),
  reasoning_tokens: Type.Integer({ description: 'of the output, reasoning tokens' }),
  cache_hits: Type.Integer({ description: "requests answered by the proxy's response cache" }),
  errors: Type.Integer({ description: 'requests answered with a status >= 400, or not completed' }),
  estimated_requests: Type.Integer({
    description: 'requests whose token counts were estimated (the upstream reported none)',
  }),
  unpriced_requests: Type.Integer({
    description: 'requests with tokens whose model the price table did not know (costed at 0)',
  }),
  estimated_cost_usd: Type.Number({ description: 'estimated cost in US dollars, from the price table' }),
};

/** Usage counters of a bucket or of the totals. */
export const UsageCountsView = Type.Object(usageCounters);

/** One bucket of a usage report. */
export const UsageBucketView = Type.Object({
  period_start: Timestamp,
  project_id: Type.Optional(Type.String({ description: 'with by=project' })),
  token_id: Type.Optional(Nullable(Type.String({ description: 'with by=token; null = no token' }))),
  model: Type.Optional(Nullable(Type.String({ description: 'with by=model; null = no model named' }))),
  ...usageCounters,
});

/** Answer of `GET /manage/usage`. */
export const UsageReportView = Type.Object({
  group_by: Type.Unsafe<(typeof USAGE_PERIODS)[number]>({ type: 'string', enum: [...USAGE_PERIODS] }),
  from: Timestamp,
  to: Timestamp,
  by: Type.Array(Type.String(), { description: 'the breakdowns applied' }),
  buckets: Type.Array(UsageBucketView, { description: 'periods with usage, oldest first' }),
  totals: UsageCountsView,
  cost_is_estimate: Type.Boolean({ description: 'always true: costs are estimates from a price table' }),
  unpriced_models: Type.Array(Nullable(Type.String()), {
    description: 'models with usage but no price (null = requests that named no model)',
  }),
});
/** Answer of `GET /manage/usage`. */
export type UsageReportView = Static<typeof UsageReportView>;
