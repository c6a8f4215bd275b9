import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../audit/index.js';
import { MAX_PURGE_URL_LENGTH } from '../cache/index.js';
import { MAX_CACHE_POST_TTL_SECONDS } from '../projects/index.js';
import { TOKEN_STATUSES } from '../store/index.js';
import { TOKEN_LIST_ORDER_AND_PAGES } from './token-list-paging.js';
import type { TokenStatus } from '../store/index.js';
import { MAX_FILTER_LENGTH, MAX_PAGE_NUMBER, Nullable, Timestamp, queryFilter } from './schema-parts.js';
import { ERROR_MESSAGES_KEYWORD } from './validation.js';

/** Longest accepted project name. */
export const MAX_PROJECT_NAME_LENGTH = 200;
/** Longest accepted provider API key. */
export const MAX_API_KEY_LENGTH = 4096;
/** Longest token lifetime: one year, as in the original. */
export const MAX_DURATION_MINUTES = 525_600;

/** Longest accepted token name. */
export const MAX_TOKEN_NAME_LENGTH = 100;
/** Largest accepted `max_requests` (the column is a 32-bit integer on PostgreSQL). */
export const MAX_QUOTA = 2_147_483_647;
/** Largest accepted `page_size` (anything above {@link MAX_PAGE_SIZE} is clamped to it). */
export const MAX_REQUESTED_PAGE_SIZE = 1_000_000;

/** Printable text: no control characters (names are shown in terminals and the admin UI). */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';
/** The spellings of a yes/no query parameter: `true`/`false`, `1`/`0`, `yes`/`no`. */
export const FLAG_VALUES = ['true', 'false', '1', '0', 'yes', 'no'] as const;
const OUTCOMES = ['success', 'failure', 'denied', 'error'] as const;

const Id = Type.String({ description: 'record id (UUID)' });

const CACHE_POST_TTL_RANGE = `cache_post_ttl_seconds must be an integer from 1 to ${MAX_CACHE_POST_TTL_SECONDS} (one year), or null to turn it off`;

/** The project's cache TTL for POST answers as a body field: 0 is refused, not read as "off" (null is). */
function CachePostTtl(): ReturnType<typeof Nullable<ReturnType<typeof Type.Integer>>> {
  return Nullable(
    Type.Integer({
      minimum: 1,
      maximum: MAX_CACHE_POST_TTL_SECONDS,
      description:
        "seconds the response cache keeps this project's POST answers without the client opting in " +
        "(a client's no-store or no-cache still wins); null = off",
      ...messages({
        type: CACHE_POST_TTL_RANGE,
        minimum: CACHE_POST_TTL_RANGE,
        maximum: CACHE_POST_TTL_RANGE,
      }),
    }),
  );
}

/** Replaces generated validation messages of one field (compatibility with the original's texts). */
function messages(byKeyword: Record<string, string>): Record<string, Record<string, string>> {
  return { [ERROR_MESSAGES_KEYWORD]: byKeyword };
}

/** The error envelope of the management API. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'human-readable message' }),
    code: Type.String({ description: 'stable machine code, see docs/errors.md' }),
  },
  { additionalProperties: true },
);

/** A project as the API shows it: the API key is always masked. */
export const ProjectView = Type.Object({
  id: Id,
  name: Type.String(),
  api_key: Type.String({ description: 'masked provider API key (first 8 + ... + last 4)' }),
  provider: Nullable(
    Type.String({ description: 'provider serving the project; null = the default provider' }),
  ),
  cache_post_ttl_seconds: Nullable(
    Type.Integer({
      description:
        "seconds the response cache keeps this project's POST answers; null = only on the client's opt-in",
    }),
  ),
  is_active: Type.Boolean(),
  deactivated_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
/** A project as the API shows it. */
export type ProjectView = Static<typeof ProjectView>;

/** Body of `POST /manage/projects`. */
export const CreateProjectBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: MAX_PROJECT_NAME_LENGTH,
      ...messages({ required: 'name and api_key are required', minLength: 'name and api_key are required' }),
    }),
    api_key: Type.String({
      minLength: 1,
      maxLength: MAX_API_KEY_LENGTH,
      description: 'the upstream provider key; stored encrypted when ENCRYPTION_KEY is set, never returned',
      ...messages({ required: 'name and api_key are required', minLength: 'name and api_key are required' }),
    }),
    provider: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'a provider of the provider file (e.g. openai, anthropic); absent = the default provider',
      }),
    ),
    cache_post_ttl_seconds: Type.Optional(CachePostTtl()),
  },
  { additionalProperties: false },
);
/** Parsed body of `POST /manage/projects`. */
export type CreateProjectBody = Static<typeof CreateProjectBody>;

/** Body of `PATCH /manage/projects/{id}`; every field is optional. */
export const UpdateProjectBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PROJECT_NAME_LENGTH })),
    api_key: Type.Optional(
      Type.String({ maxLength: MAX_API_KEY_LENGTH, description: 'an empty string leaves the key unchanged' }),
    ),
    provider: Type.Optional(
      Nullable(
        Type.String({ minLength: 1, maxLength: 64, description: 'null returns to the default provider' }),
      ),
    ),
    cache_post_ttl_seconds: Type.Optional(CachePostTtl()),
    is_active: Type.Optional(Type.Boolean()),
    revoke_tokens: Type.Optional(
      Type.Boolean({ description: 'with is_active=false: also revoke every active token of the project' }),
    ),
  },
  { additionalProperties: false },
);
/** Parsed body of `PATCH /manage/projects/{id}`. */
export type UpdateProjectBody = Static<typeof UpdateProjectBody>;

/** Body of `POST /manage/cache/purge`: one choice of what to purge (see cache-routes.ts for how they combine). */
export const CachePurgeBody = Type.Object(
  {
    method: Type.Optional(
      Type.String({
        maxLength: 16,
        description: 'with url: the method of the entries to purge (GET, POST, …)',
      }),
    ),
    url: Type.Optional(
      Type.String({
        maxLength: MAX_PURGE_URL_LENGTH,
        description:
          'with method: a path with optional query (/v1/models?x=1) or an absolute http(s) URL, of which the ' +
          'path and query are used; every stored variant (request bodies and Vary headers) is purged',
      }),
    ),
    prefix: Type.Optional(
      Type.String({
        maxLength: MAX_PURGE_URL_LENGTH,
        description:
          'purge every entry whose URL path starts with this (it starts with /); method and url are then ignored',
      }),
    ),
    project_id: Type.Optional(
      Type.String({
        maxLength: MAX_FILTER_LENGTH,
        description: "alone: purge the project's entries; with url or prefix: only the project's",
      }),
    ),
    all: Type.Optional(Type.Boolean({ description: 'true: purge every entry, alone' })),
  },
  { additionalProperties: false },
);
/** Parsed body of `POST /manage/cache/purge`. */
export type CachePurgeBody = Static<typeof CachePurgeBody>;

/** Answer of a cache purge. */
export const CachePurgeView = Type.Object({
  deleted: Type.Integer({ description: "number of entries deleted from this instance's store" }),
});
/** Answer of a cache purge. */
export type CachePurgeView = Static<typeof CachePurgeView>;

/** Answer of the bulk token revocation. */
export const BulkRevokeView = Type.Object({
  revoked_count: Type.Integer(),
  already_revoked_count: Type.Integer(),
  total_tokens: Type.Integer(),
});
/** Answer of the bulk token revocation. */
export type BulkRevokeView = Static<typeof BulkRevokeView>;

/** A token as the API shows it: never the secret, only its masked preview. */
export const TokenView = Type.Object({
  id: Id,
  token: Type.String({ description: 'masked token (sk-AbCd**************WxYz)' }),
  name: Nullable(Type.String({ description: 'label given at creation or by an update' })),
  project_id: Id,
  expires_at: Nullable(Timestamp),
  is_active: Type.Boolean(),
  status: TokenStatusSchema(
    'active, or why the token is refused: revoked (deactivated), expired, exhausted (quota used up)',
  ),
  deactivated_at: Nullable(Timestamp),
  request_count: Type.Integer(),
  max_requests: Nullable(Type.Integer({ description: 'lifetime quota; null means unlimited' })),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  cache_hit_count: Type.Integer(),
});
/** A token as the API shows it. */
export type TokenView = Static<typeof TokenView>;

/** Answer of token creation: the only place the secret token is ever shown. */
export const TokenCreatedView = Type.Object({
  id: Id,
  token: Type.String({ description: 'the secret proxy token; shown only once' }),
  expires_at: Nullable(Timestamp),
  max_requests: Type.Optional(Type.Integer({ description: 'present only when the token is limited' })),
  name: Type.Optional(Type.String({ description: 'present only when the token has a name' })),
});
/** Answer of token creation. */
export type TokenCreatedView = Static<typeof TokenCreatedView>;

/** Body of `POST /manage/tokens`. */
export const CreateTokenBody = Type.Object(
  {
    project_id: Type.String({
      minLength: 1,
      maxLength: MAX_FILTER_LENGTH,
      ...messages({ required: 'project_id is required', minLength: 'project_id is required' }),
    }),
    duration_minutes: Type.Integer({
      minimum: 1,
      maximum: MAX_DURATION_MINUTES,
      description: `token lifetime, 1..${MAX_DURATION_MINUTES} minutes`,
      ...messages({
        required: 'project_id and duration_minutes are required',
        minimum: 'project_id and duration_minutes are required',
        maximum: 'duration_minutes exceeds maximum allowed',
      }),
    }),
    max_requests: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_QUOTA,
        description: 'lifetime request quota; 0 or absent means unlimited',
      }),
    ),
    name: Type.Optional(TokenName()),
  },
  { additionalProperties: false },
);
/** Parsed body of `POST /manage/tokens`. */
export type CreateTokenBody = Static<typeof CreateTokenBody>;

/** Body of `PATCH /manage/tokens/{id}`. */
export const UpdateTokenBody = Type.Object(
  {
    is_active: Type.Optional(Type.Boolean()),
    max_requests: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_QUOTA, description: '0 means unlimited' }),
    ),
    name: Type.Optional(Nullable(TokenName('null removes the name'))),
  },
  { additionalProperties: false },
);
/** Parsed body of `PATCH /manage/tokens/{id}`. */
export type UpdateTokenBody = Static<typeof UpdateTokenBody>;

/** Query of `GET /manage/tokens`; both spellings of the project filter are accepted. */
export const TokenListQuery = Type.Object({
  project_id: Type.Optional(Type.String({ maxLength: MAX_FILTER_LENGTH })),
  projectId: Type.Optional(Type.String({ maxLength: MAX_FILTER_LENGTH, description: 'alias of project_id' })),
  active_only: Flag('only tokens not revoked: true/1/yes or false/0/no'),
  activeOnly: Flag('alias of active_only'),
  status: Type.Optional(TokenStatusSchema('only tokens of this status')),
  ...TOKEN_LIST_ORDER_AND_PAGES,
});
/** Parsed query of `GET /manage/tokens`. */
export type TokenListQuery = Static<typeof TokenListQuery>;

/** Path parameters of the `{id}` routes. */
export const IdParams = Type.Object({ id: Type.String({ description: 'record id' }) });
/** Parsed path parameters of the `{id}` routes. */
export type IdParams = Static<typeof IdParams>;

/** One audit event; `metadata` is the JSON text of the event's details. */
export const AuditEventView = Type.Object({
  id: Id,
  timestamp: Timestamp,
  action: Type.String(),
  actor: Type.String(),
  project_id: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  correlation_id: Nullable(Type.String()),
  client_ip: Nullable(Type.String()),
  method: Nullable(Type.String()),
  path: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  outcome: Type.Unsafe<(typeof OUTCOMES)[number]>({ type: 'string', enum: [...OUTCOMES] }),
  reason: Nullable(Type.String()),
  token_id: Nullable(Type.String({ description: 'masked' })),
  metadata: Nullable(Type.String({ description: 'JSON text of the details' })),
});

/** One page of audit events. */
export const AuditPageView = Type.Object({
  events: Type.Array(AuditEventView),
  pagination: Type.Object({
    page: Type.Integer(),
    page_size: Type.Integer(),
    total_count: Type.Integer(),
    total_pages: Type.Integer(),
    has_next: Type.Boolean(),
    has_prev: Type.Boolean(),
  }),
});

/** Query of `GET /manage/audit`. */
export const AuditListQuery = Type.Object({
  action: queryFilter('exact action, e.g. token.create'),
  client_ip: queryFilter('exact client IP'),
  project_id: queryFilter('exact project id'),
  outcome: Type.Optional(Type.Unsafe<(typeof OUTCOMES)[number]>({ type: 'string', enum: [...OUTCOMES] })),
  actor: queryFilter('exact actor'),
  request_id: queryFilter('exact request id'),
  correlation_id: queryFilter('exact correlation id'),
  method: queryFilter('exact HTTP method'),
  path: queryFilter('exact request path'),
  search: queryFilter(
    'case-insensitive substring of ids, IP, action, actor, method, path, reason or metadata',
  ),
  start_time: queryFilter('ISO 8601 date or date-time (UTC when no offset); events at or after it'),
  end_time: queryFilter('ISO 8601 date or date-time (UTC when no offset); events at or before it'),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_NUMBER, default: 1 })),
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_REQUESTED_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `1..${MAX_PAGE_SIZE}; larger values are clamped to ${MAX_PAGE_SIZE}`,
    }),
  ),
});
/** Parsed query of `GET /manage/audit`. */
export type AuditListQuery = Static<typeof AuditListQuery>;

/** A token name: 1..{@link MAX_TOKEN_NAME_LENGTH} characters, no control characters. */
function TokenName(description = 'a label for the token, shown in lists') {
  return Type.String({
    minLength: 1,
    maxLength: MAX_TOKEN_NAME_LENGTH,
    pattern: NO_CONTROL_CHARACTERS,
    description,
    ...messages({ pattern: 'name must not contain control characters' }),
  });
}

function TokenStatusSchema(description: string) {
  return Type.Unsafe<TokenStatus>({ type: 'string', enum: [...TOKEN_STATUSES], description });
}

function Flag(description: string) {
  return Type.Optional(
    Type.Unsafe<(typeof FLAG_VALUES)[number]>({ type: 'string', enum: [...FLAG_VALUES], description }),
  );
}

/** Response schemas of the given error statuses, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}
