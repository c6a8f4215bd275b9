import { CliError } from '../shared/cli-error.js';

/** A project as the management API returns it. */
export interface ProjectJson {
  readonly id: string;
  readonly name: string;
  readonly api_key?: string | null;
  readonly provider?: string | null;
  readonly is_active?: boolean;
  readonly deactivated_at?: string | null;
  readonly created_at?: string | null;
  readonly updated_at?: string | null;
}

/** A token as the management API lists it (the secret masked). */
export interface TokenJson {
  readonly id: string;
  readonly token?: string | null;
  readonly project_id?: string;
  readonly expires_at?: string | null;
  readonly is_active?: boolean;
  readonly deactivated_at?: string | null;
  readonly request_count?: number;
  readonly max_requests?: number | null;
  readonly created_at?: string | null;
  readonly last_used_at?: string | null;
  readonly cache_hit_count?: number;
}

/** The answer to `POST /manage/tokens`: the only time the raw token is returned. */
export interface NewTokenJson {
  readonly id: string;
  readonly token: string;
  readonly expires_at?: string | null;
  readonly max_requests?: number | null;
}

/** The answer to `POST /manage/projects/:id/tokens/revoke`. */
export interface RevokeResultJson {
  readonly revoked_count: number;
  readonly already_revoked_count: number;
  readonly total_tokens: number;
  readonly failed_count?: number;
}

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
