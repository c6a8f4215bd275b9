import { Type } from '@sinclair/typebox';

import { parseByteSize, parseDuration, parseListenAddress } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** The `events` section: the request events the proxy publishes and the bus they travel. */
export const EVENT_VARIABLES = {
  OBSERVABILITY_ENABLED: variable({
    section: 'events',
    schema: Type.Boolean(),
    default: true,
    description:
      'Publish an event for every `/v1` request (see "Events"). Events are built only when something consumes them: a Redis Streams bus, `FILE_EVENT_LOG` or `DISPATCHER_IN_PROCESS`.',
  }),
  LLM_PROXY_EVENT_BUS: variable({
    section: 'events',
    schema: Type.Union([Type.Literal('memory'), Type.Literal('in-memory'), Type.Literal('redis-streams')]),
    default: 'memory',
    description:
      '`memory` (this process only; `in-memory` is the same) or `redis-streams` (durable, read by `llm-proxy dispatcher`). The original program defaults to Redis; this one needs nothing installed.',
  }),
  OBSERVABILITY_BUFFER_SIZE: variable({
    section: 'events',
    schema: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    default: 1000,
    description:
      'Events held in memory: the memory bus, and the Redis publisher’s buffer between flushes. Beyond it events are dropped and counted.',
  }),
  OBSERVABILITY_CAPTURE_BODIES: variable({
    section: 'events',
    schema: Type.Boolean(),
    default: true,
    description: 'Put the request and response bodies (capped by the next two settings) into events.',
  }),
  OBSERVABILITY_MAX_REQUEST_BODY_BYTES: variable({
    section: 'events',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseByteSize,
    default: 65_536,
    defaultText: '64KiB',
    description: 'First bytes of a request body kept in its event.',
  }),
  OBSERVABILITY_MAX_RESPONSE_BODY_BYTES: variable({
    section: 'events',
    schema: Type.Integer({ minimum: 0 }),
    parse: parseByteSize,
    default: 262_144,
    defaultText: '256KiB',
    description: 'First bytes of a response body kept in its event.',
  }),
  REDIS_STREAM_KEY: variable({
    section: 'events',
    schema: Type.String({ minLength: 1 }),
    default: 'llm-proxy-events',
    description:
      'Redis stream of the `redis-streams` bus; its dead letters are in `<key>:dead`. The Redis is the shared one (`REDIS_URL` or `REDIS_ADDR`).',
  }),
  REDIS_STREAM_MAX_LEN: variable({
    section: 'events',
    schema: Type.Integer({ minimum: 0 }),
    default: 10_000,
    description: 'Approximate length the stream is trimmed to (`XADD MAXLEN ~`); `0` keeps every entry.',
  }),
  EVENT_SPOOL_PATH: variable({
    section: 'events',
    schema: Type.String({ minLength: 1 }),
    default: 'data/event-spool.jsonl',
    description:
      'Local file where events wait while Redis is unreachable; they are published when it returns.',
  }),
  EVENT_SPOOL_MAX_BYTES: variable({
    section: 'events',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseByteSize,
    default: 64 * 1024 * 1024,
    defaultText: '64MiB',
    description: 'Largest spool file; only when it is full are events dropped (and counted).',
  }),
  FILE_EVENT_LOG: variable({
    section: 'events',
    schema: Type.String(),
    default: '',
    description:
      'Write every event to this JSONL file from within the server (the original’s format); empty: no file.',
  }),
};

/** The `dispatcher` section: where `llm-proxy dispatcher` (or the server's own) delivers events. */
export const DISPATCHER_VARIABLES = {
  DISPATCHER_SERVICE: variable({
    section: 'dispatcher',
    schema: Type.Union([
      Type.Literal('file'),
      Type.Literal('lunary'),
      Type.Literal('helicone'),
      Type.Literal('otel'),
    ]),
    default: 'file',
    description: 'The backend: `file` (JSONL), `lunary`, `helicone` or `otel` (OTLP/HTTP traces).',
  }),
  DISPATCHER_ENDPOINT: variable({
    section: 'dispatcher',
    schema: Type.String(),
    default: '',
    description:
      'The file path (`file`, required) or URL of the backend; empty uses the service’s public endpoint (`otel`: `http://localhost:4318/v1/traces`).',
  }),
  LLM_PROXY_API_KEY: variable({
    section: 'dispatcher',
    schema: Type.String(),
    default: '',
    secret: true,
    description: 'API key of the backend (required for `lunary` and `helicone`).',
  }),
  DISPATCHER_HEADERS: variable({
    section: 'dispatcher',
    schema: Type.String(),
    default: '',
    secret: true,
    description:
      'Extra request headers of the `otel` backend as `name=value,name=value` (Langfuse: `Authorization=Basic <base64 of public:secret key>`).',
  }),
  DISPATCHER_CAPTURE_CONTENT: variable({
    section: 'dispatcher',
    schema: Type.Boolean(),
    default: false,
    description: 'Put prompts and completions into `otel` spans (off: counts, models and timings only).',
  }),
  DISPATCHER_BATCH_SIZE: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1, maximum: 10_000 }),
    default: 100,
    description: 'Events sent to the backend in one batch.',
  }),
  DISPATCHER_BUFFER: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    default: 1000,
    description: 'Events the dispatcher reads ahead of the backend.',
  }),
  DISPATCHER_FLUSH_INTERVAL: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseDuration,
    default: 5000,
    defaultText: '5s',
    description: 'Longest an incomplete batch waits before it is sent.',
  }),
  DISPATCHER_MAX_ATTEMPTS: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1, maximum: 1000 }),
    default: 5,
    description:
      'Deliveries of an event before it moves to the dead letters (`<REDIS_STREAM_KEY>:dead`); a permanent error moves it at once.',
  }),
  DISPATCHER_RETRY_BASE: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseDuration,
    default: 1000,
    defaultText: '1s',
    description: 'First wait before a failed batch is retried; doubled each time, with jitter.',
  }),
  DISPATCHER_RETRY_MAX: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseDuration,
    default: 30_000,
    defaultText: '30s',
    description: 'Longest wait between retries.',
  }),
  DISPATCHER_LISTEN_ADDR: variable({
    section: 'dispatcher',
    schema: Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65_535 }) }),
    parse: parseListenAddress,
    default: { host: '', port: 8082 },
    defaultText: ':8082',
    description: 'Where `llm-proxy dispatcher` serves `/health` and `/metrics` (Prometheus).',
  }),
  DISPATCHER_IN_PROCESS: variable({
    section: 'dispatcher',
    schema: Type.Boolean(),
    default: false,
    description:
      'Run the dispatcher inside `llm-proxy server` (single-instance deployments): the server delivers its own events to `DISPATCHER_SERVICE`.',
  }),
  REDIS_CONSUMER_GROUP: variable({
    section: 'dispatcher',
    schema: Type.String({ minLength: 1 }),
    default: 'llm-proxy-dispatchers',
    description:
      'Consumer group: dispatchers in one group share the events; each group receives all of them (one group per backend).',
  }),
  REDIS_CONSUMER_NAME: variable({
    section: 'dispatcher',
    schema: Type.String(),
    default: '',
    description: 'This dispatcher’s name in the group; empty: `dispatcher-<service>-<hostname>-<pid>`.',
  }),
  REDIS_STREAM_BLOCK_TIME: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseDuration,
    default: 5000,
    defaultText: '5s',
    description: 'Longest a read of the stream waits for new events.',
  }),
  REDIS_STREAM_CLAIM_TIME: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1 }),
    parse: parseDuration,
    default: 30_000,
    defaultText: '30s',
    description: 'Idle time after which events read by a dispatcher that died are taken over by another.',
  }),
  REDIS_STREAM_BATCH_SIZE: variable({
    section: 'dispatcher',
    schema: Type.Integer({ minimum: 1, maximum: 10_000 }),
    default: 100,
    description: 'Events read from the stream at once.',
  }),
};

/** The `usage` section: token usage per project, token, model and hour, and its estimated cost. */
export const USAGE_VARIABLES = {
  USAGE_ENABLED: variable({
    section: 'usage',
    schema: Type.Boolean(),
    default: true,
    description:
      'Count the tokens of every answer and store them per project, token, model and hour (`GET /manage/usage`).',
  }),
  USAGE_PRICES_FILE: variable({
    section: 'usage',
    schema: Type.String(),
    default: '',
    description:
      'YAML price table merged over the shipped one (`config/prices.yaml`, USD per million tokens); costs are estimates.',
  }),
  USAGE_ROLLUP_INTERVAL: variable({
    section: 'usage',
    schema: Type.Integer({ minimum: 100 }),
    parse: parseDuration,
    default: 5000,
    defaultText: '5s',
    description: 'How often counted usage is added to the database.',
  }),
};
