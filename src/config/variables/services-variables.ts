import { Type } from '@sinclair/typebox';

import { parseListenAddress, parseRedisUrl } from '../parse-values.js';
import type { Parsed } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** The `metrics` and `redis` sections: the metrics endpoints and the Redis that instances share. */
export const SERVICE_VARIABLES = {
  ENABLE_METRICS: variable({
    section: 'metrics',
    schema: Type.Boolean(),
    default: true,
    description: 'Serve the metrics endpoints.',
  }),
  METRICS_PATH: variable({
    section: 'metrics',
    schema: Type.String(),
    parse: parseMetricsPath,
    default: '/metrics',
    description: 'JSON metrics path; Prometheus text is served at `<path>/prometheus`.',
  }),
  METRICS_REQUIRE_AUTH: variable({
    section: 'metrics',
    schema: Type.Boolean(),
    default: false,
    description: 'Require `Authorization: Bearer <MANAGEMENT_TOKEN>` on the metrics endpoints.',
  }),
  REDIS_URL: variable({
    section: 'redis',
    schema: Type.String(),
    parse: parseRedisUrl,
    default: '',
    secret: true,
    description:
      '`redis://` or `rediss://` (TLS) URL, password included if any. Empty: `REDIS_ADDR`, else no Redis.',
  }),
  REDIS_ADDR: variable({
    section: 'redis',
    schema: Type.String(),
    parse: parseRedisAddress,
    default: '',
    description:
      "The original program's `host:port` form, read only when `REDIS_URL` is empty: it becomes `redis://<addr>/<REDIS_DB>`.",
  }),
  REDIS_DB: variable({
    section: 'redis',
    schema: Type.Integer({ minimum: 0, maximum: 255 }),
    default: undefined,
    description:
      'Database number (0..255) used with `REDIS_ADDR` (0 when unset); setting it without `REDIS_ADDR` or `REDIS_URL` is an error.',
  }),
  REDIS_INVALIDATION_CHANNEL: variable({
    section: 'redis',
    schema: Type.String({ minLength: 1 }),
    default: 'llm-proxy:invalidation',
    description: 'Pub/sub channel on which instances publish and receive cache invalidation events.',
  }),
};

function parseMetricsPath(raw: string): Parsed<string> {
  const path = raw.trim();
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(path) || path.startsWith('/v1/') || path.startsWith('/manage')) {
    return { ok: false, problem: `"${path}" must be a path like /metrics outside /v1 and /manage` };
  }
  return { ok: true, value: path };
}

function parseRedisAddress(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text === '') return { ok: true, value: '' };
  const address = parseListenAddress(text);
  if (!address.ok || address.value.host === '' || address.value.port === 0) {
    return {
      ok: false,
      problem: `"${raw}" is not a host:port address (examples: localhost:6379, [::1]:6379)`,
    };
  }
  return { ok: true, value: text };
}
