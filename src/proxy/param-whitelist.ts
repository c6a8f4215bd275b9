import { globMatches } from './glob-match.js';

/** A whitelisted body field whose value matches none of its patterns. */
export interface ParamViolation {
  readonly field: string;
  readonly value: string;
  readonly patterns: readonly string[];
}

/**
 * Checks the top-level fields of a JSON body against the provider's param_whitelist; fields that are absent
 * are not checked. Non-string values are compared in their JSON text form.
 */
export function findParamViolation(
  body: unknown,
  whitelist: Readonly<Record<string, readonly string[]>>,
): ParamViolation | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  for (const [field, patterns] of Object.entries(whitelist)) {
    if (!(field in fields)) continue;
    const raw = fields[field];
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw);
    if (!patterns.some((pattern) => globMatches(pattern, value))) return { field, value, patterns };
  }
  return undefined;
}

/** Whether a Content-Type names JSON (`application/json`, with parameters, or any `+json` type). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (contentType === 'application/json') return true;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
