import { Type } from '@sinclair/typebox';

import { parseByteSize, parseDuration, parseRedisUrl } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** The `cache` section: the HTTP response cache of `/v1`. */
export const CACHE_VARIABLES = {
  HTTP_CACHE_ENABLED: variable({
    section: 'cache',
    schema: Type.Boolean(),
    default: true,
    description:
      'Serve repeated requests from the response cache (see "Response cache"). Nothing is stored unless the upstream allows it or the client or project opts in.',
  }),
  HTTP_CACHE_BACKEND: variable({
    section: 'cache',
    schema: Type.Union([Type.Literal('memory'), Type.Literal('in-memory'), Type.Literal('redis')]),
    default: 'memory',
    description:
      '`memory` (this process, bounded by `HTTP_CACHE_MAX_BYTES`; `in-memory` is the same) or `redis` (shared by every instance).',
  }),
  HTTP_CACHE_SHARED: variable({
    section: 'cache',
    schema: Type.Boolean(),
    default: false,
    description:
      'Share cached answers between projects. Off, every project has its own entries and never sees another project’s answers.',
  }),
  HTTP_CACHE_STREAM_RESPONSES: variable({
    section: 'cache',
    schema: Type.Boolean(),
    default: false,
    description:
      'Also store opted-in streamed (SSE) answers, captured while they stream; only complete streams are stored.',
  }),
  HTTP_CACHE_DEFAULT_TTL: variable({
    section: 'cache',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseDuration,
    default: 300_000,
    defaultText: '5m',
    description:
      'Lifetime of a storable answer that names none (no `s-maxage` or `max-age`); `0` stores only answers that name one.',
  }),
  HTTP_CACHE_MAX_OBJECT_BYTES: variable({
    section: 'cache',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseByteSize,
    default: 2 * 1024 * 1024,
    defaultText: '2MiB',
    description:
      'Largest answer stored (body bytes, streams included); larger ones are relayed and not stored.',
  }),
  HTTP_CACHE_MAX_BYTES: variable({
    section: 'cache',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseByteSize,
    default: 128 * 1024 * 1024,
    defaultText: '128MiB',
    description:
      'What the memory store may hold in all; the least recently used entries are evicted beyond it.',
  }),
  REDIS_CACHE_URL: variable({
    section: 'cache',
    schema: Type.String(),
    parse: parseRedisUrl,
    default: '',
    secret: true,
    description: 'Redis of the `redis` backend; empty means the shared Redis (`REDIS_URL` or `REDIS_ADDR`).',
  }),
  REDIS_CACHE_KEY_PREFIX: variable({
    section: 'cache',
    schema: Type.String({ minLength: 1 }),
    default: 'llmproxy:cache:',
    description: 'Prefix of every cache key in Redis.',
  }),
  REDIS_CACHE_TIMEOUT: variable({
    section: 'cache',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseDuration,
    default: 200,
    defaultText: '200ms',
    description:
      'Longest a request waits for the Redis cache; past it the request is served without the cache, and while Redis keeps failing it is not asked at all.',
  }),
  REDIS_SCAN_COUNT: variable({
    section: 'cache',
    schema: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    default: 2048,
    description: 'Keys examined per `SCAN` step of a purge in Redis.',
  }),
};
