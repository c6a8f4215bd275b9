import type {
  BulkRevokeView,
  CachePurgeView,
  ProjectView,
  TokenCreatedView,
  TokenView,
} from '../../manage/index.js';
import { CliError } from '../shared/cli-error.js';

/**
 * A body of the management API as the CLI reads it: the fields come from the API's own schema, but only `K`
 * is checked at run time, so every other field may be absent (an older or the original server) and is printed
 * as `-`.
 */
type Received<T, K extends keyof T> = Readonly<Pick<T, K> & Partial<T>>;

/** A project as the management API returns it. */
export type ProjectJson = Received<ProjectView, 'id' | 'name'>;

/** A token as the management API lists it (the secret masked). */
export type TokenJson = Received<TokenView, 'id'>;

/**
 * The answer to `POST /manage/tokens` and `POST /manage/tokens/{id}/rotate`: the only time the raw token is
 * returned (`project_id` when the server sends it).
 */
export type NewTokenJson = Received<TokenCreatedView, 'id' | 'token'> & { readonly project_id?: string };

/** The answer to `POST /manage/projects/:id/tokens/revoke`. */
export type RevokeResultJson = Received<BulkRevokeView, keyof BulkRevokeView> & {
  /** Sent by the original server when some revocations failed; this one revokes in one transaction. */
  readonly failed_count?: number;
};

/** A project from a response body. */
export function asProject(body: unknown): ProjectJson {
  return record(body, ['id', 'name']) as ProjectJson;
}

/** A token from a response body. */
export function asToken(body: unknown): TokenJson {
  return record(body, ['id']) as TokenJson;
}

/** The issued token from the body of `POST /manage/tokens`. */
export function asNewToken(body: unknown): NewTokenJson {
  return record(body, ['id', 'token']) as NewTokenJson;
}

/** The counts from the body of a bulk revocation. */
export function asRevokeResult(body: unknown): RevokeResultJson {
  return record(body, ['revoked_count', 'already_revoked_count', 'total_tokens']) as RevokeResultJson;
}

/** The count from the body of `POST /manage/cache/purge`. */
export function asPurgeResult(body: unknown): CachePurgeView {
  const result = record(body, ['deleted']) as { deleted: unknown };
  if (typeof result.deleted !== 'number') throw unexpected();
  return { deleted: result.deleted };
}

/** The items of a list response body, each read by `item`. */
export function asList<T>(body: unknown, item: (value: unknown) => T): T[] {
  if (!Array.isArray(body)) throw unexpected();
  return body.map(item);
}

// Only the shape is checked: the fields used for display are optional and printed as `-` when absent.
function record(body: unknown, fields: readonly string[]): object {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unexpected();
  for (const field of fields) if (!(field in body)) throw unexpected();
  return body;
}

function unexpected(): CliError {
  return new CliError('the management API answered with an unexpected body (is the URL right?)');
}
