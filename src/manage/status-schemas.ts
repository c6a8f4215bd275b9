import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const Count = Type.Integer({ minimum: 0 });
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** One dispatcher the server runs itself (FILE_EVENT_LOG, DISPATCHER_IN_PROCESS). */
export const DispatcherStatusView = Type.Object({
  sink: Type.String({ description: 'the backend: file, lunary, helicone, otel' }),
  delivered: Count,
  failed: Count,
  retried: Count,
  dead_lettered: Count,
  buffered: Count,
  lag: Type.Union([Count, Type.Null()], { description: 'read and not yet acknowledged; null when unknown' }),
  last_delivery_at: NullableTime,
  failing_since: NullableTime,
});

/** `GET /manage/status`: what this instance is running and its live figures. */
export const SystemStatusView = Type.Object({
  version: Type.String(),
  time: Type.String({ format: 'date-time' }),
  uptime_seconds: Type.Number(),
  database: Type.Object({ dialect: Type.String() }),
  requests: Type.Object({ total: Count, errors: Count, in_flight: Count }),
  projects: Type.Object({ total: Count, active: Count }),
  tokens: Type.Object({
    total: Count,
    active: Count,
    expired: Count,
    revoked: Count,
    exhausted: Count,
    requests: Type.Integer({
      minimum: 0,
      description: 'requests counted on every token (their request_count)',
    }),
  }),
  cache: Type.Object({
    enabled: Type.Boolean(),
    backend: Type.Union([Type.String(), Type.Null()]),
    entries: Count,
    bytes: Count,
    hits: Count,
    misses: Count,
    bypass: Count,
    stores: Count,
    hit_ratio: Type.Union([Type.Number(), Type.Null()], {
      description: 'hits / (hits + misses); null before any',
    }),
    evictions: Count,
    expired: Count,
    store_errors: Count,
  }),
  events: Type.Object({
    enabled: Type.Boolean(),
    bus: Type.Union([Type.String(), Type.Null()], { description: 'memory or redis-streams; null when off' }),
    published: Count,
    dropped: Count,
    spooled: Count,
    dispatchers: Type.Array(DispatcherStatusView, {
      description:
        'the dispatchers this instance runs; `llm-proxy dispatcher` processes report on their own port',
    }),
  }),
});

/** The JSON of `GET /manage/status`. */
export type SystemStatusView = Static<typeof SystemStatusView>;

/** Reads the status when `GET /manage/status` is asked: memory, the cache store's size and two counting queries. */
export type SystemStatusSource = () => Promise<SystemStatusView>;
